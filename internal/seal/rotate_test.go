package seal_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

var _ seal.RotationStore = (*store.DB)(nil)

// sealedReport is one report's data key and a value sealed under it.
type sealedReport struct {
	id     string
	sealed []byte
}

// fill stores n data keys made by k, each with a value sealed under it.
func fill(t *testing.T, db *store.DB, k *seal.Keyring, prefix string, n int) []sealedReport {
	t.Helper()
	ctx := context.Background()
	out := make([]sealedReport, n)
	err := db.Tx(ctx, func(q store.Q) error {
		for i := range out {
			id := fmt.Sprintf("%s%04d", prefix, i)
			dk, wrapped, err := k.NewDataKey(id)
			if err != nil {
				return err
			}
			out[i] = sealedReport{id: id, sealed: dk.Seal([]byte("testimony of "+id), "report:"+id)}
			if err := q.PutDataKey(ctx, id, wrapped, store.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readable fails unless k opens every report's value through the stored
// data key.
func readable(t *testing.T, db *store.DB, k *seal.Keyring, rs []sealedReport) {
	t.Helper()
	ctx := context.Background()
	for _, r := range rs {
		var wrapped []byte
		if err := db.Tx(ctx, func(q store.Q) error {
			var err error
			wrapped, err = q.GetDataKey(ctx, r.id)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		dk, err := k.Unwrap(r.id, wrapped)
		if err != nil {
			t.Fatalf("%s: %v", r.id, err)
		}
		if b, err := dk.Open(r.sealed, "report:"+r.id); err != nil || string(b) != "testimony of "+r.id {
			t.Fatalf("%s: opened %q, %v", r.id, b, err)
		}
	}
}

// TestRotateMaster rotates the master key of a database with sealed data,
// interrupted before and after the switch, while a keyring opened before
// the rotation (a running server) keeps reading and writing.
func TestRotateMaster(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "master.key")
		server, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		oldFP := server.Fingerprint()
		reports := fill(t, db, server, "r", 120)
		blind := server.BlindIndex("phone", "+85512345678")
		reason := server.SealAudit("ev1", "a court order")
		ident := server.SealIdentifier("id1", "+85512345678")

		// Interrupted in the sweep (as by kill -9 after a committed batch).
		cctx, cancel := context.WithCancel(ctx)
		_, err = seal.Rotate(cctx, path, db, seal.RotateOptions{Settle: time.Millisecond, Batch: 50, Progress: func(int) { cancel() }})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted rotation: %v", err)
		}
		// Half rewrapped: a new process and the running one read all.
		fresh, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatalf("open during the rotation: %v", err)
		}
		readable(t, db, fresh, reports)
		readable(t, db, server, reports)
		// The running server wraps new keys under the next key once it
		// has looked for it (every two seconds).
		time.Sleep(2100 * time.Millisecond)
		reports = append(reports, fill(t, db, server, "s", 5)...)

		// Interrupted again after the switch, before the files moved.
		cctx, cancel = context.WithCancel(ctx)
		calls := 0
		_, err = seal.Rotate(cctx, path, db, seal.RotateOptions{Settle: time.Millisecond, Batch: 50, Progress: func(int) {
			if calls++; calls == 4 { // the first call of the sweep after the switch
				cancel()
			}
		}})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("second interrupted rotation: %v", err)
		}
		if _, err := seal.Open(ctx, path, db); err != nil {
			t.Fatalf("open after the switch, before the key file moved: %v", err)
		}

		rep, err := seal.Rotate(ctx, path, db, seal.RotateOptions{Settle: time.Millisecond, Batch: 50})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Unreadable != 0 || rep.Already+rep.Rewrapped != len(reports) {
			t.Errorf("report %+v, want all %d keys under the new key", rep, len(reports))
		}
		if _, err := os.Stat(path + ".next"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("the next key file is still there: %v", err)
		}
		if want := path + ".retired-" + oldFP; rep.Retired != want {
			t.Fatalf("old key retired to %q, want %q", rep.Retired, want)
		}

		after, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		if after.Fingerprint() == oldFP {
			t.Fatal("the key file still holds the old key")
		}
		readable(t, db, after, reports)
		readable(t, db, server, reports)
		// Nothing derived from the root changed.
		if got := after.BlindIndex("phone", "+85512345678"); got != blind {
			t.Errorf("blind index changed: %s, was %s", got, blind)
		}
		if r, err := after.OpenAudit("ev1", reason); err != nil || r != "a court order" {
			t.Errorf("audit reason: %q, %v", r, err)
		}
		if v, err := after.OpenIdentifier("id1", ident); err != nil || v != "+85512345678" {
			t.Errorf("identifier: %q, %v", v, err)
		}
		// Only the new key is needed now; the old one opens nothing.
		old := filepath.Join(t.TempDir(), "master.key")
		if err := os.Rename(rep.Retired, old); err != nil {
			t.Fatal(err)
		}
		if _, err := seal.Open(ctx, old, db); !errors.Is(err, seal.ErrWrongKey) {
			t.Errorf("open with the retired key: %v, want ErrWrongKey", err)
		}
		check, err := seal.Check(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		if check.OK != len(reports) || check.Failed != 0 {
			t.Errorf("check: %+v", check)
		}
	})
}

// TestRotateMasterRewrapsDrafts: a report being written in a chat app
// (its draft sealed under its own data key) survives the master key's
// rotation: a server started afterwards, with only the new key, opens it.
func TestRotateMasterRewrapsDrafts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "master.key")
		server, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		reports := fill(t, db, server, "r", 3)
		id := store.DraftKeyID("telegram", "chat-blind-index")
		dk, wrapped, err := server.NewDataKey(id)
		if err != nil {
			t.Fatal(err)
		}
		body := dk.Seal([]byte("my brother is held in building C"), id)
		far := store.Now() + int64(time.Hour/time.Microsecond)
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutChatDraft(ctx, &store.ChatDraft{Channel: "telegram", Chat: "chat-blind-index", Wrapped: wrapped, Body: body, UpdatedAt: store.Now(), ExpiresAt: far})
		}); err != nil {
			t.Fatal(err)
		}
		rep, err := seal.Rotate(ctx, path, db, seal.RotateOptions{Settle: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rewrapped != len(reports)+1 || rep.Unreadable != 0 {
			t.Errorf("rotation %+v, want %d keys rewrapped (the reports' and the draft's)", rep, len(reports)+1)
		}
		if err := os.Rename(rep.Retired, filepath.Join(t.TempDir(), "old.key")); err != nil {
			t.Fatal(err)
		}
		after, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		var d *store.ChatDraft
		if err := db.Tx(ctx, func(q store.Q) error {
			d, err = q.GetChatDraft(ctx, "telegram", "chat-blind-index", store.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		k, err := after.Unwrap(id, d.Wrapped)
		if err != nil {
			t.Fatalf("the draft's key does not open with the new master key: %v", err)
		}
		if b, err := k.Open(d.Body, id); err != nil || string(b) != "my brother is held in building C" {
			t.Errorf("draft opened %q, %v", b, err)
		}
	})
}

// TestCheckFindsUnreadableKeys: a data key wrapped under a key the
// database does not know is reported by Check.
func TestCheckFindsUnreadableKeys(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		path := filepath.Join(t.TempDir(), "master.key")
		k, err := seal.Open(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		fill(t, db, k, "r", 3)
		other, err := seal.New(make([]byte, seal.KeySize))
		if err != nil {
			t.Fatal(err)
		}
		fill(t, db, other, "x", 2)
		rep, err := seal.Check(ctx, path, db)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK != 3 || rep.Failed != 2 || len(rep.FailedIDs) != 2 {
			t.Errorf("check: %+v, want 3 ok and x0000, x0001 failed", rep)
		}
	})
}
