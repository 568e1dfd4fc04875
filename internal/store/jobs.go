package store

import (
	"context"
	"fmt"
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

// ClaimJobs leases up to n due jobs of the given kinds until leaseUntil.
// On PostgreSQL rows locked by another process are skipped.
func (q Q) ClaimJobs(ctx context.Context, kinds []string, n int, now, leaseUntil int64) ([]*Job, error) {
	ph, args := placeholders(kinds, 3)
	lock := ""
	if q.engine == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, kind, report_id, attempts FROM jobs WHERE done_at = 0 AND run_after <= $1 AND kind IN (`+ph+`) ORDER BY id LIMIT $2`+lock,
		append([]any{now, n}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: claim jobs: %w", err)
	}
	var out []*Job
	for rows.Next() {
		var j Job
		if err := rows.Scan(&j.ID, &j.Kind, &j.ReportID, &j.Attempts); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: claim jobs: %w", err)
		}
		out = append(out, &j)
	}
	rows.Close()
	for _, j := range out {
		if _, err := q.q.ExecContext(ctx, `UPDATE jobs SET run_after = $1, attempts = attempts + 1 WHERE id = $2`, leaseUntil, j.ID); err != nil {
			return nil, fmt.Errorf("store: claim job: %w", err)
		}
	}
	return out, nil
}

// FinishJob marks a job done, or on failure schedules a retry at retryAt
// (0: give up and mark it done with the error).
func (q Q) FinishJob(ctx context.Context, id string, now int64, failure string, retryAt int64) error {
	var err error
	switch {
	case failure == "":
		_, err = q.q.ExecContext(ctx, `UPDATE jobs SET done_at = $1, last_error = '' WHERE id = $2`, now, id)
	case retryAt == 0:
		_, err = q.q.ExecContext(ctx, `UPDATE jobs SET done_at = $1, last_error = $2 WHERE id = $3`, now, failure, id)
	default:
		_, err = q.q.ExecContext(ctx, `UPDATE jobs SET run_after = $1, last_error = $2 WHERE id = $3`, retryAt, failure, id)
	}
	if err != nil {
		return fmt.Errorf("store: finish job: %w", err)
	}
	return nil
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
