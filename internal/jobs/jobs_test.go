package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestDrainWaitsForJobsInHand: a job a background worker claimed before
// Drain was called is finished when Drain returns (CI once saw Drain
// return while Run still held the fifth report's linking job).
func TestDrainWaitsForJobsInHand(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		entered, release := make(chan string, 2), make(chan struct{})
		done := map[string]bool{}
		r := jobs.New(db, map[string]jobs.Handler{
			"slow": func(_ context.Context, id string) error {
				entered <- id
				<-release
				done[id] = true // only the holder of the job writes; Drain reads after it
				return nil
			},
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: "j1", Kind: "slow", ReportID: "r1"}}, time.Now().UnixMicro())
		}); err != nil {
			t.Fatal(err)
		}
		go r.Run(ctx)
		if id := <-entered; id != "r1" {
			t.Fatalf("worker took %s", id)
		}
		drained := make(chan error, 1)
		go func() { drained <- r.Drain(ctx) }()
		select {
		case err := <-drained:
			t.Fatalf("Drain returned (%v) while a worker held a job", err)
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		if err := <-drained; err != nil {
			t.Fatal(err)
		}
		if !done["r1"] {
			t.Error("Drain returned before the job in hand finished")
		}
	})
}

// TestIdleRoundTakesNoWrite: a round with no due job asks with a read and
// takes no write transaction, so on SQLite it does not wait for the one
// writer while another transaction holds it; a due job is still claimed
// and run once the writer is free.
func TestIdleRoundTakesNoWrite(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ran := 0
		r := jobs.New(db, map[string]jobs.Handler{
			"work": func(context.Context, string) error { ran++; return nil },
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		// A job not due for an hour: not found by the read either.
		later := time.Now().Add(time.Hour).UnixMicro()
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: "later", Kind: "work", ReportID: "r0"}}, later)
		}); err != nil {
			t.Fatal(err)
		}
		held, release := make(chan struct{}), make(chan struct{})
		holder := make(chan error, 1)
		go func() {
			holder <- db.Tx(ctx, func(store.Q) error {
				close(held)
				<-release
				return nil
			})
		}()
		<-held
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := r.Drain(dctx)
		cancel()
		close(release)
		if herr := <-holder; herr != nil {
			t.Fatal(herr)
		}
		if err != nil {
			t.Fatalf("a round with nothing due, while another transaction held the writer: %v", err)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: "now", Kind: "work", ReportID: "r1"}}, time.Now().UnixMicro())
		}); err != nil {
			t.Fatal(err)
		}
		if err := r.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if ran != 1 {
			t.Errorf("%d jobs ran, want the one due", ran)
		}
	})
}

// TestEveryAndAttempts: a periodic job is queued once per interval even
// by two runners on one database, and again in the next interval; a kind
// with its own attempt limit is retried past MaxAttempts with backoff
// capped at MaxBackoff.
func TestEveryAndAttempts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 10, 3, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		var swept, failed int
		handlers := map[string]jobs.Handler{
			"sweep": func(context.Context, string) error { swept++; return nil },
			"flaky": func(context.Context, string) error { failed++; return errors.New("server down") },
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		a, b := jobs.New(db, handlers, log), jobs.New(db, handlers, log)
		for _, r := range []*jobs.Runner{a, b} {
			r.Now = clock
			r.Every = map[string]time.Duration{"sweep": 10 * time.Minute}
			r.Attempts = map[string]int{"flaky": 12}
		}
		run := func() {
			t.Helper()
			for _, r := range []*jobs.Runner{a, b} {
				if err := r.Schedule(ctx); err != nil {
					t.Fatal(err)
				}
				if _, err := r.Once(ctx, 10); err != nil {
					t.Fatal(err)
				}
			}
		}
		run()
		run()
		if swept != 1 {
			t.Errorf("swept %d times in one interval by two runners, want 1", swept)
		}
		now = now.Add(10 * time.Minute)
		run()
		if swept != 2 {
			t.Errorf("swept %d times after the next interval began, want 2", swept)
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: "f1", Kind: "flaky", ReportID: "x"}}, now.UnixMicro())
		}); err != nil {
			t.Fatal(err)
		}
		// Past MaxAttempts (5) it is still retried; each wait at most an hour.
		for range 11 {
			if _, err := a.Once(ctx, 10); err != nil {
				t.Fatal(err)
			}
			now = now.Add(jobs.MaxBackoff)
		}
		if failed != 11 {
			t.Errorf("tried %d times, want 11", failed)
		}
		// The twelfth is the last.
		for range 3 {
			if _, err := a.Once(ctx, 10); err != nil {
				t.Fatal(err)
			}
			now = now.Add(jobs.MaxBackoff)
		}
		if failed != 12 {
			t.Errorf("tried %d times, want 12 and then given up", failed)
		}
	})
}

// TestBatch: a batch kind's claimed jobs go to its handler in one call,
// each subject once and in the order queued; a subject it reports failed
// is retried alone after its backoff while the others are done.
func TestBatch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		var calls [][]string
		var single []string
		r := jobs.New(db, map[string]jobs.Handler{
			"one": func(_ context.Context, id string) error { single = append(single, id); return nil },
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		r.Batch = map[string]jobs.BatchHandler{
			"many": func(_ context.Context, ids []string) map[string]error {
				calls = append(calls, ids)
				if slices.Contains(ids, "r3") {
					return map[string]error{"r3": errors.New("unreadable")}
				}
				return nil
			},
		}
		r.Now = func() time.Time { return now }
		if got := r.Kinds(); !slices.Equal(got, []string{"many", "one"}) {
			t.Errorf("kinds %v, want many and one", got)
		}
		var queued []*store.Job
		for i, id := range []string{"r1", "r2", "r3", "r2", "r4"} {
			queued = append(queued, &store.Job{ID: fmt.Sprintf("j%d", i), Kind: "many", ReportID: id})
		}
		queued = append(queued, &store.Job{ID: "j9", Kind: "one", ReportID: "s1"})
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutJobs(ctx, queued, now.UnixMicro()) }); err != nil {
			t.Fatal(err)
		}
		if n, err := r.Once(ctx, 100); err != nil || n != 6 {
			t.Fatalf("Once = %d, %v; want 6 jobs run", n, err)
		}
		if len(calls) != 1 || !slices.Equal(calls[0], []string{"r1", "r2", "r3", "r4"}) {
			t.Fatalf("batch calls %v, want one with r1 r2 r3 r4", calls)
		}
		if !slices.Equal(single, []string{"s1"}) {
			t.Errorf("single-subject handler ran for %v, want s1", single)
		}
		if n, err := r.Once(ctx, 100); err != nil || n != 0 {
			t.Fatalf("Once before the backoff = %d, %v; want nothing due", n, err)
		}
		now = now.Add(time.Minute)
		if n, err := r.Once(ctx, 100); err != nil || n != 1 {
			t.Fatalf("Once after the backoff = %d, %v; want the failed job alone", n, err)
		}
		if len(calls) != 2 || !slices.Equal(calls[1], []string{"r3"}) {
			t.Errorf("batch calls %v, want the second with r3 alone", calls)
		}
	})
}

// TestApartKindsHoldNoWorker: while every job of an Apart kind hangs (a
// webhook endpoint that never answers), Run's workers still do the other
// kinds at once; RunApart does the Apart kind, a few at a time.
func TestApartKindsHoldNoWorker(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		release := make(chan struct{})
		hanging := make(chan string, 100)
		linked := make(chan string, 10)
		r := jobs.New(db, map[string]jobs.Handler{
			"deliver": func(ctx context.Context, id string) error {
				hanging <- id
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil
			},
		}, slog.New(slog.NewTextHandler(io.Discard, nil)))
		r.Batch = map[string]jobs.BatchHandler{"links": func(_ context.Context, ids []string) map[string]error {
			for _, id := range ids {
				linked <- id
			}
			return nil
		}}
		r.Apart, r.ApartClaim = []string{"deliver"}, 2
		var js []*store.Job
		for i := range 20 {
			js = append(js, &store.Job{ID: fmt.Sprintf("d%02d", i), Kind: "deliver", ReportID: fmt.Sprintf("delivery-%d", i)})
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutJobs(ctx, js, time.Now().UnixMicro()) }); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			go r.Run(ctx)
			go r.RunApart(ctx)
		}
		// Both apart workers are held by hanging deliveries…
		for range 2 {
			select {
			case <-hanging:
			case <-time.After(5 * time.Second):
				t.Fatal("RunApart took no delivery")
			}
		}
		// …and a linking job queued now is done at once.
		start := time.Now()
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.PutJobs(ctx, []*store.Job{{ID: "l1", Kind: "links", ReportID: "report-1"}}, time.Now().UnixMicro())
		}); err != nil {
			t.Fatal(err)
		}
		r.Notify()
		select {
		case id := <-linked:
			if id != "report-1" {
				t.Errorf("linked %s", id)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("linking waited %v behind hanging deliveries", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("the linking job waited behind hanging deliveries")
		}
		if n := len(hanging); n > 2 {
			t.Errorf("%d more deliveries taken while the apart workers were held (each claims 2)", n)
		}
		close(release)
	})
}

// TestPruneInBatches: Prune works through more finished jobs than one
// batch holds, and leaves the recent ones.
func TestPruneInBatches(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
		put := func(prefix string, n int, at time.Time) {
			t.Helper()
			js := make([]*store.Job, n)
			outs := make([]store.JobOutcome, n)
			for i := range js {
				js[i] = &store.Job{ID: fmt.Sprintf("%s-%05d", prefix, i), Kind: "k", ReportID: "r"}
				outs[i].ID = js[i].ID
			}
			if err := db.Tx(ctx, func(q store.Q) error {
				if err := q.PutJobs(ctx, js, at.UnixMicro()); err != nil {
					return err
				}
				return q.FinishJobs(ctx, outs, at.UnixMicro())
			}); err != nil {
				t.Fatal(err)
			}
		}
		put("old", 2500, now.Add(-8*24*time.Hour))
		put("new", 10, now.Add(-time.Hour))
		n, err := jobs.Prune(ctx, db, now.Add(-jobs.Keep))
		if err != nil {
			t.Fatal(err)
		}
		if n != 2500 {
			t.Errorf("pruned %d, want the 2,500 finished more than a week ago", n)
		}
		if n, err := jobs.Prune(ctx, db, now.Add(-time.Minute)); err != nil || n != 10 {
			t.Errorf("pruning up to a minute ago deleted %d (%v), want the 10 recent ones", n, err)
		}
	})
}
