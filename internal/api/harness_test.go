package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// env is a server built by server.New on a fresh database, with the
// services behind its API.
type env struct {
	t        *testing.T
	db       *store.DB
	keys     *seal.Keyring
	intake   *intake.Service
	casework *casework.Service
	staff    *staff.Service
	links    *links.Service
	screen   *screen.Service
	api      *api.API
	// mux is the server's whole handler: the API, the public log and the
	// pages.
	mux http.Handler
	// tokens maps a user's e-mail to an API token.
	tokens map[string]string
	// users maps e-mail to actor.
	users map[string]auth.Actor
	// orgs maps a short name to an organisation id.
	orgs map[string]string
}

func newEnv(t *testing.T, db *store.DB) *env {
	t.Helper()
	return newEnvWith(t, db, slog.New(slog.DiscardHandler), api.Options{PublicRate: 1000})
}

// newEnvWith is newEnv with the server's logger and the API's options
// (those the configuration holds: the body limit, the public rate, the
// trusted proxies and the metrics token).
func newEnvWith(t *testing.T, db *store.DB, log *slog.Logger, opt api.Options) *env {
	t.Helper()
	srv := servertest.New(t, servertest.Options{DB: db, Log: log, Start: true, NoJobs: true, Config: func(cfg *config.Config) {
		if opt.BodyLimit != 0 {
			cfg.BodyLimit = opt.BodyLimit
		}
		if opt.PublicRate != 0 {
			cfg.PublicRate = opt.PublicRate
		}
		cfg.TrustedProxies = opt.TrustedProxies
		cfg.MetricsToken = opt.MetricsToken
	}})
	// The job workers do not run, so a test decides when a report is
	// linked (e.links.Process).
	// The demo watch list, for the screening routes.
	if _, err := srv.Screen.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	return &env{t: t, db: db, keys: srv.Keys, intake: srv.Intake, casework: srv.Casework, staff: srv.Staff, links: srv.Links,
		screen: srv.Screen, api: srv.API, mux: srv.Handler(),
		tokens: map[string]string{}, users: map[string]auth.Actor{}, orgs: map[string]string{}}
}

// org creates an organisation with a user in each role given; e-mails are
// role@short.test.
func (e *env) org(short string, public bool, roles ...auth.Role) {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: short, Kind: "ngo", ReceivesPublic: public})
	if err != nil {
		e.t.Fatal(err)
	}
	e.orgs[short] = o.ID
	for _, r := range roles {
		email := string(r) + "@" + short + ".test"
		pw := "correct horse battery"
		if r == auth.Integration {
			pw = "" // token only
		}
		u, err := e.staff.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: o.ID, Email: email, Name: string(r), Role: string(r), Password: pw})
		if err != nil {
			e.t.Fatal(err)
		}
		tok, err := e.staff.CreateToken(ctx, staff.System, u.ID, "test", 0)
		if err != nil {
			e.t.Fatal(err)
		}
		e.tokens[email] = tok.Token
		e.users[email] = auth.Actor{UserID: u.ID, OrgID: o.ID, Role: r}
	}
}

// response is a recorded answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func (r response) errorCode() string {
	var b api.ErrorBody
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

// do sends a request as the user with email ("" for the public) to the
// route with pattern (for the contract check) at path, and checks the
// response against the OpenAPI document.
func (e *env) do(email, method, pattern, path string, body any, headers ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.RemoteAddr = "192.0.2.1:1234"
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if email != "" {
		tok, ok := e.tokens[email]
		if !ok {
			e.t.Fatalf("no token for %s", email)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	if res.header.Get("Content-Encoding") == "gzip" {
		// As a client does: the body is what the encoding hides.
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			e.t.Fatalf("%s %s: Content-Encoding gzip: %v", method, path, err)
		}
		if res.body, err = io.ReadAll(zr); err != nil {
			e.t.Fatalf("%s %s: Content-Encoding gzip: %v", method, path, err)
		}
	}
	if res.status >= 500 {
		e.t.Errorf("%s %s: status %d: %s", method, path, res.status, res.body)
	}
	validateResponse(e.t, method, pattern, res.status, rec.Header().Get("Content-Type"), res.body)
	return res
}

func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}
