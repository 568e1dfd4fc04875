package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// InstanceValue returns the instance setting name (a row of the instance
// table, such as the master key's fingerprint); ok is false when it was
// never recorded.
func (db *DB) InstanceValue(ctx context.Context, name string) (value string, ok bool, err error) {
	return Q{q: db.w, engine: db.Engine}.InstanceValue(ctx, name)
}

// ClaimInstanceValue records value for the setting name unless one is
// recorded already, and returns the recorded value: value when this call
// recorded it, the earlier one otherwise. Of two processes claiming at
// once, exactly one wins.
func (db *DB) ClaimInstanceValue(ctx context.Context, name, value string) (string, error) {
	if _, err := db.w.ExecContext(ctx, `INSERT INTO instance (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, name, value, Now()); err != nil {
		return "", fmt.Errorf("store: claim instance %s: %w", name, err)
	}
	stored, ok, err := db.InstanceValue(ctx, name)
	if err != nil {
		return "", err
	}
	if !ok {
		return "", fmt.Errorf("store: claim instance %s: %w", name, ErrNotFound)
	}
	return stored, nil
}

// SampleDataKey returns one report's wrapped data key (the oldest); ok is
// false when no data key is stored.
func (db *DB) SampleDataKey(ctx context.Context) (reportID string, wrapped []byte, ok bool, err error) {
	err = db.w.QueryRowContext(ctx, `SELECT report_id, wrapped FROM data_keys ORDER BY report_id LIMIT 1`).Scan(&reportID, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, false, nil
	}
	if err != nil {
		return "", nil, false, fmt.Errorf("store: sample data key: %w", err)
	}
	return reportID, wrapped, true, nil
}

// HasReports reports whether any report was ever stored, erased ones
// included: their blind indexes were computed with the master key.
func (db *DB) HasReports(ctx context.Context) (bool, error) {
	var n int
	err := db.w.QueryRowContext(ctx, `SELECT 1 FROM reports LIMIT 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: any report: %w", err)
	}
	return true, nil
}

// SetInstanceValue records value for the setting name, replacing any
// recorded one, in q's transaction.
func (q Q) SetInstanceValue(ctx context.Context, name, value string) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO instance (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value, Now()); err != nil {
		return fmt.Errorf("store: set instance %s: %w", name, err)
	}
	return nil
}

// DeleteInstanceValue forgets the setting name, in q's transaction.
func (q Q) DeleteInstanceValue(ctx context.Context, name string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM instance WHERE name = $1`, name); err != nil {
		return fmt.Errorf("store: delete instance %s: %w", name, err)
	}
	return nil
}

// InstanceValue returns the setting name as q sees it (in a transaction,
// what it wrote); ok is false when none is recorded.
func (q Q) InstanceValue(ctx context.Context, name string) (value string, ok bool, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT value FROM instance WHERE name = $1`, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("store: instance %s: %w", name, err)
	}
	return value, true, nil
}

// InstanceValues returns the recorded settings among names, in q's
// transaction; a name never recorded is absent from the map.
func (q Q) InstanceValues(ctx context.Context, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		v, ok, err := q.InstanceValue(ctx, n)
		if err != nil {
			return nil, err
		}
		if ok {
			out[n] = v
		}
	}
	return out, nil
}
