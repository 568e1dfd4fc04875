package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Job is a queued follow-up.
type Job struct {
	ID       string
	Kind     string
	ReportID string
	Attempts int
}

// PutJobs queues jobs.
func (q Q) PutJobs(ctx context.Context, jobs []*Job, at int64) error {
	rows := make([][]any, len(jobs))
	for i, j := range jobs {
		rows[i] = []any{j.ID, j.Kind, j.ReportID, at}
	}
	return q.insertMany(ctx, "jobs", "id, kind, report_id, run_after", rows)
}

// PutJobsOnce queues jobs whose ids are not queued yet: a job with an id
// already there (pending or done) is left alone.
func (q Q) PutJobsOnce(ctx context.Context, jobs []*Job, at int64) error {
	rows := make([][]any, len(jobs))
	for i, j := range jobs {
		rows[i] = []any{j.ID, j.Kind, j.ReportID, at}
	}
	return q.insertMany(ctx, "jobs", "id, kind, report_id, run_after", rows, "ON CONFLICT DO NOTHING")
}

// ClaimJobs leases up to n due jobs of the given kinds until leaseUntil,
// with one statement: those due first (then by id; the index jobs_pending
// hands them over in that order, so a claim reads n rows however long the
// queue), returned in order of id. The claimed jobs' run_after moves to
// leaseUntil and their attempts count up by one (a Job's Attempts is the
// count before this claim). On PostgreSQL rows locked by another
// transaction are skipped (FOR UPDATE SKIP LOCKED), so concurrent claimers
// never lease the same job; on SQLite writes are serialised.
func (q Q) ClaimJobs(ctx context.Context, kinds []string, n int, now, leaseUntil int64) ([]*Job, error) {
	if len(kinds) == 0 || n <= 0 {
		return nil, nil
	}
	query, args, err := q.claim(ctx, kinds)
	if err != nil {
		return nil, err
	}
	rows, err := q.q.QueryContext(ctx, query, append([]any{leaseUntil, now, n}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	defer rows.Close()
	var out []*Job
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.ReportID, &j.Attempts); err != nil {
			return nil, fmt.Errorf("store: claim jobs: %w", err)
		}
		out = append(out, &j)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	// RETURNING follows no order.
	slices.SortFunc(out, func(a, b *Job) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// AnyDueJobs reports whether a job of kinds may run at now: what a claim
// would find, asked with a read. A runner asks it before claiming, so a
// round with nothing to do takes no write transaction (on SQLite, no turn
// of the one writer).
func (q Q) AnyDueJobs(ctx context.Context, kinds []string, now int64) (bool, error) {
	if len(kinds) == 0 {
		return false, nil
	}
	cond, args := q.inList("kind", kinds, 2)
	var one int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM jobs WHERE done_at = 0 AND run_after <= $1 AND `+cond+` LIMIT 1`, append([]any{now}, args...)...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: due jobs: %w", err)
	}
	return true, nil
}

// claim prepares the claim of jobs of kinds in q's transaction and returns
// its statement ($1 lease end, $2 now, $3 how many, then the kinds).
func (q Q) claim(ctx context.Context, kinds []string) (string, []any, error) {
	ph, args := placeholders(kinds, 4)
	due := `SELECT id FROM jobs WHERE done_at = 0 AND run_after <= $2 AND kind IN (` + ph + `) ORDER BY run_after, id LIMIT $3`
	where := `id IN (` + due + `)`
	if q.engine == Postgres {
		// The jobs are looked up by id from the array the subquery makes
		// (IN would hash-join it against a scan of the whole table).
		where = `id = ANY(ARRAY(` + due + ` FOR UPDATE SKIP LOCKED))`
		// The due jobs are read in jobs_pending's order, n of them, never
		// all of them sorted: a queue's size swings faster than autovacuum
		// analyzes it, and with statistics from a quiet moment the planner
		// estimated 154 due jobs where 18,812 were, read them all and
		// sorted them (122 ms a claim; 5.5 ms in index order). In the
		// claim's transaction only (a no-op outside one).
		if _, err := q.q.ExecContext(ctx, `SET LOCAL enable_sort = off`); err != nil {
			return "", nil, fmt.Errorf("store: claim jobs: %w", err)
		}
	}
	return `UPDATE jobs SET run_after = $1, attempts = attempts + 1 WHERE ` + where + `
		RETURNING id, kind, report_id, attempts - 1`, args, nil
}

// JobOutcome is how one claimed job ended.
type JobOutcome struct {
	ID string
	// Failure is the job's error; "" when it succeeded.
	Failure string
	// RetryAt is when a failed job runs again (Unix microseconds); 0 gives
	// it up (it is marked done with its error).
	RetryAt int64
}

// FinishJobs records how claimed jobs ended, at now: the succeeded and
// given-up ones are marked done (done jobs are never claimed again), a
// failed one to be retried waits until its RetryAt with its error kept.
// It takes one statement for the succeeded jobs and one for the failed
// (per chunk of maxParams).
func (q Q) FinishJobs(ctx context.Context, outcomes []JobOutcome, now int64) error {
	var ok []string
	var failed []JobOutcome
	for _, o := range outcomes {
		if o.Failure == "" {
			ok = append(ok, o.ID)
		} else {
			failed = append(failed, o)
		}
	}
	for start := 0; start < len(ok); start += maxParams - 1 {
		chunk := ok[start:min(len(ok), start+maxParams-1)]
		var err error
		if q.engine == Postgres {
			_, err = q.q.ExecContext(ctx, `UPDATE jobs SET done_at = $1, last_error = '' WHERE id = ANY($2::text[])`, now, chunk)
		} else {
			args := make([]any, 0, len(chunk)+1)
			args = append(args, now)
			for _, id := range chunk {
				args = append(args, id)
			}
			_, err = q.q.ExecContext(ctx, `UPDATE jobs SET done_at = ?, last_error = '' WHERE id IN (`+marks(len(chunk))+`)`, args...)
		}
		if err != nil {
			return fmt.Errorf("store: finish jobs: %w", err)
		}
	}
	if len(failed) == 0 {
		return nil
	}
	// A failed job given up (RetryAt 0) is done now; one to retry waits.
	const set = `SET done_at = CASE WHEN f.retry_at = 0 THEN %[1]s ELSE jobs.done_at END,
		run_after = CASE WHEN f.retry_at = 0 THEN jobs.run_after ELSE f.retry_at END,
		last_error = f.failure`
	if q.engine == Postgres {
		ids := make([]string, len(failed))
		errs := make([]string, len(failed))
		at := make([]int64, len(failed))
		for i, o := range failed {
			ids[i], errs[i], at[i] = o.ID, o.Failure, o.RetryAt
		}
		_, err := q.q.ExecContext(ctx, `UPDATE jobs `+fmt.Sprintf(set, "$4::bigint")+`
			FROM unnest($1::text[], $2::text[], $3::bigint[]) AS f(id, failure, retry_at) WHERE jobs.id = f.id`, ids, errs, at, now)
		if err != nil {
			return fmt.Errorf("store: finish failed jobs: %w", err)
		}
		return nil
	}
	for start := 0; start < len(failed); start += maxParams/3 - 1 {
		chunk := failed[start:min(len(failed), start+maxParams/3-1)]
		rows := make([]string, len(chunk))
		args := make([]any, 0, 3*len(chunk)+1)
		for i, o := range chunk {
			rows[i] = "(?, ?, ?)"
			args = append(args, o.ID, o.Failure, o.RetryAt)
		}
		args = append(args, now)
		_, err := q.q.ExecContext(ctx, `WITH f(id, failure, retry_at) AS (VALUES `+strings.Join(rows, ", ")+`)
			UPDATE jobs `+fmt.Sprintf(set, "?")+` FROM f WHERE jobs.id = f.id`, args...)
		if err != nil {
			return fmt.Errorf("store: finish failed jobs: %w", err)
		}
	}
	return nil
}

// PruneJobs deletes up to n jobs that succeeded before before (Unix
// microseconds), those finished first first, and returns how many it
// deleted. Jobs given up stay: they are the failures admins are shown
// (MailFailures). Pending jobs are never touched. The jobs_pending index
// hands over the oldest finished ones, so a call reads about n rows.
func (q Q) PruneJobs(ctx context.Context, before int64, n int) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
		WHERE done_at > 0 AND done_at < $1 AND last_error = '' ORDER BY done_at LIMIT $2)`, before, n)
	if err != nil {
		return 0, fmt.Errorf("store: prune jobs: %w", err)
	}
	deleted, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: prune jobs: %w", err)
	}
	return deleted, nil
}

// JobQueue is the jobs of one kind not yet done.
type JobQueue struct {
	Kind string
	// Due is how many may run now; Waiting how many wait for a retry
	// or are leased to a runner.
	Due, Waiting int64
	// OldestDue is the earliest run_after of the due ones (Unix
	// microseconds; 0 when none is due).
	OldestDue int64
}

// JobQueues returns the queue of every kind with undone jobs, as of now.
func (q Q) JobQueues(ctx context.Context, now int64) ([]JobQueue, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT kind,
			SUM(CASE WHEN run_after <= $1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN run_after > $1 THEN 1 ELSE 0 END),
			COALESCE(MIN(CASE WHEN run_after <= $1 THEN run_after END), 0)
		FROM jobs WHERE done_at = 0 GROUP BY kind ORDER BY kind`, now)
	if err != nil {
		return nil, fmt.Errorf("store: job queues: %w", err)
	}
	defer rows.Close()
	var out []JobQueue
	for rows.Next() {
		var j JobQueue
		if err := rows.Scan(&j.Kind, &j.Due, &j.Waiting, &j.OldestDue); err != nil {
			return nil, fmt.Errorf("store: job queues: %w", err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
