package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

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

// TestLinkTxProbeFirst: a linking transaction whose first statement is the
// probe (ProbeLinksAndRead; on PostgreSQL it carries the BEGIN, the
// setting and the link lock in one batch) reads what ProbeLinks and
// GetIdentifiers read, holds the link lock from then on, and is a
// transaction: a write after it is rolled back with it. One that sends
// nothing, or fails before sending anything, leaves the next as usual.
func TestLinkTxProbeFirst(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		one := &store.Identifier{ID: "00000000000000000000000000000001", Kind: "phone", Sealed: []byte{1}, Side: store.SideRecruiter, ReportCount: 3, OrgCount: 1, FirstSeen: 10, LastSeen: 20, Categories: []string{}}
		// r1 was linked before (its link row names one), so the probe
		// reads a whole row.
		link := &store.ReportLink{ReportID: "r1", ClusterID: "c1", LinkedAt: 5, Identifiers: []store.LinkRef{{IdentifierID: one.ID, Role: "recruiter"}}}
		if err := db.LinkTx(ctx, func(q store.Q) error {
			if err := q.Deferred().PutIdentifiers(ctx, []*store.Identifier{one}); err != nil {
				return err
			}
			return q.Deferred().PutReportLink(ctx, link)
		}); err != nil {
			t.Fatal(err)
		}
		ids := []string{one.ID, "00000000000000000000000000000002"}
		wantProbe, err := db.Read().ProbeLinks(ctx, "r1", "o1", ids, ids[:1])
		if err != nil {
			t.Fatal(err)
		}
		wantIdents, err := db.Read().GetIdentifiers(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}

		held := make(chan struct{})
		release := make(chan struct{})
		done := make(chan error, 1)
		go func() {
			done <- db.LinkTx(ctx, func(q store.Q) error {
				p, idents, err := q.ProbeLinksAndRead(ctx, "r1", "o1", ids, ids[:1])
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(p, wantProbe) || !reflect.DeepEqual(idents, wantIdents) || wantProbe.Link == nil || len(wantIdents) != 1 {
					t.Errorf("in the transaction: probe %+v, identifiers %+v; want %+v, %+v", p, idents, wantProbe, wantIdents)
				}
				// A write after the probe, then a failure: rolled back.
				if err := q.MarkTrust(ctx, []string{"0000000000000000000000000000000f"}); err != nil {
					return err
				}
				close(held)
				<-release
				return errors.New("rolled back on purpose")
			})
		}()
		<-held
		// The lock is held: another linking transaction, begun by its
		// first statement, waits for it.
		second := make(chan error, 1)
		go func() {
			second <- db.LinkTx(ctx, func(q store.Q) error {
				_, err := q.PendingTrust(ctx, 1)
				return err
			})
		}()
		var secondErr error
		select {
		case secondErr = <-second:
			t.Errorf("a second linking transaction ran while the first held the lock (%v)", secondErr)
			close(release)
		case <-time.After(300 * time.Millisecond):
			close(release)
			secondErr = <-second
		}
		if err := <-done; err == nil || !strings.Contains(err.Error(), "on purpose") {
			t.Errorf("the first transaction: %v; want its own error", err)
		}
		if secondErr != nil {
			t.Errorf("the second transaction: %v", secondErr)
		}
		if ms, err := db.Read().PendingTrust(ctx, 10); err != nil || len(ms) != 0 {
			t.Errorf("the write after the probe stayed after the rollback: %+v, %v", ms, err)
		}

		// Nothing sent, or a failure before anything was: the next runs.
		if err := db.LinkTx(ctx, func(store.Q) error { return nil }); err != nil {
			t.Errorf("an empty linking transaction: %v", err)
		}
		if err := db.LinkTx(ctx, func(store.Q) error { return errors.New("early") }); err == nil || err.Error() != "early" {
			t.Errorf("a transaction failing before any statement: %v; want its error", err)
		}
		p, idents, err := func() (*store.LinkProbe, []*store.Identifier, error) {
			var p *store.LinkProbe
			var idents []*store.Identifier
			err := db.LinkTx(ctx, func(q store.Q) error {
				var err error
				p, idents, err = q.ProbeLinksAndRead(ctx, "r1", "o1", ids, ids[:1])
				return err
			})
			return p, idents, err
		}()
		if err != nil || !reflect.DeepEqual(p, wantProbe) || !reflect.DeepEqual(idents, wantIdents) {
			t.Errorf("after them: %+v, %+v, %v", p, idents, err)
		}
	})
}
