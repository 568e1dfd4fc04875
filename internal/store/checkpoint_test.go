package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointer: SQLite's write-ahead log is copied into the database
// file by the background checkpoint, not by the writer's commits, and so
// starts again from its beginning instead of growing: two rounds of the
// same writes leave a log file no larger than one round does.
func TestCheckpointer(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "vigil.db")
	db, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	var fence int
	if err := db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&fence); err != nil {
		t.Fatal(err)
	}
	if fence != writerCheckpointPages {
		t.Errorf("the writer checkpoints at %d pages, want %d (only as a fence)", fence, writerCheckpointPages)
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)`); err != nil {
		t.Fatal(err)
	}
	// A round: 100 transactions of 40 KB each, about 300 pages of 16 KiB,
	// far below the writer's fence.
	blob := make([]byte, 40<<10)
	round := func() int64 {
		t.Helper()
		for i := range 100 {
			blob[0] = byte(i)
			if err := db.Tx(ctx, func(q Q) error {
				_, err := q.q.ExecContext(ctx, `INSERT OR REPLACE INTO blobs (id, b) VALUES ($1, $2)`, i, blob)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		// Wait for two background checkpoints after the writes, the last of
		// which left nothing behind.
		runs := db.Checkpoints().Runs
		deadline := time.Now().Add(10 * time.Second)
		for {
			s := db.Checkpoints()
			if s.Failures > 0 {
				t.Fatalf("background checkpoint failed: %v", s.Last)
			}
			if s.Runs >= runs+2 && s.Behind == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no background checkpoint caught up within 10 s: %+v (runs before the wait %d)", s, runs)
			}
			time.Sleep(20 * time.Millisecond)
		}
		fi, err := os.Stat(path + "-wal")
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	first := round()
	second := round()
	if second > first+first/4 {
		t.Errorf("the log grew from %d to %d bytes over a second round of the same writes: it was not checkpointed and restarted", first, second)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s := db.Checkpoints(); s.Runs < 4 {
		t.Errorf("%d background checkpoints, want at least 4", s.Runs)
	}
}
