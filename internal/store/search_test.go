package store_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestDeleteSearchTerms: deleting a report's rows of the search index
// (on erasure) removes every row it was given, through however many
// search_docs rows (one per statement added), and no other report's.
func TestDeleteSearchTerms(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		term := func(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }
		r1, r2 := store.NewID(), store.NewID()
		put := func(id string, bs ...byte) {
			t.Helper()
			var ts []store.SearchTerm
			for _, b := range bs {
				ts = append(ts, store.SearchTerm{Term: term(b), ReportID: id})
			}
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutSearchTerms(ctx, ts) }); err != nil {
				t.Fatal(err)
			}
		}
		put(r1, 1, 2, 3)
		put(r2, 3, 4)
		// Pending rows are found before they are merged.
		if got, _, err := db.Read().SearchReports(ctx, [][]byte{term(3)}, "", 10, 0); err != nil || len(got) != 2 {
			t.Fatalf("term 3 before the merge: %v, %v; want both reports", got, err)
		}
		merge := func() {
			t.Helper()
			if err := db.Tx(ctx, func(q store.Q) error { _, err := q.MergeSearchPending(ctx, 1000); return err }); err != nil {
				t.Fatal(err)
			}
			if n, err := db.Read().CountSearchPending(ctx); err != nil || n != 0 {
				t.Fatalf("pending after the merge: %d, %v", n, err)
			}
		}
		merge()
		put(r1, 3, 5) // a statement added later: one term it had, one new
		// Its terms are split between the merged table and a pending row.
		if got, _, err := db.Read().SearchReports(ctx, [][]byte{term(1), term(5)}, "", 10, 0); err != nil || len(got) != 1 || got[0] != r1 {
			t.Fatalf("terms 1 and 5 (merged and pending): %v, %v; want the first report", got, err)
		}
		merge()
		count := func() int {
			t.Helper()
			n, err := db.Read().CountSearchTerms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 6 {
			t.Fatalf("%d rows, want 6", n)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteSearchTerms(ctx, r1) }); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 2 {
			t.Errorf("%d rows after deleting the first report's, want the second's 2", n)
		}
		for _, c := range []struct {
			b    byte
			want int
		}{{1, 0}, {2, 0}, {3, 1}, {4, 1}, {5, 0}} {
			got, _, err := db.Read().SearchReports(ctx, [][]byte{term(c.b)}, "", 10, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != c.want || (c.want == 1 && got[0] != r2) {
				t.Errorf("term %d: reports %v, want %d (the second)", c.b, got, c.want)
			}
		}
		// Deleting again, or a report with no rows, is not an error.
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteSearchTerms(ctx, r1) }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestMergeMeetsRows: a statement added to a report already merged
// brings terms the report has and terms it has not; after its merge the
// report has each term once.
func TestMergeMeetsRows(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		term := func(b byte) []byte { return bytes.Repeat([]byte{b}, 16) }
		r := store.NewID()
		merge := func() {
			t.Helper()
			if err := db.DerivedTx(ctx, func(q store.Q) error {
				merged, err := q.MergeSearchPending(ctx, 10)
				if err == nil && merged != 1 {
					t.Errorf("merged %d pending rows, want 1", merged)
				}
				return err
			}); err != nil {
				t.Fatalf("merge: %v", err)
			}
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutSearchTerms(ctx, []store.SearchTerm{{Term: term(1), ReportID: r}}) }); err != nil {
			t.Fatal(err)
		}
		merge()
		ts := []store.SearchTerm{{Term: term(1), ReportID: r}, {Term: term(2), ReportID: r}}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutSearchTerms(ctx, ts) }); err != nil {
			t.Fatal(err)
		}
		merge()
		if n, err := db.Read().CountSearchTerms(ctx); err != nil || n != 2 {
			t.Errorf("%d rows (%v), want the report's 2 terms once each", n, err)
		}
		for _, b := range []byte{1, 2} {
			if got, _, err := db.Read().SearchReports(ctx, [][]byte{term(b)}, "", 10, 0); err != nil || len(got) != 1 || got[0] != r {
				t.Errorf("term %d: %v, %v; want the report", b, got, err)
			}
		}
	})
}

// TestSearchPendingCap: past the cap of pending rows, intake merges as
// many of the oldest as it adds; every report is found, and the count of
// rows is the same.
func TestSearchPendingCap(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var ts []store.SearchTerm
		for range store.SearchPendingCap {
			ts = append(ts, store.SearchTerm{Term: bytes.Repeat([]byte{1}, 16), ReportID: store.NewID()})
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutSearchTerms(ctx, ts) }); err != nil {
			t.Fatal(err)
		}
		late := store.NewID()
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutSearchTerms(ctx, []store.SearchTerm{{Term: bytes.Repeat([]byte{2}, 16), ReportID: late}})
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.Read().CountSearchPending(ctx); err != nil || n != store.SearchPendingCap {
			t.Errorf("pending %d, %v; want the cap, %d (the oldest merged as the late report came)", n, err, store.SearchPendingCap)
		}
		if n, err := db.Read().CountSearchTerms(ctx); err != nil || n != store.SearchPendingCap+1 {
			t.Errorf("rows %d, %v; want %d", n, err, store.SearchPendingCap+1)
		}
		got, _, err := db.Read().SearchReports(ctx, [][]byte{bytes.Repeat([]byte{2}, 16)}, "", 10, 0)
		if err != nil || len(got) != 1 || got[0] != late {
			t.Errorf("the late report: %v, %v", got, err)
		}
		// Erasing it leaves nothing of it.
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteSearchTerms(ctx, late) }); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := db.Read().SearchReports(ctx, [][]byte{bytes.Repeat([]byte{2}, 16)}, "", 10, 0); len(got) != 0 {
			t.Errorf("after erasure: %v", got)
		}
	})
}
