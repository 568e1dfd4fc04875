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
