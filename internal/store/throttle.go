package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// LoginThrottle is the count of failed sign-ins in a row under one key
// (auth.ThrottleKey) and when the lockout they earned ends (unix µs, 0 for
// none).
type LoginThrottle struct {
	Failures    int
	LockedUntil int64
}

// GetLoginThrottle returns key's failures; the zero LoginThrottle when
// there are none.
func (q Q) GetLoginThrottle(ctx context.Context, key []byte) (LoginThrottle, error) {
	var t LoginThrottle
	err := q.q.QueryRowContext(ctx, `SELECT failures, locked_until FROM login_throttle WHERE key = $1`, key).Scan(&t.Failures, &t.LockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return LoginThrottle{}, nil
	}
	if err != nil {
		return LoginThrottle{}, fmt.Errorf("store: get login throttle: %w", err)
	}
	return t, nil
}

// AddLoginFailure counts one more failed sign-in under key at now (unix
// µs) and returns the count; lockFor (µs) says how long that count locks
// the key. Rows idle since before prune are deleted on the way, so the
// table holds about a day of failures.
func (q Q) AddLoginFailure(ctx context.Context, key []byte, now, prune int64, lockFor func(failures int) int64) (int, error) {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM login_throttle WHERE updated_at < $1 AND locked_until < $2`, prune, now); err != nil {
		return 0, fmt.Errorf("store: prune login throttle: %w", err)
	}
	var n int
	err := q.q.QueryRowContext(ctx, `INSERT INTO login_throttle (key, failures, locked_until, updated_at) VALUES ($1, 1, 0, $2)
		ON CONFLICT (key) DO UPDATE SET failures = login_throttle.failures + 1, updated_at = excluded.updated_at
		RETURNING failures`, key, now).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: add login failure: %w", err)
	}
	if d := lockFor(n); d > 0 {
		if _, err := q.q.ExecContext(ctx, `UPDATE login_throttle SET locked_until = $1 WHERE key = $2`, now+d, key); err != nil {
			return 0, fmt.Errorf("store: lock login: %w", err)
		}
	}
	return n, nil
}

// ClearLoginThrottle forgets key's failures (a successful sign-in, or an
// admin unlocking the account).
func (q Q) ClearLoginThrottle(ctx context.Context, key []byte) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: clear login throttle: %w", err)
	}
	return nil
}
