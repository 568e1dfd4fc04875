package demo_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func newServer(t *testing.T, db *store.DB) *server.Server {
	t.Helper()
	srv := servertest.New(t, servertest.Options{DB: db})
	servertest.Demo(t, srv)
	return srv
}

// indexOf is the link index minus the times it was written.
func indexOf(t *testing.T, db *store.DB) ([]*store.Identifier, map[string]string) {
	t.Helper()
	ctx := context.Background()
	idents, err := db.Read().AllIdentifiers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clusters, err := db.Read().AllClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return idents, clusters
}

// TestBulkThenIncremental loads generated reports in bulk, links more one
// by one as jobs would, and checks a rebuild from scratch gives the same
// identifiers, aggregates and clusters — on both engines.
func TestBulkThenIncremental(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		srv := newServer(t, db)
		res, err := demo.Bulk(ctx, srv, demo.BulkOptions{Reports: 2000, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		demoReports := 8
		if got := res.Links.Reports; got < 2000+demoReports-2 {
			t.Errorf("the rebuild saw %d reports, want %d", got, 2000+demoReports)
		}
		if per := float64(res.Links.Occurrences) / float64(res.Links.Reports); per < 3 || per > 8 {
			t.Errorf("%.1f identifier occurrences per report, want a realistic 3 to 8", per)
		}
		if res.Links.Clusters >= res.Links.Reports/2 || res.Links.Clusters < res.Networks/4 {
			t.Errorf("%d clusters for %d reports from %d networks: the generator's networks did not link", res.Links.Clusters, res.Links.Reports, res.Networks)
		}
		// A network's recruiter handle is found however it was written.
		// Generated reports are in no case and not marked verified, so the
		// check counts none of them in its band (nor the lure check's
		// look-up); they come from many independent sources over a year,
		// so it shows them apart as unverified reports, many.
		ans, err := srv.Links.Check(ctx, "@recruit_0", "")
		if err != nil || ans.Reported || ans.Band != links.BandNone || ans.UnverifiedReports != links.BandMany {
			t.Errorf("check @recruit_0 = %+v, %v; want the largest network's handle in many unverified reports", ans, err)
		}
		if n, err := srv.Links.ReportsFor(ctx, ans.Kind, ans.Value); err != nil || n != 0 {
			t.Errorf("reports for @recruit_0 = %d, %v; want 0 verified", n, err)
		}

		// More reports, linked one at a time.
		gen := demo.NewGenerator(99, 200, time.Now().AddDate(-1, 0, 0), time.Now())
		orgs, err := db.Read().ListOrganisations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var items []intake.BulkItem
		for range 200 {
			sub, at := gen.Next()
			items = append(items, intake.BulkItem{OrgID: orgs[len(items)%len(orgs)].ID, At: at, Sub: sub})
		}
		ids, err := srv.Intake.SubmitBulk(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if err := srv.Links.Process(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		identsInc, clustersInc := indexOf(t, db)
		// The services take an identifier's count of reports in every
		// organisation (what the network's hidden node shows) from its
		// ReportCount: it is the count of its occurrences, and the count
		// of one organisation's a range of them.
		for _, i := range identsInc {
			own, all, err := db.Read().CountOccurrences(ctx, i.ID, orgs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			ownKey, err := db.Read().CountOwnOccurrences(ctx, i.ID, orgs[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			if all != i.ReportCount || own != ownKey {
				t.Fatalf("identifier %s: %d occurrences (%d of %s), its ReportCount %d, its own counted from the key %d", i.ID, all, own, orgs[0].ID, i.ReportCount, ownKey)
			}
		}
		if _, err := srv.Links.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		identsReb, clustersReb := indexOf(t, db)
		if !reflect.DeepEqual(clustersInc, clustersReb) {
			t.Errorf("clusters differ between incremental linking and a rebuild")
		}
		if len(identsInc) != len(identsReb) {
			t.Fatalf("%d identifiers incrementally, %d after a rebuild", len(identsInc), len(identsReb))
		}
		for i := range identsInc {
			if !reflect.DeepEqual(identsInc[i], identsReb[i]) {
				t.Errorf("identifier differs:\nincremental %+v\nrebuild     %+v", identsInc[i], identsReb[i])
				break
			}
		}
	})
}
