package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/staff"
)

// TestLoginLockedPage: the fifth wrong password in a row for an account
// answers 429 with Retry-After and a page that says the account is locked
// for a while; then the right password is refused too (issue 11).
func TestLoginLockedPage(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	var p page
	for range auth.FreeFailures {
		p = e.do(t, c, "POST", "/login?lang=en", url.Values{"email": {"intake@hotline.demo"}, "password": {"not the password"}})
	}
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Too many failed sign-ins for this account. Wait 1 minute(s)") {
		t.Fatalf("fifth failure: status %d, Retry-After %q; want 429 saying the account is locked", p.status, p.header.Get("Retry-After"))
	}
	p = e.do(t, c, "POST", "/login?lang=en", url.Values{"email": {"intake@hotline.demo"}, "password": {demo.Password}})
	if p.status != http.StatusTooManyRequests {
		t.Errorf("right password while locked: status %d, want 429", p.status)
	}
	// Another account is not affected.
	e.login(t, "investigator@hotline.demo")
}

// TestSecondFactorRequiredPages: in an organisation that requires a
// second factor, a coordinator without one is sent to the account page
// from every other page, cannot post anything else, and has every page
// back once an authenticator app is set up.
func TestSecondFactorRequiredPages(t *testing.T) {
	e := newEnv(t)
	if _, err := e.srv.Staff.SetTOTPOptional(t.Context(), staff.System, e.demo.Orgs["hotline"], false); err != nil {
		t.Fatal(err)
	}
	c := e.client(t)
	p := e.do(t, c, "POST", "/login", url.Values{"email": {"coordinator@hotline.demo"}, "password": {demo.Password}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/app/account" {
		t.Fatalf("sign-in: status %d to %q, want 303 to /app/account", p.status, p.header.Get("Location"))
	}
	for _, path := range []string{"/app/triage", "/app/cases", "/app/stats"} {
		if p := e.do(t, c, "GET", path, nil); p.status != http.StatusSeeOther || p.header.Get("Location") != "/app/account" {
			t.Errorf("GET %s: status %d to %q, want 303 to /app/account", path, p.status, p.header.Get("Location"))
		}
	}
	if p := e.do(t, c, "POST", "/app/triage/assign", url.Values{}); p.status != http.StatusForbidden {
		t.Errorf("a post elsewhere: status %d, want 403", p.status)
	}
	p = e.do(t, c, "GET", "/app/account?lang=en", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Your organisation requires an authenticator app") {
		t.Fatalf("account page: status %d, want the requirement explained", p.status)
	}
	p = e.do(t, c, "POST", "/app/account/totp", url.Values{})
	m := regexp.MustCompile(`<code id="totp-secret" class="big">([A-Z2-7]+)</code>`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("enrol: no secret shown (status %d)", p.status)
	}
	code, _ := totp.GenerateCode(m[1], time.Now())
	if p := e.do(t, c, "POST", "/app/account/totp/confirm", url.Values{"secret": {m[1]}, "code": {code}, "password": {demo.Password}}); p.status != http.StatusSeeOther {
		t.Fatalf("enrol: status %d", p.status)
	}
	if p := e.do(t, c, "GET", "/app/triage", nil); p.status != http.StatusOK {
		t.Errorf("triage after enrolment: status %d, want 200", p.status)
	}
	// An intake worker of the same organisation is not held to it.
	e.login(t, "intake@hotline.demo")
}

// TestPasswordChangePage: the account page changes the password once the
// current one is given and the new one typed twice; other sessions end.
func TestPasswordChangePage(t *testing.T) {
	e := newEnv(t)
	me := e.login(t, "investigator@hotline.demo")
	other := e.login(t, "investigator@hotline.demo")
	const next = "a brand new passphrase"
	for _, tt := range []struct {
		name       string
		form       url.Values
		status     int
		wantInPage string
	}{
		{"wrong current", url.Values{"current_password": {"not it at all"}, "new_password": {next}, "repeat_password": {next}}, http.StatusUnprocessableEntity, "That is not your password"},
		{"mismatch", url.Values{"current_password": {demo.Password}, "new_password": {next}, "repeat_password": {next + "x"}}, http.StatusUnprocessableEntity, "The two new passwords differ"},
		{"too short", url.Values{"current_password": {demo.Password}, "new_password": {"short"}, "repeat_password": {"short"}}, http.StatusUnprocessableEntity, "at least 10 characters"},
		{"changed", url.Values{"current_password": {demo.Password}, "new_password": {next}, "repeat_password": {next}}, http.StatusSeeOther, ""},
	} {
		p := e.do(t, me, "POST", "/app/account/password?lang=en", tt.form)
		if p.status != tt.status || !strings.Contains(p.body, tt.wantInPage) {
			t.Errorf("%s: status %d, want %d with %q", tt.name, p.status, tt.status, tt.wantInPage)
		}
	}
	if p := e.do(t, me, "GET", "/app/account?done=password&lang=en", nil); p.status != http.StatusOK || !strings.Contains(p.body, "Every other session of yours has been signed out") {
		t.Errorf("the session that changed the password: status %d", p.status)
	}
	if p := e.do(t, other, "GET", "/app/triage", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("another session after the change: status %d to %q, want sent to sign in", p.status, p.header.Get("Location"))
	}
}

// TestAdminTeamPage: the hotline admin changes an investigator's role,
// resets a lost authenticator (the user re-enrols where required) and
// unlocks a locked account from the admin page.
func TestAdminTeamPage(t *testing.T) {
	e := newEnv(t)
	admin := e.login(t, "admin@hotline.demo")
	inv := e.demo.Users["investigator@hotline.demo"]
	if p := e.do(t, admin, "POST", "/app/admin/users/"+inv+"/role", url.Values{"role": {"coordinator"}}); p.status != http.StatusSeeOther {
		t.Fatalf("change role: status %d\n%s", p.status, p.body)
	}
	c := e.login(t, "investigator@hotline.demo")
	if p := e.do(t, c, "GET", "/app/account?lang=en", nil); !strings.Contains(p.body, "Coordinator") {
		t.Error("the account page does not show the new role")
	}
	if p := e.do(t, admin, "POST", "/app/admin/users/"+inv+"/role", url.Values{"role": {"operator"}}); p.status != http.StatusForbidden {
		t.Errorf("make an operator: status %d, want 403", p.status)
	}
	if p := e.do(t, admin, "POST", "/app/admin/users/"+e.demo.Users["admin@hotline.demo"]+"/role", url.Values{"role": {"intake"}}); p.status != http.StatusUnprocessableEntity {
		t.Errorf("demote oneself: status %d, want 422", p.status)
	}
	if p := e.do(t, admin, "POST", "/app/admin/users/"+e.demo.Users["coordinator@ngo.demo"]+"/role", url.Values{"role": {"intake"}}); p.status != http.StatusNotFound {
		t.Errorf("another organisation's account: status %d, want 404", p.status)
	}
	// A lost phone: the admin removes the authenticator, the user's
	// sessions end, and it signs in again with the password alone.
	if _, _, err := e.srv.Staff.EnableTOTP(t.Context(), staff.System, "investigator@hotline.demo"); err != nil {
		t.Fatal(err)
	}
	if p := e.do(t, admin, "POST", "/app/admin/users/"+inv+"/totp-reset", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("reset authenticator: status %d", p.status)
	}
	if p := e.do(t, c, "GET", "/app/triage", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/login") {
		t.Errorf("the user's session after the reset: status %d to %q, want sent to sign in", p.status, p.header.Get("Location"))
	}
	// Locked after five wrong passwords, unlocked by the admin.
	for range auth.FreeFailures {
		e.do(t, e.client(t), "POST", "/login", url.Values{"email": {"investigator@hotline.demo"}, "password": {"wrong wrong wrong"}})
	}
	if p := e.do(t, e.client(t), "POST", "/login", url.Values{"email": {"investigator@hotline.demo"}, "password": {demo.Password}}); p.status != http.StatusTooManyRequests {
		t.Fatalf("locked: status %d, want 429", p.status)
	}
	if p := e.do(t, admin, "POST", "/app/admin/users/"+inv+"/unlock", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("unlock: status %d", p.status)
	}
	e.login(t, "investigator@hotline.demo")
}
