package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

const reportCols = `id, org_id, tracking_code, secret_hash, channel, language, country, incident_types, victims, places, subjects, urgent, status, sealed, erased_at, created_by, received_at, updated_at, contacted_at`

func scanReport(row interface{ Scan(...any) error }) (*Report, error) {
	var r Report
	var types, victims, places, subjects string
	var urgent int
	if err := row.Scan(&r.ID, &r.OrgID, &r.TrackingCode, &r.SecretHash, &r.Channel, &r.Language, &r.Country,
		&types, &victims, &places, &subjects, &urgent, &r.Status, &r.Sealed, &r.ErasedAt, &r.CreatedBy, &r.ReceivedAt, &r.UpdatedAt, &r.ContactedAt); err != nil {
		return nil, err
	}
	r.Urgent = urgent != 0
	if err := json.Unmarshal([]byte(types), &r.IncidentTypes); err != nil {
		return nil, fmt.Errorf("report %s incident_types: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(victims), &r.Victims); err != nil {
		return nil, fmt.Errorf("report %s victims: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(places), &r.Places); err != nil {
		return nil, fmt.Errorf("report %s places: %w", r.ID, err)
	}
	if err := json.Unmarshal([]byte(subjects), &r.Subjects); err != nil {
		return nil, fmt.Errorf("report %s subjects: %w", r.ID, err)
	}
	return &r, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		// Only slices of plain structs reach here; they always marshal.
		panic(fmt.Sprintf("store: marshal %T: %v", v, err))
	}
	return string(b)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// PutReport inserts a report, counted in the statistics roll-up and the
// incident-type index like PutIntake's.
func (q Q) PutReport(ctx context.Context, r *Report) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO reports (`+reportCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
		r.ID, r.OrgID, r.TrackingCode, r.SecretHash, r.Channel, r.Language, r.Country,
		mustJSON(nonNil(r.IncidentTypes)), mustJSON(nonNil(r.Victims)), mustJSON(nonNil(r.Places)), mustJSON(nonNil(r.Subjects)), b2i(r.Urgent), r.Status,
		r.Sealed, r.ErasedAt, r.CreatedBy, r.ReceivedAt, r.UpdatedAt, r.ContactedAt)
	if isUnique(err) {
		return fmt.Errorf("store: report %s: %w", r.ID, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put report: %w", err)
	}
	return q.indexReports(ctx, []*Report{r})
}

// GetReport returns the report with id.
func (q Q) GetReport(ctx context.Context, id string) (*Report, error) {
	v, err := scanReport(q.q.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE id = $1`, id))
	return found(v, err, "report", id)
}

// GetReportByTrackingCode returns the report with a tracking code.
func (q Q) GetReportByTrackingCode(ctx context.Context, code string) (*Report, error) {
	r, err := scanReport(q.q.QueryRowContext(ctx, `SELECT `+reportCols+` FROM reports WHERE tracking_code = $1`, code))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get report by tracking code: %w", err)
	}
	return r, nil
}

// SetReportStatus changes a report's status.
func (q Q) SetReportStatus(ctx context.Context, id, status string, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3`, status, at, id)
	if err != nil {
		return fmt.Errorf("store: set report status: %w", err)
	}
	if err := oneRow(res, "report", id); err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE report_incident_types SET status = $1 WHERE report_id = $2`, status, id); err != nil {
		return fmt.Errorf("store: set report status: %w", err)
	}
	return nil
}

// MarkReportErased records that a report's data key was destroyed and drops
// its sealed part.
func (q Q) MarkReportErased(ctx context.Context, id string, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE reports SET sealed = NULL, erased_at = $1, updated_at = $1 WHERE id = $2`, at, id)
	if err != nil {
		return fmt.Errorf("store: mark report erased: %w", err)
	}
	return oneRow(res, "report", id)
}

// PutDataKey stores a report's wrapped data key.
func (q Q) PutDataKey(ctx context.Context, reportID string, wrapped []byte, at int64) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO data_keys (report_id, wrapped, created_at) VALUES ($1,$2,$3)`, reportID, wrapped, at)
	if err != nil {
		return fmt.Errorf("store: put data key: %w", err)
	}
	return nil
}

// GetDataKey returns a report's wrapped data key, or ErrNotFound once it has
// been destroyed.
func (q Q) GetDataKey(ctx context.Context, reportID string) ([]byte, error) {
	var w []byte
	err := q.q.QueryRowContext(ctx, `SELECT wrapped FROM data_keys WHERE report_id = $1`, reportID).Scan(&w)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: data key of %s: %w", reportID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get data key: %w", err)
	}
	return w, nil
}

// DeleteDataKey destroys a report's data key.
func (q Q) DeleteDataKey(ctx context.Context, reportID string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM data_keys WHERE report_id = $1`, reportID)
	if err != nil {
		return fmt.Errorf("store: delete data key: %w", err)
	}
	return oneRow(res, "data key", reportID)
}

// CountReports returns how many reports are stored.
func (q Q) CountReports(ctx context.Context) (int64, error) {
	var n int64
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM reports`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count reports: %w", err)
	}
	return n, nil
}
