package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/server/servertest"
)

// TestBrowserFirstRun is an operator's first run in chromium: a server on
// an empty database, the setup link it printed, the first organisation and
// admin and the ledger's name, the admin's sign-in and second
// factor, then a public report in Khmer and its receipt.
func TestBrowserFirstRun(t *testing.T) {
	srv := servertest.New(t, servertest.Options{Start: true})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	b := newBrowser(t, ts.URL)
	b.desktop()
	b.open("/setup?token=" + srv.SetupToken)
	if got := b.eval(`document.querySelector("#log_origin").value`); got != srv.Cfg.LogOrigin {
		t.Errorf("the setup page names the ledger %q, want %q", got, srv.Cfg.LogOrigin)
	}
	b.shot("setup-en")
	const origin = "sihanoukville-hotline.test/log"
	b.set("#log_origin", origin)
	b.set("#org_name", "Sihanoukville Hotline")
	b.set("#kind", "hotline")
	b.set("#country", "KH")
	b.set("#name", "Sreymom")
	b.set("#email", "sreymom@hotline.test")
	b.set("#password", "correct horse battery")
	b.set("#password2", "correct horse battery")
	b.submit("form button.primary", `form[action="/login"]`)
	if got := b.eval("location.pathname"); got != "/login" {
		t.Fatalf("after setup the browser is at %q, want /login", got)
	}
	if got := b.text("p.notice"); got != localeText(t, "en", "setup.done") {
		t.Errorf("the sign-in page says %q after setup", got)
	}

	// The admin signs in and is sent to enrol a second factor.
	b.set("#email", "sreymom@hotline.test")
	b.set("#password", "correct horse battery")
	b.submit("form button.primary", "header.top")
	if got := b.eval("location.pathname"); got != "/app/account" {
		t.Fatalf("the admin's first sign-in lands on %q, want /app/account", got)
	}
	b.submit(`form[action="/app/account/totp"] button`, "#totp-secret")
	code, err := totp.GenerateCode(b.text("#totp-secret"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.set("#totp-password", "correct horse battery")
	b.set("#code", code)
	b.submit(`form[action="/app/account/totp/confirm"] button`, "#totp-state")
	if got := b.text("#totp-state"); got != localeText(t, "en", "account.totp_enabled") {
		t.Errorf("second factor after enrolment: %q", got)
	}
	b.shot("setup-admin-enrolled-en")
	b.logout()

	// A victim's family reports in Khmer and gets a receipt.
	b.open("/report?lang=km")
	b.set("#narrative", "ប្អូនប្រុសខ្ញុំត្រូវគេឃុំនៅក្នុងអគារមួយនៅបាវិត។ ពួកគេយកលិខិតឆ្លងដែនរបស់គាត់។")
	b.submit("form.report-form button.primary", "#secret")
	if c, s := b.text("#code"), b.text("#secret"); !strings.HasPrefix(c, "VG-") || len(s) < 20 {
		t.Fatalf("receipt code %q secret %q", c, s)
	}
	b.shot("setup-first-report-km")
	b.checkClean()

	// The ledger took the name chosen at setup.
	resp, err := http.Get(ts.URL + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if first, _, _ := strings.Cut(string(body), "\n"); first != origin {
		t.Errorf("the ledger's checkpoint names %q after setup, want %q", first, origin)
	}
}
