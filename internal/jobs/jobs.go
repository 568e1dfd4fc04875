// Package jobs runs follow-up work queued in the database (linking,
// screening, notifications and e-mail, chat drafts). Jobs are rows written in the same
// transaction as the report, so a restart loses none; a failed job is
// retried with backoff and given up after MaxAttempts.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// Handler does one kind of job for one subject: a report, or whatever the
// kind names by id (a notification to mail, a user's digest; "" for a
// periodic job).
type Handler func(ctx context.Context, reportID string) error

// BatchHandler does one kind of job for many subjects at once, in as few
// transactions as it can (linking and screening a batch of reports). It
// returns the subjects that failed, each with its error; every subject
// not in the map succeeded. A subject's failure must not fail the others:
// the runner retries each failed subject alone, with its own backoff, as
// it does a Handler's.
type BatchHandler func(ctx context.Context, ids []string) (failed map[string]error)

// FailAll is a BatchHandler's answer when every subject failed with err
// (the batch's reports could not be read, say).
func FailAll(ids []string, err error) map[string]error {
	failed := make(map[string]error, len(ids))
	for _, id := range ids {
		failed[id] = err
	}
	return failed
}

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
	// Batch does some kinds a claim's worth at a time (see BatchHandler);
	// a kind here needs no Handler. Set before Run.
	Batch map[string]BatchHandler
	// Claim is how many due jobs one round claims (and a batch handler
	// gets at most); DefaultClaim when 0. Set before Run.
	Claim int
	// Every queues a job of each kind once per interval (aligned to the
	// interval, so runners in several processes queue it once between
	// them); the job's subject is "". Set before Run.
	Every map[string]time.Duration
	// Apart lists kinds that Run leaves to RunApart's workers: jobs that
	// wait on the world outside (a webhook endpoint that does not answer)
	// then hold none of the workers that link and screen. Once and Drain
	// run them too. Set before Run.
	Apart []string
	// ApartClaim is how many jobs a RunApart round claims; DefaultApartClaim
	// when 0. Few, so that a round of slow jobs ends well within Lease.
	ApartClaim int
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

// DefaultClaim is how many due jobs a round claims when Runner.Claim is 0.
const DefaultClaim = 32

// DefaultApartClaim is how many due jobs a RunApart round claims when
// Runner.ApartClaim is 0.
const DefaultApartClaim = 4

// Kinds lists the job kinds this runner handles, in a fixed order.
func (r *Runner) Kinds() []string {
	ks := make([]string, 0, len(r.handlers)+len(r.Batch))
	for k := range r.handlers {
		ks = append(ks, k)
	}
	for k := range r.Batch {
		if _, ok := r.handlers[k]; !ok {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// claim is how many jobs a round claims.
func (r *Runner) claim() int {
	if r.Claim > 0 {
		return r.Claim
	}
	return DefaultClaim
}

// Notify wakes the runner; it never blocks.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run processes jobs, but those of the Apart kinds, until ctx ends, waking
// on Notify and every second.
func (r *Runner) Run(ctx context.Context) {
	var kinds []string
	for _, k := range r.Kinds() {
		if !slices.Contains(r.Apart, k) {
			kinds = append(kinds, k)
		}
	}
	r.run(ctx, kinds, r.claim(), true)
}

// RunApart processes the jobs of the Apart kinds until ctx ends, every
// second (a job of theirs queued by another is due within a second).
func (r *Runner) RunApart(ctx context.Context) {
	var kinds []string
	for _, k := range r.Kinds() {
		if slices.Contains(r.Apart, k) {
			kinds = append(kinds, k)
		}
	}
	n := r.ApartClaim
	if n <= 0 {
		n = DefaultApartClaim
	}
	r.run(ctx, kinds, n, false)
}

// run claims up to claim jobs of kinds at a time until none is due, then
// waits for the next second (or, with wake, a Notify), until ctx ends.
func (r *Runner) run(ctx context.Context, kinds []string, claim int, wake bool) {
	if len(kinds) == 0 {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var woken <-chan struct{}
	if wake {
		woken = r.wake
	}
	for {
		if err := r.Schedule(ctx); err != nil && ctx.Err() == nil {
			r.log.Error("jobs: schedule", "err", err)
		}
		for {
			r.inflight.RLock()
			n, err := r.once(ctx, kinds, claim)
			r.inflight.RUnlock()
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
		case <-woken:
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

// JobPrune is the periodic job that deletes jobs finished more than Keep
// ago (Prune); the server queues it every PruneEvery.
const JobPrune = "jobs.prune"

// Keep is how long a finished job's row stays, for whoever looks into
// what ran when; a row a report would otherwise stay for ever.
const Keep = 7 * 24 * time.Hour

// PruneEvery is how often JobPrune runs.
const PruneEvery = 10 * time.Minute

// pruneBatch is how many rows one of Prune's transactions deletes: each
// holds SQLite's one writer briefly, so intake waits little.
const pruneBatch = 1000

// pruneRounds bounds one Prune: a backlog larger than pruneRounds ×
// pruneBatch (the first run after an upgrade, say) is worked off over
// several runs rather than holding a job worker for long.
const pruneRounds = 100

// Prune deletes the jobs that succeeded before before, pruneBatch at a
// time, at most pruneRounds batches, and returns how many it deleted.
// Jobs given up and jobs not done are kept. A deletion is derived data
// (store.DB.DerivedTx): one lost in a power cut is done again next time.
func Prune(ctx context.Context, db *store.DB, before time.Time) (int64, error) {
	var total int64
	for range pruneRounds {
		var n int64
		err := db.DerivedTx(ctx, func(q store.Q) error {
			var err error
			n, err = q.PruneJobs(ctx, before.UnixMicro(), pruneBatch)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("jobs: prune: %w", err)
		}
		total += n
		if n < pruneBatch || ctx.Err() != nil {
			break
		}
	}
	return total, nil
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
	return r.once(ctx, r.Kinds(), n)
}

// once is Once of kinds without the in-flight hold.
func (r *Runner) once(ctx context.Context, kinds []string, n int) (int, error) {
	if len(kinds) == 0 {
		return 0, nil
	}
	now := r.Now()
	// A round that finds nothing is the last of every burst of work, and
	// the workers are woken after every commit of new reports: asked by a
	// read, such a round costs no write transaction. On SQLite it would
	// otherwise wait for a turn of the one writer, behind a search merge
	// or a linking batch, to claim nothing. If the read fails, the claim
	// decides.
	if due, err := r.db.Read().AnyDueJobs(ctx, kinds, now.UnixMicro()); err == nil && !due {
		return 0, nil
	}
	var claimed []*store.Job
	err := r.db.DerivedTx(ctx, func(q store.Q) error {
		var err error
		claimed, err = q.ClaimJobs(ctx, kinds, n, now.UnixMicro(), now.Add(r.Lease).UnixMicro())
		return err
	})
	if err != nil || len(claimed) == 0 {
		return 0, err
	}
	errs := make([]error, len(claimed))
	// The kinds done in batches: each kind's subjects (each once) in one
	// call, in the order claimed.
	batches := map[string][]int{}
	var order []string
	for i, j := range claimed {
		if _, ok := r.Batch[j.Kind]; ok {
			if batches[j.Kind] == nil {
				order = append(order, j.Kind)
			}
			batches[j.Kind] = append(batches[j.Kind], i)
		}
	}
	for _, kind := range order {
		idx := batches[kind]
		var ids []string
		seen := map[string]bool{}
		for _, i := range idx {
			if id := claimed[i].ReportID; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		start := time.Now()
		failed := r.Batch[kind](ctx, ids)
		// Each job is observed with its share of the batch's time.
		each := time.Since(start) / time.Duration(len(idx))
		for _, i := range idx {
			errs[i] = failed[claimed[i].ReportID]
			if r.Observe != nil {
				r.Observe(kind, each, errs[i])
			}
		}
	}
	for i, j := range claimed {
		if _, ok := r.Batch[j.Kind]; ok {
			continue
		}
		start := time.Now()
		errs[i] = r.handlers[j.Kind](ctx, j.ReportID)
		if r.Observe != nil {
			r.Observe(j.Kind, time.Since(start), errs[i])
		}
	}
	outcomes := make([]store.JobOutcome, len(claimed))
	for i, j := range claimed {
		outcomes[i].ID = j.ID
		if err := errs[i]; err != nil {
			outcomes[i].Failure = err.Error()
			limit := MaxAttempts
			if a, ok := r.Attempts[j.Kind]; ok {
				limit = a
			}
			if j.Attempts+1 < limit {
				outcomes[i].RetryAt = r.Now().Add(backoff(j.Attempts)).UnixMicro()
			}
			r.log.Warn("jobs: failed", "kind", j.Kind, "report", j.ReportID, "attempt", j.Attempts+1, "err", err)
		}
	}
	// One transaction and two statements mark the whole batch. A lease and
	// an outcome are derived data (store.DB.DerivedTx): lost in a power
	// cut, the jobs run again.
	err = r.db.DerivedTx(ctx, func(q store.Q) error { return q.FinishJobs(ctx, outcomes, r.Now().UnixMicro()) })
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
		n, err := r.once(ctx, r.Kinds(), max(64, r.claim()))
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}
