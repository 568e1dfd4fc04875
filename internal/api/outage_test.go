package api_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// syncBuffer is a log destination several goroutines may write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestOutage: with the database gone, a report is answered 503 with
// Retry-After and a message that says nothing was saved, never 500 "nothing
// was lost"; a flood of such failures writes a few log lines and a count of
// the rest, not a line each.
func TestOutage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		var logs syncBuffer
		e := newEnvWith(t, db, slog.New(slog.NewTextHandler(&logs, nil)), api.Options{PublicRate: 1000})
		e.org("hotline", true, auth.Investigator)
		db.Close()
		for i := range 300 {
			req := httptest.NewRequest("POST", "/api/v1/reports", strings.NewReader(`{"language":"en","narrative":"They moved us to a new compound."}`))
			req.RemoteAddr = "192.0.2.1:1234"
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.mux.ServeHTTP(rec, req)
			if i > 0 {
				continue
			}
			res := response{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
			if res.status != http.StatusServiceUnavailable || res.errorCode() != "unavailable" || res.header.Get("Retry-After") == "" {
				t.Fatalf("report during an outage: status %d, Retry-After %q, %s; want 503 unavailable with Retry-After", res.status, res.header.Get("Retry-After"), res.body)
			}
			if !strings.Contains(string(res.body), "nothing was saved") {
				t.Errorf("outage message %s does not say nothing was saved", res.body)
			}
			validateResponse(t, "POST", "/api/v1/reports", res.status, rec.Header().Get("Content-Type"), res.body)
		}
		if n := strings.Count(logs.String(), `msg="api: request failed"`); n == 0 || n > 10 {
			t.Errorf("300 failed requests in a burst wrote %d error lines, want 1 to 10:\n%s", n, logs.String())
		}
	})
}

// countingBody counts the bytes a handler reads from a request body.
type countingBody struct {
	r    io.Reader
	mu   *sync.Mutex
	read *int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.mu.Lock()
	*c.read += int64(n)
	c.mu.Unlock()
	return n, err
}

func (c countingBody) Close() error { return nil }

// TestRateLimitBeforeBody: once a client is over the public rate, its posts
// are refused without their bodies being read.
func TestRateLimitBeforeBody(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := newEnvWith(t, db, slog.New(slog.DiscardHandler), api.Options{PublicRate: 1})
		e.org("hotline", true, auth.Investigator)
		body := `{"language":"en","narrative":"` + strings.Repeat("x", 15000) + `"}`
		var mu sync.Mutex
		var read int64
		codes := map[int]int{}
		const posts = 50
		for range posts {
			req := httptest.NewRequest("POST", "/api/v1/reports", nil)
			req.Body = countingBody{r: strings.NewReader(body), mu: &mu, read: &read}
			req.RemoteAddr = "198.51.100.7:4000"
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			e.mux.ServeHTTP(rec, req)
			codes[rec.Code]++
		}
		accepted := codes[http.StatusCreated]
		if codes[http.StatusTooManyRequests] == 0 || accepted+codes[http.StatusTooManyRequests] != posts {
			t.Fatalf("status codes %v; want 201s then 429s", codes)
		}
		if max := int64(accepted) * int64(len(body)+512); read > max {
			t.Errorf("read %d body bytes for %d accepted posts of %d bytes; refused posts were read", read, accepted, len(body))
		}
	})
}
