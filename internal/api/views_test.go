package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/views"
)

// TestViewsAPI saves, lists and deletes a saved view through the API.
func TestViewsAPI(t *testing.T) {
	engines(t, func(t *testing.T, e *env) {
		e.org("home", true, auth.Coordinator, auth.Intake)
		r := e.do("intake@home.test", "POST", "/api/v1/views", "/api/v1/views", map[string]string{"list": "cases", "name": "Overdue", "query": "overdue=1&after=x"})
		var v views.View
		r.decode(t, &v)
		if r.status != http.StatusCreated || v.Query != "overdue=1" {
			t.Fatalf("save: %d %s", r.status, r.body)
		}
		if bad := e.do("intake@home.test", "POST", "/api/v1/views", "/api/v1/views", map[string]string{"list": "cases", "name": "x", "query": "urgency=soon"}); bad.status != http.StatusUnprocessableEntity || !strings.Contains(string(bad.body), `"field":"query"`) {
			t.Errorf("a bad filter: %d %s", bad.status, bad.body)
		}
		l := e.do("intake@home.test", "GET", "/api/v1/views", "/api/v1/views?list=cases", nil)
		if l.status != http.StatusOK || !strings.Contains(string(l.body), `"name":"Overdue"`) {
			t.Errorf("list: %d %s", l.status, l.body)
		}
		if o := e.do("coordinator@home.test", "GET", "/api/v1/views", "/api/v1/views", nil); o.status != http.StatusOK || strings.Contains(string(o.body), "Overdue") {
			t.Errorf("another account lists: %d %s", o.status, o.body)
		}
		if d := e.do("coordinator@home.test", "DELETE", "/api/v1/views/{id}", "/api/v1/views/"+v.ID, nil); d.status != http.StatusNotFound {
			t.Errorf("another account deletes: %d", d.status)
		}
		if d := e.do("intake@home.test", "DELETE", "/api/v1/views/{id}", "/api/v1/views/"+v.ID, nil); d.status != http.StatusNoContent {
			t.Errorf("delete: %d %s", d.status, d.body)
		}
	})
}
