package server_test

import (
	"context"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// jobsState is what the linking and screening jobs left, with reports
// named by their position in the backlog (ids differ between databases).
type jobsState struct {
	idents   []store.Identifier
	clusters []int      // position → position of its cluster's report
	refs     [][]string // position → its identifiers, with their roles
	hits     [][]string // position → its screening hits
}

func stateOf(t *testing.T, srv *server.Server, ids []string) jobsState {
	t.Helper()
	ctx := context.Background()
	q := srv.DB.Read()
	idents, err := q.AllIdentifiers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var st jobsState
	for _, i := range idents {
		i.Sealed = nil // sealed with a fresh nonce each time
		st.idents = append(st.idents, *i)
	}
	slices.SortFunc(st.idents, func(a, b store.Identifier) int { return strings.Compare(a.ID, b.ID) })
	pos := map[string]int{}
	for p, id := range ids {
		pos[id] = p
	}
	clusters, err := q.AllClusters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	links, err := q.GetReportLinks(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	hits, err := q.ScreeningHitsByReport(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	st.clusters = make([]int, len(ids))
	st.refs = make([][]string, len(ids))
	st.hits = make([][]string, len(ids))
	for p, id := range ids {
		c, ok := pos[clusters[id]]
		if !ok {
			t.Fatalf("report %d is in cluster %q, not a report of the backlog", p, clusters[id])
		}
		st.clusters[p] = c
		for _, r := range links[id].Identifiers {
			st.refs[p] = append(st.refs[p], r.IdentifierID+" "+r.Role)
		}
	}
	for _, h := range hits {
		st.hits[pos[h.ReportID]] = append(st.hits[pos[h.ReportID]], strings.Join([]string{h.Subject, h.List, h.EntryID, h.Status, h.Why}, "|"))
	}
	return st
}

// TestBatchJobsEqualPerReport: the follow-up jobs of a backlog (linking
// and screening) done in batches (the server's runner) leave the same link index —
// identifiers with their aggregates and sides, each report's identifiers,
// clusters — and the same screening hits as the same jobs done one report
// at a time, on both engines; a report that cannot be read fails alone,
// and its batch is done.
func TestBatchJobsEqualPerReport(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			if e == store.Postgres {
				storetest.DSN(t, e) // skips when PostgreSQL is not reachable
			}
			ctx := context.Background()
			// One data directory, so both servers seal and blind-index
			// with the same master key.
			dir := t.TempDir()
			same := func(c *config.Config) { c.DataDir = dir }
			one := servertest.New(t, servertest.Options{Engine: e, Config: same})
			batch := servertest.New(t, servertest.Options{Engine: e, Config: same})
			oneIDs := queueBacklog(t, one, 600)
			batchIDs := queueBacklog(t, batch, 600)

			// One at a time: the handlers the runner had before batches.
			perReport := jobs.New(one.DB, map[string]jobs.Handler{
				server.JobFollowUp: func(ctx context.Context, id string) error {
					if err := one.Links.Process(ctx, id); err != nil {
						return err
					}
					r, err := one.DB.Read().GetReport(ctx, id)
					if err != nil {
						return err
					}
					_, err = one.Screen.ScreenReport(ctx, id, r.Subjects)
					return err
				},
			}, slog.New(slog.DiscardHandler))
			if err := perReport.Drain(ctx); err != nil {
				t.Fatal(err)
			}

			// In batches, with a job for a report that is not there among
			// them.
			if err := batch.DB.Tx(ctx, func(q store.Q) error {
				return q.PutJobs(ctx, []*store.Job{{ID: store.NewID(), Kind: server.JobFollowUp, ReportID: "no-such-report"},
					{ID: store.NewID(), Kind: server.JobLinks, ReportID: "no-such-report"},
					{ID: store.NewID(), Kind: server.JobScreen, ReportID: "no-such-report"}}, store.Now())
			}); err != nil {
				t.Fatal(err)
			}
			var mu sync.Mutex
			failed := map[string]int{}
			observe := batch.Jobs.Observe
			batch.Jobs.Observe = func(kind string, d time.Duration, err error) {
				if err != nil {
					mu.Lock()
					failed[kind]++
					mu.Unlock()
				}
				observe(kind, d, err)
			}
			if err := batch.Jobs.Drain(ctx); err != nil {
				t.Fatal(err)
			}
			// The follow-up job of intake and, as an older version
			// queued them, a linking and a screening job alone.
			if want := map[string]int{server.JobFollowUp: 1, server.JobLinks: 1, server.JobScreen: 1}; !maps.Equal(failed, want) {
				t.Errorf("failed jobs by kind: %v, want %v (the missing report's, alone)", failed, want)
			}
			if n := pendingJobs(t, batch.DB); n != 3 {
				t.Errorf("%d jobs pending after the drain, want the missing report's 3 waiting for their retry", n)
			}

			got, want := stateOf(t, batch, batchIDs), stateOf(t, one, oneIDs)
			withHits := 0
			for _, h := range want.hits {
				if len(h) > 0 {
					withHits++
				}
			}
			if len(want.idents) < 100 || withHits == 0 {
				t.Fatalf("the backlog made %d identifiers and %d reports with hits: too few to compare", len(want.idents), withHits)
			}
			if !slices.EqualFunc(got.idents, want.idents, func(a, b store.Identifier) bool {
				return a.ID == b.ID && a.Kind == b.Kind && a.Side == b.Side && a.ReportCount == b.ReportCount && a.OrgCount == b.OrgCount &&
					a.FirstSeen == b.FirstSeen && a.LastSeen == b.LastSeen && slices.Equal(a.Categories, b.Categories) && a.Staff == b.Staff
			}) {
				for k := range min(len(got.idents), len(want.idents)) {
					if g, w := got.idents[k], want.idents[k]; g.ID != w.ID || g.ReportCount != w.ReportCount || g.OrgCount != w.OrgCount || g.Side != w.Side {
						t.Errorf("identifier %d: batch %+v, one at a time %+v", k, g, w)
						break
					}
				}
				t.Fatalf("batch: %d identifiers, one at a time: %d, or their aggregates differ", len(got.idents), len(want.idents))
			}
			clusters := map[int]bool{}
			for p := range batchIDs {
				clusters[want.clusters[p]] = true
				if got.clusters[p] != want.clusters[p] {
					t.Errorf("report %d: cluster of report %d in batches, of %d one at a time", p, got.clusters[p], want.clusters[p])
				}
				if !slices.Equal(got.refs[p], want.refs[p]) {
					t.Errorf("report %d: identifiers %v in batches, %v one at a time", p, got.refs[p], want.refs[p])
				}
				if !slices.Equal(got.hits[p], want.hits[p]) {
					t.Errorf("report %d: hits %v in batches, %v one at a time", p, got.hits[p], want.hits[p])
				}
			}
			if len(clusters) > len(batchIDs)/2 {
				t.Errorf("%d clusters for %d reports: the backlog's reports hardly link, the comparison proves little", len(clusters), len(batchIDs))
			}
		})
	}
}

// TestMetricsJobBacklog: /metrics shows the backlog of linking and
// screening jobs by kind — how many are due and how long the oldest has
// waited — and both fall to 0 once the jobs are done.
func TestMetricsJobBacklog(t *testing.T) {
	ctx := context.Background()
	token := strings.Repeat("m", 32)
	srv := servertest.New(t, servertest.Options{Config: func(c *config.Config) { c.MetricsToken = token }})
	queueBacklog(t, srv, 40)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	scrape := func() string {
		t.Helper()
		req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET /metrics: %s %s", res.Status, b)
		}
		return string(b)
	}
	age := func(body, kind string) float64 {
		t.Helper()
		m := regexp.MustCompile(`(?m)^vigil_jobs_oldest_due_seconds\{kind="` + kind + `"\} (\S+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("/metrics lacks vigil_jobs_oldest_due_seconds for %s", kind)
		}
		v, err := strconv.ParseFloat(m[1], 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	time.Sleep(50 * time.Millisecond)
	body := scrape()
	for _, kind := range srv.Intake.FollowUps {
		for _, want := range []string{
			`(?m)^vigil_jobs\{kind="` + kind + `",state="due"\} 40$`,
			`(?m)^vigil_jobs\{kind="` + kind + `",state="waiting"\} 0$`,
		} {
			if !regexp.MustCompile(want).MatchString(body) {
				t.Errorf("with a backlog, /metrics lacks %s", want)
			}
		}
		if a := age(body, kind); a < 0.05 || a > 60 {
			t.Errorf("oldest %s job due for %gs, want at least the 0.05s slept", kind, a)
		}
	}
	if err := srv.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	body = scrape()
	for _, kind := range srv.Intake.FollowUps {
		if want := `(?m)^vigil_jobs\{kind="` + kind + `",state="due"\} 0$`; !regexp.MustCompile(want).MatchString(body) {
			t.Errorf("after the drain, /metrics lacks %s", want)
		}
		if a := age(body, kind); a != 0 {
			t.Errorf("after the drain, oldest %s job due for %gs, want 0", kind, a)
		}
	}
}
