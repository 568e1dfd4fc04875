package screen_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// reportsFake answers Authorize with err, and records what it was asked.
type reportsFake struct {
	db    *store.DB
	err   error
	asked []auth.Action
}

func (r *reportsFake) Authorize(ctx context.Context, _ auth.Actor, id string, act auth.Action) (*store.Report, error) {
	r.asked = append(r.asked, act)
	if r.err != nil {
		return nil, r.err
	}
	return r.db.Read().GetReport(ctx, id)
}

// AuthorizeEach asks Authorize of each report.
func (r *reportsFake) AuthorizeEach(ctx context.Context, a auth.Actor, ids []string, act auth.Action) (map[string]*store.Report, error) {
	return authorizeEach(ctx, a, ids, act, r.Authorize)
}

// sameHits reports whether two lists hold the same hits in the same order.
func sameHits(a, b []screen.Hit) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Status != b[i].Status {
			return false
		}
	}
	return true
}

// TestServiceAccess: the actor-taking methods ask the report's authoriser
// for ReviewScreen, pass its refusal on unchanged in kind, and change
// nothing when refused; a name screen needs RunScreen.
func TestServiceAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		report := seedReport(t, db, store.Subject{Name: "Try Pheap", Type: "person"})
		if _, err := screen.New(db, nil).LoadDemo(ctx); err != nil {
			t.Fatal(err)
		}
		inv := auth.Actor{UserID: store.NewID(), OrgID: store.NewID(), Role: auth.Investigator}
		open := screen.New(db, nil, screen.WithReports(everyReport{db}))
		hs, err := open.ReportHits(ctx, inv, report)
		if err != nil || len(hs) == 0 {
			t.Fatalf("hits of the seeded report: %v, %d hits", err, len(hs))
		}
		hit := hs[0]

		for _, tc := range []struct {
			name string
			err  error // what the authoriser answers
			want error // what the caller is told
		}{
			{"may review", nil, nil},
			{"may read, not review", auth.ErrForbidden, auth.ErrForbidden},
			{"may not read", fmt.Errorf("report %s: %w", report, store.ErrNotFound), store.ErrNotFound},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fake := &reportsFake{db: db, err: tc.err}
				svc := screen.New(db, nil, screen.WithReports(fake))
				one, err := svc.ReportHits(ctx, inv, report)
				if !errIs(err, tc.want) {
					t.Errorf("ReportHits: got %v, want %v", err, tc.want)
				}
				// The batch form agrees: the same hits when allowed, the
				// report left out when refused.
				each, err := svc.EachReportHits(ctx, inv, []string{report, report})
				if err != nil {
					t.Fatalf("EachReportHits: %v", err)
				}
				if got, ok := each[report]; ok != (tc.want == nil) || len(each) > 1 || (ok && !sameHits(got, one)) {
					t.Errorf("EachReportHits: %v (listed %v), want ReportHits' %v", got, ok, one)
				}
				_, err = svc.ReviewHit(ctx, inv, hit.ID, "dismissed", "")
				if tc.want == nil {
					// Allowed: the note's absence is what is wrong.
					if _, ok := invalid.As(err); !ok {
						t.Errorf("ReviewHit without a note: got %v, want an invalid.Error", err)
					}
				} else if !errIs(err, tc.want) {
					t.Errorf("ReviewHit: got %v, want %v", err, tc.want)
				}
				_, err = svc.ReviewHit(ctx, inv, hit.ID, "confirmed", "x")
				if !errIs(err, tc.want) {
					t.Errorf("ReviewHit: got %v, want %v", err, tc.want)
				}
				for _, act := range fake.asked {
					if act != auth.ReviewScreen {
						t.Errorf("asked the authoriser for %s, want %s", act, auth.ReviewScreen)
					}
				}
				got, err := open.ReportHits(ctx, inv, report)
				if err != nil {
					t.Fatal(err)
				}
				if h, _ := hitFor(got, hit.Subject, hit.EntryID); (h.Status == screen.StatusConfirmed) != (tc.want == nil) {
					t.Errorf("after the review: status %s", h.Status)
				}
				// Reopen for the next case.
				if _, err := open.ReviewHit(ctx, inv, hit.ID, "pending", ""); err != nil {
					t.Fatal(err)
				}
			})
		}

		// No authoriser: refused, not answered.
		if _, err := screen.New(db, nil).ReportHits(ctx, inv, report); err == nil {
			t.Error("ReportHits without an authoriser answered")
		}
		if _, err := screen.New(db, nil).EachReportHits(ctx, inv, []string{report}); err == nil {
			t.Error("EachReportHits without an authoriser answered")
		}

		// A name screen needs RunScreen in the actor's organisation.
		for _, tc := range []struct {
			role auth.Role
			want error
		}{
			{auth.Investigator, nil},
			{auth.Coordinator, nil},
			{auth.Intake, auth.ErrForbidden},
			{auth.Partner, auth.ErrForbidden},
			{auth.Admin, auth.ErrForbidden},
		} {
			a := auth.Actor{UserID: store.NewID(), OrgID: inv.OrgID, Role: tc.role}
			ms, err := open.ScreenName(ctx, a, screen.Query{Name: "Try Pheap"}, screen.Options{})
			if !errIs(err, tc.want) || (tc.want == nil && len(ms) == 0) {
				t.Errorf("%s screens a name: got %d matches, %v; want %v", tc.role, len(ms), err, tc.want)
			}
		}
	})
}

func errIs(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}
