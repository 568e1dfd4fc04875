// Package jobs runs follow-up work queued in the database (linking,
// screening, notifications and e-mail, chat drafts). Jobs are rows written in the same
// transaction as the report, so a restart loses none; a failed job is
// retried with backoff and given up after MaxAttempts.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// Handler does one kind of job for one subject: a report, or whatever the
// kind names by id (a notification to mail, a user's digest; "" for a
// periodic job).
type Handler func(ctx context.Context, reportID string) error

// MaxBackoff is the longest wait between two attempts of a job.
const MaxBackoff = time.Hour

// MaxAttempts is how often a job is tried before it is given up.
const MaxAttempts = 5

// Runner claims and runs jobs. Run is its lifetime: it returns when its
// context ends, after the job in hand finishes.
type Runner struct {
	db       *store.DB
	handlers map[string]Handler
	log      *slog.Logger
	wake     chan struct{}
	// inflight is read-held by every Once from claim to finish and
	// write-held by Drain, so Drain waits for the jobs in hand.
	inflight sync.RWMutex
	// Lease is how long a claimed job is hidden from other runners.
	Lease time.Duration
	// Observe, if set, is told each job's kind, run time and error (for
	// metrics).
	Observe func(kind string, d time.Duration, err error)
	// Attempts overrides MaxAttempts for some kinds (e-mail, which waits
	// out a mail server that is down for a day). Set before Run.
	Attempts map[string]int
	// Every queues a job of each kind once per interval (aligned to the
	// interval, so runners in several processes queue it once between
	// them); the job's subject is "". Set before Run.
	Every map[string]time.Duration
	// Now is the clock; time.Now unless a test moves it.
	Now func() time.Time
	// mu guards scheduled.
	mu sync.Mutex
	// scheduled is the last interval Every queued each kind for.
	scheduled map[string]time.Time
}

// New returns a runner for the given handlers.
func New(db *store.DB, handlers map[string]Handler, logger *slog.Logger) *Runner {
	return &Runner{db: db, handlers: handlers, log: logger, wake: make(chan struct{}, 1), Lease: 2 * time.Minute, Now: time.Now,
		scheduled: map[string]time.Time{}}
}

// Kinds lists the job kinds this runner handles, in a fixed order.
func (r *Runner) Kinds() []string {
	ks := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Notify wakes the runner; it never blocks.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run processes jobs until ctx ends, waking on Notify and every second.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if err := r.Schedule(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("jobs: schedule", "err", err)
		}
		for {
			n, err := r.Once(ctx, 32)
			if err != nil && ctx.Err() == nil {
				r.log.Error("jobs: claim", "err", err)
			}
			if n == 0 || ctx.Err() != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

// Schedule queues the periodic jobs (Every) whose interval began since
// they were last queued; a job is named by its kind and interval, so it is
// queued once whoever queues it.
func (r *Runner) Schedule(ctx context.Context) error {
	now := r.Now()
	var due []*store.Job
	r.mu.Lock()
	for kind, every := range r.Every {
		slot := now.Truncate(every)
		if r.scheduled[kind].Equal(slot) {
			continue
		}
		due = append(due, &store.Job{ID: fmt.Sprintf("every:%s:%d", kind, slot.Unix()), Kind: kind})
		r.scheduled[kind] = slot
	}
	r.mu.Unlock()
	if len(due) == 0 {
		return nil
	}
	err := r.db.Tx(ctx, func(q store.Q) error { return q.PutJobsOnce(ctx, due, now.UnixMicro()) })
	if err != nil {
		r.mu.Lock()
		for _, j := range due {
			delete(r.scheduled, j.Kind)
		}
		r.mu.Unlock()
		return fmt.Errorf("jobs: schedule: %w", err)
	}
	return nil
}

// backoff is how long to wait after a job's attempt-th failure (from 0).
func backoff(attempt int) time.Duration {
	if attempt >= 10 {
		return MaxBackoff
	}
	return min(time.Duration(1<<attempt)*5*time.Second, MaxBackoff)
}

// Once claims up to n due jobs and runs them; it returns how many it ran.
func (r *Runner) Once(ctx context.Context, n int) (int, error) {
	r.inflight.RLock()
	defer r.inflight.RUnlock()
	return r.once(ctx, n)
}

// once is Once without the in-flight hold.
func (r *Runner) once(ctx context.Context, n int) (int, error) {
	if len(r.handlers) == 0 {
		return 0, nil
	}
	now := r.Now()
	var claimed []*store.Job
	err := r.db.Tx(ctx, func(q store.Q) error {
		var err error
		claimed, err = q.ClaimJobs(ctx, r.Kinds(), n, now.UnixMicro(), now.Add(r.Lease).UnixMicro())
		return err
	})
	if err != nil {
		return 0, err
	}
	type outcome struct {
		failure string
		retry   int64
	}
	outcomes := make([]outcome, len(claimed))
	for i, j := range claimed {
		start := time.Now()
		err := r.handlers[j.Kind](ctx, j.ReportID)
		if r.Observe != nil {
			r.Observe(j.Kind, time.Since(start), err)
		}
		if err != nil {
			outcomes[i].failure = err.Error()
			limit := MaxAttempts
			if a, ok := r.Attempts[j.Kind]; ok {
				limit = a
			}
			if j.Attempts+1 < limit {
				outcomes[i].retry = r.Now().Add(backoff(j.Attempts)).UnixMicro()
			}
			r.log.Warn("jobs: failed", "kind", j.Kind, "report", j.ReportID, "attempt", j.Attempts+1, "err", err)
		}
	}
	// One transaction (one fsync) marks the whole batch.
	err = r.db.Tx(ctx, func(q store.Q) error {
		now := r.Now().UnixMicro()
		for i, j := range claimed {
			if err := q.FinishJob(ctx, j.ID, now, outcomes[i].failure, outcomes[i].retry); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: finish: %w", err)
	}
	return len(claimed), nil
}

// Drain runs jobs until none is due (for the demo loader and tests). It
// first waits for the jobs other workers of this runner have in hand and
// keeps them out while it runs, so every job due when Drain was called is
// finished when it returns.
func (r *Runner) Drain(ctx context.Context) error {
	r.inflight.Lock()
	defer r.inflight.Unlock()
	for {
		n, err := r.once(ctx, 64)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}
