package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestSignalsPlan: the trust worker reads an identifier's newest reports
// through identifier_occurrences_newest (migration 0030), on both engines,
// for an identifier named in many reports of two organisations: the
// primary key orders an identifier's occurrences by organisation first, so
// read through it every occurrence was read and sorted to find the newest
// (30,000 for a busy recruiter's number at three million reports) each time
// one more report named it.
func TestSignalsPlan(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var plan string
		err := db.Tx(ctx, func(q store.Q) error {
			// 3,000 occurrences of one identifier in two organisations'
			// reports, and 20,000 of 10,000 others, with statistics.
			if err := q.Exec(ctx, `INSERT INTO identifier_occurrences (identifier_id, org_id, report_id)
				WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
				SELECT 'other-' || (i % 10000), 'org-a', 'report-' || (100000 + i) FROM n
				UNION ALL
				SELECT 'busy', CASE WHEN i % 2 = 0 THEN 'org-a' ELSE 'org-b' END, 'report-' || (200000 + i) FROM n WHERE i <= 3000`); err != nil {
				return err
			}
			if err := q.Exec(ctx, `ANALYZE identifier_occurrences`); err != nil {
				return err
			}
			var err error
			plan, err = q.ExplainSignals(ctx, "busy", 500)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan, "identifier_occurrences_newest") || strings.Contains(plan, "identifier_occurrences_pkey") ||
			strings.Contains(plan, "identifier_occurrences USING PRIMARY KEY") {
			t.Errorf("the newest reports of an identifier are not read through identifier_occurrences_newest:\n%s", plan)
		}
	})
}
