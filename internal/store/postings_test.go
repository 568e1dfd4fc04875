package store_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestPostingsAgainstModel feeds the search index reports as a server
// does and as it rarely does (out of order, statements added to old
// reports, past the pending cap, erasures, a term's last block
// emptied), on both engines, and after each step compares it with a plain
// model of which report has which term: the blocks are kept as
// postings.go says (store.DB.SearchPostings checks), every term holds
// exactly its reports, a walk pages through them newest first, and the
// probes of other terms agree.
func TestPostingsAgainstModel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(7, 11))
		term := func(i int) []byte { return bytes.Repeat([]byte{byte(i + 1)}, 16) }
		// Of every 1,000 reports, term i has about share[i].
		share := []int{1000, 500, 100, 10, 1}
		const nTerms = 6 // term 5: exactly 101 reports, then its last erased
		model := make([]map[string]bool, nTerms)
		for i := range model {
			model[i] = map[string]bool{}
		}
		var ids []string
		for range 2600 {
			ids = append(ids, store.NewID())
		}
		put := func(ts []store.SearchTerm) {
			t.Helper()
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutSearchTerms(ctx, ts) }); err != nil {
				t.Fatal(err)
			}
			for _, x := range ts {
				model[x.Term[0]-1][x.ReportID] = true
			}
		}
		merge := func() {
			t.Helper()
			for {
				var n int
				if err := db.DerivedTx(ctx, func(q store.Q) error {
					var err error
					n, err = q.MergeSearchPending(ctx, 500)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		termsOf := func(id string) (ts []store.SearchTerm) {
			for i, s := range share {
				if rng.IntN(1000) < s {
					ts = append(ts, store.SearchTerm{Term: term(i), ReportID: id})
				}
			}
			return ts
		}
		check := func(step string) {
			t.Helper()
			got, err := db.SearchPostings(ctx)
			if err != nil {
				t.Fatalf("%s: %v", step, err)
			}
			for i := range nTerms {
				want := keys(model[i])
				if !slices.Equal(got[string(term(i))], want) {
					t.Fatalf("%s: term %d holds %d reports, want %d", step, i, len(got[string(term(i))]), len(want))
				}
				// Paged newest first, 37 at a time.
				var paged []string
				before := ""
				for {
					page, _, err := db.Read().SearchReports(ctx, [][]byte{term(i)}, before, 37, 0)
					if err != nil {
						t.Fatalf("%s: term %d: %v", step, i, err)
					}
					paged = append(paged, page...)
					if len(page) < 37 {
						break
					}
					before = page[len(page)-1]
				}
				slices.Reverse(paged)
				if !slices.Equal(paged, want) {
					t.Fatalf("%s: term %d paged: %d reports, want %d", step, i, len(paged), len(want))
				}
			}
			// Two terms: the rarer walked, the other probed.
			for _, pair := range [][2]int{{0, 1}, {1, 2}, {2, 3}, {0, 4}, {3, 1}} {
				var want []string
				for id := range model[pair[0]] {
					if model[pair[1]][id] {
						want = append(want, id)
					}
				}
				slices.Sort(want)
				slices.Reverse(want)
				got, _, err := db.Read().SearchReports(ctx, [][]byte{term(pair[0]), term(pair[1])}, "", 5000, 0)
				if err != nil || !slices.Equal(got, want) {
					t.Fatalf("%s: terms %v: %d reports (%v), want %d", step, pair, len(got), err, len(want))
				}
			}
			// Any reports, in any order.
			sample := make([]string, 0, 300)
			for range 300 {
				sample = append(sample, ids[rng.IntN(len(ids))])
			}
			has, err := db.Read().ReportsWithTerms(ctx, [][]byte{term(1), term(2)}, sample)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range sample {
				if has[id] != (model[1][id] && model[2][id]) {
					t.Fatalf("%s: ReportsWithTerms says %v of %s", step, has[id], id)
				}
			}
		}

		// 1. Reports in batches, each batch's order shuffled and some
		// reports held back to the next batch (merged out of order).
		var held []string
		for start := 0; start < 2000; start += 250 {
			batch := append(held, ids[start:start+250]...)
			held = nil
			rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			for _, id := range batch {
				if rng.IntN(20) == 0 {
					held = append(held, id)
					continue
				}
				put(termsOf(id))
			}
			merge()
		}
		for _, id := range held {
			put(termsOf(id))
		}
		merge()
		check("in batches")

		// 2. Statements added to old reports: terms they have and terms
		// they have not.
		for range 200 {
			id := ids[rng.IntN(2000)]
			put([]store.SearchTerm{{Term: term(rng.IntN(4)), ReportID: id}, {Term: term(3), ReportID: id}})
		}
		merge()
		check("statements added")

		// 3. Past the pending cap: intake merges the oldest as it adds.
		var ts []store.SearchTerm
		for i := range store.SearchPendingCap {
			ts = append(ts, store.SearchTerm{Term: term(4), ReportID: ids[i%2000]})
		}
		put(ts)
		put([]store.SearchTerm{{Term: term(4), ReportID: ids[2000]}, {Term: term(2), ReportID: ids[5]}})
		merge()
		check("past the cap")

		// 4. Erasures.
		erase := func(id string) {
			t.Helper()
			if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteSearchTerms(ctx, id) }); err != nil {
				t.Fatal(err)
			}
			for i := range model {
				delete(model[i], id)
			}
		}
		for range 150 {
			erase(ids[rng.IntN(2001)])
		}
		check("erased")

		// 5. A term with 101 reports (a full block and a last of one); its
		// last report erased, then its first, then new ones.
		for _, id := range ids[2100:2201] {
			put([]store.SearchTerm{{Term: term(5), ReportID: id}})
		}
		merge()
		check("term 5")
		erase(ids[2200])
		check("term 5's last erased")
		erase(ids[2100])
		check("term 5's first erased")
		for _, id := range ids[2300:2450] {
			put([]store.SearchTerm{{Term: term(5), ReportID: id}})
		}
		put([]store.SearchTerm{{Term: term(5), ReportID: ids[2000]}})
		merge()
		check("term 5 again")
		// A report older than every one of a term with full blocks: its
		// first block's bound (and key) falls.
		put([]store.SearchTerm{{Term: term(5), ReportID: ids[1990]}})
		merge()
		check("term 5's first block's bound lowered")
		for _, id := range ids[2100:2201] {
			erase(id)
		}
		check("term 5's first block erased")
	})
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
