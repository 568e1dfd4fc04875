package web

import (
	"net/http"
	"net/url"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
)

// The password reset page: a user whose admin made a one-time link
// (staff.ResetPassword) sets a new password with it. The link's token is
// the authority; the staff service checks it, uses it once and ends the
// user's sessions.

func (s *site) mountPasswordReset(mux *http.ServeMux) {
	mux.Handle("GET "+staff.PasswordResetPath, s.public(s.passwordResetForm))
	mux.Handle("POST "+staff.PasswordResetPath, s.public(s.passwordResetSubmit))
}

// passwordResetView is the page for token: its form while the token may
// be used (showing the account's address), else the refusal alone.
func (s *site) passwordResetView(q *req, token string) (*view, int) {
	v := s.newView(q, "reset.title")
	email, err := s.d.Staff.CheckPasswordReset(q.ctx(), token)
	if err != nil {
		msg, ok := s.refusal(q, err)
		if !ok {
			msg = q.L.T("err.internal")
		}
		v.Error = msg
		return v, answer.Of(err).Status
	}
	v.Form = url.Values{"token": {token}, "email": {email}}
	return v, http.StatusOK
}

func (s *site) passwordResetForm(w http.ResponseWriter, q *req) error {
	v, status := s.passwordResetView(q, q.r.URL.Query().Get("token"))
	s.render(w, q, status, "password_reset", v)
	return nil
}

func (s *site) passwordResetSubmit(w http.ResponseWriter, q *req) error {
	token, next := q.r.PostFormValue("token"), q.r.PostFormValue("new_password")
	if !s.limit.Allow(q.r) {
		v := s.newView(q, "reset.title")
		v.Error = q.L.T("err.rate_limited")
		s.render(w, q, http.StatusTooManyRequests, "password_reset", v)
		return nil
	}
	refuse := func(field, msg string, status int) error {
		v, st := s.passwordResetView(q, token)
		if st == http.StatusOK {
			st = status
		}
		v.Errors[field] = msg
		v.Error = msg
		s.render(w, q, st, "password_reset", v)
		return nil
	}
	if next != q.r.PostFormValue("password2") {
		return refuse("password2", q.L.T("setup.password_mismatch"), http.StatusUnprocessableEntity)
	}
	if err := s.d.Staff.UsePasswordReset(q.ctx(), token, next); err != nil {
		msg, ok := s.refusal(q, err)
		if !ok {
			return err
		}
		field := "new_password"
		if fe, ok := invalid.As(err); ok {
			field = fe.Field
		}
		return refuse(field, msg, answer.Of(err).Status)
	}
	return redirect(w, q, "/login?reset=done")
}
