package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var webhookSection = regexp.MustCompile(`<section class="card" id="webhook-([^"]+)"`)

// TestWebhooksPage: the admin page links to the webhooks page; an admin
// adds an endpoint there and sees its secret once, then the endpoint in the
// list without it; a plain-http or private address is refused with the
// form kept; deleting it empties the list; an investigator has no page.
func TestWebhooksPage(t *testing.T) {
	e := newEnv(t)
	c := e.login(t, "admin@hotline.demo")
	if p := e.do(t, c, "GET", "/app/admin?lang=en", nil); !strings.Contains(p.body, `href="/app/admin/webhooks"`) {
		t.Error("the admin page has no link to the webhooks page")
	}
	p := e.do(t, c, "GET", "/app/admin/webhooks?lang=en", nil)
	if p.status != http.StatusOK || !strings.Contains(p.body, "No endpoints yet.") {
		t.Fatalf("webhooks page: status %d\n%s", p.status, p.body)
	}
	for _, bad := range []string{"http://hooks.example.org/in", "https://10.0.0.7/in", "https://169.254.169.254/"} {
		p := e.do(t, c, "POST", "/app/admin/webhooks?lang=en", url.Values{"url": {bad}, "events": {"report.received"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `value="`+bad+`"`) {
			t.Errorf("%s: status %d, want 422 with the form kept", bad, p.status)
		}
	}
	p = e.do(t, c, "POST", "/app/admin/webhooks?lang=en", url.Values{"url": {"https://hooks.example.org/in"}, "events": {"report.received", "referral.answered"}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "whsec_") || !strings.Contains(p.body, "shown only this once") {
		t.Fatalf("add: status %d, no secret shown\n%s", p.status, p.body)
	}
	p = e.do(t, c, "GET", "/app/admin/webhooks?lang=en", nil)
	m := webhookSection.FindStringSubmatch(p.body)
	if m == nil || !strings.Contains(p.body, "https://hooks.example.org/in") || !strings.Contains(p.body, "Referral answered") || strings.Contains(p.body, "whsec_") {
		t.Fatalf("the list does not show the endpoint (or shows its secret again):\n%s", p.body)
	}
	for _, lang := range []string{"km", "th", "vi", "zh"} {
		if p := e.do(t, c, "GET", "/app/admin/webhooks?lang="+lang, nil); p.status != http.StatusOK {
			t.Errorf("lang %s: status %d", lang, p.status)
		} else {
			checkLabels(t, "/app/admin/webhooks", p.body)
		}
	}
	inv := e.login(t, "investigator@hotline.demo")
	if p := e.do(t, inv, "GET", "/app/admin/webhooks?lang=en", nil); p.status != http.StatusForbidden && p.status != http.StatusNotFound {
		t.Errorf("investigator: status %d, want 403 or 404", p.status)
	}
	// Switched off, then on again, from the page.
	if p := e.do(t, inv, "POST", "/app/admin/webhooks/"+m[1]+"/enabled?lang=en", url.Values{"enabled": {"false"}}); p.status != http.StatusNotFound {
		t.Errorf("investigator switches off: status %d, want 404", p.status)
	}
	for _, sw := range []struct{ enabled, notice, button string }{
		{"false", "Endpoint switched off.", "Switch on"},
		{"true", "Endpoint switched on.", "Switch off"},
	} {
		p := e.do(t, c, "POST", "/app/admin/webhooks/"+m[1]+"/enabled?lang=en", url.Values{"enabled": {sw.enabled}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("enabled=%s: status %d", sw.enabled, p.status)
		}
		done := map[string]string{"false": "disabled", "true": "enabled"}[sw.enabled]
		p = e.do(t, c, "GET", "/app/admin/webhooks?lang=en&done="+done, nil)
		if !strings.Contains(p.body, sw.notice) || !strings.Contains(p.body, ">"+sw.button+"</button>") || strings.Contains(p.body, "Switched off: nothing") != (sw.enabled == "false") {
			t.Errorf("enabled=%s: the page does not say so:\n%s", sw.enabled, p.body)
		}
	}
	if p := e.do(t, inv, "POST", "/app/admin/webhooks/"+m[1]+"/deleted?lang=en", nil); p.status != http.StatusNotFound {
		t.Errorf("investigator deletes: status %d, want 404", p.status)
	}
	if p := e.do(t, c, "POST", "/app/admin/webhooks/"+m[1]+"/deleted?lang=en", nil); p.status != http.StatusSeeOther {
		t.Fatalf("delete: status %d", p.status)
	}
	if p := e.do(t, c, "GET", "/app/admin/webhooks?lang=en&done=deleted", nil); webhookSection.MatchString(p.body) || !strings.Contains(p.body, "Endpoint deleted.") {
		t.Error("the deleted endpoint is still listed")
	}
}
