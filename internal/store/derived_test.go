package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestDerivedTx: a derived transaction commits (or rolls back) like any
// other, without waiting for the disk, and the transactions after it wait
// again — the writer never goes back to the pool with its sync turned off.
func TestDerivedTx(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		synced, unsynced := "full", "normal"
		if db.Engine == store.Postgres {
			synced, unsynced = "on", "off"
		}
		sync := func(tx func(context.Context, func(store.Q) error) error) string {
			t.Helper()
			var v string
			if err := tx(ctx, func(q store.Q) error {
				var err error
				v, err = q.CommitSync(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if got := sync(db.Tx); got != synced {
			t.Fatalf("ordinary transaction: sync %q, want %q", got, synced)
		}
		if got := sync(db.DerivedTx); got != unsynced {
			t.Fatalf("derived transaction: sync %q, want %q", got, unsynced)
		}
		if got := sync(db.Tx); got != synced {
			t.Fatalf("ordinary transaction after a derived one: sync %q, want %q", got, synced)
		}

		// What a derived transaction writes is there after it; what one
		// that fails wrote is not, and the writer syncs again after it.
		kept, dropped := "0000000000000000000000000000000d", "0000000000000000000000000000000e"
		if err := db.DerivedTx(ctx, func(q store.Q) error { return q.MarkTrust(ctx, []string{kept}) }); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := db.DerivedTx(ctx, func(q store.Q) error {
			if err := q.MarkTrust(ctx, []string{dropped}); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("failed derived transaction: %v, want %v", err, boom)
		}
		if got := sync(db.Tx); got != synced {
			t.Fatalf("ordinary transaction after a failed derived one: sync %q, want %q", got, synced)
		}
		var marks []string
		if err := db.Tx(ctx, func(q store.Q) error {
			ms, err := q.PendingTrust(ctx, 10)
			for _, m := range ms {
				marks = append(marks, m.IdentifierID)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(marks) != 1 || marks[0] != kept {
			t.Fatalf("marks after the derived transactions: %v, want [%s]", marks, kept)
		}
	})
}

// TestLinkTx: a linking transaction is derived (its commit does not wait
// for the disk); what it writes through Deferred is written when it commits
// — not before, on PostgreSQL, where it goes with the COMMIT in one batch —
// and a deferred write that fails fails the whole transaction: nothing of it
// stays, and the next transaction runs as usual.
func TestLinkTx(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		unsynced := "normal"
		if db.Engine == store.Postgres {
			unsynced = "off"
		}
		pending := func(q store.Q) []string {
			t.Helper()
			ms, err := q.PendingTrust(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, m := range ms {
				ids = append(ids, m.IdentifierID)
			}
			return ids
		}
		a, b, c := "0000000000000000000000000000000a", "0000000000000000000000000000000b", "0000000000000000000000000000000c"
		if err := db.LinkTx(ctx, func(q store.Q) error {
			if err := q.LockLinks(ctx); err != nil { // held already: no-op
				return err
			}
			if v, err := q.CommitSync(ctx); err != nil || v != unsynced {
				t.Errorf("linking transaction: sync %q (%v), want %q", v, err, unsynced)
			}
			if err := q.Deferred().MarkTrust(ctx, []string{a}); err != nil {
				return err
			}
			got := pending(q)
			if db.Engine == store.Postgres && len(got) != 0 {
				t.Errorf("PostgreSQL: a deferred write read back before the commit: %v", got)
			}
			if db.Engine == store.SQLite && len(got) != 1 {
				t.Errorf("SQLite: a deferred write is made at once; read back %v", got)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if got := pending(db.Read()); len(got) != 1 || got[0] != a {
			t.Fatalf("after the commit: marks %v, want [%s]", got, a)
		}

		// A deferred insert that fails (the same hit twice) fails the
		// transaction at its commit; the mark made at once is rolled back.
		hit := &store.ScreeningHit{ID: store.NewID(), ReportID: "no-such-report", Subject: "x", SubjectType: "person", List: "l", EntryID: "e",
			EntryName: "e", Status: "open", CreatedAt: 1, UpdatedAt: 1}
		err := db.LinkTx(ctx, func(q store.Q) error {
			if err := q.MarkTrust(ctx, []string{b}); err != nil {
				return err
			}
			return q.Deferred().PutScreeningHits(ctx, []*store.ScreeningHit{hit, hit})
		})
		if err == nil {
			t.Fatal("a linking transaction whose deferred insert fails committed")
		}
		if got := pending(db.Read()); len(got) != 1 || got[0] != a {
			t.Fatalf("after the failed transaction: marks %v, want [%s]", got, a)
		}
		if err := db.LinkTx(ctx, func(q store.Q) error { return q.Deferred().MarkTrust(ctx, []string{c}) }); err != nil {
			t.Fatalf("the transaction after a failed one: %v", err)
		}
		if got := pending(db.Read()); len(got) != 2 || got[1] != c {
			t.Fatalf("marks %v, want [%s %s]", got, a, c)
		}
	})
}
