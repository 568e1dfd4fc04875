package server_test

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// benchSubjects are the companies and people some generated reports name
// as subjects, so screening has work: a few on the demo watch list, most
// not.
var benchSubjects = []intake.SubjectIn{
	{Name: "Prince Holding Group", Type: "company"},
	{Name: "Golden Fortune Recruitment Co., Ltd.", Type: "company"},
	{Name: "Chen Zhi", Type: "person"},
	{Name: "Lucky Star Manpower", Type: "company"},
	{Name: "Wang Wei", Type: "person"},
}

// queueBacklog stores n generated reports (one in three naming a subject)
// in bulk on srv, as the demo loader does, and queues each one's follow-up
// jobs (linking, screening, announcing it to webhooks) as intake does for a
// report it takes. It returns the
// reports' ids in the order queued.
func queueBacklog(tb testing.TB, srv *server.Server, n int) []string {
	tb.Helper()
	ctx := context.Background()
	var orgs []string
	for _, o := range []staff.OrgIn{
		{Name: "Hotline", Kind: "hotline", Country: "KH", ReceivesPublic: true},
		{Name: "Shelter", Kind: "ngo", Country: "TH"},
	} {
		v, err := srv.Staff.CreateOrg(ctx, staff.System, &o)
		if err != nil {
			tb.Fatal(err)
		}
		orgs = append(orgs, v.ID)
	}
	if _, err := srv.Screen.LoadDemo(ctx); err != nil {
		tb.Fatal(err)
	}
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	gen := demo.NewGenerator(19, n, to.AddDate(-1, 0, 0), to)
	var ids []string
	for done := 0; done < n; done += 1000 {
		items := make([]intake.BulkItem, min(1000, n-done))
		for i := range items {
			sub, at := gen.Next()
			if k := done + i; k%3 == 0 {
				sub.Subjects = []intake.SubjectIn{benchSubjects[(k/3)%len(benchSubjects)]}
			}
			items[i] = intake.BulkItem{OrgID: orgs[(done+i)%len(orgs)], At: at, Sub: sub}
		}
		got, err := srv.Intake.SubmitBulk(ctx, items)
		if err != nil {
			tb.Fatal(err)
		}
		jobs := make([]*store.Job, 0, len(srv.Intake.FollowUps)*len(got))
		for _, id := range got {
			for _, k := range srv.Intake.FollowUps {
				jobs = append(jobs, &store.Job{ID: store.NewID(), Kind: k, ReportID: id})
			}
		}
		if err := srv.DB.Tx(ctx, func(q store.Q) error { return q.PutJobs(ctx, jobs, store.Now()) }); err != nil {
			tb.Fatal(err)
		}
		ids = append(ids, got...)
	}
	return ids
}

// pendingJobs counts the jobs not yet done.
func pendingJobs(tb testing.TB, db *store.DB) int64 {
	tb.Helper()
	qs, err := db.Read().JobQueues(context.Background(), store.Now())
	if err != nil {
		tb.Fatal(err)
	}
	var n int64
	for _, q := range qs {
		n += q.Due + q.Waiting
	}
	return n
}

// benchReports is how many reports BenchmarkJobsDrain queues
// (VIGIL_BENCH_JOBS_REPORTS, 5,000 when unset).
func benchReports(b *testing.B) int {
	if s := os.Getenv("VIGIL_BENCH_JOBS_REPORTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("VIGIL_BENCH_JOBS_REPORTS=%q: want a positive count", s)
		}
		return n
	}
	return 5000
}

// BenchmarkJobsDrain times the server's job workers draining the follow-up
// jobs of a backlog of generated reports (see queueBacklog)
// on each engine, and reports reports/s drained. Each iteration builds a
// fresh database, so run it once: -bench JobsDrain -benchtime 1x.
func BenchmarkJobsDrain(b *testing.B) {
	n := benchReports(b)
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			if e == store.Postgres {
				storetest.DSN(b, e) // skips when PostgreSQL is not reachable
			}
			for range b.N {
				b.StopTimer()
				srv := servertest.New(b, servertest.Options{Engine: e, Start: true, NoJobs: true})
				queueBacklog(b, srv, n)
				// The ledger's sequencer has the bulk's entries: let it
				// finish, so the workers are timed alone.
				for {
					p, err := srv.DB.Read().CountPendingLedgerEntries(context.Background())
					if err != nil {
						b.Fatal(err)
					}
					if p == 0 {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				var failed atomic.Int64
				observe := srv.Jobs.Observe
				srv.Jobs.Observe = func(kind string, d time.Duration, err error) {
					if err != nil {
						failed.Add(1)
					}
					observe(kind, d, err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				start, cpu := time.Now(), cpuTime()
				b.StartTimer()
				done := make(chan struct{})
				for range server.JobWorkers {
					go func() {
						defer func() { done <- struct{}{} }()
						srv.Jobs.Run(ctx)
					}()
				}
				for pendingJobs(b, srv.DB) > 0 {
					time.Sleep(200 * time.Millisecond)
				}
				b.StopTimer()
				took, cpu := time.Since(start), cpuTime()-cpu
				cancel()
				for range server.JobWorkers {
					<-done
				}
				b.ReportMetric(float64(n)/took.Seconds(), "reports/s")
				b.ReportMetric(cpu.Seconds()*1000/float64(n), "cpu-ms/report")
				b.Logf("%s: %d reports' follow-up jobs drained in %v (%.0f reports/s), %v of this process's CPU (%.2f ms a report; PostgreSQL's own not counted)",
					e, n, took.Round(time.Millisecond), float64(n)/took.Seconds(), cpu.Round(time.Millisecond), cpu.Seconds()*1000/float64(n))
				if failed.Load() > 0 {
					b.Fatalf("%d jobs failed", failed.Load())
				}
			}
		})
	}
}
