package store

import (
	"context"
	"database/sql"
	"fmt"
)

const statementCols = `id, report_id, kind, recants_id, language, source, taken_by, circumstances, created_by, created_at, channel`

func scanStatement(row interface{ Scan(...any) error }) (*Statement, error) {
	var s Statement
	var recants sql.NullString
	if err := row.Scan(&s.ID, &s.ReportID, &s.Kind, &recants, &s.Language, &s.Source, &s.TakenBy, &s.Circumstances, &s.CreatedBy, &s.CreatedAt, &s.Channel); err != nil {
		return nil, err
	}
	s.RecantsID = recants.String
	return &s, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// PutStatement inserts a statement (without versions).
func (q Q) PutStatement(ctx context.Context, s *Statement) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO statements (`+statementCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		s.ID, s.ReportID, s.Kind, nullString(s.RecantsID), s.Language, s.Source, s.TakenBy, s.Circumstances, s.CreatedBy, s.CreatedAt, s.Channel)
	if err != nil {
		return fmt.Errorf("store: put statement: %w", err)
	}
	return nil
}

// GetStatement returns the statement with id.
func (q Q) GetStatement(ctx context.Context, id string) (*Statement, error) {
	v, err := scanStatement(q.q.QueryRowContext(ctx, `SELECT `+statementCols+` FROM statements WHERE id = $1`, id))
	return found(v, err, "statement", id)
}

// ReportsWithStatement returns which of reportIDs have a statement of
// kind, in one read.
func (q Q) ReportsWithStatement(ctx context.Context, reportIDs []string, kind string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(reportIDs) == 0 {
		return out, nil
	}
	in, args := q.inList("report_id", reportIDs, 2)
	ids, err := q.strings(ctx, `SELECT DISTINCT report_id FROM statements WHERE kind = $1 AND `+in, append([]any{kind}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("store: reports with a %s statement: %w", kind, err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ListStatements returns a report's statements, oldest first.
func (q Q) ListStatements(ctx context.Context, reportID string) ([]*Statement, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+statementCols+` FROM statements WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list statements: %w", err)
	}
	defer rows.Close()
	var out []*Statement
	for rows.Next() {
		s, err := scanStatement(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list statements: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutStatementVersion appends a version; ErrConflict if that version exists.
func (q Q) PutStatementVersion(ctx context.Context, v *StatementVersion) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO statement_versions (statement_id, version, text, salt, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		v.StatementID, v.Version, v.Text, v.Salt, v.CreatedBy, v.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: statement %s version %d: %w", v.StatementID, v.Version, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put statement version: %w", err)
	}
	return nil
}

// ListStatementVersions returns a statement's versions, oldest first.
func (q Q) ListStatementVersions(ctx context.Context, statementID string) ([]*StatementVersion, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT statement_id, version, text, salt, created_by, created_at FROM statement_versions WHERE statement_id = $1 ORDER BY version`, statementID)
	if err != nil {
		return nil, fmt.Errorf("store: list statement versions: %w", err)
	}
	defer rows.Close()
	var out []*StatementVersion
	for rows.Next() {
		var v StatementVersion
		if err := rows.Scan(&v.StatementID, &v.Version, &v.Text, &v.Salt, &v.CreatedBy, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: list statement versions: %w", err)
		}
		out = append(out, &v)
	}
	return out, rows.Err()
}

// PutAttachment inserts an attachment's record.
func (q Q) PutAttachment(ctx context.Context, a *Attachment) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO attachments (id, report_id, sha256, media_type, size, name, salt, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		a.ID, a.ReportID, a.SHA256, a.MediaType, a.Size, a.Name, a.Salt, a.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: put attachment: %w", err)
	}
	return nil
}

// ListAttachments returns a report's attachments.
func (q Q) ListAttachments(ctx context.Context, reportID string) ([]*Attachment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, report_id, sha256, media_type, size, name, salt, created_at FROM attachments WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list attachments: %w", err)
	}
	defer rows.Close()
	var out []*Attachment
	for rows.Next() {
		var a Attachment
		if err := rows.Scan(&a.ID, &a.ReportID, &a.SHA256, &a.MediaType, &a.Size, &a.Name, &a.Salt, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: list attachments: %w", err)
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}
