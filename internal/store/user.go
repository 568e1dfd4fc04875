package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const userCols = `id, org_id, email, name, role, password_hash, totp_secret, disabled, created_at`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var dis int
	if err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSecret, &dis, &u.CreatedAt); err != nil {
		return nil, err
	}
	u.Disabled = dis != 0
	return &u, nil
}

// PutUser inserts a user; ErrConflict if the e-mail is taken.
func (q Q) PutUser(ctx context.Context, u *User) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		u.ID, u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, b2i(u.Disabled), u.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: user %q: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put user: %w", err)
	}
	return nil
}

func (q Q) getUser(ctx context.Context, where string, arg any) (*User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: user: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get user: %w", err)
	}
	return u, nil
}

// GetUser returns the user with id.
func (q Q) GetUser(ctx context.Context, id string) (*User, error) {
	return q.getUser(ctx, `id = $1`, id)
}

// GetUserByEmail returns the user with the e-mail address.
func (q Q) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return q.getUser(ctx, `email = $1`, email)
}

// ListUsers returns the users of an organisation, or of all when orgID is "".
func (q Q) ListUsers(ctx context.Context, orgID string) ([]*User, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+userCols+` FROM users WHERE ($1 = '' OR org_id = $1) ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list users: %w", err)
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list users: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// SetUserDisabled disables or re-enables a user.
func (q Q) SetUserDisabled(ctx context.Context, id string, disabled bool) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, b2i(disabled), id)
	if err != nil {
		return fmt.Errorf("store: disable user: %w", err)
	}
	return oneRow(res, "user", id)
}

// SetUserTOTP stores a user's TOTP secret ("" removes it).
func (q Q) SetUserTOTP(ctx context.Context, id, secret string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET totp_secret = $1 WHERE id = $2`, secret, id)
	if err != nil {
		return fmt.Errorf("store: set totp: %w", err)
	}
	return oneRow(res, "user", id)
}

// PutToken inserts an API token.
func (q Q) PutToken(ctx context.Context, t *Token) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO api_tokens (id, user_id, name, hash, created_at, expires_at, revoked) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
		t.ID, t.UserID, t.Name, t.Hash, t.CreatedAt, t.ExpiresAt, b2i(t.Revoked))
	if err != nil {
		return fmt.Errorf("store: put token: %w", err)
	}
	return nil
}

// GetTokenByHash returns the token whose hash is h.
func (q Q) GetTokenByHash(ctx context.Context, h []byte) (*Token, error) {
	var t Token
	var rev int
	err := q.q.QueryRowContext(ctx, `SELECT id, user_id, name, hash, created_at, expires_at, revoked FROM api_tokens WHERE hash = $1`, h).
		Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &t.ExpiresAt, &rev)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get token: %w", err)
	}
	t.Revoked = rev != 0
	return &t, nil
}

// PutSession inserts a session.
func (q Q) PutSession(ctx context.Context, s *Session) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO sessions (hash, user_id, created_at, seen_at, expires_at) VALUES ($1,$2,$3,$4,$5)`,
		s.Hash, s.UserID, s.CreatedAt, s.SeenAt, s.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: put session: %w", err)
	}
	return nil
}

// GetSession returns the session whose hash is h.
func (q Q) GetSession(ctx context.Context, h []byte) (*Session, error) {
	var s Session
	err := q.q.QueryRowContext(ctx, `SELECT hash, user_id, created_at, seen_at, expires_at FROM sessions WHERE hash = $1`, h).
		Scan(&s.Hash, &s.UserID, &s.CreatedAt, &s.SeenAt, &s.ExpiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: session: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get session: %w", err)
	}
	return &s, nil
}

// TouchSession moves a session's expiry forward.
func (q Q) TouchSession(ctx context.Context, h []byte, seen, expires int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE sessions SET seen_at = $1, expires_at = $2 WHERE hash = $3`, seen, expires, h)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", err)
	}
	return nil
}

// DeleteSession ends a session.
func (q Q) DeleteSession(ctx context.Context, h []byte) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE hash = $1`, h); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

func oneRow(res sql.Result, what, id string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %s: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %s: %w", what, id, ErrNotFound)
	}
	return nil
}
