package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
)

// TestNotifications: when the police answer a referral, the hotline's
// case creator is told (no one is assigned), and only they; marking
// another user's notification is not found; marking all read empties the
// count.
func TestNotifications(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Intake, auth.Coordinator)
		e.org("police", false, auth.Partner)
		var ack intake.Ack
		e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport).decode(t, &ack)
		var cv casework.CaseView
		e.do("intake@hotline.test", "POST", "/api/v1/cases", "/api/v1/cases", map[string]any{"report_ids": []string{ack.ID}, "title": "t"}).decode(t, &cv)
		var ref casework.ReferralView
		res := e.do("intake@hotline.test", "POST", "/api/v1/cases/{id}/referrals", "/api/v1/cases/"+cv.ID+"/referrals", map[string]any{"to_org_id": e.orgs["police"], "shared": []string{"places"}})
		res.decode(t, &ref)
		if res.status != http.StatusCreated {
			t.Fatalf("refer: %d %s", res.status, res.body)
		}
		if res := e.do("partner@police.test", "POST", "/api/v1/referrals/{id}/response", "/api/v1/referrals/"+ref.ID+"/response", map[string]string{"status": "accepted", "response": "on it"}); res.status != http.StatusOK {
			t.Fatalf("respond: %d %s", res.status, res.body)
		}
		list := func(email string) api.NotificationList {
			var l api.NotificationList
			res := e.do(email, "GET", "/api/v1/notifications", "/api/v1/notifications", nil)
			if res.status != http.StatusOK {
				t.Fatalf("%s: %d %s", email, res.status, res.body)
			}
			res.decode(t, &l)
			return l
		}
		mine := list("intake@hotline.test")
		if mine.Unread != 1 || len(mine.Items) != 1 || mine.Items[0].Kind != "referral.answered" || mine.Items[0].ObjectID != cv.ID || mine.Items[0].ActorID != e.users["partner@police.test"].UserID {
			t.Fatalf("the case creator's notifications: %+v", mine)
		}
		for _, other := range []string{"coordinator@hotline.test", "partner@police.test"} {
			if l := list(other); l.Unread != 0 || len(l.Items) != 0 {
				t.Errorf("%s is told too: %+v", other, l)
			}
		}
		path := "/api/v1/notifications/" + mine.Items[0].ID + "/read"
		if res := e.do("coordinator@hotline.test", "POST", "/api/v1/notifications/{id}/read", path, nil); res.status != http.StatusNotFound {
			t.Errorf("another user marks it: %d, want 404", res.status)
		}
		if res := e.do("intake@hotline.test", "POST", "/api/v1/notifications/read", "/api/v1/notifications/read", nil); res.status != http.StatusNoContent {
			t.Fatalf("mark all: %d %s", res.status, res.body)
		}
		if l := list("intake@hotline.test"); l.Unread != 0 || !l.Items[0].Read {
			t.Errorf("after marking all read: %+v", l)
		}
	})
}

// TestNotifySettingsAPI: GET answers the defaults, PUT changes them and
// refuses a value it does not know naming the field; each user has their
// own; the notification list's items carry id, kind, object_id and read.
func TestNotifySettingsAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("hotline", true, auth.Intake, auth.Coordinator, auth.Admin)
		const p = "/api/v1/notifications/settings"
		var st map[string]string
		if res := e.do("intake@hotline.test", "GET", p, p, nil); res.status != http.StatusOK {
			t.Fatalf("get: %d %s", res.status, res.body)
		} else {
			res.decode(t, &st)
		}
		if st["mail"] != "each" || st["lang"] != "en" {
			t.Errorf("defaults: %v", st)
		}
		if res := e.do("intake@hotline.test", "PUT", p, p, map[string]string{"mail": "digest", "lang": "th"}); res.status != http.StatusOK {
			t.Fatalf("put: %d %s", res.status, res.body)
		}
		for _, tc := range []struct {
			body  map[string]string
			field string
		}{
			{map[string]string{"mail": "weekly", "lang": "th"}, `"mail"`},
			{map[string]string{"mail": "none", "lang": "fr"}, `"lang"`},
		} {
			res := e.do("intake@hotline.test", "PUT", p, p, tc.body)
			if res.status != http.StatusUnprocessableEntity || !strings.Contains(string(res.body), tc.field) {
				t.Errorf("%v: %d %s, want 422 naming %s", tc.body, res.status, res.body, tc.field)
			}
		}
		e.do("intake@hotline.test", "GET", p, p, nil).decode(t, &st)
		if st["mail"] != "digest" || st["lang"] != "th" {
			t.Errorf("after the change: %v", st)
		}
		e.do("coordinator@hotline.test", "GET", p, p, nil).decode(t, &st)
		if st["mail"] != "each" {
			t.Errorf("another user's settings changed too: %v", st)
		}
		// An assignment: the list's items have the promised shape.
		var ack intake.Ack
		e.do("", "POST", "/api/v1/reports", "/api/v1/reports", publicReport).decode(t, &ack)
		e.do("coordinator@hotline.test", "POST", "/api/v1/cases", "/api/v1/cases", map[string]any{"report_ids": []string{ack.ID}, "title": "t", "assignee_id": e.users["intake@hotline.test"].UserID})
		var raw struct {
			Items []map[string]any `json:"items"`
		}
		e.do("intake@hotline.test", "GET", "/api/v1/notifications", "/api/v1/notifications", nil).decode(t, &raw)
		if len(raw.Items) != 1 {
			t.Fatalf("items: %v", raw.Items)
		}
		for _, k := range []string{"id", "kind", "object_id", "read"} {
			if _, ok := raw.Items[0][k]; !ok {
				t.Errorf("an item lacks %q: %v", k, raw.Items[0])
			}
		}
		if res := e.do("admin@hotline.test", "GET", "/api/v1/notifications/failures", "/api/v1/notifications/failures", nil); res.status != http.StatusOK || !strings.Contains(string(res.body), `"items":[]`) {
			t.Errorf("failures: %d %s", res.status, res.body)
		}
	})
}
