package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/staff"
)

// TestSecondFactorGateAndPasswordChange: a session of an admin who must
// still set up a second factor reads /api/v1/me (which says so) and is
// refused everything else with second_factor_required; its own API token,
// made before, still works. Changing one's password through the API needs
// the current one, and wrong ones lock the account with 429 and
// Retry-After.
func TestSecondFactorGateAndPasswordChange(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		e.org("hotline", true, auth.Admin, auth.Investigator)
		e.staff.SessionTTL = time.Hour
		session, a, err := e.staff.Login(ctx, "admin@hotline.test", "correct horse battery", "")
		if err != nil || !a.MustEnrolTOTP {
			t.Fatalf("admin sign-in: %+v, %v; want a session that must enrol", a, err)
		}
		cookie := []string{"Cookie", staff.SessionCookie + "=" + session}
		var me struct {
			MustEnrol bool `json:"must_enrol_totp"`
		}
		e.do("", "GET", "/api/v1/me", "/api/v1/me", nil, cookie...).decode(t, &me)
		if !me.MustEnrol {
			t.Error("/api/v1/me does not say the session must set up a second factor")
		}
		if res := e.do("", "GET", "/api/v1/users", "/api/v1/users", nil, cookie...); res.status != http.StatusForbidden || res.errorCode() != "second_factor_required" {
			t.Errorf("users with the enrolment-only session: %d %s, want 403 second_factor_required", res.status, res.body)
		}
		if res := e.do("admin@hotline.test", "GET", "/api/v1/users", "/api/v1/users", nil); res.status != http.StatusOK {
			t.Errorf("users with the admin's token: %d %s", res.status, res.body)
		}

		const path = "/api/v1/me/password"
		change := func(current string) response {
			return e.do("investigator@hotline.test", "POST", path, path, map[string]string{"current_password": current, "new_password": "a new long passphrase"})
		}
		if res := change("wrong password"); res.status != http.StatusUnprocessableEntity || res.errorCode() != "wrong" {
			t.Errorf("wrong current password: %d %s, want 422 wrong", res.status, res.body)
		}
		var res response
		for range auth.FreeFailures - 1 {
			res = change("wrong password")
		}
		if res.status != http.StatusTooManyRequests || res.errorCode() != "locked" || res.header.Get("Retry-After") == "" {
			t.Errorf("fifth wrong current password: %d %s (Retry-After %q), want 429 locked", res.status, res.body, res.header.Get("Retry-After"))
		}
		if res := change("correct horse battery"); res.status != http.StatusTooManyRequests {
			t.Errorf("right current password while locked: %d, want 429", res.status)
		}
	})
}
