package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Identifier is a normalised identifier with its aggregates.
type Identifier struct {
	ID          string
	Kind        string
	Value       string
	Blind       bool
	ReportCount int
	OrgCount    int
	FirstSeen   int64
	LastSeen    int64
	Categories  []string
}

// Occurrence is one identifier in one report.
type Occurrence struct {
	IdentifierID string
	ReportID     string
	OrgID        string
	Role         string
	Confidence   float64
	SeenAt       int64
}

const identifierCols = `id, kind, value, blind, report_count, org_count, first_seen, last_seen, categories`

func scanIdentifier(row interface{ Scan(...any) error }) (*Identifier, error) {
	var i Identifier
	var blind int
	var cats string
	if err := row.Scan(&i.ID, &i.Kind, &i.Value, &blind, &i.ReportCount, &i.OrgCount, &i.FirstSeen, &i.LastSeen, &cats); err != nil {
		return nil, err
	}
	i.Blind = blind != 0
	if err := json.Unmarshal([]byte(cats), &i.Categories); err != nil {
		return nil, fmt.Errorf("identifier %s categories: %w", i.ID, err)
	}
	return &i, nil
}

// EnsureIdentifier inserts an identifier row if it does not exist.
func (q Q) EnsureIdentifier(ctx context.Context, id, kind, value string, blind bool) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO identifiers (id, kind, value, blind) VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING`, id, kind, value, b2i(blind))
	if err != nil {
		return fmt.Errorf("store: ensure identifier: %w", err)
	}
	return nil
}

// GetIdentifier returns the identifier of kind with value.
func (q Q) GetIdentifier(ctx context.Context, kind, value string) (*Identifier, error) {
	i, err := scanIdentifier(q.q.QueryRowContext(ctx, `SELECT `+identifierCols+` FROM identifiers WHERE kind = $1 AND value = $2`, kind, value))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: identifier: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get identifier: %w", err)
	}
	return i, nil
}

// GetIdentifiers returns identifiers by id.
func (q Q) GetIdentifiers(ctx context.Context, ids []string) ([]*Identifier, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	ph, args := placeholders(ids, 1)
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierCols+` FROM identifiers WHERE id IN (`+ph+`) ORDER BY kind, value`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: get identifiers: %w", err)
	}
	defer rows.Close()
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: get identifiers: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

func placeholders(vals []string, from int) (string, []any) {
	ph := make([]string, len(vals))
	args := make([]any, len(vals))
	for i, v := range vals {
		ph[i] = "$" + strconv.Itoa(from+i)
		args[i] = v
	}
	return strings.Join(ph, ","), args
}

// PutOccurrences records identifiers found in a report; seeing the same
// identifier in the same report again keeps the first.
func (q Q) PutOccurrences(ctx context.Context, occ []*Occurrence) error {
	rows := make([][]any, len(occ))
	for i, o := range occ {
		rows[i] = []any{o.IdentifierID, o.ReportID, o.OrgID, o.Role, o.Confidence, o.SeenAt}
	}
	return q.insertMany(ctx, "identifier_occurrences", "identifier_id, report_id, org_id, role, confidence, seen_at", rows, "ON CONFLICT DO NOTHING")
}

// RefreshIdentifier recomputes an identifier's aggregates from its
// occurrences and their reports. Occurrences with role victim_contact are
// not counted.
func (q Q) RefreshIdentifier(ctx context.Context, id string) error {
	var reports, orgs int
	var first, last sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT o.org_id), MIN(r.received_at), MAX(r.received_at)
		FROM identifier_occurrences o JOIN reports r ON r.id = o.report_id
		WHERE o.identifier_id = $1 AND o.role <> 'victim_contact'`, id).Scan(&reports, &orgs, &first, &last)
	if err != nil {
		return fmt.Errorf("store: refresh identifier: %w", err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT r.incident_types FROM identifier_occurrences o JOIN reports r ON r.id = o.report_id
		WHERE o.identifier_id = $1 AND o.role <> 'victim_contact'`, id)
	if err != nil {
		return fmt.Errorf("store: refresh identifier: %w", err)
	}
	seen := map[string]bool{}
	cats := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("store: refresh identifier: %w", err)
		}
		var types []string
		json.Unmarshal([]byte(s), &types)
		for _, t := range types {
			if !seen[t] {
				seen[t] = true
				cats = append(cats, t)
			}
		}
	}
	rows.Close()
	_, err = q.q.ExecContext(ctx, `UPDATE identifiers SET report_count = $1, org_count = $2, first_seen = $3, last_seen = $4, categories = $5 WHERE id = $6`,
		reports, orgs, first.Int64, last.Int64, mustJSON(cats), id)
	if err != nil {
		return fmt.Errorf("store: refresh identifier: %w", err)
	}
	return nil
}

// ReportOccurrences returns the occurrences in a report.
func (q Q) ReportOccurrences(ctx context.Context, reportID string) ([]*Occurrence, error) {
	return q.occurrences(ctx, `WHERE report_id = $1 ORDER BY identifier_id`, reportID)
}

// IdentifierOccurrences returns up to limit occurrences of an identifier,
// newest report first.
func (q Q) IdentifierOccurrences(ctx context.Context, identifierID string, limit int) ([]*Occurrence, error) {
	return q.occurrences(ctx, `WHERE identifier_id = $1 ORDER BY report_id DESC LIMIT $2`, identifierID, limit)
}

func (q Q) occurrences(ctx context.Context, where string, args ...any) ([]*Occurrence, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT identifier_id, report_id, org_id, role, confidence, seen_at FROM identifier_occurrences `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: occurrences: %w", err)
	}
	defer rows.Close()
	var out []*Occurrence
	for rows.Next() {
		var o Occurrence
		if err := rows.Scan(&o.IdentifierID, &o.ReportID, &o.OrgID, &o.Role, &o.Confidence, &o.SeenAt); err != nil {
			return nil, fmt.Errorf("store: occurrences: %w", err)
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// ReportsSharing returns the other reports that share any of the
// identifiers (at most limit).
func (q Q) ReportsSharing(ctx context.Context, reportID string, identifierIDs []string, limit int) ([]string, error) {
	if len(identifierIDs) == 0 {
		return nil, nil
	}
	ph, args := placeholders(identifierIDs, 3)
	return q.strings(ctx, `SELECT DISTINCT report_id FROM identifier_occurrences WHERE report_id <> $1 AND identifier_id IN (`+ph+`) ORDER BY report_id LIMIT $2`,
		append([]any{reportID, limit}, args...)...)
}

// ClusterOf returns a report's cluster id, or "" if it is not linked yet.
func (q Q) ClusterOf(ctx context.Context, reportID string) (string, error) {
	var c string
	err := q.q.QueryRowContext(ctx, `SELECT cluster_id FROM report_links WHERE report_id = $1`, reportID).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: cluster of: %w", err)
	}
	return c, nil
}

// ClustersOf returns the distinct clusters of reports.
func (q Q) ClustersOf(ctx context.Context, reportIDs []string) ([]string, error) {
	if len(reportIDs) == 0 {
		return nil, nil
	}
	ph, args := placeholders(reportIDs, 1)
	return q.strings(ctx, `SELECT DISTINCT cluster_id FROM report_links WHERE report_id IN (`+ph+`)`, args...)
}

// MergeClusters relabels every report of the clusters from to cluster into.
func (q Q) MergeClusters(ctx context.Context, into string, from []string) error {
	if len(from) == 0 {
		return nil
	}
	ph, args := placeholders(from, 2)
	if _, err := q.q.ExecContext(ctx, `UPDATE report_links SET cluster_id = $1 WHERE cluster_id IN (`+ph+`)`, append([]any{into}, args...)...); err != nil {
		return fmt.Errorf("store: merge clusters: %w", err)
	}
	return nil
}

// SetCluster sets a report's cluster.
func (q Q) SetCluster(ctx context.Context, reportID, clusterID string, at int64) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO report_links (report_id, cluster_id, linked_at) VALUES ($1,$2,$3)
		ON CONFLICT (report_id) DO UPDATE SET cluster_id = excluded.cluster_id, linked_at = excluded.linked_at`, reportID, clusterID, at)
	if err != nil {
		return fmt.Errorf("store: set cluster: %w", err)
	}
	return nil
}

// ClusterReports returns the reports of a cluster (at most limit).
func (q Q) ClusterReports(ctx context.Context, clusterID string, limit int) ([]string, error) {
	return q.strings(ctx, `SELECT report_id FROM report_links WHERE cluster_id = $1 ORDER BY report_id LIMIT $2`, clusterID, limit)
}

// AllClusters returns report id → cluster id for every linked report.
func (q Q) AllClusters(ctx context.Context) (map[string]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, cluster_id FROM report_links`)
	if err != nil {
		return nil, fmt.Errorf("store: all clusters: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, c string
		if err := rows.Scan(&r, &c); err != nil {
			return nil, fmt.Errorf("store: all clusters: %w", err)
		}
		out[r] = c
	}
	return out, rows.Err()
}

// ClearLinks deletes the whole link index (for a rebuild).
func (q Q) ClearLinks(ctx context.Context) error {
	for _, t := range []string{"report_links", "identifier_occurrences", "identifiers"} {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("store: clear %s: %w", t, err)
		}
	}
	return nil
}

// TopIdentifiers returns the identifiers seen in the most reports whose
// last sighting is in [from, to), excluding blind ones.
func (q Q) TopIdentifiers(ctx context.Context, from, to int64, limit int) ([]*Identifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierCols+` FROM identifiers WHERE blind = 0 AND report_count > 1 AND last_seen >= $1 AND last_seen < $2
		AND kind NOT IN ('place', 'domain') ORDER BY report_count DESC, id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("store: top identifiers: %w", err)
	}
	defer rows.Close()
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: top identifiers: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// AllReportIDs returns every report id, oldest first.
func (q Q) AllReportIDs(ctx context.Context) ([]string, error) {
	return q.strings(ctx, `SELECT id FROM reports ORDER BY id`)
}

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

// PendingJobs counts jobs not done.
func (q Q) PendingJobs(ctx context.Context) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM jobs WHERE done_at = 0`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: pending jobs: %w", err)
	}
	return n, nil
}
