package api

import (
	"net/http"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
)

// PasswordResetOut is a one-time password reset link an admin made for
// another user: shown this once, never stored but as a hash.
type PasswordResetOut struct {
	UserID    string    `json:"user_id"`
	Token     string    `json:"token"`
	Link      string    `json:"link"`
	ExpiresAt time.Time `json:"expires_at"`
}

// resetPassword makes a one-time link for the user in the path to set a
// new password (an admin's own organisation's accounts).
func (api *API) resetPassword(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	p, err := api.svc.Staff.ResetPassword(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, PasswordResetOut{UserID: p.UserID, Token: p.Token, Link: p.Link(api.publicURL), ExpiresAt: p.ExpiresAt})
	return nil
}

// PasswordSetIn sets a new password with a reset link's token.
type PasswordSetIn struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

// setPassword uses a reset token: the token is the authority, so the
// route is public (and rate-limited as public routes are).
func (api *API) setPassword(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in PasswordSetIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if err := api.svc.Staff.UsePasswordReset(r.Context(), in.Token, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
