package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
)

// TestWebhooksAPI: a coordinator registers an endpoint and gets its secret
// once; the list never shows it; bad input is a 4xx naming the field; the
// delivery log of a new endpoint is empty; deleting it twice is 404.
func TestWebhooksAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Investigator)
		coord := "coordinator@home.test"
		for _, c := range []struct {
			body  any
			field string
		}{
			{map[string]any{"url": "http://hooks.example.org/in", "events": []string{"report.received"}}, "url"},
			{map[string]any{"url": "https://127.0.0.1/in", "events": []string{"report.received"}}, "url"},
			{map[string]any{"url": "https://hooks.example.org/in", "events": []string{}}, "events"},
			{map[string]any{"url": "https://hooks.example.org/in", "events": []string{"report.erased"}}, "events"},
			{map[string]any{"url": "https://hooks.example.org/in", "events": "report.received"}, "events"},
			{map[string]any{"url": "https://hooks.example.org/in", "events": []string{"report.received"}, "secret": "mine"}, "secret"},
		} {
			res := e.do(coord, "POST", "/api/v1/webhooks", "/api/v1/webhooks", c.body)
			var er struct {
				Error struct {
					Field string `json:"field"`
				} `json:"error"`
			}
			res.decode(t, &er)
			if res.status < 400 || res.status >= 500 || er.Error.Field != c.field {
				t.Errorf("%v: %d %s, want a 4xx naming %s", c.body, res.status, res.body, c.field)
			}
		}
		res := e.do(coord, "POST", "/api/v1/webhooks", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.org/in", "events": []string{"case.status_changed"}})
		if res.status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		var created struct {
			ID     string   `json:"id"`
			Secret string   `json:"secret"`
			Events []string `json:"events"`
		}
		res.decode(t, &created)
		if !strings.HasPrefix(created.Secret, "whsec_") || len(created.Events) != 1 {
			t.Errorf("created: %s", res.body)
		}
		res = e.do(coord, "GET", "/api/v1/webhooks", "/api/v1/webhooks", nil)
		if res.status != http.StatusOK || !strings.Contains(string(res.body), created.ID) || strings.Contains(string(res.body), "whsec_") {
			t.Errorf("list: %d %s", res.status, res.body)
		}
		path := "/api/v1/webhooks/" + created.ID + "/deliveries"
		if res = e.do(coord, "GET", "/api/v1/webhooks/{id}/deliveries", path, nil); res.status != http.StatusOK || string(res.body) != `{"items":[]}`+"\n" && string(res.body) != `{"items":[]}` {
			t.Errorf("deliveries: %d %s", res.status, res.body)
		}
		if res = e.do(coord, "GET", "/api/v1/webhooks/{id}/deliveries", path+"?limit=abc", nil); res.status != http.StatusUnprocessableEntity {
			t.Errorf("limit=abc: %d %s", res.status, res.body)
		}
		// Switched off and on again; a patch without "enabled" names it.
		one := "/api/v1/webhooks/" + created.ID
		for _, c := range []struct {
			who    string
			body   any
			status int
			want   string
		}{
			{"investigator@home.test", map[string]bool{"enabled": false}, http.StatusNotFound, ""},
			{coord, map[string]any{}, http.StatusUnprocessableEntity, `"field":"enabled"`},
			{coord, map[string]any{"enabled": "no"}, http.StatusBadRequest, ""},
			{coord, map[string]bool{"enabled": false}, http.StatusOK, `"enabled":false`},
			{coord, map[string]bool{"enabled": true}, http.StatusOK, `"enabled":true`},
		} {
			res := e.do(c.who, "PATCH", "/api/v1/webhooks/{id}", one, c.body)
			if res.status != c.status && !(c.status == http.StatusBadRequest && res.status == http.StatusUnprocessableEntity) || !strings.Contains(string(res.body), c.want) {
				t.Errorf("%s PATCH %v: %d %s, want %d with %s", c.who, c.body, res.status, res.body, c.status, c.want)
			}
		}
		if res = e.do("investigator@home.test", "DELETE", "/api/v1/webhooks/{id}", "/api/v1/webhooks/"+created.ID, nil); res.status != http.StatusNotFound {
			t.Errorf("investigator deletes: %d", res.status)
		}
		if res = e.do(coord, "DELETE", "/api/v1/webhooks/{id}", "/api/v1/webhooks/"+created.ID, nil); res.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", res.status, res.body)
		}
		if res = e.do(coord, "DELETE", "/api/v1/webhooks/{id}", "/api/v1/webhooks/"+created.ID, nil); res.status != http.StatusNotFound {
			t.Errorf("delete again: %d %s", res.status, res.body)
		}
	})
}
