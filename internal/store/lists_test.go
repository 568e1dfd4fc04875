package store_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// pageAll walks a list to its end with next, then back to its start with
// back, and returns the ids of both walks (the second in list order).
func pageAll[T any](t *testing.T, next func(from *T) ([]T, error), back func(from T) ([]T, error), limit int) (fwd, bwd []T) {
	t.Helper()
	var from *T
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("paging does not end")
		}
		page, err := next(from)
		if err != nil {
			t.Fatal(err)
		}
		fwd = append(fwd, page...)
		if len(page) < limit {
			break
		}
		from = &page[len(page)-1]
	}
	if len(fwd) == 0 {
		return fwd, nil
	}
	// Back from one past the end: the last row, then pages before it.
	bwd = []T{fwd[len(fwd)-1]}
	at := fwd[len(fwd)-1]
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("paging back does not end")
		}
		page, err := back(at)
		if err != nil {
			t.Fatal(err)
		}
		bwd = append(slices.Clone(page), bwd...)
		if len(page) < limit {
			break
		}
		at = page[0]
	}
	return fwd, bwd
}

func TestReportKeysetPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		other := seedOrg(t, ctx, db, "Other", true)
		// Places as intake writes them: resolved against the gazetteer where
		// it knows the name.
		places := [][]store.PlaceRef{{{Name: "Bavet", PlaceID: "bavet", Country: "KH"}}, {{Name: "Shwe Kokko", PlaceID: "shwe-kokko", Country: "MM"}},
			{{Name: "KK Park", PlaceID: "kk-park", Country: "MM"}, {Name: "Myawaddy", PlaceID: "myawaddy", Country: "MM"}}, {{Name: "50%_off\\tower"}}, {}}
		var all []*store.Report
		for i := range 47 {
			all = append(all, seedReport(t, ctx, db, o.ID, func(r *store.Report) {
				r.Urgent = i%3 == 0
				r.Language = []string{"km", "zh", "th"}[i%3]
				r.Places = places[i%len(places)]
				r.ReceivedAt = int64(1_700_000_000_000_000 + i*1_000_000)
				if i%4 == 0 {
					r.IncidentTypes = []string{"confinement", "forced_criminality"}
				}
			}))
		}
		seedReport(t, ctx, db, other.ID, nil)
		seedReport(t, ctx, db, other.ID, func(r *store.Report) { r.Places = []store.PlaceRef{{Name: "Bavet", PlaceID: "bavet", Country: "KH"}} })

		yes := true
		// Bavet asked for in Khmer: intake gives the store its gazetteer ID
		// and the folded text.
		bavetKey, bavetText := "bavet", store.FoldPlace("បាវិត")
		for _, tt := range []struct {
			name string
			f    store.ReportFilter
			keep func(r *store.Report) bool
		}{
			{"all", store.ReportFilter{}, func(*store.Report) bool { return true }},
			{"language", store.ReportFilter{Language: "zh"}, func(r *store.Report) bool { return r.Language == "zh" }},
			{"incident type", store.ReportFilter{IncidentType: "forced_criminality"}, func(r *store.Report) bool { return slices.Contains(r.IncidentTypes, "forced_criminality") }},
			{"urgent", store.ReportFilter{Urgent: &yes}, func(r *store.Report) bool { return r.Urgent }},
			{"place by gazetteer", store.ReportFilter{PlaceKey: bavetKey, PlaceText: bavetText}, func(r *store.Report) bool { return len(r.Places) > 0 && r.Places[0].Name == "Bavet" }},
			{"place text", store.ReportFilter{PlaceText: store.FoldPlace("kk p")}, func(r *store.Report) bool { return len(r.Places) > 1 }},
			{"place text with LIKE's specials", store.ReportFilter{PlaceText: store.FoldPlace(`%_OFF\`)}, func(r *store.Report) bool {
				return len(r.Places) == 1 && r.Places[0].Name == `50%_off\tower`
			}},
			{"place wildcard is literal", store.ReportFilter{PlaceText: "%"}, func(r *store.Report) bool {
				return len(r.Places) == 1 && r.Places[0].Name == `50%_off\tower`
			}},
			{"received from, to", store.ReportFilter{ReceivedFrom: 1_700_000_010_000_000, ReceivedTo: 1_700_000_030_000_000}, func(r *store.Report) bool {
				return r.ReceivedAt >= 1_700_000_010_000_000 && r.ReceivedAt < 1_700_000_030_000_000
			}},
			{"type, language and place", store.ReportFilter{IncidentType: "confinement", Language: "km", PlaceText: "bavet"}, func(r *store.Report) bool {
				return r.Language == "km" && len(r.Places) > 0 && r.Places[0].Name == "Bavet"
			}},
		} {
			for _, urgentFirst := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/urgent first %v", tt.name, urgentFirst), func(t *testing.T) {
					var want []string
					for _, r := range all {
						if tt.keep(r) {
							want = append(want, r.ID)
						}
					}
					byID := map[string]*store.Report{}
					for _, r := range all {
						byID[r.ID] = r
					}
					slices.SortFunc(want, func(a, b string) int {
						if urgentFirst && byID[a].Urgent != byID[b].Urgent {
							if byID[a].Urgent {
								return -1
							}
							return 1
						}
						return cmp.Compare(b, a)
					})
					f := tt.f
					f.OrgID, f.Status, f.UrgentFirst, f.Limit = o.ID, "received", urgentFirst, 4
					key := func(r *store.Report) *store.Key { return &store.Key{Urgent: r.Urgent, ID: r.ID} }
					fwd, bwd := pageAll(t, func(from **store.Report) ([]*store.Report, error) {
						g := f
						if from != nil {
							g.From = key(*from)
						}
						return db.Read().ListReports(ctx, g)
					}, func(at *store.Report) ([]*store.Report, error) {
						g := f
						g.From, g.Back = key(at), true
						return db.Read().ListReports(ctx, g)
					}, f.Limit)
					ids := func(rs []*store.Report) []string {
						var out []string
						for _, r := range rs {
							out = append(out, r.ID)
						}
						return out
					}
					if got := ids(fwd); !slices.Equal(got, want) {
						t.Errorf("forward:\ngot  %v\nwant %v", got, want)
					}
					if got := ids(bwd); !slices.Equal(got, want) {
						t.Errorf("backward:\ngot  %v\nwant %v", got, want)
					}
					n, err := db.Read().CountReportsUpTo(ctx, f, 1000)
					if err != nil || n != len(want) {
						t.Errorf("count = %d, %v; want %d", n, err, len(want))
					}
					if len(want) > 3 {
						n, err := db.Read().CountReportsUpTo(ctx, f, 3)
						if err != nil || n != 4 {
							t.Errorf("count up to 3 = %d, %v; want 4 (more than 3)", n, err)
						}
					}
				})
			}
		}
		// The place filter keeps to the organisation, and the migration's
		// fill gives the index the writes gave it.
		for _, when := range []string{"as written", "after the migration's fill"} {
			if when != "as written" {
				if err := db.RefillPlaces(ctx); err != nil {
					t.Fatal(err)
				}
			}
			n, err := db.Read().CountReportsUpTo(ctx, store.ReportFilter{OrgID: other.ID, PlaceKey: bavetKey}, 10)
			if err != nil || n != 2 {
				t.Errorf("%s: other organisation's reports at Bavet = %d, %v; want 2 (its own only)", when, n, err)
			}
			n, err = db.Read().CountReportsUpTo(ctx, store.ReportFilter{OrgID: o.ID, PlaceText: "myawaddy"}, 100)
			if err != nil || n != 9 {
				t.Errorf("%s: reports at Myawaddy = %d, %v; want 9", when, n, err)
			}
		}
	})
}

func TestCaseKeysetPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		p := seedOrg(t, ctx, db, "Police", false)
		u := &store.User{ID: store.NewID(), OrgID: o.ID, Email: "a@b.test", Name: "A", Role: "caseworker", PasswordHash: "h", CreatedAt: store.Now()}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		now := store.Now()
		var all []*store.Case
		err := db.Tx(ctx, func(q store.Q) error {
			for i := range 23 {
				c := &store.Case{ID: store.NewID(), OrgID: o.ID, Title: "t", Status: []string{"new", "in_progress", "closed"}[i%3],
					Urgency: []string{"high", "normal"}[i%2], CreatedAt: now, UpdatedAt: now, Version: 1}
				if i%2 == 0 {
					c.DueAt = now - 1000
				} else {
					c.DueAt = now + 3_600_000_000
				}
				if i%5 == 0 {
					c.AssigneeID = u.ID
				}
				if err := q.PutCase(ctx, c); err != nil {
					return err
				}
				if i%4 == 0 {
					r := &store.Referral{ID: store.NewID(), CaseID: c.ID, FromOrgID: o.ID, ToOrgID: p.ID, Shared: []string{}, Status: "pending", CreatedAt: now, Version: 1}
					if err := q.PutReferral(ctx, r); err != nil {
						return err
					}
				}
				all = append(all, c)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name string
			f    store.CaseFilter
			keep func(i int, c *store.Case) bool
		}{
			{"all", store.CaseFilter{OrgID: o.ID}, func(int, *store.Case) bool { return true }},
			{"status", store.CaseFilter{OrgID: o.ID, Status: "new"}, func(_ int, c *store.Case) bool { return c.Status == "new" }},
			{"urgency and assignee", store.CaseFilter{OrgID: o.ID, Urgency: "high", AssigneeID: u.ID}, func(_ int, c *store.Case) bool { return c.Urgency == "high" && c.AssigneeID == u.ID }},
			{"overdue", store.CaseFilter{OrgID: o.ID, OverdueAt: now}, func(_ int, c *store.Case) bool { return c.DueAt < now && c.Status != "closed" }},
			{"referred to a partner", store.CaseFilter{ReferredTo: p.ID}, func(i int, _ *store.Case) bool { return i%4 == 0 }},
			{"other organisation", store.CaseFilter{OrgID: p.ID}, func(int, *store.Case) bool { return false }},
		} {
			t.Run(tt.name, func(t *testing.T) {
				var want []string
				for i, c := range all {
					if tt.keep(i, c) {
						want = append(want, c.ID)
					}
				}
				slices.Reverse(want)
				f := tt.f
				f.Limit = 3
				fwd, bwd := pageAll(t, func(from *string) ([]string, error) {
					g := f
					if from != nil {
						g.From = *from
					}
					return caseIDs(db.Read().ListCases(ctx, g))
				}, func(at string) ([]string, error) {
					g := f
					g.From, g.Back = at, true
					return caseIDs(db.Read().ListCases(ctx, g))
				}, f.Limit)
				if !slices.Equal(fwd, want) || !slices.Equal(bwd, want) {
					t.Errorf("got forward %v, backward %v; want %v", fwd, bwd, want)
				}
				n, err := db.Read().CountCasesUpTo(ctx, f, 100)
				if err != nil || n != len(want) {
					t.Errorf("count = %d, %v; want %d", n, err, len(want))
				}
			})
		}
	})
}

func caseIDs(cs []*store.Case, err error) ([]string, error) {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out, err
}
