package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ImportRow is one source row imported as a report (vigil import, the Kobo
// webhook) — or, from a Vigil export, a statement version or an attachment
// of the report — kept so that importing it again creates nothing.
type ImportRow struct {
	OrgID string
	// Key is a stable hash of the source and the row's key or content.
	Key      string
	ReportID string
	Source   string
	Line     int
	// OriginalAt is the row's own date (microseconds; 0: none);
	// ImportedAt when it was imported.
	OriginalAt, ImportedAt int64
}

// PutImportRows records rows in one statement each. A row whose key the
// organisation has imported already (by a concurrent import that
// committed first) is ErrConflict: the caller rolls back and looks again.
func (q Q) PutImportRows(ctx context.Context, rows []*ImportRow) error {
	for _, r := range rows {
		res, err := q.q.ExecContext(ctx, `INSERT INTO import_rows (org_id, row_key, report_id, source, line, original_at, imported_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (org_id, row_key) DO NOTHING`, r.OrgID, r.Key, r.ReportID, r.Source, r.Line, r.OriginalAt, r.ImportedAt)
		if err != nil {
			return fmt.Errorf("store: put import row: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: put import row: %w", err)
		} else if n == 0 {
			return fmt.Errorf("store: import row %s: %w", r.Key, ErrConflict)
		}
	}
	return nil
}

// ImportedKeys returns which of keys organisation orgID has imported, each
// with the report it became.
func (q Q) ImportedKeys(ctx context.Context, orgID string, keys []string) (map[string]string, error) {
	rows, err := q.ImportRowsOf(ctx, orgID, keys)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for k, r := range rows {
		out[k] = r.ReportID
	}
	return out, nil
}

// ImportRowsOf returns the import rows of organisation orgID with those of
// keys it has imported.
func (q Q) ImportRowsOf(ctx context.Context, orgID string, keys []string) (map[string]*ImportRow, error) {
	out := map[string]*ImportRow{}
	const chunk = 500
	for start := 0; start < len(keys); start += chunk {
		part := keys[start:min(start+chunk, len(keys))]
		args := []any{orgID}
		in := ""
		for i, k := range part {
			if i > 0 {
				in += ","
			}
			args = append(args, k)
			in += fmt.Sprintf("$%d", i+2)
		}
		rows, err := q.q.QueryContext(ctx, `SELECT row_key, report_id, source, line, original_at, imported_at FROM import_rows
			WHERE org_id = $1 AND row_key IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: imported keys: %w", err)
		}
		for rows.Next() {
			r := &ImportRow{OrgID: orgID}
			if err := rows.Scan(&r.Key, &r.ReportID, &r.Source, &r.Line, &r.OriginalAt, &r.ImportedAt); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: imported keys: %w", err)
			}
			out[r.Key] = r
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: imported keys: %w", err)
		}
	}
	return out, nil
}

// PendingAttachment is an attachment a submission listed that was not
// fetched when the submission was imported.
type PendingAttachment struct {
	ReportID, URL, Name, MediaType string
	// Reason says why it is pending (unreachable, refused, too large …).
	Reason    string
	CreatedAt int64
}

// PutPendingAttachment records a (keeping the first record of the same
// report and URL).
func (q Q) PutPendingAttachment(ctx context.Context, a *PendingAttachment) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO import_attachments (report_id, url, name, media_type, reason, created_at)
		VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (report_id, url) DO NOTHING`,
		a.ReportID, a.URL, a.Name, a.MediaType, a.Reason, a.CreatedAt); err != nil {
		return fmt.Errorf("store: put pending attachment: %w", err)
	}
	return nil
}

// PendingAttachments returns a report's pending attachments, by URL.
func (q Q) PendingAttachments(ctx context.Context, reportID string) ([]*PendingAttachment, error) {
	return q.pendingAttachments(ctx, `WHERE report_id = $1 ORDER BY url`, reportID)
}

// pendingAttachments reads the pending attachments that rest (a WHERE,
// ORDER BY and LIMIT) selects.
func (q Q) pendingAttachments(ctx context.Context, rest string, args ...any) ([]*PendingAttachment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, url, name, media_type, reason, created_at FROM import_attachments `+rest, args...)
	if err != nil {
		return nil, fmt.Errorf("store: pending attachments: %w", err)
	}
	defer rows.Close()
	var out []*PendingAttachment
	for rows.Next() {
		a := &PendingAttachment{}
		if err := rows.Scan(&a.ReportID, &a.URL, &a.Name, &a.MediaType, &a.Reason, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("store: pending attachments: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// KoboHook is a KoboToolbox REST Service hook: its token's hash names the
// organisation and mapping its submissions are read with.
type KoboHook struct {
	ID, OrgID, TokenHash, Name string
	// Mapping is the mapping file's YAML.
	Mapping   string
	CreatedBy string
	CreatedAt int64
	RevokedAt int64
}

// PutKoboHook stores h.
func (q Q) PutKoboHook(ctx context.Context, h *KoboHook) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO kobo_hooks (id, org_id, token_hash, name, mapping, created_by, created_at, revoked_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, h.ID, h.OrgID, h.TokenHash, h.Name, h.Mapping, h.CreatedBy, h.CreatedAt, h.RevokedAt); err != nil {
		return fmt.Errorf("store: put kobo hook: %w", err)
	}
	return nil
}

// KoboHookByToken returns the hook, not revoked, whose token has hash
// tokenHash (ErrNotFound if none).
func (q Q) KoboHookByToken(ctx context.Context, tokenHash string) (*KoboHook, error) {
	h := &KoboHook{}
	err := q.q.QueryRowContext(ctx, `SELECT id, org_id, token_hash, name, mapping, created_by, created_at, revoked_at FROM kobo_hooks
		WHERE token_hash = $1 AND revoked_at = 0`, tokenHash).
		Scan(&h.ID, &h.OrgID, &h.TokenHash, &h.Name, &h.Mapping, &h.CreatedBy, &h.CreatedAt, &h.RevokedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: kobo hook: %w", ErrNotFound)
	}
	return found(h, err, "kobo hook", "")
}

// CountImportRows returns how many rows organisation orgID has imported.
func (q Q) CountImportRows(ctx context.Context, orgID string) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM import_rows WHERE org_id = $1`, orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count import rows: %w", err)
	}
	return n, nil
}

// AllPendingAttachments returns every pending attachment, oldest first, at
// most limit.
func (q Q) AllPendingAttachments(ctx context.Context, limit int) ([]*PendingAttachment, error) {
	return q.pendingAttachments(ctx, `ORDER BY created_at, report_id, url LIMIT $1`, limit)
}

// DeletePendingAttachment forgets a pending attachment (fetched, or its
// report erased).
func (q Q) DeletePendingAttachment(ctx context.Context, reportID, url string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM import_attachments WHERE report_id = $1 AND url = $2`, reportID, url); err != nil {
		return fmt.Errorf("store: delete pending attachment: %w", err)
	}
	return nil
}

// SetPendingReason records why a pending attachment is still pending.
func (q Q) SetPendingReason(ctx context.Context, reportID, url, reason string) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE import_attachments SET reason = $3 WHERE report_id = $1 AND url = $2`, reportID, url, reason); err != nil {
		return fmt.Errorf("store: pending attachment: %w", err)
	}
	return nil
}
