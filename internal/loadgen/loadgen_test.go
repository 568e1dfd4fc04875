package loadgen_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/loadgen"
)

// TestRate: --rate paces all clients together: many clients against a
// server that answers at once send about rate × duration requests, not as
// many as they could.
func TestRate(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	res, err := loadgen.Intake(context.Background(), loadgen.Options{URL: srv.URL, Clients: 16, Duration: time.Second, Rate: 40})
	if err != nil {
		t.Fatal(err)
	}
	// 40 a second for one second, plus the limiter's burst of one.
	if got := n.Load(); got < 20 || got > 42 {
		t.Errorf("%d requests at --rate 40 for 1 s (result %v)", got, res)
	}
}

// TestReadBacklog: the backlog is read from a server's /metrics with its
// token: due jobs summed over kinds, the oldest due job's wait, the
// identifiers waiting to be weighed.
func TestReadBacklog(t *testing.T) {
	const token = "0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" || r.Header.Get("Authorization") != "Bearer "+token {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte(`# HELP vigil_jobs Jobs.
# TYPE vigil_jobs gauge
vigil_jobs{kind="links",state="due"} 120
vigil_jobs{kind="links",state="waiting"} 7
vigil_jobs{kind="screen",state="due"} 30
# HELP vigil_jobs_oldest_due_seconds Oldest.
# TYPE vigil_jobs_oldest_due_seconds gauge
vigil_jobs_oldest_due_seconds{kind="links"} 2.5
vigil_jobs_oldest_due_seconds{kind="screen"} 0.5
# HELP vigil_trust_pending Pending.
# TYPE vigil_trust_pending gauge
vigil_trust_pending 42
`))
	}))
	defer srv.Close()
	b, err := loadgen.ReadBacklog(context.Background(), srv.URL, token)
	if err != nil {
		t.Fatal(err)
	}
	if want := (loadgen.Backlog{JobsDue: 150, OldestDue: 2.5, TrustPending: 42}); b != want {
		t.Errorf("backlog %+v, want %+v", b, want)
	}
	if _, err := loadgen.ReadBacklog(context.Background(), srv.URL, "wrong"); err == nil {
		t.Error("a wrong token read the backlog")
	}
}

// TestFirstTransportError: a run whose server drops connections says what
// the transport error was, not only how many there were.
func TestFirstTransportError(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // no answer at all
			}
			return
		}
		w.WriteHeader(http.StatusCreated)
	}))
	defer srv.Close()
	res, err := loadgen.Intake(context.Background(), loadgen.Options{URL: srv.URL, Clients: 2, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors == 0 || res.FirstError == "" {
		t.Fatalf("errors %d, first %q: want both", res.Errors, res.FirstError)
	}
	if !strings.Contains(res.String(), "first transport error: ") {
		t.Errorf("String() = %q, want the first transport error named", res.String())
	}
}
