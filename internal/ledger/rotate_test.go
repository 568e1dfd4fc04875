package ledger_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestKeyChange changes the log key while the sequencer runs: after the
// change begins, every checkpoint is signed by both keys and /log/vkeys
// announces the next key, so a verifier holding the old key accepts the
// checkpoints and learns the new key from one its old key verifies; after
// the change finishes, checkpoints carry the new key alone, the old key's
// file is retired, and a restart opens the log with the new key.
func TestKeyChange(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		dir := t.TempDir()
		path := filepath.Join(dir, "log.key")
		oldKey := openServerKey(t, db, dir)
		l, err := ledger.New(db, oldKey, nil)
		if err != nil {
			t.Fatal(err)
		}
		halt := runLog(ctx, l)
		defer halt()
		h := routes(l)
		file := func() *note.Note {
			t.Helper()
			id := queue(t, db, 1)[0]
			l.Notify()
			r, err := l.Receipt(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			n, err := note.Open([]byte(r.Checkpoint), note.VerifierList(verifiers(t, append([]string{oldKey.VerifierKey()}, l.VerifierKeys()...)...)...))
			if err != nil {
				t.Fatalf("receipt checkpoint: %v", err)
			}
			return n
		}
		if n := file(); len(n.Sigs) != 1 {
			t.Fatalf("before the change: %d signatures", len(n.Sigs))
		}
		if _, err := ledger.FinishKeyChange(ctx, db, path); err == nil {
			t.Error("finish with no change under way: accepted")
		}

		kc, err := ledger.BeginKeyChange(ctx, db, path)
		if err != nil {
			t.Fatal(err)
		}
		if kc.Current != oldKey.VerifierKey() || kc.Next == "" || kc.Next == kc.Current || !strings.HasPrefix(kc.Next, oldKey.Origin()+"+") {
			t.Fatalf("begin: %+v", kc)
		}
		if _, err := ledger.BeginKeyChange(ctx, db, path); err == nil {
			t.Error("a second begin: accepted")
		}
		// The stored checkpoint is co-signed at once, and announced.
		if code, _, body := get(t, h, "/log/vkeys"); code != 200 || string(body) != kc.Current+"\n"+kc.Next+"\n" {
			t.Fatalf("/log/vkeys during the change: %d %q", code, body)
		}
		if _, _, body := get(t, h, "/log/vkey"); string(body) != kc.Current+"\n" {
			t.Errorf("/log/vkey during the change: %q, want the current key", body)
		}
		// Processes serve a checkpoint read from the database for up to
		// a second.
		var cp []byte
		for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			_, _, cp = get(t, h, "/log/checkpoint")
			if strings.Count(string(cp), "\n— ") == 2 || time.Now().After(deadline) {
				break
			}
		}
		// A verifier that holds only the old key: it accepts the
		// checkpoint, and trusts the announced key because the
		// checkpoint its key verifies carries the new key's signature.
		if _, err := ledger.OpenCheckpoint(cp, oldKey.Verifier()); err != nil {
			t.Fatalf("the old key's verifier on the co-signed checkpoint: %v", err)
		}
		n, err := note.Open(cp, note.VerifierList(verifiers(t, kc.Current, kc.Next)...))
		if err != nil || len(n.Sigs) != 2 {
			t.Fatalf("the co-signed checkpoint: %d signatures, %v", len(n.Sigs), err)
		}
		// Entries filed during the change get co-signed checkpoints.
		if n := file(); len(n.Sigs) != 2 {
			t.Fatalf("during the change: %d signatures, want 2", len(n.Sigs))
		}

		kc2, err := ledger.FinishKeyChange(ctx, db, path)
		if err != nil {
			t.Fatal(err)
		}
		if kc2.Current != kc.Next || kc2.Retired != kc.Current || kc2.RetiredFile != path+".retired" {
			t.Fatalf("finish: %+v", kc2)
		}
		if _, err := os.Stat(path + ".next"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("log.key.next after finish: %v", err)
		}
		// After the change: the new key alone, which the old verifier
		// does not accept and the new one does.
		n = file()
		if len(n.Sigs) != 1 || l.VerifierKey() != kc.Next {
			t.Fatalf("after the change: %d signatures, key %s", len(n.Sigs), l.VerifierKey())
		}
		_, _, cp = get(t, h, "/log/checkpoint")
		if _, err := ledger.OpenCheckpoint(cp, oldKey.Verifier()); !errors.Is(err, ledger.ErrBadSignature) {
			t.Errorf("the old key on a checkpoint after the change: %v, want ErrBadSignature", err)
		}
		newV, _ := note.NewVerifier(kc.Next)
		if _, err := ledger.OpenCheckpoint(cp, newV); err != nil {
			t.Errorf("the new key on a checkpoint after the change: %v", err)
		}
		if _, _, body := get(t, h, "/log/vkeys"); string(body) != kc.Next+"\n" {
			t.Errorf("/log/vkeys after the change: %q", body)
		}
		// A restart opens the log with the new key.
		halt()
		again := openServerKey(t, db, dir)
		if again.VerifierKey() != kc.Next {
			t.Fatalf("reopened key %s, want %s", again.VerifierKey(), kc.Next)
		}
		if _, err := ledger.New(db, again, nil); err != nil {
			t.Fatal(err)
		}
	})
}

// TestKeyChangeCancel: a cancelled change leaves the current key alone
// signing, and the next key's file gone.
func TestKeyChangeCancel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "log.key")
		k := openServerKey(t, db, dir)
		if _, err := ledger.BeginKeyChange(ctx, db, path); err != nil {
			t.Fatal(err)
		}
		if err := ledger.CancelKeyChange(ctx, db, path); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path + ".next"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("log.key.next after cancel: %v", err)
		}
		again := openServerKey(t, db, dir)
		if again.VerifierKey() != k.VerifierKey() || again.Next() != nil {
			t.Errorf("after cancel: key %s, next %v", again.VerifierKey(), again.Next())
		}
	})
}

// verifiers parses verifier keys.
func verifiers(t *testing.T, vkeys ...string) []note.Verifier {
	t.Helper()
	var out []note.Verifier
	seen := map[string]bool{}
	for _, k := range vkeys {
		if seen[k] {
			continue
		}
		seen[k] = true
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}
