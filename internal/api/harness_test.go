package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/views"
	"github.com/vigil-project/vigil/internal/web"
)

// env is an API on a fresh database with the services behind it.
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
	mux      *http.ServeMux
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

// newEnvWith is newEnv with the API's logger and options.
func newEnvWith(t *testing.T, db *store.DB, log *slog.Logger, opt api.Options) *env {
	t.Helper()
	keys, err := seal.New(bytes.Repeat([]byte{9}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	// A ledger with its sequencer, as server.New runs it: intake answers
	// with receipts and the reporter can fetch one later.
	ctx, stop := context.WithCancel(context.Background())
	lkey, err := ledger.OpenKey(ctx, db, filepath.Join(t.TempDir(), "log.key"), config.Defaults().LogOrigin)
	if err != nil {
		t.Fatal(err)
	}
	lg, err := ledger.New(db, lkey, log)
	if err != nil {
		t.Fatal(err)
	}
	seq := make(chan struct{})
	go func() {
		defer close(seq)
		lg.Run(ctx)
	}()
	t.Cleanup(func() { stop(); <-seq })
	in := intake.New(db, keys, lg, nil, log)
	in.AttachmentsDir = t.TempDir()
	cw := casework.New(db, keys, in, log)
	srch := search.New(db, keys, in, cw, log)
	in.Index = srch
	in.Start()
	t.Cleanup(in.Close)
	e := &env{t: t, db: db, keys: keys, intake: in, casework: cw, staff: staff.New(db, 0),
		tokens: map[string]string{}, users: map[string]auth.Actor{}, orgs: map[string]string{}}
	e.links = links.New(db, keys, in, log)
	if err := e.links.EnableLure(); err != nil {
		t.Fatal(err)
	}
	e.screen = screen.New(db, log, screen.WithReports(in))
	if _, err := e.screen.LoadDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	cats, err := web.Catalogues()
	if err != nil {
		t.Fatal(err)
	}
	st := stats.New(db)
	e.api = api.New(api.Services{Views: views.New(db), Intake: in, Casework: e.casework, Staff: e.staff, Links: e.links, Screen: e.screen, Search: srch, Notify: notify.New(db), Stats: st,
		Export: listexport.New(db, in, cw, st, srch, cats), DB: db, Reasons: keys}, log, opt)
	e.mux = http.NewServeMux()
	e.api.Mount(e.mux)
	return e
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
	if res.status >= 500 {
		e.t.Errorf("%s %s: status %d: %s", method, path, res.status, res.body)
	}
	validateResponse(e.t, method, pattern, res.status, rec.Header().Get("Content-Type"), res.body)
	return res
}

func engines(t *testing.T, fn func(t *testing.T, e *env)) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) { fn(t, newEnv(t, db)) })
}
