package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The report statuses staff set outside a case (migration 0018). They are
// never mirrored from a case's status (SetActiveReportStatus) and never shown
// to a reporter (see intake.PublicStatus).
const (
	ReportMerged    = "merged"
	ReportDismissed = "dismissed"
)

// ReportAct is what staff decided about a report outside its cases.
type ReportAct struct {
	// MergedInto is the report kept, for a merged duplicate; "" otherwise.
	MergedInto string
	// DismissReason is why it was dismissed; "" unless dismissed.
	DismissReason string
}

// GetReportAct returns what staff decided about a report.
func (q Q) GetReportAct(ctx context.Context, id string) (*ReportAct, error) {
	var a ReportAct
	err := q.q.QueryRowContext(ctx, `SELECT merged_into, dismiss_reason FROM reports WHERE id = $1`, id).Scan(&a.MergedInto, &a.DismissReason)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get report act: %w", err)
	}
	return &a, nil
}

// SetReportAct sets a report's status with what staff decided (act's
// fields; zero clears them) if its status is still prev, and ErrConflict
// otherwise: two people acting on one report at once cannot both win.
func (q Q) SetReportAct(ctx context.Context, id, prev, status string, act ReportAct, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE reports SET status = $1, merged_into = $2, dismiss_reason = $3, updated_at = $4 WHERE id = $5 AND status = $6`,
		status, act.MergedInto, act.DismissReason, at, id, prev)
	if err != nil {
		return fmt.Errorf("store: set report act: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: set report act: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: report %s no longer %s: %w", id, prev, ErrConflict)
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE report_incident_types SET status = $1 WHERE report_id = $2`, status, id); err != nil {
		return fmt.Errorf("store: set report act: %w", err)
	}
	return nil
}

// MergedReportIDs returns the ids of the reports merged into id, oldest
// first.
func (q Q) MergedReportIDs(ctx context.Context, id string) ([]string, error) {
	return q.strings(ctx, `SELECT id FROM reports WHERE merged_into = $1 ORDER BY id`, id)
}

// RepointMerged points the duplicates merged into from at into instead, so
// a duplicate always names the report finally kept (one hop).
func (q Q) RepointMerged(ctx context.Context, from, into string, at int64) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE reports SET merged_into = $1, updated_at = $2 WHERE merged_into = $3`, into, at, from); err != nil {
		return fmt.Errorf("store: repoint merged reports: %w", err)
	}
	return nil
}

// SetActiveReportStatus mirrors a case's status on one of its reports,
// unless staff merged or dismissed that report: those keep their status
// until reopened.
func (q Q) SetActiveReportStatus(ctx context.Context, id, status string, at int64) error {
	const active = ` AND status NOT IN ('` + ReportMerged + `', '` + ReportDismissed + `')`
	res, err := q.q.ExecContext(ctx, `UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3`+active, status, at, id)
	if err != nil {
		return fmt.Errorf("store: set report status: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE report_incident_types SET status = $1 WHERE report_id = $2`, status, id); err != nil {
		return fmt.Errorf("store: set report status: %w", err)
	}
	return nil
}

// RemoveCaseReport takes a report out of a case; ErrNotFound if it was not
// in it.
func (q Q) RemoveCaseReport(ctx context.Context, caseID, reportID string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM case_reports WHERE case_id = $1 AND report_id = $2`, caseID, reportID)
	if err != nil {
		return fmt.Errorf("store: remove report from case: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: remove report from case: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: report %s in case %s: %w", reportID, caseID, ErrNotFound)
	}
	return q.markTrustOfReports(ctx, reportID)
}
