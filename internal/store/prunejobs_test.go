package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestPruneJobs: only jobs that succeeded before the cut are deleted, the
// oldest first and at most n a call; jobs given up (admins are shown them),
// jobs done after the cut, jobs waiting for a retry and jobs not yet run
// all stay.
func TestPruneJobs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const day = int64(24 * 3600 * 1e6)
		now := int64(1_800_000_000) * 1e6
		put := func(id string, finish *store.JobOutcome, at int64) {
			t.Helper()
			if err := db.Tx(ctx, func(q store.Q) error {
				if err := q.PutJobs(ctx, []*store.Job{{ID: id, Kind: "k", ReportID: "r-" + id}}, at); err != nil {
					return err
				}
				if finish == nil {
					return nil
				}
				finish.ID = id
				return q.FinishJobs(ctx, []store.JobOutcome{*finish}, at)
			}); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			put(fmt.Sprintf("old-ok-%d", i), &store.JobOutcome{}, now-10*day+int64(i)) // succeeded 10 days ago
		}
		put("old-given-up", &store.JobOutcome{Failure: "mail server said no"}, now-10*day)
		put("old-retrying", &store.JobOutcome{Failure: "timeout", RetryAt: now + day}, now-10*day)
		put("old-pending", nil, now-10*day)
		put("new-ok", &store.JobOutcome{}, now-day)

		cut := now - 7*day
		prune := func(n int) int64 {
			t.Helper()
			var got int64
			if err := db.Tx(ctx, func(q store.Q) error {
				var err error
				got, err = q.PruneJobs(ctx, cut, n)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		left := func() []string {
			t.Helper()
			rows, err := db.QueryStrings(ctx, `SELECT id FROM jobs ORDER BY id`)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range rows {
				ids = append(ids, r[0])
			}
			return ids
		}
		if n := prune(2); n != 2 {
			t.Fatalf("first prune of 2 deleted %d", n)
		}
		// The two finished first went first.
		if ids := left(); slices.Contains(ids, "old-ok-0") || slices.Contains(ids, "old-ok-1") || !slices.Contains(ids, "old-ok-2") {
			t.Errorf("after pruning 2 the jobs left are %v, want old-ok-0 and old-ok-1 gone first", ids)
		}
		if n := prune(100); n != 3 {
			t.Errorf("second prune deleted %d, want the 3 old successes left", n)
		}
		if n := prune(100); n != 0 {
			t.Errorf("third prune deleted %d, want 0", n)
		}
		want := []string{"new-ok", "old-given-up", "old-pending", "old-retrying"}
		if ids := left(); !slices.Equal(ids, want) {
			t.Errorf("jobs left %v, want %v", ids, want)
		}
	})
}
