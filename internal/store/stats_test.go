package store_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestStatsKeys pins what one report counts for in each dimension.
func TestStatsKeys(t *testing.T) {
	at := time.Date(2025, 3, 31, 23, 59, 0, 0, time.UTC).UnixMicro()
	for _, tt := range []struct {
		name string
		mod  func(r *store.Report)
		want []store.Stat
	}{
		{"plain", nil, []store.Stat{
			{Dim: store.DimIncidentType, Key: "confinement", Count: 1},
			{Dim: store.DimNationality, Key: "KH", Count: 1},
			{Dim: store.DimPlace, Key: "bavet", Count: 1},
			{Dim: store.DimReportMonth, Key: "2025-03", Count: 1},
		}},
		{"victims without nationality, aliases of one place, unknown place", func(r *store.Report) {
			r.IncidentTypes = []string{"confinement", "extortion_ransom"}
			r.Victims = []store.Victim{{Nationality: "KH"}, {}, {Nationality: "KH"}}
			r.Places = []store.PlaceRef{{Name: "Poipet", PlaceID: "poipet", Country: "KH"}, {Name: "ปอยเปต", PlaceID: "poipet", Country: "KH"}, {Name: " Nowhere Camp "}}
		}, []store.Stat{
			{Dim: store.DimIncidentType, Key: "confinement", Count: 1},
			{Dim: store.DimIncidentType, Key: "extortion_ransom", Count: 1},
			{Dim: store.DimNationality, Key: "KH", Count: 2},
			{Dim: store.DimNationality, Key: "unknown", Count: 1},
			{Dim: store.DimPlace, Key: "Nowhere Camp", Count: 1},
			{Dim: store.DimPlace, Key: "poipet", Count: 1},
			{Dim: store.DimReportMonth, Key: "2025-03", Count: 1},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := storetest.Open(t, store.SQLite)
			ctx := context.Background()
			o := seedOrg(t, ctx, db, "Hotline", true)
			seedReport(t, ctx, db, o.ID, func(r *store.Report) {
				r.ReceivedAt = at
				if tt.mod != nil {
					tt.mod(r)
				}
			})
			got, err := db.Read().Stats(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			slices.SortFunc(tt.want, cmpStat)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("stats:\ngot  %v\nwant %v", got, tt.want)
			}
		})
	}
}

func cmpStat(a, b store.Stat) int {
	if a.Dim != b.Dim {
		if a.Dim < b.Dim {
			return -1
		}
		return 1
	}
	switch {
	case a.Key < b.Key:
		return -1
	case a.Key > b.Key:
		return 1
	}
	return 0
}

// TestStatsRollUpMatchesRecount checks that the roll-up kept by the write
// paths equals a recount from the reports and cases after a mix of writes
// (batches from concurrent writers, single reports, cases, status changes,
// erasure), and that the migration's fill computes the same.
func TestStatsRollUpMatchesRecount(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		orgs := []*store.Organisation{seedOrg(t, ctx, db, "Hotline", true), seedOrg(t, ctx, db, "Police", false)}
		places := []store.PlaceRef{{Name: "Sihanoukville", PlaceID: "sihanoukville"}, {Name: "西港", PlaceID: "sihanoukville"}, {Name: "Bavet", PlaceID: "bavet"},
			{Name: "Poipet", PlaceID: "poipet"}, {Name: "ปอยเปต", PlaceID: "poipet"}, {Name: "KK Park", PlaceID: "kk-park"}, {Name: "Camp 9"}, {}}
		types := []string{"deceptive_recruitment", "confinement", "forced_criminality", "extortion_ransom"}
		nats := []string{"KH", "CN", "", "VN"}
		start := time.Date(2024, 11, 20, 0, 0, 0, 0, time.UTC)
		report := func(w, i int) *store.Report {
			id := store.NewID()
			n := w*1000 + i
			return &store.Report{ID: id, OrgID: orgs[n%2].ID, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web", Language: "en",
				IncidentTypes: []string{types[n%4], types[(n/4)%4]},
				Victims:       []store.Victim{{Nationality: nats[n%4]}, {Nationality: nats[(n/3)%4]}},
				Places:        []store.PlaceRef{places[n%8], places[(n+3)%8]},
				Urgent:        n%5 == 0, Status: "received", ReceivedAt: start.Add(time.Duration(n) * 37 * time.Hour).UnixMicro(), UpdatedAt: store.Now()}
		}
		// Four writers commit batches at once: on PostgreSQL their upserts
		// touch the same roll-up rows and must not deadlock.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		var mu sync.Mutex
		var all []*store.Report
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range 5 {
					var batch []*store.Intake
					for i := range 20 {
						batch = append(batch, &store.Intake{Report: report(w, b*20+i), DataKey: []byte("k")})
					}
					if err := db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, batch) }); err != nil {
						errs <- fmt.Errorf("writer %d batch %d: %w", w, b, err)
						return
					}
					mu.Lock()
					for _, in := range batch {
						all = append(all, in.Report)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		single := report(9, 1)
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutReport(ctx, single) }); err != nil {
			t.Fatal(err)
		}
		for i, o := range orgs {
			for j := range 3 + i {
				c := &store.Case{ID: store.NewID(), OrgID: o.ID, Title: "c", Status: "new", Urgency: "normal",
					CreatedAt: start.AddDate(0, j, 0).UnixMicro(), UpdatedAt: store.Now(), Version: 1}
				if err := db.Tx(ctx, func(q store.Q) error { return q.PutCase(ctx, c) }); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			if err := q.SetReportStatus(ctx, all[0].ID, "in_review", store.Now()); err != nil {
				return err
			}
			return q.MarkReportErased(ctx, all[1].ID, store.Now())
		}); err != nil {
			t.Fatal(err)
		}

		check := func(when string) {
			t.Helper()
			for _, o := range orgs {
				got, err := db.Read().Stats(ctx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				want, err := db.Read().RecountStats(ctx, o.ID)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s: roll-up differs from recount:\ngot  %v\nwant %v", when, o.Name, got, want)
				}
				if len(got) < 10 {
					t.Errorf("%s, %s: only %d statistics: %v", when, o.Name, len(got), got)
				}
			}
		}
		check("after writes")
		if err := db.RefillStats(ctx); err != nil {
			t.Fatal(err)
		}
		check("after the migration's fill")
	})
}

// TestListReportsByIncidentType checks the incident-type filter, read
// through its own index, against a filter of every report, after status
// changes and after the migration's fill, on every page.
func TestListReportsByIncidentType(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		other := seedOrg(t, ctx, db, "Other", false)
		types := []string{"deceptive_recruitment", "confinement", "forced_criminality"}
		var rs []*store.Report
		for i := range 30 {
			org := o.ID
			if i%7 == 0 {
				org = other.ID
			}
			rs = append(rs, seedReport(t, ctx, db, org, func(r *store.Report) {
				r.IncidentTypes = []string{types[i%3], types[i%3], types[(i/3)%3]}
				r.Urgent = i%2 == 0
				r.Language = []string{"km", "th"}[i%4/2]
			}))
		}
		for _, r := range rs[:6] {
			r.Status = "in_review"
			if err := db.Tx(ctx, func(q store.Q) error { return q.SetReportStatus(ctx, r.ID, r.Status, store.Now()) }); err != nil {
				t.Fatal(err)
			}
		}
		yes, no := true, false
		filters := []struct {
			name string
			f    store.ReportFilter
		}{
			{"type only", store.ReportFilter{OrgID: o.ID, IncidentType: "confinement"}},
			{"received urgent", store.ReportFilter{OrgID: o.ID, Status: "received", IncidentType: "confinement", Urgent: &yes}},
			{"received not urgent in km", store.ReportFilter{OrgID: o.ID, Status: "received", IncidentType: "forced_criminality", Urgent: &no, Language: "km"}},
			{"in review", store.ReportFilter{OrgID: o.ID, Status: "in_review", IncidentType: "deceptive_recruitment"}},
			{"other organisation", store.ReportFilter{OrgID: other.ID, Status: "received", IncidentType: "confinement"}},
			{"type of none", store.ReportFilter{OrgID: o.ID, IncidentType: "extortion_ransom"}},
		}
		check := func(t *testing.T, tt store.ReportFilter) {
			var want []string
			for _, r := range slices.Backward(rs) {
				if r.OrgID == tt.OrgID && slices.Contains(r.IncidentTypes, tt.IncidentType) &&
					(tt.Status == "" || r.Status == tt.Status) && (tt.Urgent == nil || r.Urgent == *tt.Urgent) &&
					(tt.Language == "" || r.Language == tt.Language) {
					want = append(want, r.ID)
				}
			}
			var got []string
			f := tt
			f.Limit = 2
			for {
				page, err := db.Read().ListReports(ctx, f)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range page {
					got = append(got, r.ID)
				}
				if len(page) < f.Limit {
					break
				}
				f.Before = page[len(page)-1].ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("reports:\ngot  %v\nwant %v", got, want)
			}
		}
		for _, when := range []string{"as written", "after the migration's fill"} {
			if when != "as written" {
				if err := db.RefillStats(ctx); err != nil {
					t.Fatal(err)
				}
			}
			for _, f := range filters {
				t.Run(when+"/"+f.name, func(t *testing.T) { check(t, f.f) })
			}
		}
	})
}
