package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/store"
)

// Key is the log's checkpoint signing key: an Ed25519 key in the signed-note
// format, named after the log's origin.
type Key struct {
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	// path is the file the key was read from; empty for a parsed key.
	path string
	// next is the key announced to replace this one during a key change
	// (see BeginKeyChange): checkpoints are signed by both. Nil otherwise.
	next *Key
}

// LoadOrCreateKey reads the signing key from path, creating it for origin
// (mode 0600) if there is none. It does not look at a database: a server
// opens its key with [OpenKey]; this is for tools and tests that start a
// new log. The key must be named origin: a log keeps its origin for life,
// so a changed origin is refused rather than silently starting a second
// log. The file is kept outside the database so that someone holding only
// a database dump cannot sign checkpoints.
func LoadOrCreateKey(path, origin string) (*Key, error) {
	k, err := LoadKey(path)
	if errors.Is(err, fs.ErrNotExist) {
		return createKey(path, origin)
	}
	if err != nil {
		return nil, err
	}
	if k.Origin() != origin {
		return nil, fmt.Errorf("ledger: log key %s signs for origin %q, but the configured origin is %q", path, k.Origin(), origin)
	}
	return k, nil
}

// ErrKeyMissing means the log key file is missing for a log that already
// has a key.
var ErrKeyMissing = errors.New("ledger: log key missing")

// verifierKeyName is the instance setting that records the log's verifier
// key in the database.
const verifierKeyName = "log_verifier_key"

// OpenKey returns the signing key in path for the log in db. On the first
// run (no recorded key and no checkpoint) it creates the key for origin and
// records its verifier key in db. After that it never creates a key: a new
// key would fork the log's signatures, so a missing file is [ErrKeyMissing]
// and a key whose verifier key differs from the recorded one is refused,
// both naming the file and the expected verifier key. A log from before
// keys were recorded gets its key recorded here; [New] checks it against the
// stored checkpoint.
func OpenKey(ctx context.Context, db *store.DB, path, origin string) (*Key, error) {
	want, recorded, err := db.InstanceValue(ctx, verifierKeyName)
	if err != nil {
		return nil, fmt.Errorf("ledger: read the recorded log key: %w", err)
	}
	k, err := LoadKey(path)
	if recorded && (err == nil && k.VerifierKey() != want || errors.Is(err, fs.ErrNotExist)) {
		// A rename or a key change that stopped between its database
		// commit and its file moves: finish the moves.
		if done, ferr := finishKeyFiles(path, want); ferr != nil {
			return nil, ferr
		} else if done {
			k, err = LoadKey(path)
		}
	}
	created := false
	if errors.Is(err, fs.ErrNotExist) {
		if recorded {
			return nil, fmt.Errorf("ledger: log key file %s is missing, and this log's checkpoints are signed by the key %s: restore that file from your key backup (or point VIGIL_LOG_KEY_FILE at it); a new key would fork the log's signatures: %w", path, want, ErrKeyMissing)
		}
		if _, err := db.Read().GetLedgerState(ctx); err == nil {
			return nil, fmt.Errorf("ledger: log key file %s is missing, and this log already has a signed checkpoint: restore that file from your key backup (or point VIGIL_LOG_KEY_FILE at it); a new key would fork the log's signatures: %w", path, ErrKeyMissing)
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("ledger: open key: %w", err)
		}
		if k, err = createKey(path, origin); errors.Is(err, fs.ErrExist) {
			// Another process sharing the data directory created it
			// first.
			k, err = LoadKey(path)
		} else {
			created = err == nil
		}
	}
	if err != nil {
		return nil, err
	}
	if k.Origin() != origin {
		return nil, fmt.Errorf("ledger: log key %s signs for origin %q, but the configured origin is %q", path, k.Origin(), origin)
	}
	if !recorded {
		if want, err = db.ClaimInstanceValue(ctx, verifierKeyName, k.VerifierKey()); err != nil {
			return nil, fmt.Errorf("ledger: record the log key: %w", err)
		}
		if want != k.VerifierKey() && created {
			// Another process recorded its own new key first; this one
			// signed nothing.
			os.Remove(path)
		}
	}
	if want != k.VerifierKey() {
		return nil, fmt.Errorf("ledger: log key file %s has verifier key %s, but this log's checkpoints are signed by the key %s: restore that file from your key backup (or point VIGIL_LOG_KEY_FILE at it)", path, k.VerifierKey(), want)
	}
	if err := openNextKey(ctx, db, k); err != nil {
		return nil, err
	}
	return k, nil
}

// LoadKey reads an existing signing key from path. A key file readable by
// group or others is refused. The error wraps fs.ErrNotExist when there is
// no file.
func LoadKey(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: read log key: %w", err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("ledger: stat log key: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("ledger: log key %s has mode %v: want 0600", path, st.Mode().Perm())
	}
	k, err := ParseKey(strings.TrimSpace(string(b)))
	if err != nil {
		return nil, fmt.Errorf("ledger: log key %s: %w", path, err)
	}
	k.path = path
	return k, nil
}

func createKey(path, origin string) (*Key, error) {
	skey, _, err := note.GenerateKey(rand.Reader, origin)
	if err != nil {
		return nil, fmt.Errorf("ledger: generate log key for origin %q: %w", origin, err)
	}
	k, err := ParseKey(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger: generate log key for origin %q: %w", origin, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("ledger: create log key dir: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("ledger: create log key %s: %w", path, err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: write log key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("ledger: sync log key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("ledger: close log key: %w", err)
	}
	k.path = path
	return k, nil
}

// ParseKey parses an encoded note signer key ("PRIVATE+KEY+name+hash+data")
// holding an Ed25519 key.
func ParseKey(skey string) (*Key, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger: parse signing key: %w", err)
	}
	// The verifier key is not stored; derive it from the seed.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 {
		return nil, errors.New("ledger: parse signing key: malformed")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return nil, errors.New("ledger: parse signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return nil, fmt.Errorf("ledger: derive verifier key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger: derive verifier key: %w", err)
	}
	if verifier.KeyHash() != signer.KeyHash() {
		return nil, errors.New("ledger: parse signing key: key hash does not match")
	}
	return &Key{signer: signer, verifier: verifier, vkey: vkey}, nil
}

// Origin is the log's origin, the first line of every checkpoint; it is
// also the key's name.
func (k *Key) Origin() string { return k.signer.Name() }

// Signer signs checkpoints.
func (k *Key) Signer() note.Signer { return k.signer }

// Verifier checks checkpoint signatures.
func (k *Key) Verifier() note.Verifier { return k.verifier }

// VerifierKey is the public verifier key in note format
// ("origin+hash+data"), as served at /log/vkey and embedded in receipts.
func (k *Key) VerifierKey() string { return k.vkey }

// Next is the key announced to replace k, nil outside a key change.
func (k *Key) Next() *Key { return k.next }

// signers are the keys a checkpoint is signed with: k, then the next key.
func (k *Key) signers() []note.Signer {
	if k.next == nil {
		return []note.Signer{k.signer}
	}
	return []note.Signer{k.signer, k.next.signer}
}

// nextKeyName is the instance setting that records the verifier key
// announced to replace the log's key during a key change.
const nextKeyName = "log_verifier_key_next"

// openNextKey loads the next key into k when a key change is under way.
func openNextKey(ctx context.Context, db *store.DB, k *Key) error {
	want, ok, err := db.InstanceValue(ctx, nextKeyName)
	if err != nil || !ok {
		return err
	}
	next, err := LoadKey(k.path + ".next")
	if err != nil {
		return fmt.Errorf("ledger: a log key change is under way to the key %s, but its file is unreadable (restore it from your key backup, or cancel the change with vigil keys rotate-log --cancel): %w", want, err)
	}
	if next.VerifierKey() != want {
		return fmt.Errorf("ledger: the next log key file %s has verifier key %s, but the key change under way is to %s", next.path, next.VerifierKey(), want)
	}
	k.next = next
	return nil
}
