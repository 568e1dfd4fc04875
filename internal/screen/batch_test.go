package screen_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestScreenReportsTellsCases: a screening batch stores the same hits and
// tells the owners of the same open cases of its reports' new hits as
// screening the reports one at a time (the batch adds its new hits and
// reads the reports' cases once for all of them), and a second run, with
// nothing new, tells no one; on both engines.
func TestScreenReportsTellsCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		type state struct{ hits, told []string }
		run := func(db *store.DB, batch bool) state {
			if err := screen.LoadDemoList(ctx, db); err != nil {
				t.Fatal(err)
			}
			svc := screen.New(db, nil)
			if err := svc.Load(ctx); err != nil {
				t.Fatal(err)
			}
			subjects := [][]store.Subject{
				{{Name: "Try Pheap", Type: "person"}},
				{{Name: "Prince Holding Group", Type: "company"}},
				{{Name: "Somchai Jaidee", Type: "person"}},
				{{Name: "Chen Zhi", Type: "person"}, {Name: "Kings Romans Casino", Type: "company"}},
			}
			var ids []string
			for _, s := range subjects {
				ids = append(ids, seedReport(t, db, s...))
			}
			// Cases: open with the first report, closed with the second,
			// open with the third and fourth, open with the first and
			// fourth (one owner each).
			owners := make([]string, 4)
			r, err := db.Read().GetReport(ctx, ids[0])
			if err != nil {
				t.Fatal(err)
			}
			for k, c := range []struct {
				status  string
				reports []int
			}{{"open", []int{0}}, {"closed", []int{1}}, {"open", []int{2, 3}}, {"open", []int{0, 3}}} {
				owners[k] = store.NewID()
				if err := db.Tx(ctx, func(q store.Q) error {
					return q.PutUser(ctx, &store.User{ID: owners[k], OrgID: r.OrgID, Email: fmt.Sprintf("u%d@x.test", k), Name: "u", Role: "investigator",
						PasswordHash: "x", CreatedAt: store.Now()})
				}); err != nil {
					t.Fatal(err)
				}
				var rs []string
				for _, p := range c.reports {
					rs = append(rs, ids[p])
				}
				storetest.Case(t, db, r.OrgID, c.status, owners[k], rs...)
			}
			in := make([]screen.ReportSubjects, len(ids))
			for k, id := range ids {
				in[k] = screen.ReportSubjects{ReportID: id, Subjects: subjects[k]}
			}
			for range 2 { // the second run finds nothing new
				if batch {
					if failed := svc.ScreenReports(ctx, in); len(failed) != 0 {
						t.Fatalf("batch failed: %v", failed)
					}
					continue
				}
				for _, r := range in {
					if _, err := svc.ScreenReport(ctx, r.ReportID, r.Subjects); err != nil {
						t.Fatal(err)
					}
				}
			}
			var st state
			hs, err := db.Read().ScreeningHitsByReport(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hs {
				st.hits = append(st.hits, fmt.Sprintf("%d %s %s %s %s", slices.Index(ids, h.ReportID), h.Subject, h.List, h.EntryID, h.Status))
			}
			for k, u := range owners {
				ns, err := db.Read().ListNotifications(ctx, u, "", 100)
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range ns {
					st.told = append(st.told, fmt.Sprintf("owner %d %s %s", k, n.Kind, n.ObjectType))
				}
			}
			slices.Sort(st.told)
			return st
		}
		got, want := run(db, true), run(storetest.Open(t, db.Engine), false)
		if !slices.Equal(got.hits, want.hits) || len(want.hits) < 3 {
			t.Errorf("hits: batch %v, one at a time %v", got.hits, want.hits)
		}
		if !slices.Equal(got.told, want.told) || len(want.told) < 3 {
			t.Errorf("told: batch %v, one at a time %v", got.told, want.told)
		}
	})
}
