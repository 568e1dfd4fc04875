package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var protectedRow = regexp.MustCompile(`<tr data-id="([^"]+)"><td><code>([^<]*)</code>`)

// TestProtectedPage: a coordinator registers the hotline's number on the
// page, the public check page then answers "known legitimate contact" for
// it, and removing it takes that back; the page refuses what the service
// refuses, names the field's problem, and is not there for roles that may
// not manage the list.
func TestProtectedPage(t *testing.T) {
	e := newEnv(t)
	anon := e.client(t)
	legit := func() bool {
		t.Helper()
		p := e.do(t, anon, "POST", "/check?lang=en", url.Values{"q": {"+855 12 999 010"}})
		if p.status != http.StatusOK {
			t.Fatalf("check page: status %d", p.status)
		}
		return strings.Contains(p.body, `data-legitimate="true"`)
	}
	if legit() {
		t.Fatal("an unregistered number answers legitimate")
	}
	for _, who := range []string{"coordinator@hotline.demo", "admin@hotline.demo"} {
		c := e.login(t, who)
		if p := e.do(t, c, "GET", "/app/triage?lang=en", nil); who == "coordinator@hotline.demo" && !strings.Contains(p.body, `href="/app/protected"`) {
			t.Errorf("%s: no link to the legitimate contacts page", who)
		}
		if p := e.do(t, c, "GET", "/app/protected?lang=en", nil); p.status != http.StatusOK {
			t.Fatalf("%s: protected page: status %d", who, p.status)
		}
	}
	c := e.login(t, "coordinator@hotline.demo")
	p := e.do(t, c, "POST", "/app/protected?lang=en", url.Values{"value": {"012 999 010"}, "country": {"kh"}, "note": {"Our hotline"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("add: status %d\n%s", p.status, p.body)
	}
	p = e.do(t, c, "GET", "/app/protected?lang=en&done=added", nil)
	m := protectedRow.FindStringSubmatch(p.body)
	if m == nil || html.UnescapeString(m[2]) != "+85512999010" || !strings.Contains(p.body, "Our hotline") {
		t.Fatalf("the list does not show the number normalised with its note:\n%s", p.body)
	}
	if !legit() {
		t.Error("a registered number does not answer legitimate on the check page")
	}
	// The same again, and something that is not an identifier: refused
	// with the form kept, not a 500.
	for _, v := range []string{"+855 12 999 010", "hello there how are you"} {
		p := e.do(t, c, "POST", "/app/protected?lang=en", url.Values{"value": {v}, "country": {"KH"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(p.body), `value="`+v+`"`) {
			t.Errorf("add %q: status %d, want 422 with the form kept", v, p.status)
		}
	}
	if p := e.do(t, e.login(t, "investigator@hotline.demo"), "GET", "/app/protected", nil); p.status != http.StatusForbidden {
		t.Errorf("investigator: protected page status %d, want 403", p.status)
	}
	if p := e.do(t, e.login(t, "coordinator@ngo.demo"), "POST", "/app/protected/"+m[1]+"/removed", url.Values{}); p.status != http.StatusNotFound {
		t.Errorf("another organisation removes it: status %d, want 404", p.status)
	}
	if p := e.do(t, c, "POST", "/app/protected/"+m[1]+"/removed", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("remove: status %d", p.status)
	}
	if legit() {
		t.Error("a removed number still answers legitimate")
	}
}

// TestVerifyOnReportPage: an anonymous report counts in the public check's
// band once a coordinator marks it verified on the report page, and no
// longer once the mark is taken back.
func TestVerifyOnReportPage(t *testing.T) {
	e := newEnv(t)
	anon := e.client(t)
	var ack map[string]any
	e.api(t, anon, "POST", "/api/v1/reports", map[string]any{"language": "en", "narrative": "The recruiter called from +855 12 999 020 and promised a job in Sihanoukville."}, &ack)
	if err := e.srv.Jobs.Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	id := ack["id"].(string)
	band := func() string {
		t.Helper()
		p := e.do(t, anon, "POST", "/check?lang=en", url.Values{"q": {"+855 12 999 020"}})
		return one(t, pageBand, p.body, "band")[0]
	}
	if b := band(); b != "none" {
		t.Fatalf("an anonymous report alone: band %s, want none", b)
	}
	c := e.login(t, "coordinator@hotline.demo")
	for _, tc := range []struct{ mark, want, shows string }{{"yes", "few", "Take the mark back"}, {"no", "none", "Mark verified"}} {
		if p := e.do(t, c, "POST", "/app/reports/"+id+"/verified", url.Values{"verified": {tc.mark}}); p.status != http.StatusSeeOther {
			t.Fatalf("verified=%s: status %d\n%s", tc.mark, p.status, p.body)
		}
		if b := band(); b != tc.want {
			t.Errorf("verified=%s: band %s, want %s", tc.mark, b, tc.want)
		}
		if p := e.do(t, c, "GET", "/app/reports/"+id+"?lang=en", nil); !strings.Contains(p.body, `id="verify"`) || !strings.Contains(p.body, tc.shows) {
			t.Errorf("verified=%s: the report page does not offer %q", tc.mark, tc.shows)
		}
	}
	if p := e.do(t, e.login(t, "intake@hotline.demo"), "POST", "/app/reports/"+id+"/verified", url.Values{"verified": {"yes"}}); p.status != http.StatusForbidden {
		t.Errorf("intake staff verify: status %d, want 403", p.status)
	}
}
