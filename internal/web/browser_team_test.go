package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/staff"
)

// TestBrowserTeam runs the admin's part of issue 14 in chromium:
//   - an admin makes a one-time password reset link on the admin page; the
//     user opens it, sets a new password and signs in with it;
//   - an admin resets a coordinator's lost second factor; the
//     coordinator, whose organisation requires one, signs in with the
//     password and is held on the account page until it enrols a new
//     authenticator (a real TOTP code), then reaches the triage page;
//   - a coordinator reveals a report's sealed fields with a reason, and
//     the audit page shows the reveal with that reason;
//   - an API token works, then revoked answers 401, on a public route too.
func TestBrowserTeam(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	b := newBrowser(t, e.ts.URL)
	b.desktop()

	// The password reset link.
	inv := e.demo.Users["investigator@hotline.demo"]
	b.login("admin@hotline.demo")
	b.open("/app/admin?lang=en")
	b.submit(`form[action="/app/admin/users/`+inv+`/password-reset"] button`, "#reset-link")
	link := b.text("#reset-link")
	if !strings.Contains(link, "/password-reset?token=vpr_") {
		t.Fatalf("the link shown: %q", link)
	}
	b.shot("admin-password-reset")
	b.logout()
	b.open(link[strings.Index(link, "/password-reset"):] + "&lang=km")
	b.set("#new_password", "a new password for the investigator")
	b.set("#password2", "a new password for the investigator")
	b.submit("form button.primary", "#email")
	if notice := b.text("main"); !strings.Contains(notice, localeText(t, "km", "reset.done")) {
		t.Errorf("after the reset, the sign-in page says %q", notice)
	}
	b.set("#email", "investigator@hotline.demo")
	b.set("#password", "a new password for the investigator")
	b.submit("form button.primary", "header.top")

	// The lost second factor: the organisation requires one, the
	// coordinator had one, the admin removes it.
	b.logout()
	if _, err := e.srv.Staff.SetTOTPOptional(ctx, staff.System, e.demo.Orgs["hotline"], false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.srv.Staff.EnableTOTP(ctx, staff.System, "coordinator@hotline.demo"); err != nil {
		t.Fatal(err)
	}
	coord := e.demo.Users["coordinator@hotline.demo"]
	// The admin signs in with its own second factor.
	_, secret, err := e.srv.Staff.EnableTOTP(ctx, staff.System, "admin@hotline.demo")
	if err != nil {
		t.Fatal(err)
	}
	code := func(secret string) string {
		c, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b.open("/login?lang=en")
	b.set("#email", "admin@hotline.demo")
	b.set("#password", demo.Password)
	b.set("#code", code(secret))
	b.submit("form button.primary", "header.top")
	b.open("/app/admin?lang=en")
	b.submit(`form[action="/app/admin/users/`+coord+`/totp-reset"] button`, "main")
	b.logout()
	b.open("/login?lang=en")
	b.set("#email", "coordinator@hotline.demo")
	b.set("#password", demo.Password)
	b.submit("form button.primary", "main")
	b.open("/app/triage?lang=en")
	if url := b.eval(`location.pathname`); url != "/app/account" {
		t.Fatalf("before enrolling again, the coordinator reaches %s", url)
	}
	b.submit(`form[action="/app/account/totp"] button`, "#totp-secret")
	newSecret := b.text("#totp-secret")
	b.set("#totp-password", demo.Password)
	b.set("#code", code(newSecret))
	b.submit(`form[action="/app/account/totp/confirm"] button`, "#totp-state")
	b.open("/app/triage?lang=en")
	if url := b.eval(`location.pathname`); url != "/app/triage" {
		t.Fatalf("after enrolling again, the coordinator reaches %s", url)
	}
	b.shot("totp-reenrolled")

	// A reveal with its reason, on the audit page.
	caseID := e.demo.Cases[firstKey(e.demo.Cases)]
	b.open("/app/cases/" + caseID + "?lang=en")
	b.click("details.reveal summary")
	const reason = "family tracing request 4711"
	b.set("details.reveal input[name=reason]", reason)
	b.submit("details.reveal button", ".revealed")
	b.open("/app/audit?lang=en&action=report.reveal")
	if body := b.text("main"); !strings.Contains(body, reason) {
		t.Errorf("the audit page does not show the reveal's reason:\n%s", body)
	}
	b.shot("audit-reveal")

	// A revoked token is refused everywhere.
	tok, err := e.srv.Staff.CreateToken(ctx, staff.System, "investigator@hotline.demo", "browser", 0)
	if err != nil {
		t.Fatal(err)
	}
	statusOf := func(path string) string {
		t.Helper()
		js := `fetch(` + strconvQuote(path) + `, {headers: {Authorization: 'Bearer ` + tok.Token + `'}, credentials: 'omit'}).then(r => String(r.status))`
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := statusOf("/api/v1/me"); s != "200" {
		t.Errorf("the token before revoking: %s", s)
	}
	if err := e.srv.Staff.RevokeToken(ctx, staff.System, tok.ID); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/me", "/api/v1/check?q=%2B85512345678"} {
		if s := statusOf(p); s != "401" {
			t.Errorf("the revoked token on %s: %s, want 401", p, s)
		}
	}
	b.checkClean()
}
