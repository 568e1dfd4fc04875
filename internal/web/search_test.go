package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestSearchPage: the staff layout has a search box for those who may
// search, the results page finds demo reports by words of their testimony
// (Thai, and Vietnamese typed without its diacritics) and refuses a query
// that is too long with the field's message, not an error page.
func TestSearchPage(t *testing.T) {
	e := newEnv(t)
	inv := e.login(t, "investigator@hotline.demo")
	p := e.do(t, inv, "GET", "/app/triage?lang=en", nil)
	if !strings.Contains(p.body, `action="/app/search"`) {
		t.Errorf("the staff layout has no search box")
	}
	for _, q := range []string{"ปอยเปต", "thai lan", "golden_job_kh"} {
		p = e.do(t, inv, "GET", "/app/search?lang=en&q="+url.QueryEscape(q), nil)
		if p.status != http.StatusOK || !strings.Contains(p.body, `href="/app/reports/`) {
			t.Errorf("search %q: %d, no report found\n%s", q, p.status, p.body)
		}
	}
	p = e.do(t, inv, "GET", "/app/search?lang=en&q="+strings.Repeat("x", 201), nil)
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "This is too long") {
		t.Errorf("a long query: %d\n%s", p.status, p.body)
	}
	p = e.do(t, inv, "GET", "/app/search?lang=en&q=nothing+matches+this+zzqqx", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, "Nothing found that you may open.") {
		t.Errorf("no results: %d\n%s", p.status, p.body)
	}
	// An admin reads no report: no box, and the page is not there.
	admin := e.login(t, "admin@hotline.demo")
	if p := e.do(t, admin, "GET", "/app/admin?lang=en", nil); strings.Contains(p.body, `action="/app/search"`) {
		t.Errorf("an admin sees the search box")
	}
	if p := e.do(t, admin, "GET", "/app/search?q=x", nil); p.status != http.StatusNotFound {
		t.Errorf("an admin's search page: %d, want 404", p.status)
	}
}
