package ledger_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// openServerKey opens the log key of the data directory dir as a server
// does: the origin recorded at setup over the configured placeholder.
func openServerKey(t *testing.T, db *store.DB, dir string) *ledger.Key {
	t.Helper()
	ctx := context.Background()
	origin, err := ledger.ResolveOrigin(ctx, db, "vigil.example/log", false)
	if err != nil {
		t.Fatal(err)
	}
	k, err := ledger.OpenKey(ctx, db, filepath.Join(dir, "log.key"), origin)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestRename: a ledger with no entry takes the name setup gives it (a new
// key, the empty checkpoint signed again, the name kept for later starts);
// a bad name is refused naming the field; once the ledger holds an entry,
// renaming is refused with ErrStarted; an explicit configured name that
// differs from the recorded one is refused at start.
func TestRename(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		dir := t.TempDir()
		key := openServerKey(t, db, dir)
		l, err := ledger.New(db, key, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The sequencer runs, as in a server: it signs the empty tree's
		// checkpoint under the placeholder before setup.
		defer runLog(ctx, l)()
		waitCheckpoint(t, ctx, l, "vigil.example/log", 0)

		for _, bad := range []string{"", "has space/log", "a+b/log", strings.Repeat("x", 201)} {
			if err := l.Rename(ctx, bad); err == nil {
				t.Errorf("rename to %q: accepted", bad)
			} else if fe, ok := invalid.As(err); !ok || fe.Field != "log_origin" {
				t.Errorf("rename to %q: %v, want a log_origin field error", bad, err)
			}
		}
		if err := l.Rename(ctx, "hotline.test/log"); err != nil {
			t.Fatal(err)
		}
		if l.Origin() != "hotline.test/log" || !strings.HasPrefix(l.VerifierKey(), "hotline.test/log+") {
			t.Fatalf("after rename: origin %q, vkey %q", l.Origin(), l.VerifierKey())
		}
		if _, err := os.Stat(filepath.Join(dir, "log.key.new")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("log.key.new left behind: %v", err)
		}
		waitCheckpoint(t, ctx, l, "hotline.test/log", 0)

		// An entry is integrated under the new name by the running
		// sequencer, and its receipt verifies with the new key.
		id := queue(t, db, 1)[0]
		l.Notify()
		r, err := l.Receipt(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := r.Verify(l.VerifierKey()); err != nil || c.Origin != "hotline.test/log" {
			t.Fatalf("receipt after rename: %+v, %v", c, err)
		}
		if err := l.Rename(ctx, "other.test/log"); !errors.Is(err, ledger.ErrStarted) {
			t.Errorf("rename with an entry: %v, want ErrStarted", err)
		}
		if l.Origin() != "hotline.test/log" {
			t.Errorf("a refused rename changed the origin to %q", l.Origin())
		}

		// A later start opens the renamed log under the placeholder
		// configuration, and refuses a conflicting explicit one.
		again := openServerKey(t, db, dir)
		if again.VerifierKey() != l.VerifierKey() {
			t.Errorf("reopened key %q, want %q", again.VerifierKey(), l.VerifierKey())
		}
		if _, err := ledger.New(db, again, nil); err != nil {
			t.Errorf("reopen: %v", err)
		}
		if _, err := ledger.ResolveOrigin(ctx, db, "another.test/log", true); err == nil || !strings.Contains(err.Error(), "hotline.test/log") {
			t.Errorf("a conflicting VIGIL_LOG_ORIGIN: %v, want a refusal naming the recorded name", err)
		}
		if o, err := ledger.ResolveOrigin(ctx, db, "hotline.test/log", true); err != nil || o != "hotline.test/log" {
			t.Errorf("the same VIGIL_LOG_ORIGIN: %q, %v", o, err)
		}
	})
}

// TestRenameInterrupted: a rename that stopped after its database commit,
// before its key file replaced the old one, is completed at the next start.
func TestRenameInterrupted(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dir := t.TempDir()
		path := filepath.Join(dir, "log.key")
		l, err := ledger.New(db, openServerKey(t, db, dir), nil)
		if err != nil {
			t.Fatal(err)
		}
		old, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Rename(ctx, "hotline.test/log"); err != nil {
			t.Fatal(err)
		}
		// Put the state back as the crash left it: the new key still
		// beside the file, the old key in it.
		if err := os.Rename(path, path+".new"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, old, 0o600); err != nil {
			t.Fatal(err)
		}
		k := openServerKey(t, db, dir)
		if k.VerifierKey() != l.VerifierKey() {
			t.Fatalf("after the interrupted rename: key %q, want %q", k.VerifierKey(), l.VerifierKey())
		}
		if _, err := os.Stat(path + ".new"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("log.key.new left behind: %v", err)
		}
	})
}

// runLog runs l's sequencer until the returned function is called (which
// waits for it to stop; calling it again does nothing).
func runLog(ctx context.Context, l *ledger.Log) (halt func()) {
	run, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- l.Run(run) }()
	return sync.OnceFunc(func() { stop(); <-done })
}

// waitCheckpoint waits until the log serves a checkpoint for origin and
// size.
func waitCheckpoint(t *testing.T, ctx context.Context, l *ledger.Log, origin string, size int64) {
	t.Helper()
	for {
		_, c, err := l.Checkpoint(ctx)
		if err == nil && c.Origin == origin && c.Size == size {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no checkpoint for %s at size %d: last %+v, %v", origin, size, c, err)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
