package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/staff"
)

// TestAdminPageOwnOrganisation: the hotline admin's page shows and manages
// the hotline's accounts only, makes tokens only for its integration
// accounts, and creates no organisation.
func TestAdminPageOwnOrganisation(t *testing.T) {
	e := newEnv(t)
	admin := e.login(t, "admin@hotline.demo")
	p := e.do(t, admin, "GET", "/app/admin", nil)
	if p.status != http.StatusOK {
		t.Fatalf("admin page: status %d", p.status)
	}
	for _, email := range []string{"coordinator@ngo.demo", "partner@police.demo", "partner@embassy.demo"} {
		if strings.Contains(p.body, email) {
			t.Errorf("the hotline admin's page shows another organisation's account %s", email)
		}
	}
	if strings.Contains(p.body, `action="/app/admin/orgs"`) {
		t.Error("the hotline admin's page offers to create organisations")
	}
	// No token for a person, nor for another organisation's account.
	for _, email := range []string{"intake@hotline.demo", "coordinator@ngo.demo"} {
		r := e.do(t, admin, "POST", "/app/admin/tokens", url.Values{"user": {e.demo.Users[email]}, "name": {"x"}, "days": {"1"}})
		if r.status == http.StatusOK || strings.Contains(r.body, `id="new-token"`) {
			t.Errorf("token for %s: status %d, a token shown; want refused", email, r.status)
		}
	}
	// Another organisation's account can be neither disabled nor created.
	r := e.do(t, admin, "POST", "/app/admin/users/"+e.demo.Users["coordinator@ngo.demo"]+"/disabled", url.Values{"disabled": {"yes"}})
	if r.status == http.StatusSeeOther {
		t.Errorf("disable the NGO's coordinator: status %d, want refused", r.status)
	}
	e.login(t, "coordinator@ngo.demo")
	r = e.do(t, admin, "POST", "/app/admin/users", url.Values{"org": {e.demo.Orgs["ngo"]}, "email": {"spy@ngo.demo"}, "name": {"Spy"}, "role": {"coordinator"}, "password": {"a long enough password"}})
	if r.status == http.StatusSeeOther {
		t.Errorf("create a coordinator in the NGO: status %d, want refused", r.status)
	}
	r = e.do(t, admin, "POST", "/app/admin/orgs", url.Values{"name": {"Shadow NGO"}, "kind": {"ngo"}})
	if r.status == http.StatusSeeOther {
		t.Errorf("the hotline admin created an organisation: status %d, want refused", r.status)
	}
}

// TestAdminRoleDefault: a new account's role defaults to the least
// privileged one the admin may give, never to admin.
func TestAdminRoleDefault(t *testing.T) {
	e := newEnv(t)
	p := e.do(t, e.login(t, "admin@hotline.demo"), "GET", "/app/admin", nil)
	sel := regexp.MustCompile(`(?s)<select id="u-role" name="role">(.*?)</select>`).FindStringSubmatch(p.body)
	if sel == nil {
		t.Fatalf("no role select on the admin page")
	}
	opts := regexp.MustCompile(`<option value="([^"]*)"( selected)?>`).FindAllStringSubmatch(sel[1], -1)
	if len(opts) == 0 {
		t.Fatal("the role select has no options")
	}
	chosen := opts[0][1]
	for _, o := range opts {
		if o[2] != "" {
			chosen = o[1]
		}
		if o[1] == "operator" {
			t.Error("an admin is offered the operator role")
		}
	}
	if chosen != "integration" {
		t.Errorf("the role select defaults to %q, want the least privileged, integration", chosen)
	}
}

// TestOperatorPage: the operator creates organisations and an
// organisation's first admin, and sees no case work.
func TestOperatorPage(t *testing.T) {
	e := newEnv(t)
	op := e.login(t, "operator@hotline.demo")
	p := e.do(t, op, "GET", "/app/admin", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, `action="/app/admin/orgs"`) {
		t.Fatalf("operator admin page: status %d, no organisation form", p.status)
	}
	checkLabels(t, "/app/admin (operator)", p.body)
	for _, email := range []string{"coordinator@hotline.demo", "coordinator@ngo.demo"} {
		if strings.Contains(p.body, email) {
			t.Errorf("the operator's page lists the account %s", email)
		}
	}
	for _, path := range []string{"/app/triage", "/app/cases", "/app/stats", "/app/reports/" + e.demo.Reports["th-poipet"], "/app/cases/" + e.demo.Cases["golden"]} {
		if r := e.do(t, op, "GET", path, nil); r.status == http.StatusOK {
			t.Errorf("operator GET %s: status 200, want refused", path)
		}
	}
	if r := e.do(t, op, "POST", "/app/admin/orgs", url.Values{"name": {"New Shelter"}, "kind": {"ngo"}}); r.status != http.StatusSeeOther {
		t.Fatalf("operator creates an organisation: status %d", r.status)
	}
	org, err := e.srv.Staff.FindOrg(context.Background(), "New Shelter")
	if err != nil {
		t.Fatal(err)
	}
	first := url.Values{"org": {org.ID}, "email": {"admin@shelter.demo"}, "name": {"Shelter Admin"}, "role": {"admin"}, "password": {"a long enough password"}}
	if r := e.do(t, op, "POST", "/app/admin/users", first); r.status != http.StatusSeeOther {
		t.Fatalf("operator creates the first admin: status %d", r.status)
	}
	first.Set("email", "second@shelter.demo")
	if r := e.do(t, op, "POST", "/app/admin/users", first); r.status == http.StatusSeeOther {
		t.Errorf("operator creates a second admin: status %d, want refused", r.status)
	}
	us, err := e.srv.Staff.ListUsers(context.Background(), staff.System)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Email == "second@shelter.demo" {
			t.Error("the second admin exists")
		}
	}
}

// TestAdminOrgSettings: the admin's page shows its own organisation's
// settings and saves them; a bad country is named on the page and changes
// nothing.
func TestAdminOrgSettings(t *testing.T) {
	e := newEnv(t)
	admin := e.login(t, "admin@hotline.demo")
	p := e.do(t, admin, "GET", "/app/admin", nil)
	if !strings.Contains(p.body, `id="org-settings"`) {
		t.Fatal("the admin page has no organisation settings form")
	}
	r := e.do(t, admin, "POST", "/app/admin/org", url.Values{"name": {"Hotline Renamed"}, "country": {"KHM"}, "receives_public": {"yes"}})
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "ISO 3166") {
		t.Errorf("bad country: status %d, want 422 naming the code", r.status)
	}
	r = e.do(t, admin, "POST", "/app/admin/org", url.Values{"name": {"Hotline Renamed"}, "country": {"th"}, "receives_public": {"yes"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d\n%s", r.status, r.body)
	}
	o, err := e.srv.Staff.FindOrg(context.Background(), e.demo.Orgs["hotline"])
	if err != nil || o.Name != "Hotline Renamed" || o.Country != "TH" || !o.ReceivesPublic {
		t.Errorf("after saving: %+v, %v", o, err)
	}
}
