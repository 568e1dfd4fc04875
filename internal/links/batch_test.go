package links_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestProcessBatchFollowsMerges: a batch whose reports join clusters
// linked before it, and then share identifiers with reports of the
// clusters it merged, leaves the index and tells the owners of open cases
// what linking the same reports one at a time does (ProcessBatch reads
// what the index and the cases held at the batch's start once and follows
// the batch's merges itself), on both engines.
func TestProcessBatchFollowsMerges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		subs := []*intake.Submission{
			// Linked before the batch: two clusters.
			{Narrative: "The recruiter called from +855 12 345 678 about a job in Sihanoukville."},
			{Narrative: "They wrote to me on Telegram t.me/golden_job_kh and called from +855 17 444 555."},
			{Narrative: "The agent on LINE ID: agent.bkk.77 sent the ticket."},
			// The batch: joins the first two clusters; then a report
			// sharing an identifier with the second (merged) cluster's
			// report only, one sharing with the first, with a new phone,
			// and one joining that phone to the third cluster.
			{Narrative: "Same people: +855 12 345 678 and t.me/golden_job_kh."},
			{Narrative: "My cousin was called from +855 17 444 555 too."},
			{Narrative: "Call +855 12 345 678 or +855 16 222 333, they said."},
			{Narrative: "The boss uses +855 16 222 333 and LINE ID: agent.bkk.77."},
		}
		const before = 3
		type state struct {
			clusters []int // position → position of its cluster's report
			idents   []string
			told     []string // notifications: user, kind, report position
		}
		run := func(db *store.DB, batch bool) state {
			w := newWorld(t, db)
			var ids []string
			for k, s := range subs {
				s := *s
				s.Language, s.Country = "en", "KH"
				ack, err := w.in.Submit(ctx, auth.Actor{}, &s)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, ack.ID)
				if k < before {
					if err := w.runner.Drain(ctx); err != nil {
						t.Fatal(err)
					}
				}
			}
			// Open cases of the hotline: one holding a report of the second
			// cluster (merged by the batch), one a report of the batch, one
			// both a report before and the batch's first; and a closed one.
			inv, coord := w.actors["investigator@hotline"], w.actors["coordinator@hotline"]
			for _, c := range []struct {
				status, owner string
				reports       []int
			}{{"open", inv.UserID, []int{1}}, {"open", coord.UserID, []int{5}}, {"open", inv.UserID, []int{0, 3}}, {"closed", coord.UserID, []int{2}}} {
				var rs []string
				for _, p := range c.reports {
					rs = append(rs, ids[p])
				}
				storetest.Case(t, db, inv.OrgID, c.status, c.owner, rs...)
			}
			if batch {
				// With a report linked before among them, linked again.
				if failed := w.links.ProcessBatch(ctx, append(slices.Clone(ids[before:]), ids[0])); len(failed) != 0 {
					t.Fatalf("batch failed: %v", failed)
				}
			} else if err := w.runner.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			clusters, err := w.links.Clusters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var st state
			for _, id := range ids {
				p := slices.Index(ids, clusters[id])
				if p < 0 {
					t.Fatalf("report %s is in cluster %q, not a report's", id, clusters[id])
				}
				st.clusters = append(st.clusters, p)
			}
			idents, err := db.Read().AllIdentifiers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range idents {
				st.idents = append(st.idents, fmt.Sprintf("%s %s %s %d %d %v", i.ID, i.Kind, i.Side, i.ReportCount, i.OrgCount, i.Categories))
			}
			slices.Sort(st.idents)
			for who, a := range map[string]auth.Actor{"investigator": inv, "coordinator": coord} {
				ns, err := db.Read().ListNotifications(ctx, a.UserID, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range ns {
					st.told = append(st.told, fmt.Sprintf("%s %s %d", who, n.Kind, slices.Index(ids, n.ObjectID)))
				}
			}
			slices.Sort(st.told)
			return st
		}
		got, want := run(db, true), run(storetest.Open(t, db.Engine), false)
		if !slices.Equal(got.clusters, want.clusters) {
			t.Errorf("clusters by position: batch %v, one at a time %v", got.clusters, want.clusters)
		}
		if all := []int{0, 0, 0, 0, 0, 0, 0}; !slices.Equal(want.clusters, all) {
			t.Errorf("one at a time: clusters %v, want all in the first report's", want.clusters)
		}
		if !slices.Equal(got.idents, want.idents) || len(want.idents) < 4 {
			t.Errorf("identifiers: batch %v, one at a time %v", got.idents, want.idents)
		}
		if !slices.Equal(got.told, want.told) || len(want.told) < 2 {
			t.Errorf("notifications: batch %v, one at a time %v", got.told, want.told)
		}
	})
}
