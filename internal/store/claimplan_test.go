package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestClaimPlan: on PostgreSQL a claim reads the due jobs in the order of
// the jobs_pending index even when the table's statistics were taken while
// the queue was almost empty (as autovacuum leaves them while a backlog
// builds) and random reads look dear: no Sort of every due job (on a real
// backlog of 16,337 due jobs that plan took 179 ms a claim, 19 ms in index
// order).
func TestClaimPlan(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t, store.Postgres)
	kinds := []string{"links", "screen", "webhook.report"}
	// Quiet: many jobs done, a few due, none of the kinds about to pile up,
	// analyzed; then a backlog the statistics do not know.
	putJobs(t, db, "done-", "notify.mail", 15000, 1)
	if err := db.Tx(ctx, func(q store.Q) error {
		return q.Exec(ctx, `UPDATE jobs SET done_at = 1, run_after = hashtext(id) & 1048575`)
	}); err != nil {
		t.Fatal(err)
	}
	putJobs(t, db, "quiet-", "notify.mail", 60, 1)
	if err := db.Tx(ctx, func(q store.Q) error { return q.Exec(ctx, `ANALYZE jobs`) }); err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		putJobs(t, db, "busy"+k+"-", k, 6000, 2)
	}
	kinds = append(kinds, "notify.mail")
	var plan string
	err := db.Tx(ctx, func(q store.Q) error {
		// Where the table's rows are scattered (as a queue's are, after
		// updates), random reads cost more than the planner's default:
		// that is when it chose to read every due job and sort them.
		if err := q.Exec(ctx, `SET LOCAL random_page_cost = 1000`); err != nil {
			return err
		}
		var err error
		plan, err = q.ExplainClaim(ctx, kinds, 128, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan, "Sort") || !strings.Contains(plan, "jobs_pending") {
		t.Errorf("the claim's plan sorts the due jobs or does not read jobs_pending:\n%s", plan)
	}
}
