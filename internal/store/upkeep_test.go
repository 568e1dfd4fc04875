package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestUpkeep: on PostgreSQL a table of the hot paths that was never
// analyzed is analyzed once rows come (a prepared statement's plan would
// otherwise stay the one made while it was empty), a queue whose rows died
// is vacuumed, neither again within UpkeepSpacing, and nothing runs while
// another server holds the upkeep; on SQLite it does nothing.
func TestUpkeep(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Engine != store.Postgres {
			if ran, err := db.Upkeep(ctx); err != nil || ran != nil {
				t.Fatalf("Upkeep on SQLite ran %v (%v); want nothing", ran, err)
			}
			return
		}
		if err := db.Churn(ctx, 500); err != nil {
			t.Fatal(err)
		}
		release, err := db.HoldUpkeepLock(ctx)
		if err != nil {
			t.Fatal(err)
		}
		ran, err := db.Upkeep(ctx)
		release()
		if err != nil || len(ran) != 0 {
			t.Fatalf("while another server holds the upkeep it ran %v (%v); want nothing", ran, err)
		}
		if n, err := db.RelTuples(ctx, "jobs"); err != nil || n >= 0 {
			t.Fatalf("jobs reltuples %v (%v) before the upkeep; want never analyzed", n, err)
		}

		ran, err = db.Upkeep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"ANALYZE jobs", "VACUUM (ANALYZE) search_pending"} {
			if !slices.Contains(ran, want) {
				t.Errorf("upkeep ran %q; want %q among them", ran, want)
			}
		}
		if n, err := db.RelTuples(ctx, "jobs"); err != nil || n != 500 {
			t.Errorf("jobs reltuples %v (%v) after the upkeep; want 500", n, err)
		}

		// Within UpkeepSpacing the same tables are left alone, even with
		// more rows changed.
		if err := db.Churn(ctx, 500); err != nil {
			t.Fatal(err)
		}
		ran, err = db.Upkeep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, stmt := range ran {
			if stmt == "ANALYZE jobs" || stmt == "VACUUM (ANALYZE) search_pending" {
				t.Errorf("ran %q again at once; want it left for %v", stmt, store.UpkeepSpacing)
			}
		}
	})
}
