package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// TestSavedViewsPage saves the triage queue's filters under a name from the
// page, opens the view, sees it only as its owner, and deletes it.
func TestSavedViewsPage(t *testing.T) {
	for _, eng := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(eng), func(t *testing.T) {
			e := newEnvOn(t, eng)
			c := e.login(t, "intake@hotline.demo")
			p := e.do(t, c, "GET", "/app/triage?urgent=1&language=km&lang=en", nil)
			m := regexp.MustCompile(`name="query" value="([^"]*)"`).FindStringSubmatch(p.body)
			if m == nil || m[1] != "language=km&amp;urgent=1" {
				t.Fatalf("the save form's query: %v", m)
			}
			r := e.do(t, c, "POST", "/app/views", url.Values{"list": {"triage"}, "name": {"Held, Khmer"}, "query": {"language=km&urgent=1"}})
			if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/triage?language=km&urgent=1" {
				t.Fatalf("save: %d %q", r.status, r.header.Get("Location"))
			}
			p = e.do(t, c, "GET", "/app/triage?lang=en", nil)
			if !strings.Contains(p.body, `<a href="/app/triage?language=km&amp;urgent=1" class="saved-view">Held, Khmer</a>`) {
				t.Fatal("the saved view is not listed on the triage page")
			}
			if bad := e.do(t, c, "POST", "/app/views", url.Values{"list": {"triage"}, "name": {"x"}, "query": {"status=eaten"}}); bad.status != http.StatusUnprocessableEntity {
				t.Errorf("a bad filter: %d; want 422", bad.status)
			}
			other := e.login(t, "coordinator@hotline.demo")
			if p := e.do(t, other, "GET", "/app/triage?lang=en", nil); strings.Contains(p.body, "Held, Khmer") {
				t.Error("another account sees the view")
			}
			id := regexp.MustCompile(`action="/app/views/([^/]+)/delete"`).FindStringSubmatch(p.body)
			if id == nil {
				t.Fatal("no delete button")
			}
			if r := e.do(t, other, "POST", "/app/views/"+id[1]+"/delete", url.Values{"list": {"triage"}}); r.status != http.StatusNotFound {
				t.Errorf("another account deletes the view: %d; want 404", r.status)
			}
			if r := e.do(t, c, "POST", "/app/views/"+id[1]+"/delete", url.Values{"list": {"triage"}}); r.status != http.StatusSeeOther {
				t.Errorf("delete: %d", r.status)
			}
			if p := e.do(t, c, "GET", "/app/triage?lang=en", nil); strings.Contains(p.body, "Held, Khmer") {
				t.Error("the deleted view is still listed")
			}
		})
	}
}
