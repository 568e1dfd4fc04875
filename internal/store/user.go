package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

const userCols = `id, org_id, email, name, role, password_hash, totp_secret, totp_step, disabled, created_at, time_zone`

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	var dis int
	if err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &u.Role, &u.PasswordHash, &u.TOTPSecret, &u.TOTPStep, &dis, &u.CreatedAt, &u.TimeZone); err != nil {
		return nil, err
	}
	u.Disabled = dis != 0
	return &u, nil
}

// PutUser inserts a user; ErrConflict if the e-mail is taken.
func (q Q) PutUser(ctx context.Context, u *User) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO users (`+userCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		u.ID, u.OrgID, u.Email, u.Name, u.Role, u.PasswordHash, u.TOTPSecret, u.TOTPStep, b2i(u.Disabled), u.CreatedAt, u.TimeZone)
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

// SetUserRole changes a user's role.
func (q Q) SetUserRole(ctx context.Context, id, role string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, id)
	if err != nil {
		return fmt.Errorf("store: set role: %w", err)
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

// SetUserPassword stores a user's new password hash.
func (q Q) SetUserPassword(ctx context.Context, id, hash string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)
	if err != nil {
		return fmt.Errorf("store: set password: %w", err)
	}
	return oneRow(res, "user", id)
}

// UseTOTPStep records that a sign-in used the TOTP code of step; false,
// and nothing changed, when that step or a later one was used already
// (a replayed code, or a race with another sign-in using the same one).
func (q Q) UseTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET totp_step = $1 WHERE id = $2 AND totp_step < $1`, step, id)
	if err != nil {
		return false, fmt.Errorf("store: use totp step: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: use totp step: %w", err)
	}
	return n == 1, nil
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

const tokenCols = `id, user_id, name, hash, created_at, expires_at, revoked, last_used_at`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var rev int
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Hash, &t.CreatedAt, &t.ExpiresAt, &rev, &t.LastUsedAt); err != nil {
		return nil, err
	}
	t.Revoked = rev != 0
	return &t, nil
}

func (q Q) getToken(ctx context.Context, where string, arg any) (*Token, error) {
	t, err := scanToken(q.q.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_tokens WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: token: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get token: %w", err)
	}
	return t, nil
}

// GetTokenByHash returns the token whose hash is h.
func (q Q) GetTokenByHash(ctx context.Context, h []byte) (*Token, error) {
	return q.getToken(ctx, `hash = $1`, h)
}

// GetToken returns the token with id.
func (q Q) GetToken(ctx context.Context, id string) (*Token, error) {
	return q.getToken(ctx, `id = $1`, id)
}

// ListTokens returns, oldest first, the tokens of one user (userID), of
// an organisation's users (orgID), or of everyone (both "").
func (q Q) ListTokens(ctx context.Context, orgID, userID string) ([]*Token, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT t.id, t.user_id, t.name, t.hash, t.created_at, t.expires_at, t.revoked, t.last_used_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE ($1 = '' OR u.org_id = $1) AND ($2 = '' OR t.user_id = $2) ORDER BY t.id`, orgID, userID)
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	defer rows.Close()
	var out []*Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list tokens: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TouchToken records that a token was used at at, unless a use since
// notBefore is recorded already (so a busy token writes once a minute,
// not once a request).
func (q Q) TouchToken(ctx context.Context, id string, at, notBefore int64) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND last_used_at < $3`, at, id, notBefore); err != nil {
		return fmt.Errorf("store: touch token: %w", err)
	}
	return nil
}

// RevokeToken revokes a token for good.
func (q Q) RevokeToken(ctx context.Context, id string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("store: revoke token: %w", err)
	}
	return oneRow(res, "token", id)
}

// RevokeUserTokens revokes every token of a user for good and returns how
// many were still live.
func (q Q) RevokeUserTokens(ctx context.Context, userID string) (int64, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET revoked = 1 WHERE user_id = $1 AND revoked = 0`, userID)
	if err != nil {
		return 0, fmt.Errorf("store: revoke tokens: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: revoke tokens: %w", err)
	}
	return n, nil
}

// CountAdmins returns how many enabled admins an organisation has.
func (q Q) CountAdmins(ctx context.Context, orgID string) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = 'admin' AND disabled = 0`, orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count admins: %w", err)
	}
	return n, nil
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

// DeleteUserSessions ends every session of a user except the one whose
// hash is exceptHash (nil: every one).
func (q Q) DeleteUserSessions(ctx context.Context, userID string, exceptHash []byte) error {
	if exceptHash == nil {
		exceptHash = []byte{}
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND hash <> $2`, userID, exceptHash); err != nil {
		return fmt.Errorf("store: delete sessions: %w", err)
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

// AnyUser reports whether any account exists.
func (q Q) AnyUser(ctx context.Context) (bool, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT 1 FROM users LIMIT 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: any user: %w", err)
	}
	return true, nil
}

// ClaimSetup records, once per installation, that the first-run setup ran:
// of two transactions claiming it, exactly one gets true.
func (q Q) ClaimSetup(ctx context.Context) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO instance (name, value, created_at) VALUES ('setup', 'done', $1) ON CONFLICT (name) DO NOTHING`, Now())
	if err != nil {
		return false, fmt.Errorf("store: claim setup: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim setup: %w", err)
	}
	return n == 1, nil
}

// SetUserTimeZone stores a user's own time zone ("": the organisation's).
func (q Q) SetUserTimeZone(ctx context.Context, id, zone string) error {
	res, err := q.q.ExecContext(ctx, `UPDATE users SET time_zone = $1 WHERE id = $2`, zone, id)
	if err != nil {
		return fmt.Errorf("store: set time zone: %w", err)
	}
	return oneRow(res, "user", id)
}

// PasswordReset is an admin's one-time link for a user to set a new
// password; only the SHA-256 hash of its token is stored.
type PasswordReset struct {
	Hash      []byte
	UserID    string
	CreatedBy string
	CreatedAt int64
	ExpiresAt int64
	UsedAt    int64
}

// PutPasswordReset stores a new reset link for a user after dropping the
// user's earlier unused ones, so only the newest works.
func (q Q) PutPasswordReset(ctx context.Context, p *PasswordReset) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM password_resets WHERE user_id = $1 AND used_at = 0`, p.UserID); err != nil {
		return fmt.Errorf("store: drop password resets: %w", err)
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO password_resets (hash, user_id, created_by, created_at, expires_at, used_at) VALUES ($1,$2,$3,$4,$5,0)`,
		p.Hash, p.UserID, p.CreatedBy, p.CreatedAt, p.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: put password reset: %w", err)
	}
	return nil
}

// GetPasswordReset returns the reset link whose token hash is h.
func (q Q) GetPasswordReset(ctx context.Context, h []byte) (*PasswordReset, error) {
	var p PasswordReset
	err := q.q.QueryRowContext(ctx, `SELECT hash, user_id, created_by, created_at, expires_at, used_at FROM password_resets WHERE hash = $1`, h).
		Scan(&p.Hash, &p.UserID, &p.CreatedBy, &p.CreatedAt, &p.ExpiresAt, &p.UsedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: password reset: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get password reset: %w", err)
	}
	return &p, nil
}

// UsePasswordReset marks a reset link used at at; false, and nothing
// changed, when it was used already (of two racing uses, one wins).
func (q Q) UsePasswordReset(ctx context.Context, h []byte, at int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `UPDATE password_resets SET used_at = $1 WHERE hash = $2 AND used_at = 0`, at, h)
	if err != nil {
		return false, fmt.Errorf("store: use password reset: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: use password reset: %w", err)
	}
	return n == 1, nil
}
