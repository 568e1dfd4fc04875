package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestNotificationBell: a coordinator assigns a case to an investigator;
// the investigator's bell counts it, the list says who did what in a
// sentence, and opening it marks it read and leads to the case. Nobody
// else is told, and no one is told what they did themselves.
func TestNotificationBell(t *testing.T) {
	e := newEnv(t)
	coord := e.login(t, "coordinator@hotline.demo")
	inv := e.login(t, "investigator@hotline.demo")
	caseID := e.demo.Cases["golden"]
	before := unread(t, e, inv)
	p := e.do(t, coord, "GET", "/app/cases/"+caseID, nil)
	m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no version on the case page")
	}
	// Unassign, then assign to the investigator.
	for _, who := range []string{"", e.demo.Users["investigator@hotline.demo"]} {
		p = e.do(t, coord, "GET", "/app/cases/"+caseID, nil)
		m = regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.body)
		if r := e.do(t, coord, "POST", "/app/cases/"+caseID+"/assign", url.Values{"assignee": {who}, "version": {m[1]}}); r.status != http.StatusSeeOther {
			t.Fatalf("assign %q: status %d", who, r.status)
		}
	}
	if got := unread(t, e, inv); got != before+1 {
		t.Fatalf("the investigator's bell: %d unread, want %d", got, before+1)
	}
	if got := unread(t, e, coord); got != 0 {
		t.Errorf("the coordinator who assigned is told too: %d unread", got)
	}
	list := e.do(t, inv, "GET", "/app/notifications?lang=en", nil)
	if !strings.Contains(list.body, "Sreymom Coordinator assigned a case to you") {
		t.Fatalf("the list does not say who assigned the case:\n%s", list.body)
	}
	id := regexp.MustCompile(`action="/app/notifications/([^/"]+)/read"`).FindStringSubmatch(list.body)
	if id == nil {
		t.Fatal("no notification to open")
	}
	r := e.do(t, inv, "POST", "/app/notifications/"+id[1]+"/read", url.Values{"to": {"/app/cases/" + caseID}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/app/cases/"+caseID {
		t.Errorf("open: status %d to %q, want the case", r.status, r.header.Get("Location"))
	}
	if got := unread(t, e, inv); got != before {
		t.Errorf("after opening: %d unread, want %d", got, before)
	}
	// Another user cannot mark it, and the redirect never leaves the site.
	if r := e.do(t, coord, "POST", "/app/notifications/"+id[1]+"/read", url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("another user marks it read: status %d, want 404", r.status)
	}
	if r := e.do(t, inv, "POST", "/app/notifications/read", url.Values{"to": {"//evil.example/"}}); r.header.Get("Location") != "/app/notifications" {
		t.Errorf("mark all read went to %q", r.header.Get("Location"))
	}
}

// unread is the number on c's bell.
func unread(t *testing.T, e *env, c *http.Client) int {
	t.Helper()
	p := e.do(t, c, "GET", "/app/account", nil)
	m := regexp.MustCompile(`class="bell"[^>]*>[^<]*(?:<span class="badge"[^>]*>(\d+)</span>)?`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no bell on the page:\n%s", p.body)
	}
	if m[1] == "" {
		return 0
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

// TestNotificationSettingsForm: the notifications page's form sets how one
// is told by e-mail; a value the form never offers is refused naming the
// field; only admins see the section of undelivered e-mail, and a server
// without a mail server says so.
func TestNotificationSettingsForm(t *testing.T) {
	e := newEnv(t)
	inv := e.login(t, "investigator@hotline.demo")
	p := e.do(t, inv, "GET", "/app/notifications?lang=en", nil)
	if !strings.Contains(p.body, `value="each" checked`) || !strings.Contains(p.body, "No mail server is configured") {
		t.Fatalf("the form does not show the defaults:\n%s", p.body)
	}
	if strings.Contains(p.body, "E-mail not delivered") {
		t.Error("an investigator sees the undelivered e-mail")
	}
	if r := e.do(t, inv, "POST", "/app/notifications/settings", url.Values{"mail": {"digest"}, "lang": {"km"}}); r.status != http.StatusSeeOther {
		t.Fatalf("save: status %d", r.status)
	}
	p = e.do(t, inv, "GET", "/app/notifications?lang=en", nil)
	if !strings.Contains(p.body, `value="digest" checked`) || !strings.Contains(p.body, `value="km" selected`) {
		t.Errorf("the saved choice is not shown:\n%s", p.body)
	}
	r := e.do(t, inv, "POST", "/app/notifications/settings", url.Values{"mail": {"hourly"}, "lang": {"km"}})
	if r.status < 400 || r.status >= 500 {
		t.Errorf("a bad choice: status %d, want 4xx", r.status)
	}
	admin := e.login(t, "admin@hotline.demo")
	if p := e.do(t, admin, "GET", "/app/notifications?lang=en", nil); !strings.Contains(p.body, "E-mail not delivered") || !strings.Contains(p.body, "Every e-mail was delivered.") {
		t.Errorf("the admin does not see the undelivered e-mail section:\n%s", p.body)
	}
}
