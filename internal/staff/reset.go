package staff

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// An admin who resets another user's password never sees or sets the
// password: it gets a one-time link to give the user (by a channel it
// trusts), and the user sets a new password with it. The link's token is
// random, stored only as its SHA-256 hash, works once and for
// PasswordResetTTL; making a new one drops the user's earlier ones. Using
// it ends every session of the user.

// PasswordResetTTL is how long a password reset link works.
const PasswordResetTTL = 24 * time.Hour

// ResetPrefix starts every password reset token.
const ResetPrefix = "vpr_"

// PasswordResetPath is the page that sets a new password with a reset
// token (?token=…).
const PasswordResetPath = "/password-reset"

// PasswordReset is a reset link just made: the token, shown this once.
type PasswordReset struct {
	UserID    string    `json:"user_id"`
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Link is the reset page's address for the token: under base (the
// instance's public address, VIGIL_PUBLIC_URL) when it is known, else the
// path alone.
func (p *PasswordReset) Link(base string) string {
	return strings.TrimRight(base, "/") + PasswordResetPath + "?" + url.Values{"token": {p.Token}}.Encode()
}

// ResetPassword makes a one-time link for a user (by id or e-mail) to set
// a new password, audited as user.password_reset. An admin resets its own
// organisation's accounts, not its own (it changes its own password on its
// account page) nor an integration account's (which has none); System
// anyone's. The user's current password keeps working until the link is
// used.
func (s *Service) ResetPassword(ctx context.Context, a auth.Actor, idOrEmail string) (*PasswordReset, error) {
	secret, hash, err := auth.NewSecret(ResetPrefix)
	if err != nil {
		return nil, err
	}
	var out *PasswordReset
	_, err = s.onAccount(ctx, a, idOrEmail, func(q store.Q, u *store.User) error {
		switch {
		case u.ID == a.UserID:
			return invalid.Field("user_id", "own_account", "change your own password on your account page")
		case u.Role == string(auth.Integration):
			return invalid.Field("user_id", "invalid_value", "an integration account has no password; it uses API tokens")
		case u.Disabled:
			return invalid.Field("user_id", "disabled", "the account is disabled")
		}
		now := s.Now()
		p := &store.PasswordReset{Hash: hash, UserID: u.ID, CreatedBy: a.UserID, CreatedAt: now.UnixMicro(), ExpiresAt: now.Add(PasswordResetTTL).UnixMicro()}
		if err := q.PutPasswordReset(ctx, p); err != nil {
			return err
		}
		out = &PasswordReset{UserID: u.ID, Token: secret, ExpiresAt: store.Time(p.ExpiresAt)}
		return audit.Record(ctx, q, a, "user.password_reset", "user", u.ID, map[string]any{"expires_at": out.ExpiresAt})
	})
	if err != nil {
		return nil, fmt.Errorf("staff: reset password: %w", err)
	}
	return out, nil
}

// errResetToken is every refusal of a reset token: unknown, used, expired,
// or for a disabled account look the same.
var errResetToken = invalid.Field("token", "invalid_link", "this link is not valid: it was used already, it expired, or it was replaced by a newer one; ask your admin for a new one")

// resetUser returns the reset and the user of a token that may still be
// used.
func (s *Service) resetUser(ctx context.Context, q store.Q, token string) (*store.PasswordReset, *store.User, error) {
	if !strings.HasPrefix(token, ResetPrefix) || len(token) > 100 {
		return nil, nil, errResetToken
	}
	p, err := q.GetPasswordReset(ctx, auth.HashSecret(token))
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, errResetToken
	}
	if err != nil {
		return nil, nil, err
	}
	if p.UsedAt != 0 || s.Now().UnixMicro() > p.ExpiresAt {
		return nil, nil, errResetToken
	}
	u, err := q.GetUser(ctx, p.UserID)
	if err != nil {
		return nil, nil, err
	}
	if u.Disabled {
		return nil, nil, errResetToken
	}
	return p, u, nil
}

// CheckPasswordReset returns the e-mail address of the account a reset
// token may still set a password for; the refusal names field "token".
func (s *Service) CheckPasswordReset(ctx context.Context, token string) (string, error) {
	_, u, err := s.resetUser(ctx, s.db.Read(), token)
	if err != nil {
		return "", err
	}
	return u.Email, nil
}

// UsePasswordReset sets the password of the reset token's user to next,
// once: it marks the link used, ends every session of the user, forgets
// its failed sign-ins and records user.password_set by the user. The user
// signs in with the new password (and its second factor, if it has one).
func (s *Service) UsePasswordReset(ctx context.Context, token, next string) error {
	if err := checkPassword("new_password", next); err != nil {
		return err
	}
	if _, _, err := s.resetUser(ctx, s.db.Read(), token); err != nil {
		return err
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		// Read again inside the transaction: the link may have been used
		// or replaced while the password was hashed.
		p, u, err := s.resetUser(ctx, q, token)
		if err != nil {
			return err
		}
		if won, err := q.UsePasswordReset(ctx, p.Hash, s.Now().UnixMicro()); err != nil {
			return err
		} else if !won {
			return errResetToken
		}
		if err := q.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, nil); err != nil {
			return err
		}
		if err := q.ClearLoginThrottle(ctx, auth.ThrottleKey(u.Email)); err != nil {
			return err
		}
		a := auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}
		return audit.Record(ctx, q, a, "user.password_set", "user", u.ID, map[string]string{"by": "reset_link"})
	})
}
