package server_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/staff"
)

// lockedBuffer is a log sink the server's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestNotAcceptingReports: on a new server with no organisation that
// receives public reports, the public form answers 503 in the reporter's
// language and keeps every word typed, the API answers 503
// not_accepting_reports, and start-up and each refusal are logged; once an
// organisation receives them, the same report is filed (issue 15: before,
// the form said "This page does not exist", lost the testimony and logged
// nothing).
func TestNotAcceptingReports(t *testing.T) {
	ctx := context.Background()
	var logged lockedBuffer
	srv := servertest.New(t, servertest.Options{Log: slog.New(slog.NewTextHandler(&logged, nil)), Start: true})
	srv.WarnSetup(ctx)
	if !strings.Contains(logged.String(), "no organisation receives public reports") {
		t.Errorf("start-up did not warn that no organisation receives public reports:\n%s", logged.String())
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	const narrative = "ប្អូនប្រុសខ្ញុំត្រូវគេឃុំនៅក្នុងអគារមួយនៅបាវិត។ PLANTED-NARRATIVE"
	form := url.Values{"narrative": {narrative}, "place": {"Bavet"}}
	post := func() (int, string) {
		req, _ := http.NewRequest("POST", ts.URL+"/report?lang=km", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	status, body := post()
	if status != http.StatusServiceUnavailable || !strings.Contains(body, "PLANTED-NARRATIVE") || !strings.Contains(body, "សេវានេះមិនទាន់ទទួលរបាយការណ៍") {
		t.Errorf("public form: status %d; want 503 in Khmer with the narrative kept\n%s", status, body)
	}
	res, err := http.Post(ts.URL+"/api/v1/reports", "application/json", strings.NewReader(`{"language":"en","narrative":"My brother is held in a compound in Bavet."}`))
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Error struct{ Code string } `json:"error"`
	}
	json.NewDecoder(res.Body).Decode(&e)
	res.Body.Close()
	if res.StatusCode != http.StatusServiceUnavailable || e.Error.Code != "not_accepting_reports" {
		t.Errorf("API: %d %q, want 503 not_accepting_reports", res.StatusCode, e.Error.Code)
	}
	if n := strings.Count(logged.String(), "a public report was refused"); n != 2 {
		t.Errorf("%d refusals logged, want 2", n)
	}
	if _, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", ReceivesPublic: true}); err != nil {
		t.Fatal(err)
	}
	if status, body := post(); status != http.StatusSeeOther {
		t.Errorf("once an organisation receives reports: status %d\n%s", status, body)
	}
}
