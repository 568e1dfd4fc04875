package links_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// indexState is what the link index holds, minus the times it was written.
type indexState struct {
	Identifiers []store.Identifier
	Occurrences map[string][]store.Occurrence
	Refs        map[string][]store.LinkRef
	Clusters    map[string]string
}

func snapshot(t *testing.T, db *store.DB, reportIDs []string) indexState {
	t.Helper()
	ctx := context.Background()
	q := db.Read()
	idents, err := q.AllIdentifiers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	links, err := q.GetReportLinks(ctx, reportIDs)
	if err != nil {
		t.Fatal(err)
	}
	st := indexState{Occurrences: map[string][]store.Occurrence{}, Refs: map[string][]store.LinkRef{}, Clusters: map[string]string{}}
	for _, i := range idents {
		st.Identifiers = append(st.Identifiers, *i)
		occs, err := q.IdentifierOccurrences(ctx, i.ID, 1000)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range occs {
			st.Occurrences[i.ID] = append(st.Occurrences[i.ID], *o)
		}
	}
	for id, l := range links {
		st.Refs[id] = l.Identifiers
		st.Clusters[id] = l.ClusterID
	}
	return st
}

func TestClustersAndCheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		in, ls, runner, inv := w.in, w.links, w.runner, w.actors["investigator@hotline"]

		subs := []*intake.Submission{
			{Language: "en", Country: "KH", Narrative: "The recruiter called from +855 12 345 678 and said the job is in Sihanoukville.", IncidentTypes: []string{"deceptive_recruitment"}},
			{Language: "km", Country: "KH", Narrative: "មេខ្យល់ប្រើលេខ 012345678 និង Telegram t.me/golden_job_kh ។", IncidentTypes: []string{"confinement"}},
			{Language: "zh", Country: "CN", Narrative: "对方的飞机号是 @golden_job_kh，让我们打钱。", IncidentTypes: []string{"extortion_ransom"}},
			// A victim's own number: linked blind, never counted by a check.
			{Language: "en", Country: "KH", Narrative: "Please call my brother, his number is +855 97 555 0101.", Victims: []intake.VictimIn{{Contact: "+855 97 555 0101"}}},
			{Language: "en", Country: "TH", Narrative: "Unrelated: the agent used LINE ID: agent.bkk.77"},
		}
		var ids []string
		for _, s := range subs {
			ack, err := in.Submit(ctx, auth.Actor{}, s)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ack.ID)
		}
		if err := runner.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		// The check counts verified reports only (TestCheckTrust).
		for _, id := range ids {
			if _, err := ls.SetVerified(ctx, w.actors["coordinator@hotline"], id, &links.VerifyIn{Verified: true}); err != nil {
				t.Fatal(err)
			}
		}
		clusters, err := ls.Clusters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if clusters[ids[0]] != ids[0] || clusters[ids[1]] != ids[0] || clusters[ids[2]] != ids[0] {
			t.Errorf("the three recruiter reports are not one cluster named by the first: %v", clusters)
		}
		if clusters[ids[4]] != ids[4] || clusters[ids[3]] != ids[3] {
			t.Errorf("unrelated reports joined a cluster: %v", clusters)
		}
		for _, q := range []string{"+855 12 345 678", "012 345 678", "+85512345678", "00855 12 345 678"} {
			ans, err := ls.Check(ctx, q, "KH")
			if err != nil {
				t.Fatalf("check %q: %v", q, err)
			}
			if ans.Kind != "phone" && ans.Kind != "whatsapp" || !ans.Reported || ans.Band != links.BandFew {
				t.Errorf("check %q = %+v, want a phone in a few reports", q, ans)
			}
			if n, err := ls.ReportsFor(ctx, ans.Kind, ans.Value); err != nil || n != 2 {
				t.Errorf("reports for %q = %d, %v; want 2", q, n, err)
			}
		}
		for _, q := range []string{"@golden_job_kh", "t.me/golden_job_kh", "https://t.me/golden_job_kh"} {
			ans, err := ls.Check(ctx, q, "")
			if err != nil || ans.Kind != "telegram" || ans.Band != links.BandFew || ans.FirstSeen == "" || len(ans.Categories) != 2 {
				t.Errorf("check %q = %+v, %v; want telegram in a few reports", q, ans, err)
			}
			if n, err := ls.ReportsFor(ctx, "telegram", ans.Value); err != nil || n != 2 {
				t.Errorf("reports for %q = %d, %v; want 2", q, n, err)
			}
		}
		// The lure check reads a handle without its "@" or in capitals;
		// before, it found nothing for either.
		for _, v := range []string{"golden_job_kh", "Golden_Job_KH", "@golden_job_kh"} {
			if n, err := ls.ReportsFor(ctx, "telegram", v); err != nil || n != 2 {
				t.Errorf("reports for telegram %q = %d, %v; want 2", v, n, err)
			}
		}
		if ans, err := ls.Check(ctx, "+855 97 555 0101", ""); err != nil || ans.Reported || ans.Band != links.BandNone {
			t.Errorf("a victim's number is counted by the check: %+v, %v", ans, err)
		}
		if _, err := ls.Check(ctx, "hello there how are you", ""); err == nil {
			t.Error("a sentence was accepted as an identifier")
		}
		idv, err := ls.ReportIdentifiers(ctx, inv, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		var sawPhone bool
		for _, v := range idv {
			if v.Kind == "phone" && v.Value == "+85512345678" {
				sawPhone = true
				if v.OtherReports != 1 || len(v.ReportIDs) != 1 || v.ReportIDs[0] != ids[0] {
					t.Errorf("phone in report 2: %+v", v)
				}
			}
		}
		if !sawPhone {
			t.Errorf("report 2 identifiers lack the phone: %+v", idv)
		}
		net, err := ls.Network(ctx, inv, ids[0], 4, 100)
		if err != nil {
			t.Fatal(err)
		}
		reports := 0
		for _, n := range net.Nodes {
			if n.Type == "report" {
				reports++
			}
		}
		if reports != 3 {
			t.Errorf("network around report 1 has %d reports, want 3: %+v", reports, net)
		}
		if _, err := ls.Network(ctx, auth.Actor{UserID: "x", OrgID: "other", Role: auth.Investigator}, ids[0], 2, 10); err == nil {
			t.Error("another organisation read the network")
		}
		before := snapshot(t, db, ids)
		// Twice: with the rebuild's usual sizes (one shard, one chunk of
		// link rows here), then with a shard and a chunk of link rows for
		// about each identifier and report, so every edge between them is
		// crossed.
		for _, size := range []struct{ shard, chunk int }{{0, 0}, {1, 1}} {
			if size.shard > 0 {
				ls.SetRebuildSizes(size.shard, size.chunk)
				// From empty.
				if err := db.Tx(ctx, func(q store.Q) error {
					for _, table := range []string{"identifier_occurrences", "report_links", "identifiers"} {
						if err := q.Exec(ctx, `DELETE FROM `+table); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			// A rebuild from scratch gives the same clusters, identifiers,
			// aggregates, occurrences and per-report identifier lists.
			rs, err := ls.Rebuild(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rs.Reports != len(ids) || rs.Clusters != 3 {
				t.Errorf("rebuild stats %+v, want %d reports in 3 clusters", rs, len(ids))
			}
			again, err := ls.Clusters(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(clusters, again) {
				t.Errorf("rebuild changed the clusters:\nincremental %v\nrebuild     %v", clusters, again)
			}
			after := snapshot(t, db, ids)
			if !reflect.DeepEqual(before, after) {
				t.Errorf("rebuild changed the index:\nincremental %+v\nrebuild     %+v", before, after)
			}
			// A rebuild of a right index writes nothing.
			if rs, err := ls.Rebuild(ctx); err != nil || rs.Changed != (store.SyncStats{}) {
				t.Errorf("rebuild of an index that was right changed %+v (%v)", rs.Changed, err)
			}
			// A damaged index is repaired: a lost occurrence, a wrong count,
			// a stray identifier and a report moved to another cluster.
			damage := []string{
				`DELETE FROM identifier_occurrences WHERE report_id = '` + ids[2] + `' AND role <> 'victim_contact'`,
				`UPDATE identifiers SET report_count = 99`,
				`INSERT INTO identifiers (id, kind, sealed_value) VALUES ('stray', 'phone', '')`,
				`UPDATE report_links SET cluster_id = 'elsewhere' WHERE report_id = '` + ids[1] + `'`,
			}
			if err := db.Tx(ctx, func(q store.Q) error {
				for _, d := range damage {
					if err := q.Exec(ctx, d); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			rs, err = ls.Rebuild(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rs.Changed.Inserted == 0 || rs.Changed.Updated == 0 || rs.Changed.Deleted != 1 {
				t.Errorf("repair wrote %+v; want inserts (lost occurrences), updates (counts, cluster) and one delete (the stray)", rs.Changed)
			}
			if again := snapshot(t, db, ids); !reflect.DeepEqual(after, again) {
				t.Errorf("rebuild did not repair the index:\nright    %+v\nrepaired %+v", after, again)
			}
		}

		// Linking a report again adds nothing.
		if err := ls.Process(ctx, ids[1]); err != nil {
			t.Fatal(err)
		}
		if again := snapshot(t, db, ids); !reflect.DeepEqual(before, again) {
			t.Errorf("linking a report twice changed the index:\nonce  %+v\ntwice %+v", before, again)
		}
	})
}

// TestRebuildRelinksFiledMeanwhile: reports filed while a rebuild reads —
// one not linked yet, one its job linked into the old index — are linked
// after it into the new one, joined to the reports they share identifiers
// with; the reports the rebuild read are not linked again.
func TestRebuildRelinksFiledMeanwhile(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		submit := func(narrative string) string {
			t.Helper()
			ack, err := w.in.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Country: "KH", Narrative: narrative})
			if err != nil {
				t.Fatal(err)
			}
			return ack.ID
		}
		first := []string{
			submit("The recruiter called from +855 12 345 678 and said the job is in Sihanoukville."),
			submit("The agent on Telegram @golden_job_kh took our passports."),
			submit("Unrelated: the agent used LINE ID: agent.bkk.77"),
		}
		if err := w.runner.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		var late []string
		w.links.SetAfterRead(func() {
			late = append(late, submit("Both again: +855 12 345 678 and @golden_job_kh."))
			linked := submit("Once more the number +855 12 345 678.")
			if err := w.links.Process(ctx, linked); err != nil {
				t.Error(err)
			}
			late = append(late, linked)
		})
		st, err := w.links.Rebuild(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Reports != len(first) || st.Relinked != len(late) {
			t.Errorf("rebuild read %d reports and linked %d after; want %d and %d", st.Reports, st.Relinked, len(first), len(late))
		}
		clusters, err := w.links.Clusters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(clusters) != len(first)+len(late) {
			t.Errorf("%d reports linked, want %d: %v", len(clusters), len(first)+len(late), clusters)
		}
		joined := []string{first[0], first[1], late[0], late[1]}
		for _, id := range joined {
			if clusters[id] != clusters[first[0]] {
				t.Errorf("report %s in cluster %q, want %q with the reports it shares a number or handle with", id, clusters[id], clusters[first[0]])
			}
		}
		if clusters[first[2]] == clusters[first[0]] {
			t.Errorf("the unrelated report joined the others' cluster")
		}
	})
}
