package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
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
