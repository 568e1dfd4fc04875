package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// TestMetricsScrape: a scraper with the token reads the runtime, the
// process, requests by route, job timings, and the ledger and job queue
// as the database holds them, and no report text.
func TestMetricsScrape(t *testing.T) {
	ctx := context.Background()
	token := strings.Repeat("t", 32)
	srv, _ := newServer(t, func(c *config.Config) { c.MetricsToken = token; c.SecureCookies = false })
	srv.Start(ctx)
	t.Cleanup(srv.Close)
	if _, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", ReceivesPublic: true}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	res, err := http.Post(ts.URL+"/api/v1/reports", "application/json",
		strings.NewReader(`{"language":"en","narrative":"PLANTED-WORDS held in Bavet, recruiter @planted_recruiter"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("report: %s", res.Status)
	}
	if err := srv.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	var body string
	// The ledger sequences in the background: wait for its first leaf.
	for deadline := time.Now().Add(10 * time.Second); ; {
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %s %s", res.Status, b)
		}
		body = string(b)
		// … and for the report's screening job.
		if regexp.MustCompile(`(?m)^vigil_ledger_size [1-9]`).MatchString(body) && strings.Contains(body, `vigil_screen_duration_seconds_count{call="report"`) || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	wants := []string{
		`(?m)^go_goroutines \d+`,
		`(?m)^process_resident_memory_bytes `,
		`(?m)^vigil_http_requests_total\{code="201",route="POST /api/v1/reports"\} 1$`,
		`(?m)^vigil_http_request_duration_seconds_bucket\{route="POST /api/v1/reports",le="\+Inf"\} 1$`,
		`(?m)^vigil_reports_received_total 1$`,
		`(?m)^vigil_job_duration_seconds_count\{kind="report.followup",outcome="ok"\} 1$`,
		// Each step of the follow-up job is observed under its own kind.
		`(?m)^vigil_job_duration_seconds_count\{kind="links",outcome="ok"\} 1$`,
		`(?m)^vigil_job_duration_seconds_count\{kind="screen",outcome="ok"\} 1$`,
		`(?m)^vigil_job_duration_seconds_count\{kind="webhook.report",outcome="ok"\} 1$`,
		`(?m)^vigil_screen_duration_seconds_count\{call="report",outcome="ok"\} 1$`,
		`(?m)^vigil_ledger_size [1-9]`,
		`(?m)^vigil_ledger_lag_seconds `,
		`(?m)^vigil_jobs\{kind="report.followup",state="due"\} 0$`,
		`(?m)^vigil_trust_pending \d+$`,
		`(?m)^vigil_metrics_database_up 1$`,
	}
	if srv.DB.Engine == store.SQLite {
		wants = append(wants, `(?m)^vigil_sqlite_checkpoints_total\{result="failed"\} 0$`, `(?m)^vigil_sqlite_wal_pages_behind \d+$`)
	}
	for _, want := range wants {
		if !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, leak := range []string{"PLANTED", "planted_recruiter", "Bavet"} {
		if strings.Contains(body, leak) {
			t.Errorf("/metrics names %q", leak)
		}
	}
}
