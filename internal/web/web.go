// Package web serves Vigil's pages: the public reporting, receipt, tracking
// and check pages, and the staff workspace. Everything is server-rendered
// from embedded templates; nothing is loaded from a third-party host.
//
// Pages work without JavaScript. The little script there is (leave quickly,
// copy, select all, the network view, the check answered on the device from
// the published range) is served from /static/ under the
// strict Content-Security-Policy the server sets: no inline script or style.
package web

//go:generate go run ./phonegen static/phonemeta.js static/mailhosts.js

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/logthrottle"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/ratelimit"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/search"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/views"
	"github.com/vigil-project/vigil/internal/webhooks"
)

// Deps are what the pages use: the same services the API calls, which
// validate, authorise and shape every answer, so the pages only show it. A
// nil service among the optional ones (Links, Screen, Search, Stats) shows
// no page or section of its own.
type Deps struct {
	// SetupToken, while not empty, opens the first-run setup page to whoever
	// has the link the server printed (see setup.go).
	SetupToken string
	Cfg        *config.Config
	DB         *store.DB
	Intake     *intake.Service
	Casework   *casework.Service
	Staff      *staff.Service
	Notify     *notify.Service
	// Limiter is the public forms' per-client budget, shared with the
	// API's public routes; nil makes one for the pages alone.
	Limiter *ratelimit.Limiter
	Log     *slog.Logger

	// KeyFingerprints names each key (master key, ledger signing key) and
	// its fingerprint, for the admin page.
	KeyFingerprints map[string]string
	// Links answers the public check (identifiers in bands, job ads with
	// their lure check), lists a report's identifiers and scores its job ad
	// (the case page and the network view), and keeps the protected
	// identifiers and verified reports.
	Links *links.Service
	// Screen lists a report's screening hits and reviews them.
	Screen *screen.Service
	// Search finds reports and cases (the search box and page).
	Search *search.Service
	// Stats answers the statistics page and the map.
	Stats *stats.Service
	// Export writes the lists as CSV and XLSX; nil offers no export.
	Export *listexport.Service
	// Data writes the data exports in partners' formats (STIX, FtM, CTDC,
	// CSV, XLSX); nil offers no data export page.
	Data *export.Service
	// Views keeps each account's saved list views; nil offers none.
	Views *views.Service
	// Audit reads the audit trail for the audit page; nil shows none.
	Audit *audit.Service
	// Ledger names the testimony ledger at setup; nil shows the configured
	// origin, which setup then cannot change.
	Ledger Namer
	// Ingest imports spreadsheets and Kobo exports (the import page); nil
	// offers none.
	Ingest *ingest.Service
	// Webhooks keeps the organisation's webhook endpoints (its own page,
	// linked from the admin page); nil offers none.
	Webhooks *webhooks.Service
}

// Namer is the ledger as setup sees it: its origin, and the renaming of a
// ledger that holds no entry yet (ledger.Log).
type Namer interface {
	Origin() string
	VerifierKey() string
	Rename(ctx context.Context, origin string) error
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// site serves the pages. It is immutable after Mount.
type site struct {
	d       Deps
	log     *slog.Logger
	pages   map[string]*template.Template
	locales map[string]*Locale
	// assets maps a hashed static path to its content; assetURL maps a
	// plain name ("app.css") to its hashed path.
	assets   map[string]asset
	assetURL map[string]string
	cop      *http.CrossOriginProtection
	limit    *ratelimit.Limiter
}

type asset struct {
	body  []byte
	ctype string
}

// Mount adds the pages to mux. It fails if a template is missing or broken.
func Mount(mux *http.ServeMux, d Deps) error {
	s, err := newSite(d)
	if err != nil {
		return err
	}
	s.routes(mux)
	return nil
}

func newSite(d Deps) (*site, error) {
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Cfg == nil {
		c := config.Defaults()
		d.Cfg = &c
	}
	// Every failing page logs; during an outage that is the same line
	// thousands of times a second.
	s := &site{d: d, log: slog.New(logthrottle.New(d.Log.Handler(), logthrottle.Options{})), cop: http.NewCrossOriginProtection(), limit: d.Limiter}
	if s.limit == nil {
		s.limit = ratelimit.New(d.Cfg.PublicRate, clientip.New(d.Cfg.TrustedProxies))
	}
	var err error
	if s.locales, err = loadLocales(); err != nil {
		return nil, err
	}
	if err := s.loadAssets(); err != nil {
		return nil, err
	}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *site) loadAssets() error {
	s.assets, s.assetURL = map[string]asset{}, map[string]string{}
	return fs.WalkDir(staticFS, "static", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		ext := path.Ext(p)
		if ext != ".js" && ext != ".css" && ext != ".svg" {
			return nil
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		hashed := "/static/" + strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ext == ".js" {
			ct = "text/javascript; charset=utf-8"
		}
		s.assets[hashed] = asset{body: b, ctype: ct}
		s.assetURL[name] = hashed
		return nil
	})
}

// pageNames are the templates each page is parsed from, beside the layout.
var pageNames = []string{
	"report", "receipt", "track", "check", "weather", "error",
	"login", "triage", "cases", "case", "network", "referrals", "map", "stats", "admin", "account", "notifications", "audit",
	"search", "acts", "setup", "protected", "intake", "password_reset", "identifier",
	"exports",
	"imports",
	"webhooks",
}

func (s *site) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": func(name string) (string, error) {
			u, ok := s.assetURL[name]
			if !ok {
				return "", fmt.Errorf("web: no static asset %q", name)
			}
			return u, nil
		},
		"has":       func(v url.Values, key, val string) bool { return slices.Contains(v[key], val) },
		"contains":  func(list []string, v string) bool { return slices.Contains(list, v) },
		"short":     func(id string) string { return shortID(id) },
		"add":       func(a, b int) int { return a + b },
		"svg":       func(s string) template.HTML { return template.HTML(s) },
		"join":      strings.Join,
		"hasPrefix": strings.HasPrefix,
		"canSearch": func(a auth.Actor) bool { return s.d.Search != nil && canSearch(a) },
		"list":      func(xs ...string) []string { return xs },
		"pct":       func(f float64) float64 { return f * 100 },
		"pagerOf":   func(l *Locale, p pager) map[string]any { return map[string]any{"L": l, "Page": p} },
		"viewsOf":   func(l *Locale, v *savedViews) map[string]any { return map[string]any{"L": l, "V": v} },
		"exportURL": exportURL,
		"datetime":  func(at int64) time.Time { return store.Time(at) },
		// leaf is a ledger leaf index (a statement version's, once
		// integrated) as a number.
		"leaf": func(i *int64) int64 { return *i },
		"dict2": func(l *Locale, st intake.StatementView, names map[string]string) map[string]any {
			return map[string]any{"L": l, "S": st, "Names": names}
		},
		"rb": func(l *Locale, b *reportBlock, caseID string, errs map[string]string) map[string]any {
			return map[string]any{"L": l, "B": b, "CaseID": caseID, "Errors": errs}
		},
	}
}

func (s *site) parseTemplates() error {
	s.pages = map[string]*template.Template{}
	base, err := template.New("layout.html").Funcs(s.funcs()).ParseFS(templateFS, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return fmt.Errorf("web: templates: %w", err)
	}
	for _, name := range pageNames {
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.ParseFS(templateFS, "templates/"+name+".html"); err != nil {
			return fmt.Errorf("web: template %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("web: template %s defines no content", name)
		}
		s.pages[name] = t
	}
	return nil
}

// shortID is the last eight characters of an ID, enough to tell records
// apart on a page (UUIDv7's first characters are the time).
func shortID(id string) string {
	if len(id) <= 8 {
		return id
	}
	return id[len(id)-8:]
}

// view is what every template gets.
type view struct {
	L     *Locale
	Title string
	// Public pages have a neutral title, a leave-quickly control and no
	// staff navigation.
	Public bool
	Path   string
	// Langs are the language-switch links (public pages).
	Langs []langLink
	Actor auth.Actor
	User  string
	Nav   []navItem
	// Unread counts the staff member's unread notifications (the bell).
	Unread int
	// Errors maps a form field to its localised message; Error is a
	// message for the whole page.
	Errors map[string]string
	Error  string
	Notice string
	Form   url.Values
	Data   any
}

type langLink struct {
	Code, Name, URL string
	Current         bool
}

type navItem struct {
	Key, URL string
	Current  bool
}

// req is one request as a page handler sees it.
type req struct {
	r     *http.Request
	L     *Locale
	actor auth.Actor
	// user is the signed-in staff member's name and e-mail.
	user, email string
}

func (q *req) ctx() context.Context { return q.r.Context() }

// pageFunc handles a page; a returned error becomes an error page.
type pageFunc func(w http.ResponseWriter, q *req) error

// statusError is an error page with a status and a locale key.
type statusError struct {
	status int
	key    string
}

func (e *statusError) Error() string { return fmt.Sprintf("%d %s", e.status, e.key) }

var (
	errNotFound  = &statusError{http.StatusNotFound, "err.not_found"}
	errForbidden = &statusError{http.StatusForbidden, "err.forbidden"}
)

// public wraps a public page: language, no-store, cross-origin check on
// writes.
func (s *site) public(h pageFunc) http.Handler {
	return s.wrap(false, false, h)
}

// staffPage wraps a staff page: a session is required; partners get 404
// unless partnerOK.
func (s *site) staffPage(partnerOK bool, h pageFunc) http.Handler {
	return s.wrap(true, partnerOK, h)
}

func (s *site) wrap(needActor, partnerOK bool, h pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		q := &req{r: r}
		q.L = s.negotiate(w, r)
		defer func() {
			if p := recover(); p != nil {
				s.log.ErrorContext(r.Context(), "web: panic", "path", r.URL.Path, "panic", p)
				s.errorPage(w, q, errors.New("panic"))
			}
		}()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if err := s.cop.Check(r); err != nil {
				s.errorPage(w, q, &statusError{http.StatusForbidden, "err.cross_origin"})
				return
			}
			limit := s.d.Cfg.BodyLimit
			if r.URL.Path == "/report" {
				// The report form may carry attachments (and their parts'
				// headers).
				limit += MaxAttachments * (intake.MaxAttachment + 4<<10)
			} else if isFileUpload(r) {
				limit += intake.MaxAttachment + 4<<10
			} else if r.URL.Path == "/app/import" {
				limit += MaxImportUpload + 8<<10
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		if needActor {
			a, err := s.sessionActor(r)
			if err != nil {
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
					return
				}
				s.errorPage(w, q, &statusError{http.StatusUnauthorized, "err.signed_out"})
				return
			}
			q.actor = a
			if u, err := s.d.DB.Read().GetUser(r.Context(), a.UserID); err == nil {
				q.user, q.email = u.Name, u.Email
			}
			if loc, err := s.d.Staff.Location(r.Context(), a.UserID); err == nil {
				q.L = q.L.In(loc)
			}
			if a.Role == auth.Partner && !partnerOK {
				s.errorPage(w, q, errNotFound)
				return
			}
			if a.MustEnrolTOTP && !strings.HasPrefix(r.URL.Path, "/app/account") && r.URL.Path != "/logout" {
				// Until the second factor its organisation requires is
				// set up, the account page is the one page there is.
				if r.Method == http.MethodGet {
					http.Redirect(w, r, "/app/account", http.StatusSeeOther)
					return
				}
				s.errorPage(w, q, &statusError{http.StatusForbidden, "account.need_totp"})
				return
			}
		}
		if err := h(w, q); err != nil {
			s.errorPage(w, q, err)
		}
	})
}

// sessionActor authenticates the session cookie only: pages do not take
// bearer tokens.
func (s *site) sessionActor(r *http.Request) (auth.Actor, error) {
	c, err := r.Cookie(staff.SessionCookie)
	if err != nil || c.Value == "" {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	return s.d.Staff.SessionActor(r.Context(), c.Value)
}

// errorPage renders err as a page in the reader's language. Causes of
// server faults are logged, never shown.
func (s *site) errorPage(w http.ResponseWriter, q *req, err error) {
	status, msg := s.explain(w, q, err)
	v := s.newView(q, "err.title")
	v.Public = q.actor.Public()
	v.Error = msg
	s.render(w, q, status, "error", v)
}

// answerKeys are the page messages of the answers whose locale key is not
// "err." and the code.
var answerKeys = map[string]string{
	"unauthenticated":        "err.signed_out",
	"precondition_failed":    "err.changed",
	"precondition_required":  "err.changed",
	"busy":                   "login.busy",
	"second_factor_required": "account.need_totp",
}

// explain decides, as package answer does for the API, the status of a
// page refused or failed with err and its message in q's language; it sets
// Retry-After and logs server faults. A page's own refusal (statusError)
// keeps its own message.
func (s *site) explain(w http.ResponseWriter, q *req, err error) (int, string) {
	var se *statusError
	if errors.As(err, &se) {
		return se.status, q.L.T(se.key)
	}
	a := answer.Of(err)
	if a.RetryAfter != "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	if a.Fault() {
		s.log.ErrorContext(q.ctx(), "web: page failed", "method", q.r.Method, "path", q.r.URL.Path, "code", a.Code, "err", err)
	}
	return a.Status, s.message(q, err, a)
}

// message is answer a, given for err, in q's language.
func (s *site) message(q *req, err error, a answer.Answer) string {
	if fe, ok := invalid.As(err); ok {
		return s.fieldMessage(q.L, fe)
	}
	var locked *auth.LockedError
	if errors.As(err, &locked) {
		return q.L.T("login.locked", minutesUntil(locked.Until))
	}
	key, ok := answerKeys[a.Code]
	if !ok {
		key = "err." + a.Code
	}
	if a.Fault() || !q.L.Has(key) {
		key = "err.internal"
	}
	return q.L.T(key)
}

// fieldMessage is the localised message for a refused field.
func (s *site) fieldMessage(l *Locale, fe *invalid.Error) string {
	if m, ok := l.lookup("err.code." + fe.Code); ok {
		return m
	}
	return l.T("err.code.invalid")
}

// newView starts a view for q.
func (s *site) newView(q *req, titleKey string) *view {
	v := &view{L: q.L, Path: q.r.URL.Path, Actor: q.actor, Errors: map[string]string{}, Form: url.Values{}}
	if titleKey != "" {
		v.Title = q.L.T(titleKey)
	}
	if !q.actor.Public() {
		v.Nav = s.nav(q)
		v.User = q.user
		if s.d.Notify != nil {
			// A failure here costs the bell's number, not the page.
			v.Unread, _ = s.d.Notify.Unread(q.ctx(), q.actor)
		}
	}
	return v
}

// publicView starts a view for a public page: neutral title, language
// links.
func (s *site) publicView(q *req) *view {
	v := s.newView(q, "title.neutral")
	v.Public = true
	for _, code := range localeOrder {
		l := s.locales[code]
		u := *q.r.URL
		qs := url.Values{"lang": {code}}
		u.RawQuery = qs.Encode()
		if q.r.Method != http.MethodGet {
			u.Path = q.r.URL.Path
		}
		v.Langs = append(v.Langs, langLink{Code: code, Name: l.Name, URL: u.RequestURI(), Current: code == q.L.Code})
	}
	return v
}

func (s *site) nav(q *req) []navItem {
	a := q.actor
	own := auth.Resource{OrgID: a.OrgID}
	var items []navItem
	add := func(key, u string) {
		items = append(items, navItem{Key: key, URL: u, Current: strings.HasPrefix(q.r.URL.Path, u)})
	}
	if a.Role == auth.Partner {
		add("nav.referrals", "/app/referrals")
	} else {
		if auth.Can(a, auth.ListReports, own) {
			add("nav.triage", "/app/triage")
		}
		if canIntake(a) {
			add("nav.intake", "/app/intake")
		}
		if auth.Can(a, auth.ListCases, own) {
			add("nav.cases", "/app/cases")
		}
		if auth.Can(a, auth.ReadStats, own) {
			add("nav.map", "/app/map")
			add("nav.stats", "/app/stats")
		}
		if canAdmin(a) {
			add("nav.admin", "/app/admin")
		}
		if s.d.Audit != nil && canReadAudit(a) {
			add("nav.audit", "/app/audit")
		}
		if s.d.Links != nil && canProtect(a) {
			add("nav.protected", "/app/protected")
		}
		if s.d.Data != nil && canExportData(a) {
			add("nav.exports", "/app/exports")
		}
	}
	add("nav.account", "/app/account")
	return items
}

// render executes a page template into a buffer first, so a template error
// becomes a clean 500 rather than half a page.
func (s *site) render(w http.ResponseWriter, q *req, status int, name string, v *view) {
	t := s.pages[name]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", v); err != nil {
		s.log.ErrorContext(q.ctx(), "web: render", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", q.L.Code)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *site) serveStatic(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

func (s *site) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /static/", s.serveStatic)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/report", http.StatusSeeOther)
	})
	// Public pages.
	mux.Handle("GET /report", s.public(s.reportForm))
	mux.Handle("POST /report", s.public(s.reportSubmit))
	mux.Handle("GET /receipt/{code}", s.public(s.receipt))
	mux.Handle("POST /receipt/ledger", s.public(s.receiptDownload))
	mux.Handle("GET /track", s.public(s.trackForm))
	mux.Handle("POST /track", s.public(s.trackSubmit))
	mux.Handle("GET /check", s.public(s.checkForm))
	mux.Handle("POST /check", s.public(s.checkSubmit))
	mux.Handle("GET /weather", s.public(s.weather))
	// Staff.
	mux.Handle("GET /login", s.public(s.loginForm))
	mux.Handle("POST /login", s.public(s.loginSubmit))
	mux.Handle("POST /logout", s.staffPage(true, s.logout))
	mux.Handle("GET /app", s.staffPage(true, s.home))
	mux.Handle("GET /app/{$}", s.staffPage(true, s.home))
	mux.Handle("GET /app/account", s.staffPage(true, s.account))
	mux.Handle("GET /app/notifications", s.staffPage(true, s.notifications))
	mux.Handle("POST /app/notifications/read", s.staffPage(true, s.notificationsRead))
	mux.Handle("POST /app/notifications/{id}/read", s.staffPage(true, s.notificationsRead))
	mux.Handle("POST /app/notifications/settings", s.staffPage(true, s.notificationSettings))
	mux.Handle("POST /app/account/totp", s.staffPage(true, s.totpStart))
	mux.Handle("POST /app/account/totp/confirm", s.staffPage(true, s.totpConfirm))
	mux.Handle("POST /app/account/password", s.staffPage(true, s.passwordChange))
	mux.Handle("POST /app/account/zone", s.staffPage(true, s.timeZoneChange))
	mux.Handle("GET /app/triage", s.staffPage(false, s.triage))
	mux.Handle("POST /app/triage/assign", s.staffPage(false, s.triageAssign))
	mux.Handle("GET /app/cases", s.staffPage(false, s.cases))
	mux.Handle("GET /app/cases/{id}", s.staffPage(true, s.casePage))
	mux.Handle("POST /app/cases/{id}/assign", s.staffPage(false, s.caseAssign))
	mux.Handle("POST /app/cases/{id}/status", s.staffPage(false, s.caseStatus))
	mux.Handle("POST /app/cases/{id}/refer", s.staffPage(false, s.caseRefer))
	mux.Handle("POST /app/cases/{id}/reveal", s.staffPage(true, s.caseReveal))
	// A partner reaches the screening review so that the screening service,
	// not the page, refuses it (as it does through the API).
	mux.Handle("POST /app/cases/{id}/screening", s.staffPage(true, s.caseScreenReview))
	mux.Handle("GET /app/reports/{rid}/attachments/{aid}", s.staffPage(true, s.attachment))
	mux.Handle("POST /app/reports/{rid}/attachments/{aid}/original", s.staffPage(false, s.attachmentOriginal))
	mux.Handle("GET /app/cases/{id}/network", s.staffPage(false, s.network))
	mux.Handle("GET /app/cases/{id}/graph.json", s.staffPage(false, s.graphJSON))
	mux.Handle("GET /app/reports/{id}", s.staffPage(false, s.reportPage))
	mux.Handle("GET /app/referrals", s.staffPage(true, s.referrals))
	mux.Handle("GET /app/search", s.staffPage(true, s.searchPage))
	mux.Handle("POST /app/referrals/{id}/respond", s.staffPage(true, s.respond))
	mux.Handle("GET /app/map", s.staffPage(false, s.mapPage))
	mux.Handle("GET /app/stats", s.staffPage(false, s.statsPage))
	mux.Handle("GET /app/stats/{chart}", s.staffPage(false, s.statsCSV))
	mux.Handle("GET /app/export/{list}", s.staffPage(true, s.exportList))
	mux.Handle("POST /app/export/{list}", s.staffPage(false, s.exportList))
	mux.Handle("GET /app/audit", s.staffPage(false, s.auditPage))
	mux.Handle("GET /app/audit.csv", s.staffPage(false, s.auditCSV))
	mux.Handle("GET /app/admin", s.staffPage(false, s.admin))
	if s.d.Links != nil {
		mux.Handle("GET /app/protected", s.staffPage(false, s.protected))
		mux.Handle("POST /app/protected", s.staffPage(false, s.protectedAdd))
		mux.Handle("POST /app/protected/{id}/removed", s.staffPage(false, s.protectedRemove))
		mux.Handle("POST /app/reports/{id}/verified", s.staffPage(false, s.reportVerified))
	}
	mux.Handle("POST /app/admin/orgs", s.staffPage(false, s.adminCreateOrg))
	mux.Handle("POST /app/admin/users", s.staffPage(false, s.adminCreateUser))
	mux.Handle("POST /app/admin/users/{id}/disabled", s.staffPage(false, s.adminDisableUser))
	mux.Handle("POST /app/admin/totp", s.staffPage(false, s.adminTOTP))
	mux.Handle("POST /app/admin/org", s.staffPage(false, s.adminOrgSettings))
	mux.Handle("POST /app/admin/users/{id}/{act}", s.staffPage(false, s.adminUserAct))
	mux.Handle("POST /app/admin/tokens", s.staffPage(false, s.adminCreateToken))
	mux.Handle("POST /app/admin/tokens/{id}/revoked", s.staffPage(false, s.adminRevokeToken))
	s.mountActs(mux)
	s.mountNotes(mux)
	s.mountTalk(mux)
	s.mountFiles(mux)
	s.mountViews(mux)
	s.mountWebhooks(mux)
	mux.Handle("GET /app/identifiers/{id}", s.staffPage(false, s.identifierPage))
	s.mountIntake(mux)
	s.mountImports(mux)
	s.mountSetup(mux)
	s.mountPasswordReset(mux)
	s.mountDataExports(mux)
	mux.Handle("/app/", s.staffPage(true, func(w http.ResponseWriter, q *req) error { return errNotFound }))
}

// publicZone is the time zone the public pages show times in (UTC+7,
// where most reporters are); staff see theirs (Locale.In, staff
// Location). Stored times stay UTC.
var publicZone = time.FixedZone("UTC+7", 7*3600)

// redirect answers a form post with 303 See Other.
func redirect(w http.ResponseWriter, q *req, to string) error {
	http.Redirect(w, q.r, to, http.StatusSeeOther)
	return nil
}
