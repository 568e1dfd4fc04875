package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
)

// env is a running Vigil with the demo data, on a fresh database (SQLite
// unless made by newEnvOn).
type env struct {
	srv  *server.Server
	ts   *httptest.Server
	demo *demo.Result
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, store.SQLite)
}

// newEnvOn is newEnv on a database of engine e.
func newEnvOn(t testing.TB, e store.Engine) *env {
	t.Helper()
	return newEnvCfg(t, e, nil)
}

// newEnvCfg is newEnvOn with the configuration changed by mod.
func newEnvCfg(t testing.TB, e store.Engine, mod func(*config.Config)) *env {
	t.Helper()
	srv := servertest.New(t, servertest.Options{Engine: e, Start: true, Config: func(cfg *config.Config) {
		cfg.PublicRate = 200
		if mod != nil {
			mod(cfg)
		}
	}})
	res := servertest.Demo(t, srv)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return &env{srv: srv, ts: ts, demo: res}
}

// client is a browser-like HTTP client: cookies, no redirects followed.
func (e *env) client(t testing.TB) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (e *env) do(t testing.TB, c *http.Client, method, path string, form url.Values, hdr ...string) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.ts.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// login signs a client in with the demo password.
func (e *env) login(t testing.TB, email string) *http.Client {
	t.Helper()
	c := e.client(t)
	p := e.do(t, c, "POST", "/login", url.Values{"email": {email}, "password": {demo.Password}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login %s: status %d, want 303\n%s", email, p.status, p.body)
	}
	return c
}

// sealedValues are identifying values in the demo data that no page may
// show unless revealed.
var sealedValues = []string{
	"Budi Santoso", "C1234567", "siti.rahayu.demo@example.org", "liming_demo_88", "សុខ ចាន់ធា", "ចាន់ វិចិត្រ",
	"+855 97 000 1111", "สมศรี ใจดี", "มาลี ใจดี", "081 234 5678", "Nguyễn Thị Hoa", "Nguyễn Văn Nam", "Trần Văn Minh",
	"hoa.nguyen.demo@example.org", "Dewi Lestari", "Agus Pratama", "+62 812 0000 3333", "+855 88 000 2222",
}
