package api_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/staff"
)

// The roles as strings, so that these tests read like the requests.
const (
	roleIntegration = auth.Role("integration")
	roleOperator    = auth.Role("operator")
)

func (e *env) audit(email, query string) api.Page[api.AuditView] {
	e.t.Helper()
	res := e.do(email, "GET", "/api/v1/audit", "/api/v1/audit?limit=500"+query, nil)
	if res.status != http.StatusOK {
		e.t.Fatalf("audit as %s: %d %s", email, res.status, res.body)
	}
	var p api.Page[api.AuditView]
	res.decode(e.t, &p)
	return p
}

// TestNoImpersonation replays the finding: the hotline admin asks for a
// token for the NGO's coordinator, and for a colleague, and gets neither;
// it gets one for its own integration account, and the event is in the
// hotline's trail with the admin as the actor, not in the NGO's.
func TestNoImpersonation(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Admin, auth.Intake, roleIntegration)
		e.org("ngo", false, auth.Admin, auth.Coordinator)
		const route = "/api/v1/tokens"
		for _, target := range []string{"coordinator@ngo.test", e.users["coordinator@ngo.test"].UserID, "intake@hotline.test"} {
			res := e.do("admin@hotline.test", "POST", route, route, map[string]string{"user_id": target, "name": "x"})
			if res.status != http.StatusNotFound {
				t.Errorf("hotline admin: a token for %s: %d %s, want 404", target, res.status, res.body)
			}
		}
		res := e.do("admin@hotline.test", "POST", route, route, map[string]any{"user_id": "integration@hotline.test", "name": "call centre", "expires_in_days": 30})
		if res.status != http.StatusCreated {
			t.Fatalf("hotline admin: a token for its integration account: %d %s", res.status, res.body)
		}
		var tok staff.NewToken
		res.decode(t, &tok)
		me := e.do("", "GET", "/api/v1/me", "/api/v1/me", nil, "Authorization", "Bearer "+tok.Token)
		var mv struct{ Role string }
		me.decode(t, &mv)
		if me.status != http.StatusOK || mv.Role != string(roleIntegration) {
			t.Errorf("the new token: %d %s, want the integration account", me.status, me.body)
		}
		admin := e.users["admin@hotline.test"]
		found := false
		for _, ev := range e.audit("admin@hotline.test", "&action=token.create").Items {
			if ev.ResourceID == tok.ID {
				found = true
				if ev.ActorID != admin.UserID || ev.OrgID != admin.OrgID {
					t.Errorf("token.create by %s in %s's trail, want by %s in %s's", ev.ActorID, ev.OrgID, admin.UserID, admin.OrgID)
				}
			}
		}
		if !found {
			t.Error("token.create is not in the hotline's trail")
		}
		for _, ev := range e.audit("admin@ngo.test", "").Items {
			if ev.ActorOrgID == admin.OrgID || ev.OrgID == admin.OrgID {
				t.Errorf("the NGO reads the hotline's event %s on %s", ev.Action, ev.ResourceID)
			}
		}
	})
}

// TestAuditScopedByOrganisation: each organisation's admins and
// coordinators read their own trail only: events on its resources and
// events by its members. A partner's reveal of a referred report is in the
// owner's trail and the partner's organisation's. The operator reads
// organisation events only.
func TestAuditScopedByOrganisation(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Admin, auth.Coordinator, roleOperator)
		e.org("ngo", false, auth.Admin, auth.Coordinator)
		e.org("police", false, auth.Admin, auth.Partner)
		ctx := context.Background()
		ngoCoord := e.users["coordinator@ngo.test"]
		ack, err := e.intake.Submit(ctx, ngoCoord, &intake.Submission{Language: "en", Narrative: "n", Victims: []intake.VictimIn{{Name: "Victim Name"}}})
		if err != nil {
			t.Fatal(err)
		}
		reveal := "/api/v1/reports/" + ack.ID + "/reveal"
		if res := e.do("coordinator@ngo.test", "POST", "/api/v1/reports/{id}/reveal", reveal, map[string]string{"reason": "call back the victim"}); res.status != http.StatusOK {
			t.Fatalf("reveal: %d %s", res.status, res.body)
		}
		cv, err := e.casework.Create(ctx, ngoCoord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "c"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.casework.Refer(ctx, ngoCoord, cv.ID, &casework.ReferralIn{ToOrgID: e.orgs["police"], Shared: intake.ShareableFields}); err != nil {
			t.Fatal(err)
		}
		if res := e.do("partner@police.test", "POST", "/api/v1/reports/{id}/reveal", reveal, map[string]string{"reason": "find the person held"}); res.status != http.StatusOK {
			t.Fatalf("partner's reveal: %d %s", res.status, res.body)
		}
		hotlineReport, err := e.intake.Submit(ctx, e.users["coordinator@hotline.test"], &intake.Submission{Language: "en", Narrative: "n"})
		if err != nil {
			t.Fatal(err)
		}
		org := e.orgs
		for _, reader := range []string{"admin@hotline.test", "coordinator@hotline.test", "admin@ngo.test", "coordinator@ngo.test", "admin@police.test"} {
			a := e.users[reader]
			reveals := map[string]bool{} // actor's organisation → seen
			for _, ev := range e.audit(reader, "").Items {
				if ev.OrgID != a.OrgID && ev.ActorOrgID != a.OrgID {
					t.Errorf("%s reads %s on %s %s of organisation %s by %s", reader, ev.Action, ev.ResourceType, ev.ResourceID, ev.OrgID, ev.ActorOrgID)
				}
				if ev.Action == "report.reveal" && ev.ResourceID == ack.ID {
					reveals[ev.ActorOrgID] = true
					if ev.OrgID != org["ngo"] {
						t.Errorf("a reveal of the NGO's report is in %s's trail", ev.OrgID)
					}
				}
			}
			// The NGO sees both reveals of its report; the police its
			// partner's; the hotline neither.
			want := map[string]bool{org["ngo"]: a.OrgID == org["ngo"], org["police"]: a.OrgID != org["hotline"]}
			for actorOrg, w := range want {
				if reveals[actorOrg] != w {
					t.Errorf("%s sees the reveal by %s: %v, want %v", reader, actorOrg, reveals[actorOrg], w)
				}
			}
		}
		// The hotline's report is its own business.
		for _, ev := range e.audit("admin@ngo.test", "&resource_id="+hotlineReport.ID).Items {
			t.Errorf("the NGO admin reads the hotline's %s", ev.Action)
		}
		ops := e.audit("operator@hotline.test", "")
		if len(ops.Items) == 0 {
			t.Error("the operator reads no organisation events")
		}
		for _, ev := range ops.Items {
			if ev.ResourceType != "organisation" {
				t.Errorf("the operator reads %s on %s %s", ev.Action, ev.ResourceType, ev.ResourceID)
			}
		}
		if got := e.audit("operator@hotline.test", "&resource_type=report").Items; len(got) != 0 {
			t.Errorf("the operator asks for report events and reads %d", len(got))
		}
	})
}

// TestOperatorReadsNoCaseContent: the operator manages organisations and
// reads no report, case, referral, account list or sealed field.
func TestOperatorReadsNoCaseContent(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, roleOperator)
		ctx := context.Background()
		coord := e.users["coordinator@hotline.test"]
		ack, err := e.intake.Submit(ctx, coord, &intake.Submission{Language: "en", Narrative: "PLANTED NARRATIVE", Victims: []intake.VictimIn{{Name: "PLANTED NAME"}}})
		if err != nil {
			t.Fatal(err)
		}
		const op = "operator@hotline.test"
		for _, r := range []struct{ method, pattern, path string }{
			{"GET", "/api/v1/reports", "/api/v1/reports"},
			{"GET", "/api/v1/reports/{id}", "/api/v1/reports/" + ack.ID},
			{"POST", "/api/v1/reports/{id}/reveal", "/api/v1/reports/" + ack.ID + "/reveal"},
			{"GET", "/api/v1/cases", "/api/v1/cases"},
			{"GET", "/api/v1/referrals", "/api/v1/referrals"},
			{"GET", "/api/v1/users", "/api/v1/users"},
			{"GET", "/api/v1/identifiers/top", "/api/v1/identifiers/top"},
		} {
			var body any
			if r.method == "POST" {
				body = map[string]string{"reason": "operator curiosity"}
			}
			res := e.do(op, r.method, r.pattern, r.path, body)
			if res.status != http.StatusForbidden && res.status != http.StatusNotFound {
				t.Errorf("operator %s %s: %d %s, want 403 or 404", r.method, r.path, res.status, res.body)
			}
		}
		res := e.do(op, "POST", "/api/v1/organisations", "/api/v1/organisations", map[string]string{"name": "Shelter", "kind": "ngo"})
		if res.status != http.StatusCreated {
			t.Fatalf("operator creates an organisation: %d %s", res.status, res.body)
		}
		var o staff.OrgView
		res.decode(t, &o)
		first := map[string]string{"org_id": o.ID, "email": "admin@shelter.test", "name": "A", "role": "admin", "password": "correct horse battery"}
		if res := e.do(op, "POST", "/api/v1/users", "/api/v1/users", first); res.status != http.StatusCreated {
			t.Errorf("operator creates the first admin: %d %s", res.status, res.body)
		}
		first["email"] = "second@shelter.test"
		if res := e.do(op, "POST", "/api/v1/users", "/api/v1/users", first); res.status != http.StatusForbidden {
			t.Errorf("operator creates a second admin: %d %s, want 403", res.status, res.body)
		}
	})
}

// TestTokenRoutes: make, list and revoke one's own tokens over the API; a
// revoked token is refused; another's token is not found.
func TestTokenRoutes(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Intake, auth.Investigator)
		const list, one = "/api/v1/tokens", "/api/v1/tokens/{id}"
		res := e.do("intake@hotline.test", "POST", list, list, map[string]any{"name": "laptop", "expires_in_days": 7})
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var tok staff.NewToken
		res.decode(t, &tok)
		if tok.ExpiresAt.IsZero() || tok.UserEmail != "intake@hotline.test" {
			t.Errorf("new token %+v: want an expiry and the caller's e-mail", tok.TokenView)
		}
		var page struct{ Items []staff.TokenView }
		e.do("intake@hotline.test", "GET", list, list, nil).decode(t, &page)
		if len(page.Items) != 2 { // the harness's and the new one
			t.Errorf("intake lists %d tokens, want 2", len(page.Items))
		}
		if res := e.do("investigator@hotline.test", "DELETE", one, "/api/v1/tokens/"+tok.ID, nil); res.status != http.StatusNotFound {
			t.Errorf("a colleague revokes it: %d, want 404", res.status)
		}
		bearer := []string{"Authorization", "Bearer " + tok.Token}
		if res := e.do("", "GET", "/api/v1/me", "/api/v1/me", nil, bearer...); res.status != http.StatusOK {
			t.Fatalf("the new token: %d", res.status)
		}
		if res := e.do("intake@hotline.test", "DELETE", one, "/api/v1/tokens/"+tok.ID, nil); res.status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", res.status, res.body)
		}
		if res := e.do("", "GET", "/api/v1/me", "/api/v1/me", nil, bearer...); res.status != http.StatusUnauthorized {
			t.Errorf("the revoked token: %d, want 401", res.status)
		}
		// Public routes too: a revoked token is refused, not served as the
		// public (issue 14).
		if res := e.do("", "GET", "/api/v1/check", "/api/v1/check?q=%2B85512345678", nil, bearer...); res.status != http.StatusUnauthorized {
			t.Errorf("the revoked token on the public check: %d, want 401", res.status)
		}
		if res := e.do("intake@hotline.test", "POST", list, list, map[string]any{"name": "x", "expires_in_days": -1}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("a negative lifetime: %d, want 422", res.status)
		}
	})
}

// TestDisableUserRoute: an admin disables its own organisation's account
// over the API, which ends its tokens for good; another organisation's
// account is not found.
func TestDisableUserRoute(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Admin, auth.Intake)
		e.org("ngo", false, auth.Coordinator)
		const pattern = "/api/v1/users/{id}"
		path := "/api/v1/users/" + e.users["intake@hotline.test"].UserID
		for _, disabled := range []bool{true, false} {
			res := e.do("admin@hotline.test", "PATCH", pattern, path, map[string]bool{"disabled": disabled})
			var u staff.UserView
			res.decode(t, &u)
			if res.status != http.StatusOK || u.Disabled != disabled {
				t.Fatalf("disabled %v: %d %s", disabled, res.status, res.body)
			}
			if res := e.do("intake@hotline.test", "GET", "/api/v1/me", "/api/v1/me", nil); res.status != http.StatusUnauthorized {
				t.Errorf("disabled %v: the intake worker's old token: %d, want 401", disabled, res.status)
			}
		}
		if res := e.do("admin@hotline.test", "PATCH", pattern, "/api/v1/users/"+e.users["coordinator@ngo.test"].UserID, map[string]bool{"disabled": true}); res.status != http.StatusNotFound {
			t.Errorf("another organisation's account: %d, want 404", res.status)
		}
		if res := e.do("coordinator@ngo.test", "GET", "/api/v1/me", "/api/v1/me", nil); res.status != http.StatusOK {
			t.Errorf("the NGO's coordinator after the refused disabling: %d", res.status)
		}
		if res := e.do("admin@hotline.test", "PATCH", pattern, path, map[string]any{}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("no change given: %d, want 422", res.status)
		}
		var page struct{ Items []staff.UserView }
		e.do("admin@hotline.test", "GET", "/api/v1/users", "/api/v1/users", nil).decode(t, &page)
		for _, u := range page.Items {
			if u.OrgID != e.orgs["hotline"] {
				t.Errorf("the hotline admin lists %s of another organisation", u.Email)
			}
		}
	})
}

// TestCasesOnlyForCaseworkers: a case is assigned only to someone who may
// read it, never to an integration account or the operator.
func TestCasesOnlyForCaseworkers(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Coordinator, auth.Investigator, roleIntegration, roleOperator)
		ctx := context.Background()
		coord := e.users["coordinator@hotline.test"]
		ack, err := e.intake.Submit(ctx, coord, &intake.Submission{Language: "en", Narrative: "n"})
		if err != nil {
			t.Fatal(err)
		}
		cv, err := e.casework.Create(ctx, coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "c"})
		if err != nil {
			t.Fatal(err)
		}
		version := cv.Version
		for _, tt := range []struct {
			who  string
			want int
		}{
			{"integration@hotline.test", http.StatusUnprocessableEntity},
			{"operator@hotline.test", http.StatusUnprocessableEntity},
			{"investigator@hotline.test", http.StatusOK},
		} {
			res := e.do("coordinator@hotline.test", "PATCH", "/api/v1/cases/{id}", "/api/v1/cases/"+cv.ID, map[string]string{"assignee_id": e.users[tt.who].UserID},
				"If-Match", `"`+strconv.Itoa(version)+`"`)
			if res.status != tt.want {
				t.Errorf("assign to %s: %d %s, want %d", tt.who, res.status, res.body, tt.want)
			}
			if res.status == http.StatusOK {
				version++
			}
		}
	})
}
