package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
)

// TestPasswordResetLink: an admin makes a one-time link through the API,
// the user sets a new password with its token on the public route (once),
// and the answers name the field refused.
func TestPasswordResetLink(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Admin, auth.Intake)
		e.org("ngo", false, auth.Coordinator)
		intake := e.users["intake@hotline.test"].UserID
		const pattern = "/api/v1/users/{id}/password-reset"
		path := strings.Replace(pattern, "{id}", intake, 1)
		if res := e.do("coordinator@ngo.test", "POST", pattern, path, nil); res.status != http.StatusForbidden && res.status != http.StatusNotFound {
			t.Errorf("another organisation's coordinator: %d %s", res.status, res.body)
		}
		res := e.do("admin@hotline.test", "POST", pattern, path, nil)
		if res.status != http.StatusCreated {
			t.Fatalf("the admin: %d %s", res.status, res.body)
		}
		var out api.PasswordResetOut
		res.decode(t, &out)
		if !strings.HasPrefix(out.Link, "/password-reset?token=vpr_") || !strings.Contains(out.Link, out.Token) {
			t.Errorf("the link: %+v", out)
		}
		self := strings.Replace(pattern, "{id}", e.users["admin@hotline.test"].UserID, 1)
		if res := e.do("admin@hotline.test", "POST", pattern, self, nil); res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"user_id"`) {
			t.Errorf("the admin's own account: %d %s", res.status, res.body)
		}
		const set = "/api/v1/password-reset"
		for _, c := range []struct {
			name   string
			body   map[string]string
			status int
			field  string
		}{
			{"no token", map[string]string{"new_password": "a long new password"}, http.StatusUnprocessableEntity, "token"},
			{"a made-up token", map[string]string{"token": "vpr_abc", "new_password": "a long new password"}, http.StatusUnprocessableEntity, "token"},
			{"a short password", map[string]string{"token": out.Token, "new_password": "short"}, http.StatusUnprocessableEntity, "new_password"},
			{"the link", map[string]string{"token": out.Token, "new_password": "a long new password"}, http.StatusNoContent, ""},
			{"the link again", map[string]string{"token": out.Token, "new_password": "another long password"}, http.StatusUnprocessableEntity, "token"},
		} {
			res := e.do("", "POST", set, set, c.body)
			if res.status != c.status || (c.field != "" && !strings.Contains(string(res.body), `"field":"`+c.field+`"`)) {
				t.Errorf("%s: %d %s, want %d on %q", c.name, res.status, res.body, c.status, c.field)
			}
		}
		if _, _, err := e.staff.Login(context.Background(), "intake@hotline.test", "a long new password", ""); err != nil {
			t.Errorf("sign in with the new password: %v", err)
		}
	})
}

// TestTimeZones: an organisation's zone defaults to its country's and its
// admins set another; a user chooses its own; an unknown zone is 422 on
// time_zone.
func TestTimeZones(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Admin, auth.Investigator)
		org := "/api/v1/organisations/" + e.orgs["hotline"]
		const orgPattern = "/api/v1/organisations/{id}"
		res := e.do("admin@hotline.test", "PATCH", orgPattern, org, map[string]string{"country": "KH"})
		var ov struct {
			TimeZone string `json:"time_zone"`
		}
		res.decode(t, &ov)
		if res.status != http.StatusOK || ov.TimeZone != "Asia/Phnom_Penh" {
			t.Errorf("the country's zone: %d %s", res.status, res.body)
		}
		if res := e.do("admin@hotline.test", "PATCH", orgPattern, org, map[string]string{"time_zone": "Asia/Atlantis"}); res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), `"field":"time_zone"`) {
			t.Errorf("an unknown zone: %d %s", res.status, res.body)
		}
		if res := e.do("admin@hotline.test", "PATCH", orgPattern, org, map[string]string{"time_zone": "Asia/Bangkok"}); res.status != http.StatusOK || !strings.Contains(string(res.body), `"time_zone":"Asia/Bangkok"`) {
			t.Errorf("set the zone: %d %s", res.status, res.body)
		}
		me := func() string {
			var m api.MeView
			e.do("investigator@hotline.test", "GET", "/api/v1/me", "/api/v1/me", nil).decode(t, &m)
			return m.TimeZone
		}
		if z := me(); z != "Asia/Bangkok" {
			t.Errorf("the investigator's zone before choosing: %s, want the organisation's", z)
		}
		if res := e.do("investigator@hotline.test", "PATCH", "/api/v1/me", "/api/v1/me", map[string]string{"time_zone": "Europe/London"}); res.status != http.StatusOK {
			t.Errorf("choose a zone: %d %s", res.status, res.body)
		}
		if z := me(); z != "Europe/London" {
			t.Errorf("the investigator's own zone: %s", z)
		}
		if res := e.do("investigator@hotline.test", "PATCH", "/api/v1/me", "/api/v1/me", map[string]string{"time_zone": "Local"}); res.status != http.StatusUnprocessableEntity {
			t.Errorf("the server's zone: %d %s", res.status, res.body)
		}
	})
}
