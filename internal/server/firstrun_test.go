package server_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
)

// TestSetupLink: a server on an empty database has a one-time setup token;
// the setup page opens only with it, names a bad field and keeps what was
// typed, creates the first organisation and admin, sends the admin to sign
// in (and, signed in, to enrol a second factor), and is gone afterwards,
// token or not; the public form then takes reports.
func TestSetupLink(t *testing.T) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			srv := servertest.New(t, servertest.Options{Engine: engine, Start: true})
			if len(srv.SetupToken) < 20 {
				t.Fatalf("setup token %q on an empty database", srv.SetupToken)
			}
			ts := httptest.NewServer(srv.Handler())
			t.Cleanup(ts.Close)
			jar, _ := cookiejar.New(nil)
			c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			do := func(method, path string, form url.Values) (int, string, string) {
				t.Helper()
				var body io.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, ts.URL+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				}
				res, err := c.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				b, _ := io.ReadAll(res.Body)
				return res.StatusCode, res.Header.Get("Location"), string(b)
			}
			tok := srv.SetupToken
			for _, path := range []string{"/setup", "/setup?token=wrong", "/setup?token=" + tok[:len(tok)-1]} {
				if code, _, _ := do("GET", path, nil); code != http.StatusNotFound {
					t.Errorf("GET %s: %d, want 404", path, code)
				}
			}
			code, _, body := do("GET", "/setup?token="+url.QueryEscape(tok), nil)
			if code != http.StatusOK || !strings.Contains(body, srv.Cfg.LogOrigin) {
				t.Fatalf("setup page: %d\n%s", code, body)
			}
			good := url.Values{"token": {tok}, "org_name": {"Sihanoukville Hotline"}, "kind": {"hotline"}, "country": {"KH"},
				"receives_public": {"yes"}, "name": {"Sreymom"}, "email": {"sreymom@hotline.test"},
				"password": {"correct horse battery"}, "password2": {"correct horse battery"}, "log_origin": {"hotline.test/log"}}
			bad := url.Values{}
			for k, v := range good {
				bad[k] = v
			}
			bad.Set("email", "sreymom at hotline")
			code, _, body = do("POST", "/setup", bad)
			if code != http.StatusUnprocessableEntity || !strings.Contains(body, `value="Sihanoukville Hotline"`) || !strings.Contains(body, "has-error") {
				t.Fatalf("bad e-mail: %d (want 422, the form kept and the field marked)\n%s", code, body)
			}
			bad.Set("email", "sreymom@hotline.test")
			bad.Set("log_origin", "two words")
			if code, _, body = do("POST", "/setup", bad); code != http.StatusUnprocessableEntity || !strings.Contains(body, `value="two words"`) {
				t.Fatalf("a bad ledger name: %d (want 422, the name kept)\n%s", code, body)
			}
			bad.Del("log_origin")
			bad.Set("password2", "another one entirely")
			if code, _, _ = do("POST", "/setup", bad); code != http.StatusUnprocessableEntity {
				t.Fatalf("passwords differ: %d, want 422", code)
			}
			code, loc, _ := do("POST", "/setup", good)
			if code != http.StatusSeeOther || loc != "/login?setup=done" {
				t.Fatalf("setup: %d → %q", code, loc)
			}
			if srv.Ledger.Origin() != "hotline.test/log" {
				t.Errorf("the ledger is named %q after setup, want the name chosen", srv.Ledger.Origin())
			}
			if code, _, body = do("GET", loc, nil); code != http.StatusOK || !strings.Contains(body, `class="notice"`) {
				t.Errorf("login after setup: %d, no notice", code)
			}
			for _, m := range []string{"GET", "POST"} {
				var form url.Values
				if m == "POST" {
					form = good
				}
				if code, _, _ := do(m, "/setup?token="+url.QueryEscape(tok), form); code != http.StatusNotFound {
					t.Errorf("%s /setup after setup: %d, want 404", m, code)
				}
			}
			// The admin signs in and must enrol a second factor first.
			code, loc, _ = do("POST", "/login", url.Values{"email": {"sreymom@hotline.test"}, "password": {"correct horse battery"}})
			if code != http.StatusSeeOther || loc != "/app/account" {
				t.Errorf("the admin's first sign-in: %d → %q, want the account page (enrol a second factor)", code, loc)
			}
			// The public form takes reports now.
			code, loc, body = do("POST", "/report?lang=km", url.Values{"narrative": {"ប្អូនប្រុសខ្ញុំត្រូវគេឃុំនៅក្នុងអគារមួយនៅបាវិត។"}})
			if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/receipt/") {
				t.Errorf("a public report after setup: %d → %q\n%s", code, loc, body)
			}
		})
	}
}
