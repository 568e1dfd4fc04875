package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func TestWatchlistStore(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := &store.Watchlist{Name: "sdn", Format: "ofac-csv", Version: 1, Entries: 600, CreatedAt: 1, UpdatedAt: 1}
		var es []*store.WatchlistEntry
		for i := range 600 {
			es = append(es, &store.WatchlistEntry{List: "sdn", ID: fmt.Sprint(i), Name: fmt.Sprint("NAME ", i), Type: "person",
				Aliases: []store.WatchlistAlias{{Name: "A", Kind: "aka", Weak: i%2 == 0}}, Hash: fmt.Sprint("h", i), Version: 1})
		}
		err := db.Tx(ctx, func(q store.Q) error {
			if err := q.PutWatchlist(ctx, w); err != nil {
				return err
			}
			if err := q.PutWatchlistEntries(ctx, es); err != nil {
				return err
			}
			return q.PutWatchlistVersion(ctx, &store.WatchlistVersion{List: "sdn", Version: 1, Format: "ofac-csv", Entries: 600, Added: 600, ImportedAt: 1})
		})
		if err != nil {
			t.Fatal(err)
		}
		// Replace one, delete 550.
		es[0].Name, es[0].Hash, es[0].Version = "CHANGED", "h-new", 2
		var del []string
		for i := 50; i < 600; i++ {
			del = append(del, fmt.Sprint(i))
		}
		err = db.Tx(ctx, func(q store.Q) error {
			if err := q.PutWatchlistEntries(ctx, es[:1]); err != nil {
				return err
			}
			if err := q.DeleteWatchlistEntries(ctx, "sdn", del); err != nil {
				return err
			}
			w.Version, w.Entries = 2, 50
			return q.PutWatchlist(ctx, w)
		})
		if err != nil {
			t.Fatal(err)
		}
		r := db.Read()
		hs, err := r.WatchlistEntryHashes(ctx, "sdn")
		if err != nil || len(hs) != 50 || hs["0"] != "h-new" {
			t.Fatalf("hashes: got %d, %q, %v", len(hs), hs["0"], err)
		}
		n := 0
		err = r.EachWatchlistEntry(ctx, "sdn", func(e *store.WatchlistEntry) error {
			n++
			if e.ID == "0" && (e.Name != "CHANGED" || e.Version != 2 || !e.Aliases[0].Weak) {
				t.Errorf("entry 0: %+v", e)
			}
			return nil
		})
		if err != nil || n != 50 {
			t.Fatalf("entries: %d, %v", n, err)
		}
		got, err := r.GetWatchlist(ctx, "sdn")
		if err != nil || got.Version != 2 || got.Entries != 50 || got.CreatedAt != 1 {
			t.Fatalf("watchlist: %+v, %v", got, err)
		}
		if _, err := r.GetWatchlist(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("missing list: %v", err)
		}
		err = db.Tx(ctx, func(q store.Q) error {
			return q.PutWatchlistVersion(ctx, &store.WatchlistVersion{List: "sdn", Version: 1, Format: "x", ImportedAt: 2})
		})
		if !errors.Is(err, store.ErrConflict) {
			t.Fatalf("repeated version: %v", err)
		}

		// Hits and report subjects.
		org := seedOrg(t, ctx, db, "Hotline", false)
		r1 := seedReport(t, ctx, db, org.ID, nil)
		r2 := seedReport(t, ctx, db, org.ID, func(r *store.Report) { r.Subjects = nil })
		subs, err := r.ListReportSubjects(ctx, "", 10)
		if err != nil || len(subs) != 1 || subs[0].ReportID != r1.ID || subs[0].Subjects[0].Name != "Try Pheap" {
			t.Fatalf("report subjects: %+v, %v (report without subjects %s)", subs, err, r2.ID)
		}
		h := &store.ScreeningHit{ID: store.NewID(), ReportID: r1.ID, Subject: "Try Pheap", List: "sdn", EntryID: "0", EntryName: "X",
			EntryHash: "h-new", ListVersion: 2, Score: 9712, Why: "why", Status: "pending", CreatedAt: 3, UpdatedAt: 3}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutScreeningHit(ctx, h) }); err != nil {
			t.Fatal(err)
		}
		dup := *h
		dup.ID = store.NewID()
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutScreeningHit(ctx, &dup) }); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate hit: %v", err)
		}
		h.Status, h.Note, h.ReviewedHash = "dismissed", "namesake", "h-new"
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateScreeningHit(ctx, h) }); err != nil {
			t.Fatal(err)
		}
		hits, err := r.ScreeningHitsByReport(ctx, []string{r1.ID, r2.ID})
		if err != nil || len(hits) != 1 || *hits[0] != *h {
			t.Fatalf("hits: %+v, %v", hits, err)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteScreeningHit(ctx, h.ID) }); err != nil {
			t.Fatal(err)
		}
		if _, err := r.GetScreeningHit(ctx, h.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted hit: %v", err)
		}
		missing := *h
		missing.ID = store.NewID()
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateScreeningHit(ctx, &missing) }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("update of a missing hit: %v", err)
		}
	})
}
