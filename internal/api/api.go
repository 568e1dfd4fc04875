// Package api is Vigil's JSON API under /api/v1: thin handlers that parse,
// authenticate and call the services, with one error shape
// {"error":{"code","message","field"}} and an OpenAPI 3.1 document at
// /api/openapi.json.
package api

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/logthrottle"
	"github.com/vigil-project/vigil/internal/metrics"
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

//go:embed openapi.json
var openAPI []byte

// OpenAPI returns the API's OpenAPI 3.1 document.
func OpenAPI() []byte { return openAPI }

// Handler handles one route for an authenticated (or public) actor.
type Handler func(w http.ResponseWriter, r *http.Request, a auth.Actor) error

// Route is one entry of the route table. Action is the policy action the
// route performs; the policy matrix test walks this table.
type Route struct {
	Method  string
	Pattern string
	Action  auth.Action
	// Public routes need no account and are rate-limited per client.
	Public  bool
	Handler Handler
}

// Services are what the API calls.
type Services struct {
	Intake   *intake.Service
	Casework *casework.Service
	Staff    *staff.Service
	Links    *links.Service
	Screen   *screen.Service
	Notify   *notify.Service
	Search   *search.Service
	Stats    *stats.Service
	Export   *listexport.Service
	// Data writes the data exports (STIX, FtM, CTDC, CSV, XLSX).
	Data  *export.Service
	Views *views.Service
	// Webhooks keeps the organisations' webhook endpoints.
	Webhooks *webhooks.Service
	DB       *store.DB
	// Ingest files KoboToolbox REST Service deliveries (nil: none).
	Ingest *ingest.Service
	// Reasons opens the sealed reasons of the audit trail (the keyring).
	Reasons audit.Sealer
	// Files is the attachment store /readyz checks (nil: not checked).
	Files Checker
}

// Checker is what /readyz asks of a store beside the database: whether it
// can be used now (blob.Store).
type Checker interface {
	Check(ctx context.Context) error
}

// API serves the JSON API.
type API struct {
	svc       Services
	log       *slog.Logger
	metrics   *metrics.Registry
	bodyLimit int64
	public    *ratelimit.Limiter
	// cop refuses cross-origin writes that carry the session cookie.
	cop *http.CrossOriginProtection
	// metricsToken is the bearer token that reads /metrics; empty: the
	// route answers 404.
	metricsToken string
	// publicURL is the instance's address, for the links it hands out.
	publicURL string
}

// Options configure an API.
type Options struct {
	BodyLimit  int64
	PublicRate float64
	Metrics    *metrics.Registry
	// TrustedProxies are the proxies whose X-Forwarded-For names the
	// client for the rate limits (see package clientip).
	TrustedProxies []netip.Prefix
	// MetricsToken is the bearer token a scraper sends to read /metrics.
	// Empty: /metrics is not served (404).
	MetricsToken string
	// Limiter is the public routes' per-client budget, shared with the
	// public pages so a client has one budget across both doors; nil makes
	// one of PublicRate for the API alone.
	Limiter *ratelimit.Limiter
	// PublicURL is the address staff open Vigil at (VIGIL_PUBLIC_URL), for
	// the password reset links; empty: the links are paths.
	PublicURL string
}

// New returns the API.
func New(svc Services, logger *slog.Logger, opt Options) *API {
	if opt.BodyLimit == 0 {
		opt.BodyLimit = 1 << 20
	}
	if opt.PublicRate == 0 {
		opt.PublicRate = 5
	}
	if opt.Limiter == nil {
		opt.Limiter = ratelimit.New(opt.PublicRate, clientip.New(opt.TrustedProxies))
	}
	if opt.Metrics == nil {
		opt.Metrics = metrics.New()
	}
	// Every failing request logs; during an outage that is thousands a
	// second of the same line.
	logger = slog.New(logthrottle.New(logger.Handler(), logthrottle.Options{}))
	return &API{svc: svc, log: logger, metrics: opt.Metrics, bodyLimit: opt.BodyLimit,
		public: opt.Limiter,
		cop:    http.NewCrossOriginProtection(), metricsToken: opt.MetricsToken, publicURL: opt.PublicURL}
}

// Routes is the route table.
func (api *API) Routes() []Route {
	rs := []Route{
		{"POST", "/api/v1/reports", auth.SubmitReport, true, api.submitReport},
		{"GET", "/api/v1/track/{code}", auth.TrackReport, true, api.track},
		{"GET", "/api/v1/track/{code}/receipt", auth.TrackReport, true, api.trackReceipt},
		{"GET", "/api/v1/track/{code}/messages", auth.TrackReport, true, api.trackMessages},
		{"POST", "/api/v1/track/{code}/messages", auth.TrackReport, true, api.trackReply},
		{"GET", "/api/v1/reports", auth.ListReports, false, api.listReports},
		{"GET", "/api/v1/reports/{id}", auth.ReadReport, false, api.getReport},
		{"POST", "/api/v1/reports/{id}/reveal", auth.RevealSealed, false, api.reveal},
		{"POST", "/api/v1/reports/{id}/erase", auth.EraseReport, false, api.erase},
		{"POST", "/api/v1/reports/{id}/statements", auth.AddStatement, false, api.addStatement},
		{"POST", "/api/v1/reports/{id}/statements/{sid}/versions", auth.AddStatement, false, api.addVersion},
		{"POST", "/api/v1/reports/{id}/attachments", auth.AddStatement, false, api.addAttachment},
		{"POST", "/api/v1/cases", auth.CreateCase, false, api.createCase},
		{"GET", "/api/v1/cases", auth.ListCases, false, api.listCases},
		{"GET", "/api/v1/cases/{id}", auth.ReadCase, false, api.getCase},
		{"GET", "/api/v1/cases/{id}/history", auth.ReadHistory, false, api.caseHistory},
		{"PATCH", "/api/v1/cases/{id}", auth.UpdateCase, false, api.updateCase},
		{"POST", "/api/v1/cases/{id}/referrals", auth.ReferCase, false, api.refer},
		{"GET", "/api/v1/referrals", auth.ListReferrals, false, api.listReferrals},
		{"GET", "/api/v1/referrals/{id}", auth.ReadReferral, false, api.getReferral},
		{"POST", "/api/v1/referrals/{id}/response", auth.RespondReferral, false, api.respond},
		{"GET", "/api/v1/organisations", auth.ReadOrgs, false, api.listOrgs},
		{"POST", "/api/v1/organisations", auth.ManageOrgs, false, api.createOrg},
		{"PATCH", "/api/v1/organisations/{id}", auth.ManageUsers, false, api.patchOrg},
		{"GET", "/api/v1/users", auth.ReadUsers, false, api.listUsers},
		{"POST", "/api/v1/users", auth.ManageUsers, false, api.createUser},
		{"PATCH", "/api/v1/users/{id}", auth.ManageUsers, false, api.patchUser},
		{"POST", "/api/v1/users/{id}/password-reset", auth.ManageUsers, false, api.resetPassword},
		{"POST", "/api/v1/password-reset", "", true, api.setPassword},
		{"GET", "/api/v1/tokens", auth.ManageTokens, false, api.listTokens},
		{"POST", "/api/v1/tokens", auth.ManageTokens, false, api.createToken},
		{"DELETE", "/api/v1/tokens/{id}", auth.ManageTokens, false, api.revokeToken},
		{"GET", "/api/v1/audit", auth.ReadAudit, false, api.listAudit},
		{"GET", "/api/v1/stats", auth.ReadStats, false, api.stats},
		{"GET", "/api/v1/exports/lists/triage", auth.ListReports, false, api.exportList(listexport.Triage)},
		{"GET", "/api/v1/exports/lists/cases", auth.ListCases, false, api.exportList(listexport.Cases)},
		{"GET", "/api/v1/exports/lists/referrals", auth.ListReferrals, false, api.exportList(listexport.Referrals)},
		{"GET", "/api/v1/exports/lists/stats", auth.ReadStats, false, api.exportList(listexport.Stats)},
		{"GET", "/api/v1/exports/lists/search", auth.Search, false, api.exportList(listexport.Search)},
		{"GET", "/api/v1/exports/{format}", auth.ExportData, false, api.exportData},
		{"GET", "/api/v1/me", "", false, api.me},
		{"PATCH", "/api/v1/me", "", false, api.patchMe},
		{"GET", "/api/v1/views", "", false, api.listViews},
		{"POST", "/api/v1/views", "", false, api.saveView},
		{"DELETE", "/api/v1/views/{id}", "", false, api.deleteView},
		{"GET", "/api/v1/webhooks", auth.ManageWebhooks, false, api.listWebhooks},
		{"POST", "/api/v1/webhooks", auth.ManageWebhooks, false, api.createWebhook},
		{"PATCH", "/api/v1/webhooks/{id}", auth.ManageWebhooks, false, api.updateWebhook},
		{"DELETE", "/api/v1/webhooks/{id}", auth.ManageWebhooks, false, api.deleteWebhook},
		{"GET", "/api/v1/webhooks/{id}/deliveries", auth.ManageWebhooks, false, api.webhookDeliveries},
		{"POST", "/api/v1/me/password", "", false, api.changePassword},
		{"GET", "/api/v1/notifications", "", false, api.listNotifications},
		{"POST", "/api/v1/notifications/read", "", false, api.readNotifications},
		{"POST", "/api/v1/notifications/{id}/read", "", false, api.readNotifications},
		{"GET", "/api/v1/notifications/settings", "", false, api.notifySettings},
		{"PUT", "/api/v1/notifications/settings", "", false, api.setNotifySettings},
		{"GET", "/api/v1/notifications/failures", auth.ManageUsers, false, api.mailFailures},
		{"GET", "/api/v1/check", auth.CheckPublic, true, api.check},
		{"GET", "/api/v1/check/range", auth.CheckPublic, true, api.fromRange(rangeIndex)},
		{"GET", "/api/v1/check/range/{prefix}", auth.CheckPublic, true, api.fromRange(rangeBucket)},
		{"GET", "/api/v1/check/list", auth.CheckPublic, true, api.fromRange(rangeList)},
		{"POST", "/api/v1/lure/score", auth.CheckPublic, true, api.lureScore},
		{"GET", "/api/v1/reports/{id}/identifiers", auth.ReadLinks, false, api.reportIdentifiers},
		{"GET", "/api/v1/reports/{id}/network", auth.ReadLinks, false, api.network},
		{"GET", "/api/v1/identifiers/top", auth.ReadLinks, false, api.topIdentifiers},
		{"GET", "/api/v1/identifiers/{id}", auth.ReadLinks, false, api.getIdentifier},
		{"POST", "/api/v1/identifiers/{id}/side", auth.MarkIdentifier, false, api.setIdentifierSide},
		{"POST", "/api/v1/identifiers/{id}/wrongly-reported", auth.MarkIdentifier, false, api.setWronglyReported},
		{"POST", "/api/v1/reports/{id}/verified", auth.VerifyReport, false, api.setVerified},
		{"GET", "/api/v1/protected-identifiers", auth.ManageProtected, false, api.listProtected},
		{"POST", "/api/v1/protected-identifiers", auth.ManageProtected, false, api.protect},
		{"DELETE", "/api/v1/protected-identifiers/{id}", auth.ManageProtected, false, api.unprotect},
		{"POST", "/api/v1/screen", auth.RunScreen, false, api.screenName},
		{"GET", "/api/v1/reports/{id}/screening", auth.ReviewScreen, false, api.reportScreening},
		{"POST", "/api/v1/screening/{id}/review", auth.ReviewScreen, false, api.reviewHit},
		{"GET", "/api/v1/search", auth.Search, false, api.search},
		{"POST", "/api/v1/reports/{id}/merge", auth.TriageReport, false, api.mergeReport},
		{"POST", "/api/v1/reports/{id}/dismiss", auth.TriageReport, false, api.dismissReport},
		{"POST", "/api/v1/reports/{id}/reopen", auth.TriageReport, false, api.reopenReport},
		{"POST", "/api/v1/cases/{id}/reports", auth.TriageReport, false, api.addCaseReport},
		{"GET", "/api/v1/cases/{id}/notes", auth.ReadNotes, false, api.listNotes},
		{"POST", "/api/v1/cases/{id}/notes", auth.WriteNote, false, api.addNote},
		{"PUT", "/api/v1/cases/{id}/notes/{note}", auth.WriteNote, false, api.editNote},
		{"GET", "/api/v1/reports/{id}/messages", auth.ReadMessages, false, api.listMessages},
		{"POST", "/api/v1/reports/{id}/messages", auth.WriteReporter, false, api.writeToReporter},
		{"POST", "/api/v1/intake/kobo/{token}", auth.SubmitReport, true, api.koboSubmission},
	}
	return rs
}

// Mount adds every route, /healthz, /metrics and /api/openapi.json to mux.
func (api *API) Mount(mux *http.ServeMux) {
	for _, rt := range api.Routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, api.wrap(rt))
	}
	mux.HandleFunc("GET /api/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := api.svc.DB.Ping(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", api.ready)
	mux.HandleFunc("GET /metrics", api.serveMetrics)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, ErrorBody{Error: ErrorDetail{Code: "not_found", Message: "no such API route: " + r.Method + " " + r.URL.Path}})
	})
}

// statusWriter remembers the status for metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (api *API) wrap(rt Route) http.Handler {
	label := rt.Method + " " + rt.Pattern
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				api.log.ErrorContext(r.Context(), "api: panic", "route", label, "panic", p)
				if sw.status == 0 {
					writeError(sw, r, api.log, errors.New("panic"))
				}
			}
			api.metrics.HTTPRequests.WithLabelValues(label, strconv.Itoa(sw.status)).Inc()
			api.metrics.HTTPDuration.WithLabelValues(label).Observe(time.Since(start).Seconds())
		}()
		if err := api.sameOrigin(r); err != nil {
			writeError(sw, r, api.log, err)
			return
		}
		a, err := api.authenticate(r)
		// A public route serves a stale session cookie as the public, but
		// never a bad or revoked token: its holder is told, not silently
		// served as someone else.
		staleCookie := rt.Public && errors.Is(err, auth.ErrUnauthenticated) && r.Header.Get("Authorization") == ""
		if err != nil && !staleCookie {
			writeError(sw, r, api.log, err)
			return
		}
		if rt.Public {
			if a.Public() && !api.public.Allow(r) {
				sw.Header().Set("Retry-After", "1")
				writeError(sw, r, api.log, errRateLimited)
				return
			}
		} else if a.Public() {
			writeError(sw, r, api.log, auth.ErrUnauthenticated)
			return
		}
		if a.MustEnrolTOTP && rt.Pattern != "/api/v1/me" {
			writeError(sw, r, api.log, errEnrolTOTP)
			return
		}
		limit := api.bodyLimit
		if isUpload(rt) {
			limit = api.uploadBodyLimit()
		}
		r.Body = http.MaxBytesReader(sw, r.Body, limit+1)
		if err := rt.Handler(sw, r, a); err != nil {
			writeError(sw, r, api.log, err)
		}
	})
}

// sameOrigin refuses a state-changing request that carries the session
// cookie unless the browser says it comes from this site (Sec-Fetch-Site,
// else Origin): a page elsewhere must not act with a signed-in staff
// member's session. A bearer token is exempt (another site cannot make a
// browser send one), and so is a request without the cookie.
func (api *API) sameOrigin(r *http.Request) error {
	if r.Header.Get("Authorization") != "" {
		return nil
	}
	if _, err := r.Cookie(staff.SessionCookie); err != nil {
		return nil
	}
	if err := api.cop.Check(r); err != nil {
		return errCrossOrigin
	}
	return nil
}

// errEnrolTOTP refuses a session that must set up a second factor first.
var errEnrolTOTP = answer.Refuse(http.StatusForbidden, "second_factor_required", "", "your organisation requires a second factor for your role: set up an authenticator app on your account page first")

// errCrossOrigin is a refused cross-origin write.
var errCrossOrigin = answer.Refuse(http.StatusForbidden, "cross_origin", "", "a request from another site cannot act with your session; use Vigil's own pages or an API token")

// serveMetrics writes the metrics in the Prometheus text format to a
// scraper that sends the metrics token. /metrics shows intake volume and
// reveal counts, so without a configured token it does not exist (404),
// and a wrong or missing token is 401.
func (api *API) serveMetrics(w http.ResponseWriter, r *http.Request) {
	if api.metricsToken == "" {
		http.NotFound(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(api.metricsToken)) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil metrics"`)
		http.Error(w, "send the metrics token as a bearer token", http.StatusUnauthorized)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	api.metrics.Handler().ServeHTTP(w, r)
}

// authenticate finds the actor: a bearer token, else a session cookie, else
// the public. A present but invalid credential is an error.
func (api *API) authenticate(r *http.Request) (auth.Actor, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return auth.Actor{}, auth.ErrUnauthenticated
		}
		return api.svc.Staff.TokenActor(r.Context(), strings.TrimSpace(tok))
	}
	if c, err := r.Cookie(staff.SessionCookie); err == nil && c.Value != "" {
		return api.svc.Staff.SessionActor(r.Context(), c.Value)
	}
	return auth.Actor{}, auth.ErrUnauthenticated
}

// Page is a page of a keyset-paginated list.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextCursor, when present, fetches the next page as ?cursor=….
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageParams reads ?limit= and ?cursor=.
func pageParams(r *http.Request) (limit int, cursor string, err error) {
	limit = 50
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return 0, "", invalid.Field("limit", "invalid_value", "must be a whole number from 1 to 500")
		}
		limit = n
	}
	cursor = r.URL.Query().Get("cursor")
	if len(cursor) > 64 {
		return 0, "", invalid.Field("cursor", "invalid_value", "is not a cursor from a previous page")
	}
	return limit, cursor, nil
}

func page[T any](items []T, limit int, id func(T) string) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(items) == limit && limit > 0 {
		p.NextCursor = id(items[len(items)-1])
	}
	return p
}

// etag formats a version as a strong ETag.
func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// optionalIfMatch reads the If-Match header as a version where the
// precondition is optional: 0 when the header is absent.
func optionalIfMatch(r *http.Request) (int, error) {
	if r.Header.Get("If-Match") == "" {
		return 0, nil
	}
	return ifMatch(r)
}

// writeTagged answers v with its version as the ETag.
func writeTagged(w http.ResponseWriter, status, version int, v any) error {
	w.Header().Set("ETag", etag(version))
	writeJSON(w, status, v)
	return nil
}

// ifMatch reads the If-Match header as a version.
func ifMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, invalid.ErrPreconditionRequired
	}
	v, err := strconv.Atoi(strings.Trim(strings.TrimPrefix(h, "W/"), `"`))
	if err != nil || v < 1 {
		return 0, invalid.Field("If-Match", "invalid_value", "%q is not an ETag from this API", h)
	}
	return v, nil
}
