package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// loadReports inserts n reports straight into the store, in batches of
// 1,000 (PutIntake: one multi-row INSERT per table), for the page
// benchmarks. Every tenth has someone still held.
func loadReports(b *testing.B, e *env, n int) {
	b.Helper()
	ctx := context.Background()
	org := e.demo.Orgs["hotline"]
	langs := []string{"en", "zh", "km", "th", "vi"}
	places := []string{"Sihanoukville", "西港", "Bavet", "Poipet", "ปอยเปต", "Myawaddy", "KK Park", "ក្រុងព្រះសីហនុ"}
	types := []string{"deceptive_recruitment", "confinement", "forced_criminality", "extortion_ransom"}
	nats := []string{"KH", "CN", "TH", "VN", "ID"}
	start := time.Now().Add(-365 * 24 * time.Hour).UnixMicro()
	for done := 0; done < n; {
		var batch []*store.Intake
		for j := 0; j < 1000 && done < n; j, done = j+1, done+1 {
			at := start + int64(done)*300_000_000
			r := &store.Report{ID: store.NewID(), OrgID: org, TrackingCode: fmt.Sprintf("VG-BENCH-%08d", done), SecretHash: []byte("x"),
				Channel: "web", Language: langs[done%5], IncidentTypes: []string{types[done%4], types[(done+1)%4]},
				Victims: []store.Victim{{Nationality: nats[done%5], AgeBand: "18_25", StillHeld: done%10 == 0}},
				Places:  []store.PlaceRef{{Name: places[done%len(places)]}}, Urgent: done%10 == 0, Status: "received",
				ReceivedAt: at, UpdatedAt: at}
			batch = append(batch, &store.Intake{Report: r, DataKey: []byte("bench")})
		}
		if err := e.srv.DB.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, batch) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPages measures the server time of each staff page for a
// signed-in coordinator, with 100,000 reports loaded once for all of them,
// on SQLite (or PostgreSQL with VIGIL_BENCH_ENGINE=postgres):
//
//	go test ./internal/web -run '^$' -bench Pages -benchtime 20x
func BenchmarkPages(b *testing.B) {
	engine := store.SQLite
	if os.Getenv("VIGIL_BENCH_ENGINE") == "postgres" {
		engine = store.Postgres
	}
	e := newEnvOn(b, engine)
	t0 := time.Now()
	loadReports(b, e, 100_000)
	b.Logf("loaded 100,000 reports in %v", time.Since(t0).Round(time.Millisecond))
	c := e.login(b, "coordinator@hotline.demo")
	u, _ := http.NewRequest("GET", e.ts.URL, nil)
	cookies := c.Jar.Cookies(u.URL)
	h := e.srv.Handler()
	get := func(b *testing.B, p string) {
		req := httptest.NewRequest("GET", p, nil)
		for _, ck := range cookies {
			req.AddCookie(ck)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: status %d", p, rec.Code)
		}
	}
	for _, bc := range []struct{ name, path string }{
		{"TriagePage", "/app/triage"},
		{"TriagePageUrgentOnly", "/app/triage?urgent=1"},
		{"TriagePageRareFilter", "/app/triage?language=km&incident_type=confinement&urgent=1"},
		{"TriagePageIncidentType", "/app/triage?incident_type=forced_criminality"},
		{"TriagePageIncidentTypeUrgentOnly", "/app/triage?incident_type=forced_criminality&urgent=1"},
		{"TriagePageAbsentIncidentType", "/app/triage?incident_type=violence"},
		{"CasePage", "/app/cases/" + e.demo.Cases["golden"]},
		{"CaseListPage", "/app/cases"},
		{"StatsPage", "/app/stats"},
		{"MapPage", "/app/map"},
		{"ReportPublicForm", "/report"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			t1 := time.Now()
			get(b, bc.path) // the first request computes the statistics cache
			b.Logf("first request %v", time.Since(t1).Round(time.Microsecond))
			for b.Loop() {
				get(b, bc.path)
			}
		})
	}
}
