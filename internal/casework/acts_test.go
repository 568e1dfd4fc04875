package casework_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// actsWorld is two organisations, home and away, with a coordinator, an
// investigator and a partner each, on a fresh database.
type actsWorld struct {
	db     *store.DB
	in     *intake.Service
	cw     *casework.Service
	actors map[string]auth.Actor
}

func newActsWorld(t *testing.T, db *store.DB) *actsWorld {
	t.Helper()
	ctx := context.Background()
	keys, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	in := intake.New(db, keys, nil, nil, log)
	in.Start()
	t.Cleanup(in.Close)
	w := &actsWorld{db: db, in: in, cw: casework.New(db, keys, in, log), actors: map[string]auth.Actor{}}
	st := staff.New(db, 0)
	for _, org := range []string{"home", "away"} {
		o, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: org, Kind: "ngo", ReceivesPublic: org == "home"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range []auth.Role{auth.Coordinator, auth.Intake, auth.Investigator, auth.Partner} {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: o.ID, Email: string(r) + "@" + org + ".test", Name: string(r), Role: string(r), Password: "correct horse battery"})
			if err != nil {
				t.Fatal(err)
			}
			w.actors[string(r)+"@"+org] = auth.Actor{UserID: u.ID, OrgID: o.ID, Role: r}
		}
	}
	return w
}

func (w *actsWorld) report(t *testing.T, who string) *intake.Ack {
	t.Helper()
	ack, err := w.in.Submit(context.Background(), w.actors[who], &intake.Submission{Language: "en", Narrative: "They took our passports in Shwe Kokko.",
		Victims: []intake.VictimIn{{Name: "Dara", StillHeld: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

func (w *actsWorld) status(t *testing.T, id string) string {
	t.Helper()
	r, err := w.db.Read().GetReport(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Status
}

// TestMergeKeepsEverything: a merged duplicate keeps its statements and
// ledger entries, leaves the triage queue, names the report finally kept
// (re-pointed when that one is merged in turn), keeps its status when its
// case moves on, and tracks as the kept report.
func TestMergeKeepsEverything(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newActsWorld(t, db)
		coord := w.actors["coordinator@home"]
		a, b, c := w.report(t, "coordinator@home"), w.report(t, "coordinator@home"), w.report(t, "coordinator@home")
		before, err := w.in.Get(ctx, coord, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		cv, err := w.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{b.ID}, Title: "Shwe Kokko"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cw.Merge(ctx, coord, b.ID, &casework.MergeIn{Into: a.ID}); err != nil {
			t.Fatal(err)
		}
		after, err := w.in.Get(ctx, coord, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if after.Status != intake.StatusMerged || after.MergedInto != a.ID || len(after.Statements) != len(before.Statements) || len(after.CaseIDs) != 1 {
			t.Errorf("merged duplicate: %+v", after)
		}
		for _, st := range after.Statements {
			if _, err := db.Read().FindLedgerEntry(ctx, "statement", st.ID, 1); err != nil {
				t.Errorf("statement %s lost its ledger entry: %v", st.ID, err)
			}
		}
		// It leaves the triage queue and is listed by status=merged.
		queue, err := w.in.List(ctx, coord, intake.ListFilter{Status: intake.StatusReceived})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range queue {
			if r.ID == b.ID {
				t.Errorf("the merged duplicate is still in the triage queue")
			}
		}
		// Its case moves on; it stays merged.
		st := casework.StatusInProgress
		if _, err := w.cw.Update(ctx, coord, cv.ID, cv.Version, &casework.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
		if got := w.status(t, b.ID); got != intake.StatusMerged {
			t.Errorf("after its case moved on the duplicate is %s, want merged", got)
		}
		// Tracking follows the kept report.
		tr, err := w.in.Track(ctx, b.TrackingCode, b.Secret)
		if err != nil || tr.Status != intake.StatusReceived {
			t.Errorf("track the duplicate: %+v, %v; want received (the kept report's)", tr, err)
		}
		// The kept report merged in turn: the duplicate follows to c.
		if _, err := w.cw.Merge(ctx, coord, a.ID, &casework.MergeIn{Into: c.ID}); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.in.Get(ctx, coord, b.ID); got.MergedInto != c.ID {
			t.Errorf("after a was merged into c, b names %s, want c", got.MergedInto)
		}
		// Reopened, it takes its case's status.
		rv, err := w.cw.Reopen(ctx, coord, b.ID, &casework.ReopenIn{})
		if err != nil {
			t.Fatal(err)
		}
		if rv.Status != intake.StatusInReview || rv.MergedInto != "" {
			t.Errorf("reopened: status %s merged_into %q, want in_review and none", rv.Status, rv.MergedInto)
		}
	})
}

// TestDismissAndReopen: a dismissed report leaves the queue, is listed by
// status=dismissed, reads closed to its reporter, cannot be put in a case,
// and is back in the queue when reopened.
func TestDismissAndReopen(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newActsWorld(t, db)
		coord := w.actors["coordinator@home"]
		r := w.report(t, "coordinator@home")
		if _, err := w.cw.Dismiss(ctx, w.actors["intake@home"], r.ID, &casework.DismissIn{Reason: casework.DismissSpam, Note: "advertising"}); err != nil {
			t.Fatal(err)
		}
		list, err := w.in.List(ctx, coord, intake.ListFilter{Status: intake.StatusDismissed})
		if err != nil || len(list) != 1 || list[0].DismissReason != casework.DismissSpam {
			t.Fatalf("status=dismissed: %+v, %v", list, err)
		}
		if n, err := w.in.Count(ctx, coord, intake.ListFilter{Status: intake.StatusReceived}, 100); err != nil || n != 0 {
			t.Errorf("the queue counts %d, %v; want 0", n, err)
		}
		if tr, err := w.in.Track(ctx, r.TrackingCode, r.Secret); err != nil || tr.Status != intake.StatusClosed {
			t.Errorf("track: %+v, %v; want closed", tr, err)
		}
		_, err = w.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{r.ID}, Title: "x"})
		if fe, ok := invalid.As(err); !ok || fe.Code != "dismissed" {
			t.Errorf("a case of a dismissed report: %v, want 422 dismissed", err)
		}
		if _, err := w.cw.Reopen(ctx, coord, r.ID, &casework.ReopenIn{Note: "it was real"}); err != nil {
			t.Fatal(err)
		}
		if got := w.status(t, r.ID); got != intake.StatusReceived {
			t.Errorf("reopened: %s, want received", got)
		}
	})
}

// TestActsAccess: who may act on whose report. Partners cannot, even on a
// report referred to them; another organisation's report is not found.
func TestActsAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newActsWorld(t, db)
		home := w.report(t, "coordinator@home")
		away := w.report(t, "coordinator@away")
		// home's report in a case referred to away.
		cv, err := w.cw.Create(ctx, w.actors["coordinator@home"], &casework.CaseIn{ReportIDs: []string{home.ID}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.cw.Refer(ctx, w.actors["coordinator@home"], cv.ID, &casework.ReferralIn{ToOrgID: w.actors["coordinator@away"].OrgID, Shared: intake.ShareableFields}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			who, report string
			want        error
		}{
			{"investigator@home", home.ID, auth.ErrForbidden},
			{"partner@away", home.ID, auth.ErrForbidden}, // referred: readable, not actionable
			{"partner@home", away.ID, store.ErrNotFound},
			{"coordinator@home", away.ID, store.ErrNotFound},
			{"coordinator@away", home.ID, store.ErrNotFound},
		}
		for _, tt := range tests {
			_, err := w.cw.Dismiss(ctx, w.actors[tt.who], tt.report, &casework.DismissIn{Reason: casework.DismissSpam})
			if !errors.Is(err, tt.want) {
				t.Errorf("%s dismisses %s: %v, want %v", tt.who, tt.report, err, tt.want)
			}
			_, err = w.cw.AddReport(ctx, w.actors[tt.who], cv.ID, 0, &casework.AddReportIn{ReportID: away.ID})
			if err == nil {
				t.Errorf("%s added another organisation's report to a case", tt.who)
			}
		}
		if got := w.status(t, home.ID); got == intake.StatusDismissed {
			t.Errorf("a refused dismissal dismissed the report")
		}
	})
}
