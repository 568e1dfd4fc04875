package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestKeptTrust: a kept assessment is read only while no change marked its
// identifier since it was weighed; a mark renewed while the worker weighed
// survives the worker's save.
func TestKeptTrust(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		tx := func(fn func(q store.Q) error) {
			t.Helper()
			if err := db.Tx(ctx, fn); err != nil {
				t.Fatal(err)
			}
		}
		a, b := "0000000000000000000000000000000a", "0000000000000000000000000000000b"
		state := func(id string) *store.Trust {
			t.Helper()
			_, _, _, kept, err := db.Read().CheckState(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return kept
		}
		kept := func(id string) (*store.Trust, bool) {
			t.Helper()
			row, ok, err := db.Read().KeptCheck(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return row, ok
		}
		if state(a) != nil {
			t.Fatal("a row before anything was kept")
		}
		// Neither marked nor kept: the check may answer "not known" at once.
		if row, ok := kept(a); row != nil || !ok {
			t.Fatalf("KeptCheck of an identifier never marked: %v, %v; want no row, answered", row, ok)
		}
		tx(func(q store.Q) error { return q.MarkTrust(ctx, []string{a, b, a}) })
		marks, err := db.Read().PendingTrust(ctx, 10)
		if err != nil || len(marks) != 2 {
			t.Fatalf("marks: %+v, %v; want a and b once each", marks, err)
		}
		// While the worker weighs, a change marks a again.
		tx(func(q store.Q) error { return q.MarkTrust(ctx, []string{a}) })
		want := &store.Trust{IdentifierID: a, Verified: 2, First: 10, Last: 20, Categories: []string{"fraud"}, Sources: 3, Shown: true, ChangedAt: 30}
		tx(func(q store.Q) error { return q.SaveTrust(ctx, []*store.Trust{want}, marks) })
		if state(a) != nil {
			t.Error("a's row is read although a change marked it after it was weighed")
		}
		if row, ok := kept(a); row != nil || ok {
			t.Errorf("KeptCheck of a marked identifier: %v, %v; want not answered", row, ok)
		}
		if left, err := db.Read().PendingTrust(ctx, 10); err != nil || len(left) != 1 || left[0].IdentifierID != a {
			t.Fatalf("marks left: %+v, %v; want a's renewed mark only", left, err)
		}
		left, _ := db.Read().PendingTrust(ctx, 10)
		tx(func(q store.Q) error { return q.SaveTrust(ctx, []*store.Trust{want}, left) })
		got := state(a)
		if got == nil || got.Verified != 2 || got.First != 10 || got.Last != 20 || len(got.Categories) != 1 || got.Sources != 3 || !got.Shown || got.Held || got.ChangedAt != 30 {
			t.Fatalf("kept: %+v; want %+v", got, want)
		}
		if n, err := db.Read().CountPendingTrust(ctx); err != nil || n != 0 {
			t.Fatalf("pending: %d, %v", n, err)
		}
		if row, ok := kept(a); row == nil || !ok || row.Verified != 2 {
			t.Errorf("KeptCheck of a kept identifier: %+v, %v; want its row", row, ok)
		}
		// Marking every identifier (a rebuild from empty) is one statement
		// both engines take.
		tx(func(q store.Q) error {
			if err := q.PutIdentifiers(ctx, []*store.Identifier{{ID: a, Kind: "phone", Sealed: []byte{1}, Side: store.SideRecruiter, Categories: []string{}}}); err != nil {
				return err
			}
			return q.MarkAllTrust(ctx)
		})
		if row, ok := kept(a); row != nil || ok {
			t.Errorf("KeptCheck after every identifier was marked: %v, %v; want not answered", row, ok)
		}
	})
}

// TestReplica: with a replica configured, Public reads through it (here
// the same database under a second pool: a real streaming replica was
// tried by hand, docs/operations.md "Replicas"); SQLite refuses one.
func TestReplica(t *testing.T) {
	ctx := context.Background()
	db, dsn := storetest.OpenDSN(t, store.Postgres)
	tx := db.Tx(ctx, func(q store.Q) error { return q.MarkTrust(ctx, []string{"0000000000000000000000000000000c"}) })
	if tx != nil {
		t.Fatal(tx)
	}
	rep, err := store.OpenWith(ctx, dsn, store.Options{Replica: dsn})
	if err != nil {
		t.Fatal(err)
	}
	defer rep.Close()
	if !rep.Replicated() || db.Replicated() {
		t.Fatalf("Replicated: %v with a replica, %v without", rep.Replicated(), db.Replicated())
	}
	if _, kept, err := rep.Public().KeptCheck(ctx, "0000000000000000000000000000000c"); err != nil || kept {
		t.Fatalf("KeptCheck through the replica: %v, %v; want the mark seen", kept, err)
	}
	if _, err := store.OpenWith(ctx, "postgres://nobody@127.0.0.1:1/none", store.Options{Replica: dsn}); err == nil {
		t.Error("an unreachable primary opened")
	}
	if _, err := store.OpenWith(ctx, dsn, store.Options{Replica: "postgres://nobody@127.0.0.1:1/none"}); err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("an unreachable replica: %v; want an error naming the replica", err)
	}
	if _, err := store.OpenWith(ctx, "sqlite:"+t.TempDir()+"/x.db", store.Options{Replica: dsn}); err == nil {
		t.Error("SQLite accepted a replica")
	}
}

// TestKeptChecks: the batched read answers each identifier as KeptCheck
// does (kept, marked, unknown, repeated), and checks that arrive together
// through the public check's batcher are answered alike, in batches.
func TestKeptChecks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		kept, marked, unknown := "0000000000000000000000000000000a", "0000000000000000000000000000000b", "0000000000000000000000000000000c"
		row := &store.Trust{IdentifierID: kept, Verified: 3, First: 10, Last: 20, Categories: []string{"fraud"}, Sources: 2, Shown: true, Public: true, ChangedAt: 30}
		if err := db.Tx(ctx, func(q store.Q) error {
			if err := q.MarkTrust(ctx, []string{kept}); err != nil {
				return err
			}
			marks, err := q.PendingTrust(ctx, 10)
			if err != nil {
				return err
			}
			if err := q.SaveTrust(ctx, []*store.Trust{row}, marks); err != nil {
				return err
			}
			return q.MarkTrust(ctx, []string{marked})
		}); err != nil {
			t.Fatal(err)
		}
		ids := []string{kept, marked, unknown, kept, unknown}
		got, err := db.Read().KeptChecks(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		same := func(what string, i int, g store.Kept) {
			t.Helper()
			wt, wk, err := db.Read().KeptCheck(ctx, ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if g.Kept != wk || (g.Trust == nil) != (wt == nil) || (wt != nil && (g.Trust.Verified != wt.Verified || g.Trust.IdentifierID != wt.IdentifierID || !g.Trust.Public)) {
				t.Errorf("%s of %s: %+v (row %+v); KeptCheck says %v (row %+v)", what, ids[i], g, g.Trust, wk, wt)
			}
		}
		if len(got) != len(ids) {
			t.Fatalf("KeptChecks gave %d answers for %d identifiers", len(got), len(ids))
		}
		for i, g := range got {
			same("KeptChecks", i, g)
		}
		if !got[0].Kept || got[0].Trust == nil || got[1].Kept || !got[2].Kept || got[2].Trust != nil {
			t.Errorf("KeptChecks: %+v; want kept row, not answered (marked), answered without a row", got[:3])
		}
		if none, err := db.Read().KeptChecks(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("KeptChecks of none: %v, %v", none, err)
		}
		const n = 200
		answers, statements, err := db.KeptCheckConcurrently(ctx, ids, n, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range answers {
			same("a coalesced check", i%len(ids), g)
		}
		// One reader, and every check queued while it was busy: the
		// queue is read in full batches.
		if want := (n + store.KeptBatchMax - 1) / store.KeptBatchMax; statements != want {
			t.Errorf("%d checks queued behind a busy reader took %d statements; want %d (at most %d a statement)", n, statements, want, store.KeptBatchMax)
		}
		t.Logf("%d checks at once: %d statements", n, statements)
	})
}

// TestReadBatch: a batch of reads on SQLite is one read transaction (a
// write committed meanwhile is not seen until the next batch), and the
// kept statements run in it; on PostgreSQL each read sees what is
// committed when it runs. The batch returns its connection: many batches
// in a row do not run the pool dry.
func TestReadBatch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		count := func(q store.Q) int {
			t.Helper()
			n, err := q.CountPendingTrust(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		err := db.ReadBatch(ctx, func(q store.Q) error {
			if n := count(q); n != 0 {
				t.Fatalf("%d marks before any was made", n)
			}
			if err := db.Tx(ctx, func(w store.Q) error { return w.MarkTrust(ctx, []string{"0000000000000000000000000000000c"}) }); err != nil {
				return err
			}
			want := 1
			if db.Engine == store.SQLite {
				want = 0 // the batch's snapshot
			}
			if n := count(q); n != want {
				t.Errorf("%d marks seen in the batch after one was committed, want %d", n, want)
			}
			// A kept (prepared) statement, run in the batch.
			rs, err := q.IdentifierSignals(ctx, "0000000000000000000000000000000c", 10)
			if err != nil || len(rs) != 0 {
				t.Errorf("signals of an identifier no report names: %v, %v", rs, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 100 {
			if err := db.ReadBatch(ctx, func(q store.Q) error {
				if n := count(q); n != 1 {
					t.Fatalf("%d marks seen after the batch, want 1", n)
				}
				_, err := q.IdentifierSignals(ctx, "0000000000000000000000000000000c", 10)
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestSaveTrustPassesLockedMark (PostgreSQL: SQLite has one writer, so no
// two transactions hold marks at once): the trust worker's save does not
// wait for a mark another transaction is renewing — linking, which holds
// the link lock meanwhile — and leaves it pending; the marks no one holds
// are cleared.
func TestSaveTrustPassesLockedMark(t *testing.T) {
	ctx := context.Background()
	db, _ := storetest.OpenDSN(t, store.Postgres)
	a, b := "0000000000000000000000000000000a", "0000000000000000000000000000000b"
	if err := db.Tx(ctx, func(q store.Q) error { return q.MarkTrust(ctx, []string{a, b}) }); err != nil {
		t.Fatal(err)
	}
	marks, err := db.Read().PendingTrust(ctx, 10)
	if err != nil || len(marks) != 2 {
		t.Fatalf("marks: %+v, %v; want a and b", marks, err)
	}
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.DerivedTx(ctx, func(q store.Q) error {
			if err := q.MarkTrust(ctx, []string{a}); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	err = db.DerivedTx(sctx, func(q store.Q) error {
		return q.SaveTrust(sctx, []*store.Trust{{IdentifierID: a, Categories: []string{}}, {IdentifierID: b, Categories: []string{}}}, marks)
	})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("the save while another transaction renews a's mark: %v; want done without waiting for it", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	left, err := db.Read().PendingTrust(ctx, 10)
	if err != nil || len(left) != 1 || left[0].IdentifierID != a {
		t.Fatalf("marks left: %+v, %v; want a's renewed mark only", left, err)
	}
}
