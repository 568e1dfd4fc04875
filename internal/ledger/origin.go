package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"unicode"

	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// The ledger's origin is the first line of every checkpoint and the name of
// its key. It comes from the configuration (VIGIL_LOG_ORIGIN) when the log
// is first opened; setup may rename a log that has integrated no entry yet
// (Rename), and the name it chose is recorded in the database, where it
// wins over the configured default at every later start (ResolveOrigin).

// originName is the instance setting holding the origin chosen at setup.
const originName = "log_origin"

// ErrStarted means the ledger already holds entries, so its origin can no
// longer change.
var ErrStarted = errors.New("ledger: the ledger already holds entries; its name cannot change")

// ValidOrigin checks an origin: what a signed-note key name may be (not
// empty, no space, no plus sign), at most 200 characters. The error names
// field.
func ValidOrigin(field, origin string) error {
	switch {
	case origin == "":
		return invalid.Field(field, "required", "is required")
	case len(origin) > 200:
		return invalid.Field(field, "too_long", "is longer than 200 characters")
	case strings.ContainsRune(origin, '+') || strings.IndexFunc(origin, unicode.IsSpace) >= 0 || !isPrint(origin):
		return invalid.Field(field, "invalid", "may not hold spaces, plus signs or control characters (e.g. hotline.example.org/log)")
	}
	return nil
}

func isPrint(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// ResolveOrigin returns the origin a server opens the log with: the one
// recorded at setup if there is one, else configured. A configured origin
// that is explicit (not the placeholder default) and differs from the
// recorded one is refused: a log keeps its name for life.
func ResolveOrigin(ctx context.Context, db *store.DB, configured string, explicit bool) (string, error) {
	recorded, ok, err := db.InstanceValue(ctx, originName)
	if err != nil {
		return "", fmt.Errorf("ledger: read the recorded origin: %w", err)
	}
	switch {
	case !ok:
		return configured, nil
	case explicit && configured != recorded:
		return "", fmt.Errorf("ledger: VIGIL_LOG_ORIGIN is %q, but this ledger was named %q at setup and a ledger keeps its name: unset VIGIL_LOG_ORIGIN or set it to %q", configured, recorded, recorded)
	}
	return recorded, nil
}

// Rename gives a log that has integrated no entry the origin origin: a new
// key for it replaces the log key (in its file), the empty tree's
// checkpoint is signed again, and the origin is recorded in the database
// for later starts. A log that holds entries is refused with ErrStarted;
// renaming to the current origin does nothing. Entries queued but not yet
// integrated are integrated under the new name.
//
// The new key is written beside the key file (".new") first, the database
// changes in one transaction, then the file replaces the key file; a crash
// between the two is completed by OpenKey.
func (l *Log) Rename(ctx context.Context, origin string) error {
	if err := ValidOrigin("log_origin", origin); err != nil {
		return err
	}
	l.keyMu.Lock()
	defer l.keyMu.Unlock()
	old := l.signingKey()
	if origin == old.Origin() {
		return nil
	}
	if old.path == "" {
		return errors.New("ledger: rename: the log key has no file")
	}
	if old.next != nil {
		return errors.New("ledger: rename: a key change is under way")
	}
	tmp := old.path + ".new"
	if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ledger: rename: %w", err)
	}
	k, err := createKey(tmp, origin)
	if err != nil {
		return fmt.Errorf("ledger: rename: %w", err)
	}
	empty := Checkpoint{Origin: origin, Size: 0, Root: rfc6962.DefaultHasher.EmptyRoot()}
	signed, err := signCheckpoint(empty, k)
	if err != nil {
		os.Remove(tmp)
		return err
	}
	st := &store.LedgerState{Size: 0, Root: empty.Root, Checkpoint: signed, UpdatedAt: store.Now()}
	err = l.db.Tx(ctx, func(q store.Q) error {
		cur, err := q.GetLedgerState(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if _, err := q.InitLedgerState(ctx, st); err != nil {
				return err
			}
		case err != nil:
			return err
		case cur.Size > 0:
			return fmt.Errorf("ledger: rename to %q: it holds %d entries under %q: %w", origin, cur.Size, old.Origin(), ErrStarted)
		default:
			if err := q.SetLedgerState(ctx, 0, st); err != nil {
				return err
			}
		}
		if err := q.SetInstanceValue(ctx, verifierKeyName, k.VerifierKey()); err != nil {
			return err
		}
		return q.SetInstanceValue(ctx, originName, origin)
	})
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("ledger: rename: %w", err)
	}
	if err := os.Rename(tmp, old.path); err != nil {
		return fmt.Errorf("ledger: rename: the database names the log %q, but its key stays in %s: %w (the next start moves it)", origin, tmp, err)
	}
	k.path = old.path
	l.key.Store(k)
	l.setHead(&head{size: 0, root: st.Root, note: signed}, true)
	l.log.Info("ledger: renamed", "origin", origin, "vkey", k.VerifierKey())
	return nil
}

// finishKeyFiles completes the file moves of a rename or key change whose
// database part committed: the key file beside path (".new" from Rename,
// ".next" from a key change) whose verifier key is want becomes path, a
// replaced key of a key change being kept as ".retired". It reports whether
// it moved anything.
func finishKeyFiles(path, want string) (bool, error) {
	if k, err := LoadKey(path + ".new"); err == nil && k.VerifierKey() == want {
		if err := os.Rename(path+".new", path); err != nil {
			return false, fmt.Errorf("ledger: finish the rename of the log key: %w", err)
		}
		return true, nil
	}
	if k, err := LoadKey(path + ".next"); err == nil && k.VerifierKey() == want {
		if err := retireKeyFile(path); err != nil {
			return false, err
		}
		if err := os.Rename(path+".next", path); err != nil {
			return false, fmt.Errorf("ledger: finish the log key change: %w", err)
		}
		return true, nil
	}
	return false, nil
}

// retireKeyFile moves the key file path aside to path.retired (never over
// an earlier retired key), if it exists.
func retireKeyFile(path string) error {
	dst := path + ".retired"
	for i := 2; ; i++ {
		if _, err := os.Stat(dst); errors.Is(err, fs.ErrNotExist) {
			break
		}
		dst = fmt.Sprintf("%s.retired.%d", path, i)
	}
	if err := os.Rename(path, dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ledger: retire the old log key: %w", err)
	}
	return nil
}
