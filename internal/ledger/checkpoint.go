package ledger

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Checkpoint is the body of a C2SP tlog-checkpoint: the log's origin, the
// tree size and the root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   []byte
}

// Text returns the checkpoint body, three lines each ending in a newline.
func (c Checkpoint) Text() string {
	return c.Origin + "\n" + strconv.FormatInt(c.Size, 10) + "\n" + base64.StdEncoding.EncodeToString(c.Root) + "\n"
}

// ErrBadSignature means a checkpoint is not signed by the expected key.
var ErrBadSignature = errors.New("checkpoint is not signed by the log's key")

// OpenCheckpoint verifies a signed checkpoint note with verifier and parses
// its body. The body must be in canonical form (no extension lines are
// produced by this log, but they are accepted and ignored as the format
// allows), and its origin must be the verifier's name.
func OpenCheckpoint(signed []byte, verifier note.Verifier) (Checkpoint, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("ledger: %w (%v)", ErrBadSignature, err)
		}
		return Checkpoint{}, fmt.Errorf("ledger: open checkpoint: %w", err)
	}
	c, err := parseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != verifier.Name() {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint origin %q is not the key's name %q", c.Origin, verifier.Name())
	}
	return c, nil
}

// parseCheckpointText parses a checkpoint body strictly: origin, decimal
// size without leading zeros, base64 SHA-256 root, then optional extension
// lines.
func parseCheckpointText(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return Checkpoint{}, errors.New("ledger: checkpoint: fewer than three lines")
	}
	c := Checkpoint{Origin: lines[0]}
	if c.Origin == "" {
		return Checkpoint{}, errors.New("ledger: checkpoint: empty origin")
	}
	size, ok := canonicalUint(lines[1], 1<<63-1)
	if !ok {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint: size %q is not a canonical decimal", lines[1])
	}
	c.Size = int64(size)
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != HashSize {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint: root %q is not a base64 SHA-256 hash", lines[2])
	}
	c.Root = root
	return c, nil
}

// signCheckpoint signs c with key as a C2SP signed note: with the key
// itself and, during a key change, with the next key too.
func signCheckpoint(c Checkpoint, key *Key) (string, error) {
	b, err := note.Sign(&note.Note{Text: c.Text()}, key.signers()...)
	if err != nil {
		return "", fmt.Errorf("ledger: sign checkpoint %d: %w", c.Size, err)
	}
	return string(b), nil
}

// sameRoot reports whether two roots are equal.
func sameRoot(a, b []byte) bool { return bytes.Equal(a, b) }
