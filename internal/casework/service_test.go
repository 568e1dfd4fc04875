package casework_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// env is a casework service on a real database with three organisations
// (the hotline, another NGO, a partner police unit) and accounts named
// "role@org".
type env struct {
	in     *intake.Service
	cw     *casework.Service
	orgs   map[string]string
	actors map[string]auth.Actor
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	keys, err := seal.New(bytes.Repeat([]byte{9}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	in := intake.New(db, keys, nil, nil, log)
	in.Start()
	t.Cleanup(in.Close)
	e := &env{in: in, cw: casework.New(db, keys, in, log), orgs: map[string]string{}, actors: map[string]auth.Actor{}}
	st := staff.New(db, 0)
	for _, o := range []struct {
		name  string
		roles []auth.Role
	}{
		{"hotline", []auth.Role{auth.Coordinator, auth.Investigator, auth.Intake, auth.Admin}},
		{"ngo", []auth.Role{auth.Coordinator, auth.Investigator}},
		{"police", []auth.Role{auth.Partner}},
	} {
		org, err := st.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: o.name, Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		e.orgs[o.name] = org.ID
		for _, role := range o.roles {
			u, err := st.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@" + o.name + ".test", Name: string(role), Role: string(role), Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			e.actors[string(role)+"@"+o.name] = auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
		}
	}
	return e
}

// report files a report with the hotline's intake desk (or as another
// account) and returns its ID.
func (e *env) report(t *testing.T, as string, stillHeld bool) string {
	t.Helper()
	ack, err := e.in.Submit(context.Background(), e.actors[as], &intake.Submission{Language: "en", Narrative: "Held in a compound.",
		Victims: []intake.VictimIn{{Nationality: "KH", StillHeld: stillHeld}}, Places: []intake.PlaceIn{{Name: "Bavet"}}})
	if err != nil {
		t.Fatal(err)
	}
	return ack.ID
}

// wantField fails unless err is an *invalid.Error naming field.
func wantField(t *testing.T, what string, err error, field string) {
	t.Helper()
	var ie *invalid.Error
	if !errors.As(err, &ie) || ie.Field != field {
		t.Errorf("%s = %v; want an invalid field %q", what, err, field)
	}
}

func ptr[T any](v T) *T { return &v }

func TestCreate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		coord := e.actors["coordinator@hotline"]
		held, free, theirs := e.report(t, "intake@hotline", true), e.report(t, "intake@hotline", false), e.report(t, "coordinator@ngo", false)

		for _, tt := range []struct {
			name, field string
			in          casework.CaseIn
		}{
			{"no reports", "report_ids", casework.CaseIn{Title: "t"}},
			{"no title", "title", casework.CaseIn{ReportIDs: []string{free}, Title: " "}},
			{"urgency", "urgency", casework.CaseIn{ReportIDs: []string{free}, Title: "t", Urgency: "soon"}},
			{"another organisation's report", "report_ids[1]", casework.CaseIn{ReportIDs: []string{free, theirs}, Title: "t"}},
			{"no such report", "report_ids[0]", casework.CaseIn{ReportIDs: []string{store.NewID()}, Title: "t"}},
			{"an admin cannot be assigned", "assignee_id", casework.CaseIn{ReportIDs: []string{free}, Title: "t", AssigneeID: e.actors["admin@hotline"].UserID}},
			{"another organisation's user", "assignee_id", casework.CaseIn{ReportIDs: []string{free}, Title: "t", AssigneeID: e.actors["investigator@ngo"].UserID}},
		} {
			_, err := e.cw.Create(ctx, coord, &tt.in)
			wantField(t, tt.name, err, tt.field)
		}
		if _, err := e.cw.Create(ctx, e.actors["investigator@hotline"], &casework.CaseIn{ReportIDs: []string{free}, Title: "t"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an investigator creates a case: %v; want forbidden", err)
		}
		if n, err := e.cw.Count(ctx, coord, casework.ListFilter{}, 10); err != nil || n != 0 {
			t.Errorf("after refused creations the hotline has %d cases, %v; want 0", n, err)
		}

		before := time.Now()
		c, err := e.cw.Create(ctx, e.actors["intake@hotline"], &casework.CaseIn{ReportIDs: []string{held, free, held}, Title: " Bavet compound ", AssigneeID: e.actors["investigator@hotline"].UserID})
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != casework.StatusNew || c.Title != "Bavet compound" || c.Version != 1 || c.AssigneeID != e.actors["investigator@hotline"].UserID ||
			!slices.Equal(c.ReportIDs, []string{held, free}) {
			t.Errorf("case = %+v", c)
		}
		// A victim still held makes the case critical: due in a day.
		if c.Urgency != casework.UrgencyCritical || c.DueAt == nil || c.DueAt.Before(before.Add(casework.Deadlines[casework.UrgencyCritical]-time.Minute)) ||
			c.DueAt.After(time.Now().Add(casework.Deadlines[casework.UrgencyCritical])) {
			t.Errorf("urgency %s due %v; want critical, due 24 h from now", c.Urgency, c.DueAt)
		}
		r, err := e.in.Get(ctx, coord, held)
		if err != nil || r.Status != intake.StatusInReview || !slices.Equal(r.CaseIDs, []string{c.ID}) {
			t.Errorf("report after the case = %+v, %v; want in review, in the case", r, err)
		}
		c2, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{free}, Title: "t"})
		if err != nil || c2.Urgency != casework.UrgencyNormal {
			t.Errorf("case of a report with no one held: %+v, %v; want normal urgency", c2, err)
		}
		if _, err := e.cw.Get(ctx, e.actors["coordinator@ngo"], c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation reads the case: %v; want not found", err)
		}
	})
}

func TestTransitions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		inv := e.actors["investigator@hotline"]
		rid := e.report(t, "intake@hotline", false)
		c, err := e.cw.Create(ctx, e.actors["coordinator@hotline"], &casework.CaseIn{ReportIDs: []string{rid}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		version := c.Version
		// One case walked through its life: each step from the status the
		// previous step left.
		for _, tt := range []struct {
			to, reason string
			ok         bool
			field      string // of the refusal
			report     string // the report's status after an allowed step
		}{
			{to: casework.StatusResolved, field: "status"}, // new cannot be resolved
			{to: casework.StatusReferred, field: "status"}, // only through a referral from triage on
			{to: casework.StatusTriaged, ok: true, report: intake.StatusInReview},
			{to: casework.StatusNew, field: "status"}, // never back to new
			{to: casework.StatusInProgress, ok: true, report: intake.StatusInReview},
			{to: casework.StatusResolved, ok: true, report: intake.StatusClosed},
			{to: casework.StatusClosed, ok: true, report: intake.StatusClosed},
			{to: casework.StatusResolved, field: "status"}, // closed reopens only to triaged or in progress
			{to: casework.StatusInProgress, field: "reason"},
			{to: casework.StatusInProgress, reason: " ", field: "reason"},
			{to: casework.StatusInProgress, reason: "new evidence", ok: true, report: intake.StatusInReview},
		} {
			p := &casework.Patch{Status: ptr(tt.to)}
			if tt.reason != "" {
				p.Reason = ptr(tt.reason)
			}
			got, err := e.cw.Update(ctx, inv, c.ID, version, p)
			if !tt.ok {
				wantField(t, "to "+tt.to, err, tt.field)
				continue
			}
			if err != nil {
				t.Fatalf("to %s: %v", tt.to, err)
			}
			if got.Status != tt.to || got.Version != version+1 {
				t.Errorf("to %s: status %s version %d; want %s, %d", tt.to, got.Status, got.Version, tt.to, version+1)
			}
			version = got.Version
			if r, err := e.in.Get(ctx, inv, rid); err != nil || r.Status != tt.report {
				t.Errorf("to %s: the report is %s, %v; want %s", tt.to, r.Status, err, tt.report)
			}
		}
		if _, err := e.cw.Update(ctx, inv, c.ID, version-1, &casework.Patch{Status: ptr(casework.StatusResolved)}); !errors.Is(err, invalid.ErrPrecondition) {
			t.Errorf("update with a stale version: %v; want a failed precondition", err)
		}
		_, err = e.cw.Update(ctx, inv, c.ID, version, &casework.Patch{})
		wantField(t, "an empty patch", err, "")
		_, err = e.cw.Update(ctx, inv, c.ID, version, &casework.Patch{Status: ptr("done")})
		wantField(t, "an unknown status", err, "status")
		if _, err := e.cw.Update(ctx, e.actors["coordinator@ngo"], c.ID, version, &casework.Patch{Title: ptr("x")}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation updates the case: %v; want not found", err)
		}
	})
}

func TestAssignment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rid := e.report(t, "intake@hotline", false)
		c, err := e.cw.Create(ctx, e.actors["coordinator@hotline"], &casework.CaseIn{ReportIDs: []string{rid}, Title: "t"})
		if err != nil {
			t.Fatal(err)
		}
		inv := e.actors["investigator@hotline"]
		version := c.Version
		for _, tt := range []struct {
			name, as, assignee string
			want               error  // nil: assigned
			field              string // of an invalid assignee
		}{
			{"an investigator may not assign", "investigator@hotline", inv.UserID, auth.ErrForbidden, ""},
			{"the intake desk assigns", "intake@hotline", inv.UserID, nil, ""},
			{"not to an admin", "coordinator@hotline", e.actors["admin@hotline"].UserID, nil, "assignee_id"},
			{"not to another organisation's user", "coordinator@hotline", e.actors["investigator@ngo"].UserID, nil, "assignee_id"},
			{"not to a partner", "coordinator@hotline", e.actors["partner@police"].UserID, nil, "assignee_id"},
			{"a coordinator unassigns", "coordinator@hotline", "", nil, ""},
			{"a coordinator assigns herself", "coordinator@hotline", e.actors["coordinator@hotline"].UserID, nil, ""},
		} {
			got, err := e.cw.Update(ctx, e.actors[tt.as], c.ID, version, &casework.Patch{AssigneeID: ptr(tt.assignee)})
			switch {
			case tt.field != "":
				wantField(t, tt.name, err, tt.field)
			case tt.want != nil:
				if !errors.Is(err, tt.want) {
					t.Errorf("%s: %v; want %v", tt.name, err, tt.want)
				}
			case err != nil:
				t.Errorf("%s: %v", tt.name, err)
			default:
				if got.AssigneeID != tt.assignee {
					t.Errorf("%s: assignee %q; want %q", tt.name, got.AssigneeID, tt.assignee)
				}
				version = got.Version
			}
		}
		// The intake desk may assign but not change the case itself.
		if _, err := e.cw.Update(ctx, e.actors["intake@hotline"], c.ID, version, &casework.Patch{Title: ptr("x")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("the intake desk retitles the case: %v; want forbidden", err)
		}
		mine, err := e.cw.List(ctx, e.actors["coordinator@hotline"], casework.ListFilter{AssigneeID: e.actors["coordinator@hotline"].UserID})
		if err != nil || len(mine) != 1 || mine[0].ID != c.ID {
			t.Errorf("cases assigned to the coordinator: %v, %v; want the case", mine, err)
		}
	})
}

func TestReferralScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		coord, partner := e.actors["coordinator@hotline"], e.actors["partner@police"]
		rid := e.report(t, "intake@hotline", false)
		c, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{rid}, Title: "Sok Dara held at Bavet"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := e.cw.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{e.report(t, "intake@hotline", false)}, Title: "not referred"})
		if err != nil {
			t.Fatal(err)
		}
		police := e.orgs["police"]
		for _, tt := range []struct {
			name, field string
			in          casework.ReferralIn
		}{
			{"no organisation", "to_org_id", casework.ReferralIn{Shared: []string{intake.SharePlaces}}},
			{"its own organisation", "to_org_id", casework.ReferralIn{ToOrgID: e.orgs["hotline"]}},
			{"no such organisation", "to_org_id", casework.ReferralIn{ToOrgID: store.NewID()}},
			{"an unknown field", "shared[1]", casework.ReferralIn{ToOrgID: police, Shared: []string{intake.SharePlaces, "secrets"}}},
			{"a blank partner title", "partner_title", casework.ReferralIn{ToOrgID: police, PartnerTitle: " "}},
		} {
			_, err := e.cw.Refer(ctx, coord, c.ID, &tt.in)
			wantField(t, tt.name, err, tt.field)
		}
		if _, err := e.cw.Refer(ctx, e.actors["investigator@hotline"], c.ID, &casework.ReferralIn{ToOrgID: police}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an investigator refers: %v; want forbidden", err)
		}
		if _, err := e.cw.Refer(ctx, e.actors["coordinator@ngo"], c.ID, &casework.ReferralIn{ToOrgID: police}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation refers the case: %v; want not found", err)
		}
		ref, err := e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: police, Shared: []string{intake.SharePlaces}, PartnerTitle: "Bavet compound"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.cw.Refer(ctx, coord, c.ID, &casework.ReferralIn{ToOrgID: police})
		wantField(t, "a second open referral to the same organisation", err, "to_org_id")

		// The referring side sees the case referred.
		got, err := e.cw.Get(ctx, coord, c.ID)
		if err != nil || got.Status != casework.StatusReferred || len(got.Referrals) != 1 {
			t.Errorf("case after the referral: %+v, %v; want referred, one referral", got, err)
		}
		// The partner sees the referred case under the title written for it,
		// with no internal fields, and nothing else.
		pv, err := e.cw.Get(ctx, partner, c.ID)
		if err != nil {
			t.Fatalf("partner reads the referred case: %v", err)
		}
		if pv.Title != "Bavet compound" || pv.OrgID != "" || pv.AssigneeID != "" {
			t.Errorf("partner's view: %+v; want the partner title, no organisation or assignee", pv)
		}
		for _, id := range []string{other.ID, store.NewID()} {
			if _, err := e.cw.Get(ctx, partner, id); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("partner reads case %s: %v; want not found", id, err)
			}
		}
		if _, err := e.cw.Update(ctx, partner, c.ID, got.Version, &casework.Patch{Title: ptr("x")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("partner updates the case it may read: %v; want forbidden", err)
		}
		list, err := e.cw.List(ctx, partner, casework.ListFilter{})
		if err != nil || len(list) != 1 || list[0].ID != c.ID || list[0].Title != "Bavet compound" {
			t.Errorf("partner's case list: %v, %v; want the referred case only, under its partner title", list, err)
		}
		refs, err := e.cw.Referrals(ctx, partner)
		if err != nil || len(refs) != 1 || refs[0].ID != ref.ID {
			t.Errorf("partner's referrals: %v, %v", refs, err)
		}
		if _, err := e.cw.GetReferral(ctx, e.actors["coordinator@ngo"], ref.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation reads the referral: %v; want not found", err)
		}

		// Only the partner answers; a decline needs a reason; a finished
		// referral takes no further answer.
		if _, err := e.cw.Respond(ctx, coord, ref.ID, 0, &casework.ResponseIn{Status: casework.RefAccepted}); err == nil {
			t.Error("the referring organisation answered its own referral")
		}
		if _, err := e.cw.Respond(ctx, e.actors["coordinator@ngo"], ref.ID, 0, &casework.ResponseIn{Status: casework.RefAccepted}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another organisation answers: %v; want not found", err)
		}
		_, err = e.cw.Respond(ctx, partner, ref.ID, 0, &casework.ResponseIn{Status: casework.RefDeclined})
		wantField(t, "a decline without a reason", err, "response")
		acc, err := e.cw.Respond(ctx, partner, ref.ID, ref.Version, &casework.ResponseIn{Status: casework.RefAccepted, Response: "on it"})
		if err != nil || acc.Status != casework.RefAccepted {
			t.Fatalf("partner accepts: %+v, %v", acc, err)
		}
		if _, err := e.cw.Respond(ctx, partner, ref.ID, ref.Version, &casework.ResponseIn{Status: casework.RefCompleted}); !errors.Is(err, invalid.ErrPrecondition) {
			t.Errorf("answer with a stale version: %v; want a failed precondition", err)
		}
		if _, err := e.cw.Respond(ctx, partner, ref.ID, 0, &casework.ResponseIn{Status: casework.RefCompleted, Response: "done"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.cw.Respond(ctx, partner, ref.ID, 0, &casework.ResponseIn{Status: casework.RefAccepted})
		wantField(t, "an answer to a completed referral", err, "status")

		// A closed case is not referred.
		cv, err := e.cw.Get(ctx, coord, other.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.cw.Update(ctx, coord, other.ID, cv.Version, &casework.Patch{Status: ptr(casework.StatusClosed)}); err != nil {
			t.Fatal(err)
		}
		_, err = e.cw.Refer(ctx, coord, other.ID, &casework.ReferralIn{ToOrgID: police})
		wantField(t, "referring a closed case", err, "case")
	})
}
