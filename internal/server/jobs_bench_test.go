package server_test

import (
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
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
	orgs := benchOrgs(tb, srv)
	gen := benchGenerator(n)
	var ids []string
	for done := 0; done < n; done += 1000 {
		items := make([]intake.BulkItem, min(1000, n-done))
		for i := range items {
			sub, at := benchReport(gen, done+i)
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

// benchOrgs creates the two organisations the generated reports go to
// (a hotline that receives public reports, a shelter) and loads the demo
// watch list, and returns the organisations' ids.
func benchOrgs(tb testing.TB, srv *server.Server) []string {
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
	return orgs
}

// benchGenerator generates n reports received over the year to
// 2026-12-01, the same for every run.
func benchGenerator(n int) *demo.Generator {
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	return demo.NewGenerator(19, n, to.AddDate(-1, 0, 0), to)
}

// benchReport is the k-th generated report: one in three names a subject.
func benchReport(gen *demo.Generator, k int) (*intake.Submission, time.Time) {
	sub, at := gen.Next()
	if k%3 == 0 {
		sub.Subjects = []intake.SubjectIn{benchSubjects[(k/3)%len(benchSubjects)]}
	}
	return sub, at
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
	return benchEnvInt(b, "VIGIL_BENCH_JOBS_REPORTS", 5000)
}

// benchEngines runs fn b.N times under a sub-benchmark for each engine
// (PostgreSQL skipped when it is not reachable).
func benchEngines(b *testing.B, fn func(b *testing.B, e store.Engine)) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			if e == store.Postgres {
				storetest.DSN(b, e) // skips when PostgreSQL is not reachable
			}
			for range b.N {
				fn(b, e)
			}
		})
	}
}

// BenchmarkJobsDrain times the server's job workers draining the follow-up
// jobs of a backlog of generated reports (see queueBacklog)
// on each engine, and reports reports/s drained. Each iteration builds a
// fresh database, so run it once: -bench JobsDrain -benchtime 1x.
func BenchmarkJobsDrain(b *testing.B) {
	n := benchReports(b)
	benchEngines(b, func(b *testing.B, e store.Engine) {
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
	})
}

// benchEnvInt is the positive integer in the environment variable name,
// or def when it is unset.
func benchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return n
}

// BenchmarkJobsKeepUp asks whether the follow-up jobs keep up with
// sustained intake on each engine, with everything `vigil serve` runs
// running (the ledger's sequencer, the job workers, the search merge, the
// trust worker, range builds). Reports arrive through the bulk path a
// spreadsheet or KoboToolbox import takes (intake.ImportInto: each report
// sealed, its statement sent to the ledger, its search row and its
// follow-up job written in the same transaction), a batch every 100 ms at
// VIGIL_BENCH_KEEPUP_RATE reports/s (1,000 when unset) for
// VIGIL_BENCH_KEEPUP_SECONDS (30). That path takes reports faster than
// the public form, whose own costs (a request, a group commit and a
// receipt a report) keep it under 1,000/s on this machine, so it asks the
// follow-up work alone whether it keeps up at that rate.
//
// Every 5 s it logs the reports whose job is not done, how long the
// oldest due one has waited and the identifiers the trust worker has
// still to weigh; at the end, the rate fed, the most reports waiting at
// any reading, how long after the last batch the last job was done, and
// how long until the trust worker had weighed every identifier marked
// (read for two minutes at most). Run it once: -bench JobsKeepUp
// -benchtime 1x.
func BenchmarkJobsKeepUp(b *testing.B) {
	rate := benchEnvInt(b, "VIGIL_BENCH_KEEPUP_RATE", 1000)
	seconds := benchEnvInt(b, "VIGIL_BENCH_KEEPUP_SECONDS", 30)
	const tick = 100 * time.Millisecond
	per := max(1, rate/10)
	benchEngines(b, func(b *testing.B, e store.Engine) {
		b.StopTimer()
		srv := servertest.New(b, servertest.Options{Engine: e, Start: true})
		ctx := context.Background()
		orgs := benchOrgs(b, srv)
		actors := make([]auth.Actor, len(orgs))
		for i, o := range orgs {
			actors[i] = auth.Actor{UserID: store.NewID(), OrgID: o, Role: auth.Coordinator}
		}
		batches := seconds * int(time.Second/tick)
		gen := benchGenerator(batches * per)
		var waiting, oldest, most int64
		var weigh, mostWeigh int
		var worstAge float64
		age := func() float64 {
			if oldest == 0 {
				return 0
			}
			return float64(store.Now()-oldest) / 1e6
		}
		// read takes the backlog's readings and keeps their worst.
		read := func() {
			qs, err := srv.DB.Read().JobQueues(ctx, store.Now())
			if err != nil {
				b.Fatal(err)
			}
			waiting, oldest = 0, 0
			for _, q := range qs {
				waiting += q.Due + q.Waiting
				if q.OldestDue != 0 && (oldest == 0 || q.OldestDue < oldest) {
					oldest = q.OldestDue
				}
			}
			most, worstAge = max(most, waiting), max(worstAge, age())
			if weigh, err = srv.DB.Read().CountPendingTrust(ctx); err != nil {
				b.Fatal(err)
			}
			mostWeigh = max(mostWeigh, weigh)
		}
		start, cpu := time.Now(), cpuTime()
		b.StartTimer()
		next, fed := start, 0
		for k := range batches {
			subs := make([]*intake.Submission, per)
			for i := range subs {
				subs[i], _ = benchReport(gen, fed+i)
			}
			a := actors[k%len(actors)]
			var ids []string
			if err := srv.DB.Tx(ctx, func(q store.Q) error {
				var err error
				ids, err = srv.Intake.ImportInto(ctx, q, a, subs, time.Now())
				return err
			}); err != nil {
				b.Fatal(err)
			}
			srv.Intake.Imported(ctx, ids)
			fed += per
			if (k+1)%50 == 0 {
				read()
				b.Logf("%s at %4.1f s: %d reports fed, %d waiting for their follow-up, the oldest due %.1f s; %d identifiers to weigh", e, time.Since(start).Seconds(), fed, waiting, age(), weigh)
			}
			next = next.Add(tick)
			time.Sleep(time.Until(next))
		}
		fedFor := time.Since(start)
		for read(); waiting > 0; read() {
			time.Sleep(50 * time.Millisecond)
		}
		b.StopTimer()
		after, cpu := time.Since(start)-fedFor, cpuTime()-cpu
		// Then the trust worker's backlog (the public check's answers),
		// read for at most two minutes more.
		for limit := time.Now().Add(2 * time.Minute); weigh > 0 && time.Now().Before(limit); read() {
			time.Sleep(100 * time.Millisecond)
		}
		weighed := time.Since(start) - fedFor
		b.ReportMetric(float64(fed)/fedFor.Seconds(), "fed/s")
		b.ReportMetric(float64(most), "max-waiting")
		b.ReportMetric(worstAge, "max-oldest-s")
		b.ReportMetric(after.Seconds(), "drained-after-s")
		b.ReportMetric(weighed.Seconds(), "weighed-after-s")
		b.Logf("%s: %d reports fed in %v (%.0f/s, %d/s asked); at most %d waiting for their follow-up at a reading, the oldest due at most %.1f s; the last done %v after the last batch; at most %d identifiers to weigh, %d left %v after the last batch; %v of this process's CPU until the jobs were done (%.2f ms a report; PostgreSQL's own not counted)",
			e, fed, fedFor.Round(time.Millisecond), float64(fed)/fedFor.Seconds(), rate, most, worstAge, after.Round(time.Millisecond), mostWeigh, weigh, weighed.Round(time.Millisecond), cpu.Round(time.Millisecond), cpu.Seconds()*1000/float64(fed))
	})
}
