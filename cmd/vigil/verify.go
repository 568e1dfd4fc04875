package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/ledger"
)

// runVerify checks a ledger receipt offline: the checkpoint's signature, the
// entry's leaf hash and the inclusion proof; with --content and --salt, also
// that the content is what the entry commits to. It needs no server and no
// database, only the log's verifier key.
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify")
	vkeyFlag := fs.String("vkey", "", "the log's verifier key (origin+hash+key), or a file holding it; default: the key in the receipt, which you must then compare with the log's published key")
	contentFile := fs.String("content", "", "file with the exact content (e.g. the statement text) to check against the entry's commitment")
	saltHex := fs.String("salt", "", "the entry's salt in hex (with --content)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return fmt.Errorf("verify: want one receipt file (or - for stdin): %w", errUsage)
	}
	if (*contentFile == "") != (*saltHex == "") {
		return fmt.Errorf("verify: --content and --salt go together: %w", errUsage)
	}
	var salt []byte
	if *saltHex != "" {
		var err error
		if salt, err = hex.DecodeString(strings.TrimSpace(*saltHex)); err != nil {
			return fmt.Errorf("verify: --salt is not hex: %w", errUsage)
		}
	}

	b, err := readVerifyInput(e, fs.Arg(0))
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	r, err := ledger.ParseReceipt(b)
	if err != nil {
		return fmt.Errorf("verify: %s: %w", fs.Arg(0), err)
	}
	vkey, pinned, err := verifierKey(*vkeyFlag, r)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	cp, err := r.Verify(vkey)
	if err != nil {
		return fmt.Errorf("verify: receipt is NOT valid: %w", err)
	}
	fmt.Fprintf(e.stdout, "OK: %s %s version %d (commitment %s) is leaf %d of log %s, in the tree of size %d whose checkpoint is signed by %s\n",
		r.Entry.Kind, r.Entry.RecordID, r.Entry.Version, r.Entry.Commitment, r.LeafIndex, cp.Origin, cp.Size, vkey)
	if *contentFile != "" {
		content, err := os.ReadFile(*contentFile)
		if err != nil {
			return fmt.Errorf("verify: read content: %w", err)
		}
		if err := r.CheckContent(salt, content); err != nil {
			return fmt.Errorf("verify: %s: %w", *contentFile, err)
		}
		fmt.Fprintf(e.stdout, "OK: %s with the given salt is exactly what the entry commits to\n", *contentFile)
	}
	if !pinned {
		fmt.Fprintf(e.stderr, "warning: checked against the verifier key embedded in the receipt. A forged receipt can embed its own key:\n"+
			"compare it with the key the log publishes (https://%s/vkey) or that your organisation gave you, and pass it with --vkey.\n", r.Origin)
	}
	return nil
}

// verifierKey picks the key to verify with: the flag's value (a key or a
// file holding one), or else the receipt's own (not pinned).
func verifierKey(flagValue string, r *ledger.Receipt) (vkey string, pinned bool, err error) {
	if flagValue == "" {
		if r.VerifierKey == "" {
			return "", false, fmt.Errorf("the receipt carries no verifier key: give the log's key with --vkey: %w", errUsage)
		}
		return r.VerifierKey, false, nil
	}
	if _, err := note.NewVerifier(flagValue); err == nil {
		return flagValue, true, nil
	}
	b, err := os.ReadFile(flagValue)
	if err != nil {
		return "", false, fmt.Errorf("--vkey is neither a verifier key nor a readable file: %w", err)
	}
	k := strings.TrimSpace(string(b))
	if _, err := note.NewVerifier(k); err != nil {
		return "", false, fmt.Errorf("--vkey file %s: not a verifier key: %w", flagValue, err)
	}
	return k, true, nil
}

// readVerifyInput reads a file, or stdin for "-".
func readVerifyInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(e.stdin, 1<<20))
	}
	return os.ReadFile(name)
}
