// Package webhooks sends an organisation's events to the HTTPS endpoints it
// registered: a report received, a case's status changed, a referral
// answered. A delivery is written in the transaction of its event (a
// report's through the webhook.report follow-up job intake queues with the
// report), so a restart loses none, and sent by the webhook.deliver job.
//
// A payload carries the event's type, its time and IDs and codes only —
// never sealed data, never text:
//
//	{"type":"report.received","timestamp":"2026-12-05T10:00:00Z","data":{"org_id":"…","report_id":"…"}}
//
// It is signed as Standard Webhooks says (https://www.standardwebhooks.com):
// the headers webhook-id (the delivery's id, the same on every retry),
// webhook-timestamp (Unix seconds) and webhook-signature ("v1," and the
// base64 HMAC-SHA256 of "{id}.{timestamp}.{body}" keyed with the decoded
// secret). The secret ("whsec_" and base64 of 32 random bytes) is shown once
// when the endpoint is made and kept sealed with the endpoint's own data
// key. A 2xx answer delivers; anything else (a redirect too: none is
// followed) is retried after Schedule, and given up after MaxAttempts. An
// endpoint is reached only at a public address: the dialer refuses
// loopback, private, link-local and other special addresses at connect
// time, whatever the name resolved to, unless AllowPrivate (tests).
package webhooks

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Event types.
const (
	ReportReceived    = "report.received"
	CaseStatusChanged = "case.status_changed"
	ReferralAnswered  = "referral.answered"
)

// Events lists the event types an endpoint may want.
var Events = []string{ReportReceived, CaseStatusChanged, ReferralAnswered}

// Job kinds: a delivery to send (subject: its id), and a new report to
// announce (subject: the report's id; one of intake's follow-ups).
const (
	JobDeliver = "webhook.deliver"
	JobReport  = "webhook.report"
)

// Delivery states.
const (
	Pending   = "pending"
	Delivered = "delivered"
	Failed    = "failed"
)

// Schedule is the wait after each failed attempt: the first attempt is at
// once, the last (MaxAttempts) about a day and a half later.
var Schedule = []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}

// MaxAttempts is how often a delivery is tried.
var MaxAttempts = len(Schedule) + 1

// Limits.
const (
	// Timeout bounds one attempt in all, from dialling to the answer's
	// head: deliveries have workers of their own (jobs.Runner.Apart), and
	// one that does not answer holds one of them this long at most.
	Timeout = 5 * time.Second
	// AnswerKept is how much of a failed answer's body the log keeps.
	AnswerKept = 200
	// MaxEndpoints is how many endpoints an organisation may have.
	MaxEndpoints = 20
	maxURL       = 2000
)

// Service keeps endpoints and sends deliveries.
type Service struct {
	db   *store.DB
	keys *seal.Keyring
	log  *slog.Logger
	// AllowPrivate lets endpoints be on loopback and private addresses,
	// and plain http on loopback (tests, a local receiver).
	AllowPrivate bool
	client       *http.Client
	// Now is the clock; time.Now unless a test moves it.
	Now func() time.Time
}

// New returns the service. allowPrivate: see Service.AllowPrivate.
func New(db *store.DB, keys *seal.Keyring, logger *slog.Logger, allowPrivate bool) *Service {
	s := &Service{db: db, keys: keys, log: logger, AllowPrivate: allowPrivate, Now: time.Now}
	s.client = newClient(allowPrivate)
	return s
}

// EndpointIn is a new endpoint.
type EndpointIn struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	// Enabled defaults to true.
	Enabled *bool `json:"enabled,omitempty"`
}

// Endpoint is an endpoint as the API and the pages show it (never its
// secret).
type Endpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Enabled   bool      `json:"enabled"`
	CreatedAt time.Time `json:"created_at"`
}

// Created is a new endpoint with its secret, shown this once.
type Created struct {
	Endpoint
	Secret string `json:"secret"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	DurationMS int64     `json:"duration_ms"`
	Error      string    `json:"error,omitempty"`
}

// Delivery is one event sent (or to send) to an endpoint.
type Delivery struct {
	ID        string     `json:"id"`
	Event     string     `json:"event"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	NextAt    *time.Time `json:"next_attempt_at,omitempty"`
	LastCode  int        `json:"last_status_code,omitempty"`
	LastError string     `json:"last_error,omitempty"`
	Log       []Attempt  `json:"log"`
}

func view(e *store.WebhookEndpoint) Endpoint {
	return Endpoint{ID: e.ID, URL: e.URL, Events: splitEvents(e.Events), Enabled: e.Enabled, CreatedAt: store.Time(e.CreatedAt)}
}

func splitEvents(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

func (s *Service) can(a auth.Actor) error {
	if !auth.Can(a, auth.ManageWebhooks, auth.Resource{OrgID: a.OrgID}) {
		return auth.ErrForbidden
	}
	return nil
}

// CheckURL validates an endpoint's address: https (http only to loopback
// when private addresses are allowed), a host, no user or fragment, and
// not an address the dialer would refuse.
func (s *Service) CheckURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if err := invalid.Text("url", raw, maxURL, true); err != nil {
		return nil, err
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, invalid.Field("url", "invalid", "is not an absolute URL")
	}
	if u.User != nil || u.Fragment != "" {
		return nil, invalid.Field("url", "invalid", "must not hold a user name, password or fragment")
	}
	host := u.Hostname()
	loopback := host == "localhost" || isLoopback(host)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.AllowPrivate && loopback:
	default:
		return nil, invalid.Field("url", "not_https", "must be an https:// address")
	}
	if !s.AllowPrivate {
		if loopback || strings.HasSuffix(host, ".localhost") {
			return nil, invalid.Field("url", "private_address", "must be a public address, not this machine")
		}
		if ip := net.ParseIP(host); ip != nil && blocked(ip) {
			return nil, invalid.Field("url", "private_address", "must be a public address, not a private, loopback or link-local one")
		}
	}
	return u, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// NewSecret returns a new signing secret: "whsec_" and the base64 of 32
// random bytes.
func NewSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("webhooks: secret: %w", err)
	}
	return "whsec_" + base64.StdEncoding.EncodeToString(b), nil
}

func secretContext(id string) string { return store.WebhookKeyID(id) + ":secret" }

// Create registers an endpoint for a's organisation and returns it with its
// secret (shown once); audited webhook.create.
func (s *Service) Create(ctx context.Context, a auth.Actor, in *EndpointIn) (*Created, error) {
	if err := s.can(a); err != nil {
		return nil, err
	}
	u, err := s.CheckURL(in.URL)
	if err != nil {
		return nil, err
	}
	if len(in.Events) == 0 {
		return nil, invalid.Field("events", "required", "name at least one of %s", strings.Join(Events, ", "))
	}
	var events []string
	for _, ev := range in.Events {
		if err := invalid.Enum("events", ev, Events); err != nil {
			return nil, err
		}
		if !slices.Contains(events, ev) {
			events = append(events, ev)
		}
	}
	slices.Sort(events)
	enabled := in.Enabled == nil || *in.Enabled
	secret, err := NewSecret()
	if err != nil {
		return nil, err
	}
	id := store.NewID()
	dk, wrapped, err := s.keys.NewDataKey(store.WebhookKeyID(id))
	if err != nil {
		return nil, fmt.Errorf("webhooks: key: %w", err)
	}
	now := s.Now()
	e := &store.WebhookEndpoint{ID: id, OrgID: a.OrgID, URL: u.String(), Events: strings.Join(events, ","),
		Secret: dk.Seal([]byte(secret), secretContext(id)), Enabled: enabled, CreatedBy: a.UserID, CreatedAt: now.UnixMicro()}
	err = s.db.Tx(ctx, func(q store.Q) error {
		have, err := q.WebhookEndpoints(ctx, a.OrgID)
		if err != nil {
			return err
		}
		if len(have) >= MaxEndpoints {
			return invalid.Field("url", "too_many", "an organisation has at most %d endpoints", MaxEndpoints)
		}
		if err := q.PutDataKey(ctx, store.WebhookKeyID(id), wrapped, e.CreatedAt); err != nil {
			return err
		}
		if err := q.PutWebhookEndpoint(ctx, e); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "webhook.create", "webhook", id, map[string]string{"host": u.Host, "events": e.Events})
	})
	if err != nil {
		return nil, err
	}
	return &Created{Endpoint: view(e), Secret: secret}, nil
}

// List returns a's organisation's endpoints.
func (s *Service) List(ctx context.Context, a auth.Actor) ([]Endpoint, error) {
	if err := s.can(a); err != nil {
		return nil, err
	}
	es, err := s.db.Read().WebhookEndpoints(ctx, a.OrgID)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, 0, len(es))
	for _, e := range es {
		out = append(out, view(e))
	}
	return out, nil
}

// endpoint returns an endpoint of a's organisation that is not deleted;
// another organisation's, or any for an actor who may not manage them, is
// not found: an endpoint's id shows only to those who may.
func endpoint(ctx context.Context, q store.Q, a auth.Actor, id string) (*store.WebhookEndpoint, error) {
	e, err := q.GetWebhookEndpoint(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.OrgID != a.OrgID || e.DeletedAt != 0 || !auth.Can(a, auth.ManageWebhooks, auth.Resource{OrgID: e.OrgID}) {
		return nil, fmt.Errorf("webhook endpoint %s: %w", id, store.ErrNotFound)
	}
	return e, nil
}

// SetEnabled switches an endpoint off (enabled false) or on again; audited
// webhook.disable or webhook.enable when it changes. While off, no event is
// queued for it and a delivery queued before fails when its turn comes
// ("endpoint disabled"); switched on, it gets the events from then on.
func (s *Service) SetEnabled(ctx context.Context, a auth.Actor, id string, enabled bool) (*Endpoint, error) {
	var out Endpoint
	err := s.db.Tx(ctx, func(q store.Q) error {
		e, err := endpoint(ctx, q, a, id)
		if err != nil {
			return err
		}
		if e.Enabled == enabled {
			out = view(e)
			return nil
		}
		if err := q.SetWebhookEndpointEnabled(ctx, e.ID, enabled); err != nil {
			return err
		}
		e.Enabled = enabled
		out = view(e)
		action := "webhook.disable"
		if enabled {
			action = "webhook.enable"
		}
		return audit.Record(ctx, q, a, action, "webhook", e.ID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete deletes an endpoint: its pending deliveries are given up and its
// secret's key destroyed; audited webhook.delete.
func (s *Service) Delete(ctx context.Context, a auth.Actor, id string) error {
	return s.db.Tx(ctx, func(q store.Q) error {
		e, err := endpoint(ctx, q, a, id)
		if err != nil {
			return err
		}
		if err := q.DeleteWebhookEndpoint(ctx, e.ID, s.Now().UnixMicro()); err != nil {
			return err
		}
		if err := q.DeleteDataKey(ctx, store.WebhookKeyID(e.ID)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return audit.Record(ctx, q, a, "webhook.delete", "webhook", e.ID, nil)
	})
}

// Deliveries returns an endpoint's latest deliveries (at most limit, 1 to
// 200), newest first, each with its attempts.
func (s *Service) Deliveries(ctx context.Context, a auth.Actor, endpointID string, limit int) ([]Delivery, error) {
	if limit < 1 || limit > 200 {
		return nil, invalid.Field("limit", "out_of_range", "must be 1 to 200")
	}
	q := s.db.Read()
	if _, err := endpoint(ctx, q, a, endpointID); err != nil {
		return nil, err
	}
	ds, err := q.WebhookDeliveries(ctx, endpointID, limit)
	if err != nil {
		return nil, err
	}
	out := make([]Delivery, 0, len(ds))
	for _, d := range ds {
		v := Delivery{ID: d.ID, Event: d.Event, Status: d.Status, Attempts: d.Attempts, CreatedAt: store.Time(d.CreatedAt),
			UpdatedAt: store.Time(d.UpdatedAt), LastCode: d.LastCode, LastError: d.LastError, Log: []Attempt{}}
		if d.Status == Pending && d.NextAt != 0 {
			t := store.Time(d.NextAt)
			v.NextAt = &t
		}
		as, err := q.WebhookAttempts(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		for _, at := range as {
			v.Log = append(v.Log, Attempt{At: store.Time(at.At), StatusCode: at.StatusCode, DurationMS: at.DurationMS, Error: at.Error})
		}
		out = append(out, v)
	}
	return out, nil
}

// Payload is the body of a delivery.
type Payload struct {
	Type      string            `json:"type"`
	Timestamp string            `json:"timestamp"`
	Data      map[string]string `json:"data"`
}

// Queue queues, inside q's transaction, a delivery of event to every
// enabled endpoint of organisation orgID that wants it. data holds IDs and
// codes only: never sealed data, never text.
func Queue(ctx context.Context, q store.Q, orgID, event string, data map[string]string) error {
	return queue(ctx, q, orgID, event, data, time.Now(), "")
}

// queue is Queue at now; once, if not "", names the event so that it is
// delivered to an endpoint once however often it is queued.
func queue(ctx context.Context, q store.Q, orgID, event string, data map[string]string, now time.Time, once string) error {
	if orgID == "" {
		return nil
	}
	es, err := q.WebhookEndpoints(ctx, orgID)
	if err != nil {
		return fmt.Errorf("webhooks: queue %s: %w", event, err)
	}
	return queueTo(ctx, q, es, orgID, event, data, now, once)
}

// wants tells whether endpoint e is on and asked for event.
func wants(e *store.WebhookEndpoint, event string) bool {
	return e.Enabled && slices.Contains(splitEvents(e.Events), event)
}

// queueTo is queue to the endpoints es of organisation orgID, read in q's
// transaction.
func queueTo(ctx context.Context, q store.Q, es []*store.WebhookEndpoint, orgID, event string, data map[string]string, now time.Time, once string) error {
	var err error
	var body []byte
	var jobs []*store.Job
	for _, e := range es {
		if !wants(e, event) {
			continue
		}
		if body == nil {
			if body, err = json.Marshal(Payload{Type: event, Timestamp: now.UTC().Format(time.RFC3339), Data: data}); err != nil {
				return fmt.Errorf("webhooks: queue %s: %w", event, err)
			}
		}
		id := store.NewID()
		if once != "" {
			if e.CreatedAt > now.UnixMicro() {
				continue // the endpoint is newer than the event
			}
			id = "msg_" + once + "_" + e.ID
		}
		d := &store.WebhookDelivery{ID: id, EndpointID: e.ID, OrgID: orgID, Event: event, Payload: string(body), Status: Pending,
			CreatedAt: store.Now(), UpdatedAt: store.Now()}
		added, err := q.PutWebhookDelivery(ctx, d)
		if err != nil {
			return err
		}
		if added {
			jobs = append(jobs, &store.Job{ID: store.NewID(), Kind: JobDeliver, ReportID: d.ID})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	return q.PutJobs(ctx, jobs, store.Now())
}

// Report announces a new report to its organisation's endpoints. A report
// is announced once, at its receipt time, however often it is asked.
func (s *Service) Report(ctx context.Context, reportID string) error {
	return s.ReportBatch(ctx, []string{reportID})[reportID]
}

// ReportBatch announces new reports to their organisations' endpoints (a
// jobs.BatchHandler for JobReport, queued by intake with each report): one
// read of the reports, one of each organisation's endpoints, and one
// transaction for the reports of organisations with an endpoint that wants
// them — none at all when no endpoint does, the common case, so the job
// costs intake's single writer nothing (issue #19). The transaction reads
// each such organisation's endpoints again, once, so it queues to what is
// there when it commits. It returns the reports that failed, each with its
// error.
func (s *Service) ReportBatch(ctx context.Context, ids []string) map[string]error {
	rs, err := s.db.Read().GetReports(ctx, ids)
	if err != nil {
		return jobs.FailAll(ids, fmt.Errorf("webhooks: announce reports: %w", err))
	}
	return s.AnnounceReports(ctx, ids, rs)
}

// AnnounceReports is ReportBatch with the reports already read (by ID; a
// report missing from rs is not announced), for a caller that read them
// for another step too.
func (s *Service) AnnounceReports(ctx context.Context, ids []string, rs map[string]*store.Report) map[string]error {
	byOrg := map[string][]*store.Report{}
	var orgs []string
	for _, id := range ids {
		r, ok := rs[id]
		if !ok || r.OrgID == "" {
			continue // erased or never stored: nothing to announce
		}
		if byOrg[r.OrgID] == nil {
			orgs = append(orgs, r.OrgID)
		}
		byOrg[r.OrgID] = append(byOrg[r.OrgID], r)
	}
	var announce []string // organisations with an endpoint that wants new reports
	for _, org := range orgs {
		es, err := s.db.Read().WebhookEndpoints(ctx, org)
		if err != nil {
			return jobs.FailAll(ids, fmt.Errorf("webhooks: announce reports: %w", err))
		}
		if slices.ContainsFunc(es, func(e *store.WebhookEndpoint) bool { return wants(e, ReportReceived) }) {
			announce = append(announce, org)
		}
	}
	if len(announce) == 0 {
		return nil
	}
	err := s.db.Tx(ctx, func(q store.Q) error {
		for _, org := range announce {
			es, err := q.WebhookEndpoints(ctx, org)
			if err != nil {
				return fmt.Errorf("webhooks: announce reports: %w", err)
			}
			for _, r := range byOrg[org] {
				if err := queueTo(ctx, q, es, org, ReportReceived, map[string]string{"report_id": r.ID, "org_id": org}, store.Time(r.ReceivedAt), r.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		var failed []string
		for _, org := range announce {
			for _, r := range byOrg[org] {
				failed = append(failed, r.ID)
			}
		}
		return jobs.FailAll(failed, err)
	}
	return nil
}
