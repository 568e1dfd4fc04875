package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// ReportSignal is what the public check weighs of one report naming an
// identifier (links.Check): when and how it came, who entered it, and
// whether staff found it credible. It holds nothing sealed.
type ReportSignal struct {
	ReportID      string
	OrgID         string
	Channel       string
	Language      string
	CreatedBy     string // "" for a report from the public
	ReceivedAt    int64
	IncidentTypes []string
	// Verified says staff triaged the report as credible: it is in a case,
	// or staff marked it verified (report_verifications).
	Verified bool
}

// IdentifierSignals returns the newest limit reports naming an identifier,
// newest first, with their signals. The cost is bounded by limit however
// often the identifier was seen.
func (q Q) IdentifierSignals(ctx context.Context, identifierID string, limit int) ([]*ReportSignal, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT r.id, r.org_id, r.channel, r.language, r.created_by, r.received_at, r.incident_types,
		CASE WHEN EXISTS (SELECT 1 FROM case_reports c WHERE c.report_id = r.id) OR EXISTS (SELECT 1 FROM report_verifications v WHERE v.report_id = r.id) THEN 1 ELSE 0 END
		FROM identifier_occurrences o JOIN reports r ON r.id = o.report_id
		WHERE o.identifier_id = $1 ORDER BY o.report_id DESC LIMIT $2`, identifierID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: identifier signals: %w", err)
	}
	defer rows.Close()
	var out []*ReportSignal
	for rows.Next() {
		var s ReportSignal
		var types string
		var verified int
		if err := rows.Scan(&s.ReportID, &s.OrgID, &s.Channel, &s.Language, &s.CreatedBy, &s.ReceivedAt, &types, &verified); err != nil {
			return nil, fmt.Errorf("store: identifier signals: %w", err)
		}
		if err := json.Unmarshal([]byte(types), &s.IncidentTypes); err != nil {
			return nil, fmt.Errorf("store: report %s incident_types: %w", s.ReportID, err)
		}
		s.Verified = verified != 0
		out = append(out, &s)
	}
	return out, rows.Err()
}

// CheckMarks tells whether any organisation registered an identifier as a
// protected (legitimate) contact, and whether any marked it wrongly
// reported: one statement.
func (q Q) CheckMarks(ctx context.Context, identifierID string) (protected, disputed bool, err error) {
	var p, d int
	err = q.q.QueryRowContext(ctx, `SELECT
		CASE WHEN EXISTS (SELECT 1 FROM protected_identifiers WHERE identifier_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM identifier_disputes WHERE identifier_id = $1) THEN 1 ELSE 0 END`, identifierID).Scan(&p, &d)
	if err != nil {
		return false, false, fmt.Errorf("store: check marks: %w", err)
	}
	return p != 0, d != 0, nil
}

// ReportVerification is a staff member's word that a report is credible.
type ReportVerification struct {
	ReportID   string
	OrgID      string
	VerifiedBy string
	VerifiedAt int64
}

// PutReportVerification marks a report verified (again: the newest word
// stays).
func (q Q) PutReportVerification(ctx context.Context, v *ReportVerification) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO report_verifications (report_id, org_id, verified_by, verified_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (report_id) DO UPDATE SET verified_by = excluded.verified_by, verified_at = excluded.verified_at`,
		v.ReportID, v.OrgID, v.VerifiedBy, v.VerifiedAt)
	if err != nil {
		return fmt.Errorf("store: put report verification: %w", err)
	}
	return nil
}

// DeleteReportVerification takes a report's verified mark back (nothing
// when it has none).
func (q Q) DeleteReportVerification(ctx context.Context, reportID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM report_verifications WHERE report_id = $1`, reportID); err != nil {
		return fmt.Errorf("store: delete report verification: %w", err)
	}
	return nil
}

// GetReportVerification returns a report's verified mark (ErrNotFound
// when it has none).
func (q Q) GetReportVerification(ctx context.Context, reportID string) (*ReportVerification, error) {
	var v ReportVerification
	err := q.q.QueryRowContext(ctx, `SELECT report_id, org_id, verified_by, verified_at FROM report_verifications WHERE report_id = $1`, reportID).
		Scan(&v.ReportID, &v.OrgID, &v.VerifiedBy, &v.VerifiedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report verification %s: %w", reportID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get report verification: %w", err)
	}
	return &v, nil
}

// ProtectedIdentifier is an organisation's own or a partner's contact,
// registered as legitimate. Its value is sealed like an identifier's.
type ProtectedIdentifier struct {
	ID           string
	OrgID        string
	IdentifierID string // the blind index of kind and value (identifiers.id)
	Kind         string
	Sealed       []byte
	Country      string
	Note         string
	CreatedBy    string
	CreatedAt    int64
}

const protectedCols = `id, org_id, identifier_id, kind, sealed_value, country, note, created_by, created_at`

func scanProtected(row interface{ Scan(...any) error }) (*ProtectedIdentifier, error) {
	var p ProtectedIdentifier
	if err := row.Scan(&p.ID, &p.OrgID, &p.IdentifierID, &p.Kind, &p.Sealed, &p.Country, &p.Note, &p.CreatedBy, &p.CreatedAt); err != nil {
		return nil, err
	}
	return &p, nil
}

// PutProtectedIdentifier registers a protected identifier; ErrConflict
// when the organisation registered the same one before.
func (q Q) PutProtectedIdentifier(ctx context.Context, p *ProtectedIdentifier) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO protected_identifiers (`+protectedCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		p.ID, p.OrgID, p.IdentifierID, p.Kind, p.Sealed, p.Country, p.Note, p.CreatedBy, p.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: protected identifier: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put protected identifier: %w", err)
	}
	return nil
}

// ListProtectedIdentifiers returns an organisation's protected
// identifiers, oldest first.
func (q Q) ListProtectedIdentifiers(ctx context.Context, orgID string) ([]*ProtectedIdentifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list protected identifiers: %w", err)
	}
	defer rows.Close()
	var out []*ProtectedIdentifier
	for rows.Next() {
		p, err := scanProtected(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list protected identifiers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetProtectedIdentifier returns a protected identifier by its id.
func (q Q) GetProtectedIdentifier(ctx context.Context, id string) (*ProtectedIdentifier, error) {
	p, err := scanProtected(q.q.QueryRowContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: protected identifier %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get protected identifier: %w", err)
	}
	return p, nil
}

// DeleteProtectedIdentifier removes a protected identifier.
func (q Q) DeleteProtectedIdentifier(ctx context.Context, id string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM protected_identifiers WHERE id = $1`, id); err != nil {
		return fmt.Errorf("store: delete protected identifier: %w", err)
	}
	return nil
}

// PutIdentifierDispute records an organisation's word that an identifier
// was wrongly reported.
func (q Q) PutIdentifierDispute(ctx context.Context, identifierID, orgID, by string, at int64) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO identifier_disputes (identifier_id, org_id, set_by, set_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (identifier_id, org_id) DO UPDATE SET set_by = excluded.set_by, set_at = excluded.set_at`, identifierID, orgID, by, at)
	if err != nil {
		return fmt.Errorf("store: put identifier dispute: %w", err)
	}
	return nil
}

// DeleteIdentifierDispute takes an organisation's word back.
func (q Q) DeleteIdentifierDispute(ctx context.Context, identifierID, orgID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM identifier_disputes WHERE identifier_id = $1 AND org_id = $2`, identifierID, orgID); err != nil {
		return fmt.Errorf("store: delete identifier dispute: %w", err)
	}
	return nil
}

// AllProtectedIdentifiers returns every organisation's protected
// identifiers, in id order (for the published range of the public check).
func (q Q) AllProtectedIdentifiers(ctx context.Context) ([]*ProtectedIdentifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all protected identifiers: %w", err)
	}
	defer rows.Close()
	var out []*ProtectedIdentifier
	for rows.Next() {
		p, err := scanProtected(rows)
		if err != nil {
			return nil, fmt.Errorf("store: all protected identifiers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
