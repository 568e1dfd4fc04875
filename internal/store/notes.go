package store

import (
	"context"
	"fmt"
)

// CaseNote is an internal note on a case (migration 0019). Its text lives in
// versions, sealed with the case's data key; Version is the latest.
type CaseNote struct {
	ID        string
	CaseID    string
	CreatedBy string
	CreatedAt int64
	UpdatedAt int64
	Version   int
}

// CaseNoteVersion is one version of a note's text, sealed with the case's
// data key and bound to the note and version.
type CaseNoteVersion struct {
	NoteID    string
	Version   int
	Text      []byte
	CreatedBy string
	CreatedAt int64
}

// PutCaseDataKey stores a case's wrapped data key unless it has one, and
// returns the one stored: a concurrent first note cannot leave the case
// with two keys.
func (q Q) PutCaseDataKey(ctx context.Context, caseID string, wrapped []byte, at int64) ([]byte, error) {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO data_keys (report_id, wrapped, created_at) VALUES ($1,$2,$3) ON CONFLICT (report_id) DO NOTHING`,
		caseID, wrapped, at); err != nil {
		return nil, fmt.Errorf("store: put case data key: %w", err)
	}
	return q.GetDataKey(ctx, caseID)
}

const caseNoteCols = `id, case_id, created_by, created_at, updated_at, version`

func scanCaseNote(row interface{ Scan(...any) error }) (*CaseNote, error) {
	var n CaseNote
	if err := row.Scan(&n.ID, &n.CaseID, &n.CreatedBy, &n.CreatedAt, &n.UpdatedAt, &n.Version); err != nil {
		return nil, err
	}
	return &n, nil
}

// PutCaseNote inserts a note with its first version.
func (q Q) PutCaseNote(ctx context.Context, n *CaseNote, v *CaseNoteVersion) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO case_notes (`+caseNoteCols+`) VALUES ($1,$2,$3,$4,$5,$6)`,
		n.ID, n.CaseID, n.CreatedBy, n.CreatedAt, n.UpdatedAt, n.Version); err != nil {
		return fmt.Errorf("store: put case note: %w", err)
	}
	return q.putCaseNoteVersion(ctx, v)
}

func (q Q) putCaseNoteVersion(ctx context.Context, v *CaseNoteVersion) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO case_note_versions (note_id, version, text, created_by, created_at) VALUES ($1,$2,$3,$4,$5)`,
		v.NoteID, v.Version, v.Text, v.CreatedBy, v.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: note %s version %d: %w", v.NoteID, v.Version, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put case note version: %w", err)
	}
	return nil
}

// AddCaseNoteVersion appends version v.Version to a note whose latest
// version is v.Version-1; ErrConflict if another edit came first.
func (q Q) AddCaseNoteVersion(ctx context.Context, v *CaseNoteVersion) error {
	res, err := q.q.ExecContext(ctx, `UPDATE case_notes SET version = $1, updated_at = $2 WHERE id = $3 AND version = $4`,
		v.Version, v.CreatedAt, v.NoteID, v.Version-1)
	if err != nil {
		return fmt.Errorf("store: edit case note: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: edit case note: %w", err)
	} else if n == 0 {
		return fmt.Errorf("store: note %s changed meanwhile: %w", v.NoteID, ErrConflict)
	}
	return q.putCaseNoteVersion(ctx, v)
}

// GetCaseNote returns the note with id.
func (q Q) GetCaseNote(ctx context.Context, id string) (*CaseNote, error) {
	n, err := scanCaseNote(q.q.QueryRowContext(ctx, `SELECT `+caseNoteCols+` FROM case_notes WHERE id = $1`, id))
	return found(n, err, "case note", id)
}

// ListCaseNotes returns a case's notes, oldest first, each with every
// version, oldest first.
func (q Q) ListCaseNotes(ctx context.Context, caseID string) ([]*CaseNote, map[string][]*CaseNoteVersion, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+caseNoteCols+` FROM case_notes WHERE case_id = $1 ORDER BY id`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: list case notes: %w", err)
	}
	defer rows.Close()
	var notes []*CaseNote
	for rows.Next() {
		n, err := scanCaseNote(rows)
		if err != nil {
			return nil, nil, fmt.Errorf("store: list case notes: %w", err)
		}
		notes = append(notes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("store: list case notes: %w", err)
	}
	vrows, err := q.q.QueryContext(ctx, `SELECT v.note_id, v.version, v.text, v.created_by, v.created_at
		FROM case_note_versions v JOIN case_notes n ON n.id = v.note_id WHERE n.case_id = $1 ORDER BY v.note_id, v.version`, caseID)
	if err != nil {
		return nil, nil, fmt.Errorf("store: list case note versions: %w", err)
	}
	defer vrows.Close()
	versions := map[string][]*CaseNoteVersion{}
	for vrows.Next() {
		var v CaseNoteVersion
		if err := vrows.Scan(&v.NoteID, &v.Version, &v.Text, &v.CreatedBy, &v.CreatedAt); err != nil {
			return nil, nil, fmt.Errorf("store: list case note versions: %w", err)
		}
		versions[v.NoteID] = append(versions[v.NoteID], &v)
	}
	return notes, versions, vrows.Err()
}

// SharedNote is a note a referral shares, at the version it shares.
type SharedNote struct {
	NoteID  string
	Version int
}

// PutReferralNotes records the notes a referral shares.
func (q Q) PutReferralNotes(ctx context.Context, referralID string, notes []SharedNote) error {
	for _, n := range notes {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO referral_notes (referral_id, note_id, note_version) VALUES ($1,$2,$3)`, referralID, n.NoteID, n.Version); err != nil {
			return fmt.Errorf("store: put referral notes: %w", err)
		}
	}
	return nil
}

// SharedNotes returns the notes of a case its referrals to an organisation
// share, note id → the latest version shared.
func (q Q) SharedNotes(ctx context.Context, caseID, toOrgID string) (map[string]int, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT rn.note_id, MAX(rn.note_version) FROM referral_notes rn JOIN referrals r ON r.id = rn.referral_id
		WHERE r.case_id = $1 AND r.to_org_id = $2 GROUP BY rn.note_id`, caseID, toOrgID)
	if err != nil {
		return nil, fmt.Errorf("store: shared notes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var v int
		if err := rows.Scan(&id, &v); err != nil {
			return nil, fmt.Errorf("store: shared notes: %w", err)
		}
		out[id] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: shared notes: %w", err)
	}
	return out, nil
}
