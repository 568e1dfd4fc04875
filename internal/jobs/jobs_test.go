package jobs_test

import (
	"context"
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
