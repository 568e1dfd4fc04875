package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestPendingRangeRowsPlan: on SQLite the marked identifiers are read from
// the marks, not by scanning every identifier (the planner, without
// statistics, chose the scan).
func TestPendingRangeRowsPlan(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "vigil.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	rows, err := db.r.QueryContext(ctx, `EXPLAIN QUERY PLAN `+pendingRangeQuery, 10)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(plan) == 0 || !strings.HasPrefix(plan[0], "SCAN m") {
		t.Errorf("plan of the marked identifiers' read:\n%s\nwant it to start with a scan of the marks (trust_pending m)", strings.Join(plan, "\n"))
	}
}
