package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestProbeLinks: the one statement a new report's link reads gives what
// GetReportLink, SeenInOrg and ClustersSharing give one statement each, on
// both engines, for a report linked before and one that is not, with and
// without identifiers.
func TestProbeLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		// r1 (org A) and r2 (org B) share identifier x, in cluster r1; r3
		// (org A) has y alone; r4 is not linked.
		err := db.Tx(ctx, func(q store.Q) error {
			if err := q.PutOccurrences(ctx, []*store.Occurrence{
				{IdentifierID: "x", OrgID: "A", ReportID: "r1"}, {IdentifierID: "x", OrgID: "B", ReportID: "r2"},
				{IdentifierID: "y", OrgID: "A", ReportID: "r3"},
			}); err != nil {
				return err
			}
			return q.PutReportLinks(ctx, []*store.ReportLink{
				{ReportID: "r1", ClusterID: "r1", LinkedAt: 10, Identifiers: []store.LinkRef{{IdentifierID: "x", Role: "recruiter"}}},
				{ReportID: "r2", ClusterID: "r1", LinkedAt: 11, Identifiers: []store.LinkRef{{IdentifierID: "x"}}},
				{ReportID: "r3", ClusterID: "r3", LinkedAt: 12, Identifiers: []store.LinkRef{{IdentifierID: "y"}}},
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			report, org  string
			ids, linkIDs []string
		}{
			{"r4", "A", []string{"x", "y", "z"}, []string{"x", "y", "z"}},
			{"r4", "B", []string{"x", "y"}, []string{"y"}},
			{"r1", "A", []string{"x"}, []string{"x"}},
			{"r2", "B", []string{"x", "y"}, []string{"x", "y"}},
			{"r4", "A", nil, nil},
			{"r1", "A", nil, []string{"x"}},
		} {
			q := db.Read()
			p, err := q.ProbeLinks(ctx, tc.report, tc.org, tc.ids, tc.linkIDs)
			if err != nil || p == nil {
				t.Fatalf("ProbeLinks(%v): %v, %v", tc, p, err)
			}
			link, err := q.GetReportLink(ctx, tc.report)
			if err != nil {
				link = nil
			}
			if (p.Link == nil) != (link == nil) || link != nil && (p.Link.ClusterID != link.ClusterID || p.Link.LinkedAt != link.LinkedAt || !slices.Equal(p.Link.Identifiers, link.Identifiers)) {
				t.Errorf("%v: link %+v, GetReportLink %+v", tc, p.Link, link)
			}
			seen, err := q.SeenInOrg(ctx, tc.ids, tc.org, tc.report)
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range tc.ids {
				if p.Seen[id] != seen[id] {
					t.Errorf("%v: seen %s = %v, SeenInOrg %v", tc, id, p.Seen[id], seen[id])
				}
			}
			clusters, err := q.ClustersSharing(ctx, tc.report, tc.linkIDs)
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(clusters)
			got := slices.Sorted(slices.Values(p.Clusters))
			if !slices.Equal(got, clusters) {
				t.Errorf("%v: clusters %v, ClustersSharing %v", tc, got, clusters)
			}
		}
		// Too many identifiers for one row: the caller is told to read them
		// one statement at a time.
		many := make([]string, 1000)
		for k := range many {
			many[k] = "id" + string(rune('a'+k%26)) + string(rune('a'+k/26))
		}
		if p, err := db.Read().ProbeLinks(ctx, "r4", "A", many, nil); p != nil || err != nil {
			t.Errorf("ProbeLinks of 1,000 identifiers: %v, %v; want nil, nil", p, err)
		}
	})
}
