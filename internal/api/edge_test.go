package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestCrossOriginCookieWrites: a write that carries the session cookie is
// refused when the browser says it comes from another site, and a body
// that is not JSON is refused whoever sends it; bearer tokens and
// same-origin requests work.
func TestCrossOriginCookieWrites(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Investigator)
		var ack intake.Ack
		e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport).decode(t, &ack)
		e.staff.SessionTTL = time.Hour
		session, _, err := e.staff.Login(context.Background(), "investigator@hotline.test", "correct horse battery", "")
		if err != nil {
			t.Fatal(err)
		}
		cookie := staff.SessionCookie + "=" + session
		path := "/api/v1/reports/" + ack.ID + "/reveal"
		reveal := func(email, body string, headers ...string) response {
			t.Helper()
			return e.do(email, "POST", "/api/v1/reports/{id}/reveal", path, body, headers...)
		}
		const reason = `{"reason":"call back the reporter"}`
		tests := []struct {
			name    string
			email   string
			body    string
			headers []string
			status  int
			code    string
		}{
			{"cookie, Origin evil", "", reason, []string{"Cookie", cookie, "Origin", "http://evil.example"}, 403, "cross_origin"},
			{"cookie, Origin without a scheme", "", reason, []string{"Cookie", cookie, "Origin", "evil"}, 403, "cross_origin"},
			{"cookie, cross-site fetch", "", reason, []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site"}, 403, "cross_origin"},
			{"cookie, text/plain from another site", "", reason, []string{"Cookie", cookie, "Origin", "http://evil.example", "Content-Type", "text/plain"}, 403, "cross_origin"},
			{"cookie, form from another site", "", "reason=x", []string{"Cookie", cookie, "Sec-Fetch-Site", "cross-site", "Content-Type", "application/x-www-form-urlencoded"}, 403, "cross_origin"},
			{"cookie, text/plain", "", reason, []string{"Cookie", cookie, "Content-Type", "text/plain"}, 415, "unsupported_media_type"},
			{"cookie, form", "", reason, []string{"Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"},
			{"cookie, no content type", "", reason, []string{"Cookie", cookie, "Content-Type", ""}, 415, "unsupported_media_type"},
			{"cookie, same-origin fetch", "", reason, []string{"Cookie", cookie, "Sec-Fetch-Site", "same-origin"}, 200, ""},
			{"cookie, Origin of this host", "", reason, []string{"Cookie", cookie, "Origin", "http://example.com"}, 200, ""},
			{"cookie, no browser headers", "", reason, []string{"Cookie", cookie}, 200, ""},
			{"bearer token, Origin evil", "investigator@hotline.test", reason, []string{"Origin", "http://evil.example", "Sec-Fetch-Site", "cross-site"}, 200, ""},
			{"bearer token, text/plain", "investigator@hotline.test", reason, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				res := reveal(tt.email, tt.body, tt.headers...)
				if res.status != tt.status || res.errorCode() != tt.code {
					t.Errorf("got %d %s, want %d %s", res.status, res.body, tt.status, tt.code)
				}
			})
		}
		// A public write is JSON too.
		if res := e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport, "Content-Type", "text/plain"); res.status != 415 {
			t.Errorf("public report as text/plain: %d %s, want 415", res.status, res.body)
		}
		// Only the allowed reveals are in the audit trail.
		res := e.do("investigator@hotline.test", "GET", "/api/v1/audit", "/api/v1/audit?action=report.reveal&resource_id="+ack.ID, nil)
		if res.status == 200 && strings.Count(string(res.body), `"report.reveal"`) != 4 {
			t.Errorf("audit holds %d reveals, want the 4 allowed: %s", strings.Count(string(res.body), `"report.reveal"`), res.body)
		}
	})
}

// TestTrustedProxies: behind a trusted proxy each client has its own rate
// bucket (the right-most address of X-Forwarded-For the proxy did not
// vouch for); from any other peer the header is ignored.
func TestTrustedProxies(t *testing.T) {
	e := newEnv(t, storetest.Open(t, store.SQLite))
	a := api.New(api.Services{Intake: e.intake, Casework: e.casework, Staff: e.staff, Links: e.links, Screen: e.screen, DB: e.db},
		slog.New(slog.DiscardHandler), api.Options{PublicRate: 1, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	mux := http.NewServeMux()
	a.Mount(mux)
	track := func(peer, xff string) int {
		req := httptest.NewRequest("GET", "/api/v1/track/VG-AAAA-AAAA-AAAA", nil)
		req.RemoteAddr = peer
		req.Header.Set("X-Tracking-Secret", "wrong")
		if xff != "" {
			req.Header.Set("X-Forwarded-For", xff)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code
	}
	// exhaust sends requests until the bucket is empty; a burst is 5.
	exhaust := func(peer, xff string) {
		t.Helper()
		for i := range 10 {
			if track(peer, xff) == 429 {
				if i < 5 {
					t.Fatalf("%s via %s: limited after %d requests, want a burst of 5", xff, peer, i)
				}
				return
			}
		}
		t.Fatalf("%s via %s: 10 requests, none limited", xff, peer)
	}
	exhaust("10.0.0.1:5000", "6.6.6.6, 198.51.100.1")
	if got := track("10.0.0.1:5000", "198.51.100.2"); got == 429 {
		t.Error("a second client behind the trusted proxy shares the first one's bucket")
	}
	if got := track("10.0.0.2:5000", "7.7.7.7, 198.51.100.1"); got != 429 {
		t.Errorf("the first client through another trusted proxy, with another forged entry: %d, want 429", got)
	}
	exhaust("203.0.113.9:5000", "198.51.100.3")
	if got := track("203.0.113.9:5000", "198.51.100.4"); got != 429 {
		t.Errorf("an untrusted peer picked a new bucket with X-Forwarded-For: %d, want 429", got)
	}
}

// TestMetricsPrivate: /metrics is served only to a scraper with the
// configured token.
func TestMetricsPrivate(t *testing.T) {
	db := storetest.Open(t, store.SQLite)
	token := strings.Repeat("m", 32)
	for _, tt := range []struct {
		name, configured, sent string
		status                 int
	}{
		{"not configured", "", "", 404},
		{"not configured, a token sent", "", token, 404},
		{"no token sent", token, "", 401},
		{"wrong token", token, strings.Repeat("x", 32), 401},
		{"right token", token, token, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a := api.New(api.Services{DB: db}, slog.New(slog.DiscardHandler), api.Options{MetricsToken: tt.configured})
			mux := http.NewServeMux()
			a.Mount(mux)
			req := httptest.NewRequest("GET", "/metrics", nil)
			if tt.sent != "" {
				req.Header.Set("Authorization", "Bearer "+tt.sent)
			}
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			validateResponse(t, "GET", "/metrics", rec.Code, rec.Header().Get("Content-Type"), rec.Body.Bytes())
			if rec.Code != tt.status {
				t.Errorf("got %d %s, want %d", rec.Code, rec.Body, tt.status)
			}
			if tt.status != 200 && strings.Contains(rec.Body.String(), "vigil_") {
				t.Errorf("metrics leaked without the token: %s", rec.Body)
			}
		})
	}
}
