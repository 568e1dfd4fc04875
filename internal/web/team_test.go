package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/store"
)

var resetLink = regexp.MustCompile(`/password-reset\?token=vpr_[a-z0-9]+`)

// TestPasswordResetPages: an admin makes a one-time link on the admin
// page; the user sets a new password with it on the public page (the two
// passwords must agree), its old session ends, the new password signs in
// and the link is refused the second time. On both engines.
func TestPasswordResetPages(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnvOn(t, eng)
			admin := e.login(t, "admin@hotline.demo")
			inv := e.demo.Users["investigator@hotline.demo"]
			old := e.login(t, "investigator@hotline.demo")
			p := e.do(t, admin, "POST", "/app/admin/users/"+inv+"/password-reset?lang=en", url.Values{})
			link := resetLink.FindString(html.UnescapeString(p.body))
			if p.status != http.StatusOK || link == "" || !strings.Contains(p.body, "investigator@hotline.demo") {
				t.Fatalf("make the link: status %d, link %q\n%s", p.status, link, p.body)
			}
			token := strings.TrimPrefix(link, "/password-reset?token=")
			if p := e.do(t, e.client(t), "GET", "/password-reset?lang=en&token="+token, nil); p.status != http.StatusOK || !strings.Contains(p.body, "investigator@hotline.demo") {
				t.Errorf("the page: status %d\n%s", p.status, p.body)
			}
			user := e.client(t)
			if p := e.do(t, user, "POST", "/password-reset", url.Values{"token": {token}, "new_password": {"a long new password"}, "password2": {"another one"}}); p.status != http.StatusUnprocessableEntity {
				t.Errorf("passwords that differ: status %d", p.status)
			}
			if p := e.do(t, user, "POST", "/password-reset", url.Values{"token": {token}, "new_password": {"a long new password"}, "password2": {"a long new password"}}); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login?reset=done" {
				t.Fatalf("set the password: status %d to %q\n%s", p.status, p.header.Get("Location"), p.body)
			}
			if p := e.do(t, old, "GET", "/app/cases", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
				t.Errorf("the session from before: status %d to %q, want sent to sign in", p.status, p.header.Get("Location"))
			}
			if p := e.do(t, e.client(t), "POST", "/login", url.Values{"email": {"investigator@hotline.demo"}, "password": {demo.Password}}); p.status == http.StatusSeeOther {
				t.Error("the old password still signs in")
			}
			if p := e.do(t, e.client(t), "POST", "/login", url.Values{"email": {"investigator@hotline.demo"}, "password": {"a long new password"}}); p.status != http.StatusSeeOther {
				t.Errorf("the new password: status %d", p.status)
			}
			for _, lang := range []string{"en", "km"} {
				p := e.do(t, e.client(t), "GET", "/password-reset?lang="+lang+"&token="+token, nil)
				if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, `name="new_password"`) {
					t.Errorf("the used link in %s: status %d, want 422 without the form", lang, p.status)
				}
			}
			// Not another organisation's account, and not as a coordinator.
			if p := e.do(t, admin, "POST", "/app/admin/users/"+e.demo.Users["coordinator@ngo.demo"]+"/password-reset", url.Values{}); p.status != http.StatusNotFound {
				t.Errorf("another organisation's account: status %d, want 404", p.status)
			}
			coord := e.login(t, "coordinator@hotline.demo")
			if p := e.do(t, coord, "POST", "/app/admin/users/"+inv+"/password-reset", url.Values{}); p.status != http.StatusForbidden {
				t.Errorf("a coordinator: status %d, want 403", p.status)
			}
		})
	}
}

// TestTimeZonePages: times on the staff pages are in the reader's zone,
// named: its own choice, else its organisation's (set on the admin page).
func TestTimeZonePages(t *testing.T) {
	e := newEnv(t)
	admin := e.login(t, "admin@hotline.demo")
	if p := e.do(t, admin, "POST", "/app/admin/org", url.Values{"name": {"Hotline"}, "country": {"KH"}, "time_zone": {"Mars/Olympus"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "time_zone") {
		t.Errorf("an unknown zone: status %d, want 422 naming time_zone", p.status)
	}
	if p := e.do(t, admin, "POST", "/app/admin/org", url.Values{"name": {"Hotline"}, "country": {"KH"}, "time_zone": {"Asia/Tokyo"}}); p.status != http.StatusSeeOther {
		t.Fatalf("save the zone: status %d\n%s", p.status, p.body)
	}
	o, err := e.srv.Staff.FindOrg(context.Background(), e.demo.Orgs["hotline"])
	if err != nil || o.TimeZone != "Asia/Tokyo" {
		t.Fatalf("the organisation: %+v, %v", o, err)
	}
	coord := e.login(t, "coordinator@hotline.demo")
	if p := e.do(t, coord, "GET", "/app/audit?lang=en", nil); !strings.Contains(p.body, " JST") || strings.Contains(p.body, "UTC+7") {
		t.Errorf("the audit page in the organisation's zone: no JST time\n%.2000s", p.body)
	}
	if p := e.do(t, coord, "POST", "/app/account/zone", url.Values{"time_zone": {"America/New_York"}}); p.status != http.StatusSeeOther {
		t.Fatalf("the user's own zone: status %d\n%s", p.status, p.body)
	}
	if p := e.do(t, coord, "GET", "/app/account?lang=en", nil); !strings.Contains(p.body, "America/New_York") {
		t.Error("the account page does not name the user's zone")
	}
	p := e.do(t, coord, "GET", "/app/audit?lang=en", nil)
	if !strings.Contains(p.body, " EST") && !strings.Contains(p.body, " EDT") {
		t.Errorf("the audit page in the user's own zone: no New York time\n%.2000s", p.body)
	}
	if p := e.do(t, coord, "POST", "/app/account/zone", url.Values{"time_zone": {"Local"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("the server's own zone: status %d, want 422", p.status)
	}
}

// TestExportSealedPage: the triage page offers the export with identities
// to those who may reveal them; the form's export carries them, and
// anyone else is refused.
func TestExportSealedPage(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	if p := e.do(t, coord, "GET", "/app/triage?lang=en", nil); !strings.Contains(p.body, `id="export-sealed"`) {
		t.Error("the coordinator's triage page has no export with identities")
	}
	if p := e.do(t, coord, "POST", "/app/export/triage?lang=en", url.Values{"sealed": {"true"}, "format": {"csv"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("no reason: status %d, want 422", p.status)
	}
	p := e.do(t, coord, "POST", "/app/export/triage?lang=en", url.Values{"sealed": {"true"}, "format": {"csv"}, "reason": {"family tracing request"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Victims' names") {
		t.Fatalf("export: status %d\n%.500s", p.status, p.body)
	}
	intake := e.login(t, "intake@hotline.demo")
	if p := e.do(t, intake, "GET", "/app/triage?lang=en", nil); strings.Contains(p.body, `id="export-sealed"`) {
		t.Error("intake is offered the export with identities")
	}
	if p := e.do(t, intake, "POST", "/app/export/triage", url.Values{"sealed": {"true"}, "format": {"csv"}, "reason": {"family tracing request"}}); p.status != http.StatusForbidden {
		t.Errorf("intake: status %d, want 403", p.status)
	}
}

// TestCaseFileVerify: each statement version on the case page (the case
// file, printed) names its ledger leaf and how to verify it, once the
// ledger has integrated it.
func TestCaseFileVerify(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	path := "/app/cases/" + e.demo.Cases[firstKey(e.demo.Cases)] + "?lang=en"
	leaf := regexp.MustCompile(`<p class="verify">Ledger leaf (\d+)\. To verify: [^<]*/log/proof/inclusion\?index=(\d+) `)
	var m []string
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if m = leaf.FindStringSubmatch(e.do(t, coord, "GET", path, nil).body); m != nil {
			break
		}
	}
	if m == nil || m[1] != m[2] {
		t.Fatalf("no statement version names its ledger leaf and proof: %q", m)
	}
}
