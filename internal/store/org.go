package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const orgCols = `id, name, kind, country, receives_public, totp_optional, created_at, time_zone`

func scanOrg(row interface{ Scan(...any) error }) (*Organisation, error) {
	var o Organisation
	var rp, opt int
	if err := row.Scan(&o.ID, &o.Name, &o.Kind, &o.Country, &rp, &opt, &o.CreatedAt, &o.TimeZone); err != nil {
		return nil, err
	}
	o.ReceivesPublic, o.TOTPOptional = rp != 0, opt != 0
	return &o, nil
}

// PutOrganisation inserts an organisation; ErrConflict if the name is taken.
func (q Q) PutOrganisation(ctx context.Context, o *Organisation) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO organisations (`+orgCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
		o.ID, o.Name, o.Kind, o.Country, b2i(o.ReceivesPublic), b2i(o.TOTPOptional), o.CreatedAt, o.TimeZone)
	if isUnique(err) {
		return fmt.Errorf("store: organisation %q: %w", o.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put organisation: %w", err)
	}
	return nil
}

// GetOrganisation returns the organisation with id.
func (q Q) GetOrganisation(ctx context.Context, id string) (*Organisation, error) {
	v, err := scanOrg(q.q.QueryRowContext(ctx, `SELECT `+orgCols+` FROM organisations WHERE id = $1`, id))
	return found(v, err, "organisation", id)
}

// PublicIntakeOrganisation returns the organisation that receives public
// reports: the oldest one marked receives_public.
func (q Q) PublicIntakeOrganisation(ctx context.Context) (*Organisation, error) {
	o, err := scanOrg(q.hotRow(ctx, `SELECT `+orgCols+` FROM organisations WHERE receives_public = 1 ORDER BY id LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: organisation receiving public reports: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: public intake organisation: %w", err)
	}
	return o, nil
}

// ListOrganisations returns every organisation, oldest first.
func (q Q) ListOrganisations(ctx context.Context) ([]*Organisation, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+orgCols+` FROM organisations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: list organisations: %w", err)
	}
	defer rows.Close()
	var out []*Organisation
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list organisations: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOrganisation writes an organisation's name, country, whether it
// receives public reports, whether its second factor is optional and its
// time zone;
// ErrConflict if the name is another's.
func (q Q) UpdateOrganisation(ctx context.Context, o *Organisation) error {
	res, err := q.q.ExecContext(ctx, `UPDATE organisations SET name = $1, country = $2, receives_public = $3, totp_optional = $4, time_zone = $5 WHERE id = $6`,
		o.Name, o.Country, b2i(o.ReceivesPublic), b2i(o.TOTPOptional), o.TimeZone, o.ID)
	if isUnique(err) {
		return fmt.Errorf("store: organisation %q: %w", o.Name, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: update organisation: %w", err)
	}
	return oneRow(res, "organisation", o.ID)
}
