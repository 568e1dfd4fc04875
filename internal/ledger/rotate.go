package ledger

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/store"
)

// A change of the log's signing key (vigil keys rotate-log). Checkpoints
// are C2SP signed notes, which carry any number of signatures, and a
// verifier ignores those by keys it does not know. So:
//
//  1. BeginKeyChange makes the next key (same origin, file KEY.next),
//     records its verifier key in the database (log_verifier_key_next) and
//     signs the current checkpoint again with both keys. From then on every
//     checkpoint carries both signatures, and /log/vkeys announces the next
//     key after the current one. A verifier that holds the old key goes on
//     accepting checkpoints, and can take the new key from /log/vkeys,
//     trusting it because the checkpoint its old key verifies is signed by
//     the new one too.
//  2. FinishKeyChange, once verifiers had time to take the new key, makes
//     it the log's key: the database records it as the key
//     (log_verifier_key), the old key's file is moved aside (KEY.retired)
//     and the next key's file takes its place. Later checkpoints carry the
//     new key's signature alone. Old receipts still verify: each holds its
//     own checkpoint, signed by the old key.
//
// Servers need no restart: every batch reads the recorded keys in its
// transaction (currentKey) and signs with those. A server that cannot read
// the next key's file signs with the current key alone until it can (a
// server with its own data directory needs a copy of KEY.next); after the
// change, one without the new key stops sequencing until it has it.

// retiredKeysName is the instance setting listing retired verifier keys,
// one per line, oldest first.
const retiredKeysName = "log_verifier_keys_retired"

// currentKey returns the key a batch in q's transaction signs with: the
// one recorded in the database, with the next key during a key change,
// loaded again from the key files when the recorded keys changed. A log
// whose keys were never recorded (tools, tests) keeps the key it was
// opened with.
func (l *Log) currentKey(ctx context.Context, q store.Q) (*Key, error) {
	k := l.signingKey()
	if k.path == "" {
		return k, nil
	}
	rec, err := q.InstanceValues(ctx, verifierKeyName, nextKeyName)
	if err != nil {
		return nil, err
	}
	cur, ok := rec[verifierKeyName]
	if !ok {
		return k, nil
	}
	next := rec[nextKeyName]
	have := ""
	if k.next != nil {
		have = k.next.VerifierKey()
	}
	if cur == k.VerifierKey() && next == have {
		return k, nil
	}
	nk, err := loadRecorded(k.path, cur)
	if err != nil {
		return nil, fmt.Errorf("ledger: the log's key is now %s: %w", cur, err)
	}
	if next != "" {
		if n, err := loadRecorded(k.path, next); err != nil {
			l.log.Warn("ledger: a key change is under way, but the next key's file is unreadable here: signing with the current key alone", "next", next, "err", err)
		} else {
			nk.next = n
		}
	}
	l.key.Store(nk)
	l.log.Info("ledger: signing keys changed", "vkey", nk.VerifierKey(), "next", next)
	return nk, nil
}

// refreshKey loads the keys recorded in the database if they changed, for
// a process that serves the keys without signing a checkpoint lately.
func (l *Log) refreshKey(ctx context.Context) {
	if _, err := l.currentKey(ctx, l.db.Read()); err != nil {
		l.log.Warn("ledger: read the log's keys", "err", err)
	}
}

// loadRecorded loads the key whose verifier key is vkey from the key file
// path or the next key's file beside it (whose move into place may be
// pending).
func loadRecorded(path, vkey string) (*Key, error) {
	for _, p := range []string{path, path + ".next"} {
		k, err := LoadKey(p)
		if err == nil && k.VerifierKey() == vkey {
			k.path = path
			return k, nil
		}
	}
	return nil, fmt.Errorf("neither %s nor %s.next holds the key %s", path, path, vkey)
}

// VerifierKeys are the verifier keys that sign the log's checkpoints now:
// the log's key, then, during a key change, the next one.
func (l *Log) VerifierKeys() []string {
	k := l.signingKey()
	if k.next == nil {
		return []string{k.VerifierKey()}
	}
	return []string{k.VerifierKey(), k.next.VerifierKey()}
}

// KeyChange is where a key change stands.
type KeyChange struct {
	// Current signs the log's checkpoints; Next is announced to replace it
	// (empty when no change is under way).
	Current, Next string
	// Retired is the key a finished change replaced, and RetiredFile the
	// file it was moved to.
	Retired, RetiredFile string
}

// BeginKeyChange starts a change of the log key in the file path of the
// log in db: see the comment at the top of this file. It fails if a change
// is under way.
func BeginKeyChange(ctx context.Context, db *store.DB, path string) (*KeyChange, error) {
	k, err := recordedKey(ctx, db, path)
	if err != nil {
		return nil, err
	}
	if k.next != nil {
		return nil, fmt.Errorf("ledger: a key change to %s is under way: finish or cancel it first", k.next.VerifierKey())
	}
	if err := os.Remove(path + ".next"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("ledger: begin key change: %w", err)
	}
	next, err := createKey(path+".next", k.Origin())
	if err != nil {
		return nil, fmt.Errorf("ledger: begin key change: %w", err)
	}
	k.next = next
	err = db.Tx(ctx, func(q store.Q) error {
		if err := q.SetInstanceValue(ctx, nextKeyName, next.VerifierKey()); err != nil {
			return err
		}
		return cosign(ctx, q, k)
	})
	if err != nil {
		os.Remove(path + ".next")
		return nil, fmt.Errorf("ledger: begin key change: %w", err)
	}
	return &KeyChange{Current: k.VerifierKey(), Next: next.VerifierKey()}, nil
}

// FinishKeyChange makes the next key the log's key: see the comment at the
// top of this file. The latest checkpoint is signed again by both keys
// first, so that it verifies with the new key whatever signed it last.
func FinishKeyChange(ctx context.Context, db *store.DB, path string) (*KeyChange, error) {
	k, err := recordedKey(ctx, db, path)
	if err != nil {
		return nil, err
	}
	if k.next == nil {
		return nil, errors.New("ledger: no key change is under way: begin one first (vigil keys rotate-log)")
	}
	err = db.Tx(ctx, func(q store.Q) error {
		if err := cosign(ctx, q, k); err != nil {
			return err
		}
		retired, _, err := q.InstanceValue(ctx, retiredKeysName)
		if err != nil {
			return err
		}
		if err := q.SetInstanceValue(ctx, retiredKeysName, strings.TrimLeft(retired+"\n"+k.VerifierKey(), "\n")); err != nil {
			return err
		}
		if err := q.SetInstanceValue(ctx, verifierKeyName, k.next.VerifierKey()); err != nil {
			return err
		}
		return q.DeleteInstanceValue(ctx, nextKeyName)
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: finish key change: %w", err)
	}
	if _, err := finishKeyFiles(path, k.next.VerifierKey()); err != nil {
		return nil, fmt.Errorf("%w (the database has the new key; the next start, or this command again, moves the files)", err)
	}
	kc := &KeyChange{Current: k.next.VerifierKey(), Retired: k.VerifierKey()}
	for i := 1; i < 100 && kc.RetiredFile == ""; i++ {
		p := path + ".retired"
		if i > 1 {
			p = fmt.Sprintf("%s.retired.%d", path, i)
		}
		if r, err := LoadKey(p); err == nil && r.VerifierKey() == kc.Retired {
			kc.RetiredFile = p
		}
	}
	return kc, nil
}

// CancelKeyChange abandons a key change that was not finished: the next
// key is forgotten and its file removed. Checkpoints it co-signed stay
// valid under the current key.
func CancelKeyChange(ctx context.Context, db *store.DB, path string) error {
	k, err := recordedKey(ctx, db, path)
	if err != nil {
		return err
	}
	if k.next == nil {
		return errors.New("ledger: no key change is under way")
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteInstanceValue(ctx, nextKeyName) }); err != nil {
		return fmt.Errorf("ledger: cancel key change: %w", err)
	}
	if err := os.Remove(path + ".next"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("ledger: cancel key change: %w", err)
	}
	return nil
}

// recordedKey opens the log key in path as a server does, with the next
// key during a change; the log's key must have been recorded.
func recordedKey(ctx context.Context, db *store.DB, path string) (*Key, error) {
	if _, ok, err := db.InstanceValue(ctx, verifierKeyName); err != nil {
		return nil, err
	} else if !ok {
		return nil, errors.New("ledger: this log has no recorded key yet: start the server once first")
	}
	// The origin is the key's own: a key change keeps it.
	origin := ""
	for _, p := range []string{path, path + ".next"} {
		if k, err := LoadKey(p); err == nil {
			origin = k.Origin()
			break
		}
	}
	return OpenKey(ctx, db, path, origin)
}

// cosign signs the stored checkpoint again with k and its next key, in q's
// transaction; a log without a checkpoint has nothing to sign. The stored
// one must verify with k or its next key.
func cosign(ctx context.Context, q store.Q, k *Key) error {
	st, err := q.GetLedgerState(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	vs := []note.Verifier{k.Verifier()}
	if k.next != nil {
		vs = append(vs, k.next.Verifier())
	}
	n, err := note.Open([]byte(st.Checkpoint), note.VerifierList(vs...))
	if err != nil {
		return fmt.Errorf("the stored checkpoint does not verify with the log's keys: %w", err)
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, k.signers()...)
	if err != nil {
		return fmt.Errorf("sign the checkpoint again: %w", err)
	}
	st.Checkpoint = string(signed)
	st.UpdatedAt = store.Now()
	return q.SetLedgerState(ctx, st.Size, st)
}
