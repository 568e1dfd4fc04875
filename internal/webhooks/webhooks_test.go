package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/webhooks"
)

// verify checks a message as a receiver following the Standard Webhooks
// specification would, written here from the specification rather than
// calling the package: the signed content is "{id}.{timestamp}.{body}",
// the key the base64 after "whsec_", the header a space-separated list of
// "v1,<base64 HMAC-SHA256>".
func verify(secret string, h http.Header, body []byte) error {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return err
	}
	id, ts := h.Get("webhook-id"), h.Get("webhook-timestamp")
	if id == "" || ts == "" {
		return errors.New("missing webhook-id or webhook-timestamp")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return err
	}
	if d := time.Since(time.Unix(sec, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return errors.New("timestamp outside tolerance")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "." + string(body)))
	want := mac.Sum(nil)
	for _, s := range strings.Fields(h.Get("webhook-signature")) {
		v, sig, ok := strings.Cut(s, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err == nil && hmac.Equal(got, want) {
			return nil
		}
	}
	return errors.New("no valid v1 signature")
}

func TestSignMatchesSpecification(t *testing.T) {
	// The example of the Standard Webhooks specification's reference
	// libraries (secret, id, timestamp and body), checked against the
	// independent verifier above.
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	sig, err := webhooks.Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
	if err != nil {
		t.Fatal(err)
	}
	if sig != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("signature %s, want the specification's", sig)
	}
	s2, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s2, "whsec_"))
	if !strings.HasPrefix(s2, "whsec_") || err != nil || len(raw) < 24 || len(raw) > 64 {
		t.Errorf("secret %q: %v, %d bytes", s2, err, len(raw))
	}
	h := http.Header{}
	ts := time.Now().Unix()
	sig, _ = webhooks.Sign(s2, "msg_1", ts, []byte("{}"))
	h.Set("webhook-id", "msg_1")
	h.Set("webhook-timestamp", strconv.FormatInt(ts, 10))
	h.Set("webhook-signature", sig)
	if err := verify(s2, h, []byte("{}")); err != nil {
		t.Error(err)
	}
	if err := verify(s2, h, []byte("{ }")); err == nil {
		t.Error("a changed body verified")
	}
}

// received is what a test receiver got.
type received struct {
	header http.Header
	body   []byte
}

type receiver struct {
	mu     sync.Mutex
	got    []received
	status int
	answer string
	srv    *httptest.Server
}

func newReceiver(t *testing.T, status int, answer string) *receiver {
	r := &receiver{status: status, answer: answer}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.got = append(r.got, received{header: req.Header.Clone(), body: b})
		st, ans := r.status, r.answer
		r.mu.Unlock()
		w.WriteHeader(st)
		io.WriteString(w, ans)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) all() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// world is a server (job workers off) whose webhooks may reach loopback,
// with a hotline (admin, coordinator, investigator) and a partner
// organisation.
type world struct {
	srv                                 *server.Server
	admin, coord, investigator, partner auth.Actor
	org, partnerOrg                     string
}

func newWorld(t *testing.T, db *store.DB) *world {
	t.Helper()
	ctx := context.Background()
	srv := servertest.New(t, servertest.Options{DB: db, Start: true, NoJobs: true, Config: func(c *config.Config) { c.WebhookAllowPrivate = true }})
	w := &world{srv: srv}
	mk := func(name string, roles ...auth.Role) (string, []auth.Actor) {
		o, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: name, Kind: "ngo", ReceivesPublic: name == "hotline", TOTPOptional: true})
		if err != nil {
			t.Fatal(err)
		}
		var as []auth.Actor
		for _, r := range roles {
			u, err := srv.Staff.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: o.ID, Email: string(r) + "@" + name + ".test", Name: string(r), Role: string(r), Password: "a long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			as = append(as, auth.Actor{UserID: u.ID, OrgID: o.ID, Role: r})
		}
		return o.ID, as
	}
	var as []auth.Actor
	w.org, as = mk("hotline", auth.Admin, auth.Coordinator, auth.Investigator)
	w.admin, w.coord, w.investigator = as[0], as[1], as[2]
	w.partnerOrg, as = mk("police", auth.Partner)
	w.partner = as[0]
	return w
}

func (w *world) drain(t *testing.T) {
	t.Helper()
	if err := w.srv.Jobs.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

const planted = "Sokha Plantedname"

// TestEventsDelivered: a report filed, a case's status changed and a
// referral answered each reach the organisation's endpoint as one signed
// POST with IDs and codes only; nothing sealed or written leaves.
func TestEventsDelivered(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		rcv := newReceiver(t, http.StatusNoContent, "")
		c, err := w.srv.Webhooks.Create(ctx, w.coord, &webhooks.EndpointIn{URL: rcv.srv.URL + "/hook", Events: webhooks.Events})
		if err != nil {
			t.Fatal(err)
		}
		// The public files a report (the hotline receives public reports).
		ack, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Channel: "web",
			Narrative: "My brother " + planted + " is held in a compound, passport PX9988776 taken.",
			Reporter:  &intake.Reporter{Name: planted, Contact: "+85512999888"},
			Victims:   []intake.VictimIn{{Name: planted, Passport: "PX9988776", StillHeld: true}}})
		if err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got := rcv.all()
		if len(got) != 1 {
			t.Fatalf("%d requests after the report, want 1", len(got))
		}
		check := func(r received, event string, data map[string]string) {
			t.Helper()
			if err := verify(c.Secret, r.header, r.body); err != nil {
				t.Errorf("%s: signature: %v", event, err)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("%s: Content-Type %q", event, ct)
			}
			var p struct {
				Type      string            `json:"type"`
				Timestamp string            `json:"timestamp"`
				Data      map[string]string `json:"data"`
			}
			if err := json.Unmarshal(r.body, &p); err != nil {
				t.Fatalf("%s: body %s: %v", event, r.body, err)
			}
			if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil || p.Type != event {
				t.Errorf("body %s: type or timestamp wrong", r.body)
			}
			if len(p.Data) != len(data) {
				t.Errorf("%s: data %v, want %v", event, p.Data, data)
			}
			for k, v := range data {
				if p.Data[k] != v {
					t.Errorf("%s: data[%s] = %q, want %q", event, k, p.Data[k], v)
				}
			}
			for _, secret := range []string{"Sokha", "Plantedname", "PX9988776", "85512999888", "compound", "brother", ack.TrackingCode, ack.Secret} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("%s: body carries %q: %s", event, secret, r.body)
				}
			}
		}
		check(got[0], webhooks.ReportReceived, map[string]string{"report_id": ack.ID, "org_id": w.org})

		// The report follow-ups run again (a statement added), as one job
		// and as a webhook job alone (queued by an older version): the
		// report is not announced twice.
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: store.NewID(), Kind: server.JobFollowUp, ReportID: ack.ID},
				{ID: store.NewID(), Kind: webhooks.JobReport, ReportID: ack.ID}}, store.Now())
		}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		if n := len(rcv.all()); n != 1 {
			t.Errorf("%d requests after the follow-up ran again, want 1", n)
		}

		cv, err := w.srv.Casework.Create(ctx, w.coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: "Case about " + planted})
		if err != nil {
			t.Fatal(err)
		}
		st := casework.StatusInProgress
		if _, err := w.srv.Casework.Update(ctx, w.coord, cv.ID, cv.Version, &casework.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got = rcv.all()
		if len(got) != 2 {
			t.Fatalf("%d requests after the status change, want 2", len(got))
		}
		check(got[1], webhooks.CaseStatusChanged, map[string]string{"case_id": cv.ID, "org_id": w.org, "status": "in_progress", "previous_status": "new"})

		ref, err := w.srv.Casework.Refer(ctx, w.coord, cv.ID, &casework.ReferralIn{ToOrgID: w.partnerOrg, Shared: []string{"places"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Casework.Respond(ctx, w.partner, ref.ID, 0, &casework.ResponseIn{Status: casework.RefAccepted, Response: "We take it, " + planted}); err != nil {
			t.Fatal(err)
		}
		w.drain(t)
		got = rcv.all()
		if len(got) != 4 {
			t.Fatalf("%d requests after the referral and its answer, want 4", len(got))
		}
		check(got[2], webhooks.CaseStatusChanged, map[string]string{"case_id": cv.ID, "org_id": w.org, "status": "referred", "previous_status": "in_progress"})
		check(got[3], webhooks.ReferralAnswered, map[string]string{"referral_id": ref.ID, "case_id": cv.ID, "org_id": w.org, "to_org_id": w.partnerOrg, "status": "accepted"})

		ds, err := w.srv.Webhooks.Deliveries(ctx, w.admin, c.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 4 {
			t.Fatalf("%d deliveries logged, want 4", len(ds))
		}
		for _, d := range ds {
			if d.Status != webhooks.Delivered || d.Attempts != 1 || len(d.Log) != 1 || d.Log[0].StatusCode != 204 {
				t.Errorf("delivery %+v: want delivered at the first attempt with 204", d)
			}
		}
		// An endpoint that wants one event gets only that one.
		if _, err := w.srv.Webhooks.List(ctx, w.coord); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRetriedWithBackoff: an endpoint that answers 500 is retried after
// each wait of the schedule, every attempt logged with its status and a
// truncated answer, and given up after MaxAttempts; the message keeps its
// id across retries.
func TestRetriedWithBackoff(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		rcv := newReceiver(t, http.StatusInternalServerError, strings.Repeat("overloaded ", 100))
		c, err := w.srv.Webhooks.Create(ctx, w.admin, &webhooks.EndpointIn{URL: rcv.srv.URL, Events: []string{webhooks.CaseStatusChanged}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return webhooks.Queue(ctx, q, w.org, webhooks.CaseStatusChanged, map[string]string{"case_id": "c1", "org_id": w.org, "status": "closed"})
		}); err != nil {
			t.Fatal(err)
		}
		// The clock stands still from just after the event unless the
		// test moves it.
		now := time.Now().Add(time.Millisecond)
		clock := func() time.Time { return now }
		w.srv.Jobs.Now, w.srv.Webhooks.Now = clock, clock
		for attempt := 1; attempt <= webhooks.MaxAttempts; attempt++ {
			w.drain(t)
			if n := len(rcv.all()); n != attempt {
				t.Fatalf("attempt %d: %d requests", attempt, n)
			}
			ds, err := w.srv.Webhooks.Deliveries(ctx, w.admin, c.ID, 10)
			if err != nil || len(ds) != 1 {
				t.Fatalf("deliveries: %v, %d", err, len(ds))
			}
			d := ds[0]
			if d.Attempts != attempt || len(d.Log) != attempt || d.LastCode != 500 || len(d.LastError) > 220 || !strings.HasPrefix(d.LastError, "HTTP 500: overloaded") {
				t.Fatalf("after attempt %d: %+v", attempt, d)
			}
			if attempt == webhooks.MaxAttempts {
				if d.Status != webhooks.Failed || d.NextAt != nil {
					t.Fatalf("after the last attempt: %+v, want failed", d)
				}
				break
			}
			wait := webhooks.Schedule[attempt-1]
			if d.Status != webhooks.Pending || d.NextAt == nil || !d.NextAt.Equal(store.Time(now.Add(wait).UnixMicro())) {
				t.Fatalf("after attempt %d: %+v, want pending until %v later", attempt, d, wait)
			}
			// Not before the wait is over.
			now = now.Add(wait - time.Second)
			w.drain(t)
			if n := len(rcv.all()); n != attempt {
				t.Fatalf("retried %d before its wait of %v was over", attempt, wait)
			}
			now = now.Add(time.Second)
		}
		got := rcv.all()
		for _, r := range got {
			if r.header.Get("webhook-id") != got[0].header.Get("webhook-id") {
				t.Errorf("webhook-id changed between retries: %q, %q", got[0].header.Get("webhook-id"), r.header.Get("webhook-id"))
			}
		}
		// No further attempt, however long one waits.
		now = now.Add(48 * time.Hour)
		w.drain(t)
		if n := len(rcv.all()); n != webhooks.MaxAttempts {
			t.Errorf("%d requests, want %d", n, webhooks.MaxAttempts)
		}
	})
}

// TestPrivateAddressRefused: without the test flag, an endpoint on a
// loopback, private or link-local address (or plain http) is refused at
// registration, and one that gets there anyway is refused by the dialer at
// send time, the attempt logged.
func TestPrivateAddressRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		strict := webhooks.New(db, w.srv.Keys, slog.New(slog.DiscardHandler), false)
		for _, u := range []string{"https://127.0.0.1/x", "https://localhost/x", "https://10.1.2.3/", "https://192.168.0.10/", "https://[::1]/",
			"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://100.64.0.1/", "https://[::ffff:127.0.0.1]/",
			"http://hooks.example.org/", "ftp://hooks.example.org/", "https://user:pw@hooks.example.org/", "hooks.example.org", ""} {
			_, err := strict.Create(ctx, w.coord, &webhooks.EndpointIn{URL: u, Events: webhooks.Events})
			if fe, ok := invalid.As(err); !ok || fe.Field != "url" {
				t.Errorf("%q: %v, want a url field error", u, err)
			}
		}
		if _, err := strict.Create(ctx, w.coord, &webhooks.EndpointIn{URL: "https://hooks.example.org/vigil", Events: []string{"report.deleted"}}); err == nil {
			t.Error("an unknown event was accepted")
		}
		if _, err := strict.Create(ctx, w.coord, &webhooks.EndpointIn{URL: "https://hooks.example.org/vigil", Events: []string{webhooks.ReportReceived}}); err != nil {
			t.Errorf("a public https endpoint: %v", err)
		}

		// Registered while allowed (as a name that resolves to loopback
		// would be), sent by a strict service: the dialer refuses.
		rcv := newReceiver(t, http.StatusOK, "")
		c, err := w.srv.Webhooks.Create(ctx, w.coord, &webhooks.EndpointIn{URL: rcv.srv.URL, Events: []string{webhooks.CaseStatusChanged}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return webhooks.Queue(ctx, q, w.org, webhooks.CaseStatusChanged, map[string]string{"case_id": "c1", "org_id": w.org, "status": "closed"})
		}); err != nil {
			t.Fatal(err)
		}
		ds, err := strict.Deliveries(ctx, w.coord, c.ID, 10)
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries: %v, %d", err, len(ds))
		}
		if err := strict.Deliver(ctx, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		if n := len(rcv.all()); n != 0 {
			t.Fatalf("a loopback endpoint got %d requests", n)
		}
		ds, _ = strict.Deliveries(ctx, w.coord, c.ID, 10)
		if d := ds[0]; d.Status != webhooks.Pending || d.Attempts != 1 || d.LastCode != 0 || !strings.Contains(d.LastError, "not public") {
			t.Errorf("after a refused dial: %+v", d)
		}
	})
}

// TestWhoManages: an organisation's admins and coordinators manage its
// endpoints; investigators and partners do not, and another
// organisation's endpoint is not found.
func TestWhoManages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		in := &webhooks.EndpointIn{URL: "https://hooks.example.org/vigil", Events: webhooks.Events}
		c, err := w.srv.Webhooks.Create(ctx, w.admin, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []auth.Actor{w.investigator, w.partner} {
			if _, err := w.srv.Webhooks.Create(ctx, a, in); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("%s creates: %v", a.Role, err)
			}
			if _, err := w.srv.Webhooks.List(ctx, a); !errors.Is(err, auth.ErrForbidden) {
				t.Errorf("%s lists: %v", a.Role, err)
			}
			if _, err := w.srv.Webhooks.Deliveries(ctx, a, c.ID, 10); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s reads deliveries: %v", a.Role, err)
			}
			if err := w.srv.Webhooks.Delete(ctx, a, c.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s deletes: %v", a.Role, err)
			}
		}
		es, err := w.srv.Webhooks.List(ctx, w.coord)
		if err != nil || len(es) != 1 || es[0].ID != c.ID {
			t.Fatalf("coordinator lists: %v %+v", err, es)
		}
		if strings.Contains(mustJSON(t, es), "whsec_") {
			t.Error("the list shows the secret")
		}
		if err := w.srv.Webhooks.Delete(ctx, w.coord, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Read().GetDataKey(ctx, store.WebhookKeyID(c.ID)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the deleted endpoint's key: %v, want destroyed", err)
		}
		if es, _ := w.srv.Webhooks.List(ctx, w.admin); len(es) != 0 {
			t.Errorf("%d endpoints after delete", len(es))
		}
	})
}

func mustJSON(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkSign: the signature of a typical payload.
func BenchmarkSign(b *testing.B) {
	secret, err := webhooks.NewSecret()
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"type":"report.received","timestamp":"2026-12-05T10:00:00Z","data":{"org_id":"0194f3c2-7d1e-7a1b-9c2d-3e4f5a6b7c8d","report_id":"0194f3c2-7d1e-7a1b-9c2d-3e4f5a6b7c8e"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := webhooks.Sign(secret, "msg_0194f3c2", 1764928800, body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeliver: one delivery end to end on SQLite — read, open the
// secret, sign, POST to a loopback receiver, record the attempt.
func BenchmarkDeliver(b *testing.B) {
	ctx := context.Background()
	srv := servertest.New(b, servertest.Options{Start: true, NoJobs: true, Config: func(c *config.Config) { c.WebhookAllowPrivate = true }})
	o, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "bench", Kind: "ngo"})
	if err != nil {
		b.Fatal(err)
	}
	coord := auth.Actor{UserID: "bench", OrgID: o.ID, Role: auth.Coordinator}
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer rcv.Close()
	if _, err := srv.Webhooks.Create(ctx, coord, &webhooks.EndpointIn{URL: rcv.URL, Events: webhooks.Events}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := srv.DB.Tx(ctx, func(q store.Q) error {
			return webhooks.Queue(ctx, q, o.ID, webhooks.CaseStatusChanged, map[string]string{"case_id": "c", "org_id": o.ID, "status": "closed"})
		}); err != nil {
			b.Fatal(err)
		}
		if err := srv.Jobs.Drain(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHangingEndpointDelaysNoLinking: with the server's workers running
// and an endpoint that never answers, deliveries to it hold only the
// delivery workers: a report filed meanwhile is linked at once, and each
// attempt gives up after webhooks.Timeout.
func TestHangingEndpointDelaysNoLinking(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		release := make(chan struct{})
		hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(hung.Close)
		t.Cleanup(func() { close(release) }) // before hung.Close, which waits for its handlers
		srv := servertest.New(t, servertest.Options{DB: db, Start: true, Config: func(c *config.Config) { c.WebhookAllowPrivate = true }})
		o, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "hotline", Kind: "ngo", ReceivesPublic: true, TOTPOptional: true})
		if err != nil {
			t.Fatal(err)
		}
		admin := auth.Actor{UserID: store.NewID(), OrgID: o.ID, Role: auth.Admin}
		ep, err := srv.Webhooks.Create(ctx, admin, &webhooks.EndpointIn{URL: hung.URL + "/hook", Events: []string{webhooks.ReportReceived}})
		if err != nil {
			t.Fatal(err)
		}
		file := func(n int) string {
			ack, err := srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Channel: "web",
				Narrative: "Report " + strconv.Itoa(n) + ": the recruiter's phone is +855 12 345 6" + strconv.Itoa(10+n) + "."})
			if err != nil {
				t.Fatal(err)
			}
			return ack.ID
		}
		linkedWithin := func(id string, limit time.Duration) time.Duration {
			t.Helper()
			start := time.Now()
			for time.Since(start) < limit {
				ls, err := db.Read().GetReportLinks(ctx, []string{id})
				if err != nil {
					t.Fatal(err)
				}
				if ls[id] != nil {
					return time.Since(start)
				}
				time.Sleep(20 * time.Millisecond)
			}
			t.Fatalf("report %s not linked within %v while the endpoint hangs", id, limit)
			return 0
		}
		// Six reports: six deliveries to the endpoint that never answers.
		var first string
		for n := range 6 {
			id := file(n)
			if first == "" {
				first = id
			}
		}
		linkedWithin(first, 10*time.Second)
		// Wait until deliveries hang, then file one more report.
		for start := time.Now(); ; time.Sleep(50 * time.Millisecond) {
			ds, err := srv.Webhooks.Deliveries(ctx, admin, ep.ID, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) >= 6 {
				break
			}
			if time.Since(start) > 10*time.Second {
				t.Fatalf("%d deliveries queued, want 6", len(ds))
			}
		}
		if took := linkedWithin(file(7), 4*time.Second); took > 3*time.Second {
			t.Errorf("a report was linked %v after it was filed, behind hanging deliveries", took)
		}
		// An attempt ends at the timeout, logged as failed and retried.
		var ds []webhooks.Delivery
		for start := time.Now(); time.Since(start) < 3*webhooks.Timeout; time.Sleep(100 * time.Millisecond) {
			if ds, err = srv.Webhooks.Deliveries(ctx, admin, ep.ID, 50); err != nil {
				t.Fatal(err)
			}
			if slices.ContainsFunc(ds, func(d webhooks.Delivery) bool { return d.Attempts > 0 }) {
				break
			}
		}
		for _, d := range ds {
			if d.Attempts > 0 && (d.Status != webhooks.Pending || d.Log[0].DurationMS > (webhooks.Timeout+time.Second).Milliseconds()) {
				t.Errorf("delivery after a hanging attempt: %+v", d)
			}
		}
		if !slices.ContainsFunc(ds, func(d webhooks.Delivery) bool { return d.Attempts > 0 }) {
			t.Errorf("no attempt ended within %v", 3*webhooks.Timeout)
		}
	})
}

// TestSwitchOffAndOn: an endpoint switched off gets nothing (a delivery
// queued before is given up, events meanwhile are not queued); switched on,
// it gets the next events. Each switch is audited once.
func TestSwitchOffAndOn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		rcv := newReceiver(t, http.StatusNoContent, "")
		c, err := w.srv.Webhooks.Create(ctx, w.coord, &webhooks.EndpointIn{URL: rcv.srv.URL + "/hook", Events: []string{webhooks.ReportReceived}})
		if err != nil {
			t.Fatal(err)
		}
		file := func() {
			t.Helper()
			if _, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Channel: "web", Narrative: "A report to announce."}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.srv.Webhooks.SetEnabled(ctx, w.investigator, c.ID, false); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an investigator switched it off: %v", err)
		}
		// A report whose delivery is queued, then the switch: given up.
		file()
		if err := w.srv.Webhooks.Report(ctx, mustLastReport(t, w)); err != nil {
			t.Fatal(err)
		}
		e, err := w.srv.Webhooks.SetEnabled(ctx, w.coord, c.ID, false)
		if err != nil || e.Enabled {
			t.Fatalf("switch off: %+v, %v", e, err)
		}
		if _, err := w.srv.Webhooks.SetEnabled(ctx, w.coord, c.ID, false); err != nil {
			t.Fatal(err)
		}
		file()
		w.drain(t)
		if n := len(rcv.all()); n != 0 {
			t.Errorf("%d requests while switched off", n)
		}
		ds, err := w.srv.Webhooks.Deliveries(ctx, w.coord, c.ID, 10)
		if err != nil || len(ds) != 1 || ds[0].Status != webhooks.Failed || ds[0].LastError != "endpoint disabled" {
			t.Errorf("deliveries while off: %+v, %v", ds, err)
		}
		if e, err = w.srv.Webhooks.SetEnabled(ctx, w.admin, c.ID, true); err != nil || !e.Enabled {
			t.Fatalf("switch on: %+v, %v", e, err)
		}
		file()
		w.drain(t)
		if n := len(rcv.all()); n != 1 {
			t.Errorf("%d requests after switching on, want 1 (the new report's)", n)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: w.org})
		if err != nil {
			t.Fatal(err)
		}
		count := map[string]int{}
		for _, ev := range evs {
			if ev.ResourceID == c.ID {
				count[ev.Action]++
			}
		}
		if count["webhook.disable"] != 1 || count["webhook.enable"] != 1 {
			t.Errorf("audit trail of the endpoint: %v, want one disable and one enable", count)
		}
	})
}

// mustLastReport returns the id of w's newest report.
func mustLastReport(t *testing.T, w *world) string {
	t.Helper()
	rs, err := w.srv.DB.Read().ListReports(context.Background(), store.ReportFilter{OrgID: w.org, Limit: 1})
	if err != nil || len(rs) != 1 {
		t.Fatalf("newest report: %v, %v", rs, err)
	}
	return rs[0].ID
}

// TestReportBatch: the follow-up that announces new reports, done a claim's
// worth at a time, queues one delivery per report to each endpoint that
// wants new reports, none to one that does not, skips a report that is not
// there, and queues nothing more when the same batch runs again.
func TestReportBatch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		rcv := newReceiver(t, http.StatusNoContent, "")
		wants, err := w.srv.Webhooks.Create(ctx, w.coord, &webhooks.EndpointIn{URL: rcv.srv.URL + "/reports", Events: []string{webhooks.ReportReceived}})
		if err != nil {
			t.Fatal(err)
		}
		other, err := w.srv.Webhooks.Create(ctx, w.coord, &webhooks.EndpointIn{URL: rcv.srv.URL + "/cases", Events: []string{webhooks.CaseStatusChanged}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for i := range 3 {
			ack, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Channel: "web", Narrative: fmt.Sprintf("Report %d to announce.", i)})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ack.ID)
		}
		batch := append(slices.Clone(ids), "no-such-report")
		for round := range 2 {
			if failed := w.srv.Webhooks.ReportBatch(ctx, batch); len(failed) != 0 {
				t.Fatalf("round %d: failed %v", round, failed)
			}
			ds, err := w.srv.Webhooks.Deliveries(ctx, w.coord, wants.ID, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != len(ids) {
				t.Errorf("round %d: %d deliveries to the endpoint that wants new reports, want %d", round, len(ds), len(ids))
			}
			if ds, err := w.srv.Webhooks.Deliveries(ctx, w.coord, other.ID, 50); err != nil || len(ds) != 0 {
				t.Errorf("round %d: %d deliveries to the endpoint of case events (%v), want 0", round, len(ds), err)
			}
		}
	})
}
