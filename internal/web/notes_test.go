package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestCaseNotesPage adds a note on the case page, edits it (a new version,
// the old text kept), shows neither to the partner the case is referred
// to, and lets no one but the author edit it.
func TestCaseNotesPage(t *testing.T) {
	e := newEnv(t)
	golden := e.demo.Cases["golden"]
	inv := e.login(t, "investigator@hotline.demo")
	cp := e.do(t, inv, "GET", "/app/cases/"+golden+"?lang=en", nil)
	if cp.status != 200 || !strings.Contains(cp.body, `id="note-form"`) {
		t.Fatalf("case page: status %d or no note form", cp.status)
	}
	checkLabels(t, "case page", cp.body)
	if r := e.do(t, inv, "POST", "/app/cases/"+golden+"/notes?lang=en", url.Values{"text": {"  "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "text") {
		t.Errorf("an empty note: status %d, want 422 naming the field", r.status)
	}
	const first, second = "Called the mother back: she has a new number for him.", "Called the mother back twice: new number confirmed."
	r := e.do(t, inv, "POST", "/app/cases/"+golden+"/notes", url.Values{"text": {first}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add note: status %d\n%s", r.status, r.body)
	}
	m := regexp.MustCompile(`#note-([0-9a-f-]+)$`).FindStringSubmatch(r.header.Get("Location"))
	if m == nil {
		t.Fatalf("add note redirected to %q", r.header.Get("Location"))
	}
	note := m[1]
	if r := e.do(t, inv, "POST", "/app/cases/"+golden+"/notes/"+note, url.Values{"text": {second}, "version": {"1"}}); r.status != http.StatusSeeOther {
		t.Fatalf("edit note: status %d\n%s", r.status, r.body)
	}
	if r := e.do(t, inv, "POST", "/app/cases/"+golden+"/notes/"+note, url.Values{"text": {"stale"}, "version": {"1"}}); r.status != http.StatusPreconditionFailed {
		t.Errorf("edit of a stale version: status %d, want 412", r.status)
	}
	coord := e.login(t, "coordinator@hotline.demo")
	cp = e.do(t, coord, "GET", "/app/cases/"+golden+"?lang=en", nil)
	if !strings.Contains(cp.body, second) || !strings.Contains(cp.body, first) || !strings.Contains(cp.body, "Vichea Investigator") {
		t.Error("a colleague does not see the note, its earlier version or its author")
	}
	if strings.Contains(cp.body, `action="/app/cases/`+golden+`/notes/`+note+`"`) {
		t.Error("a colleague is offered to edit someone else's note")
	}
	if r := e.do(t, coord, "POST", "/app/cases/"+golden+"/notes/"+note, url.Values{"text": {"mine"}}); r.status != http.StatusForbidden {
		t.Errorf("a colleague edits the note: status %d, want 403", r.status)
	}
	police := e.login(t, "partner@police.demo")
	pp := e.do(t, police, "GET", "/app/cases/"+golden, nil)
	if pp.status != 200 || strings.Contains(pp.body, "mother back") || strings.Contains(pp.body, `id="notes"`) {
		t.Errorf("partner case page: status %d; it must show no note", pp.status)
	}
	// The workspace's forms are not a partner's: 404, as its other pages.
	if r := e.do(t, police, "POST", "/app/cases/"+golden+"/notes", url.Values{"text": {"x"}}); r.status != http.StatusNotFound {
		t.Errorf("partner adds a note: status %d, want 404", r.status)
	}
	// The partner's API view of the case holds no note either.
	for _, path := range []string{"/api/v1/cases/" + golden, "/api/v1/cases/" + golden + "/notes"} {
		if p := e.do(t, police, "GET", path, nil); strings.Contains(p.body, "mother back") {
			t.Errorf("partner GET %s shows a note (status %d)", path, p.status)
		}
	}
}

// TestStaffIntakePage files a phone report through /app/intake: it lands
// in triage, records who took it and when the contact was, and the page
// shows the tracking code and secret to pass on.
func TestStaffIntakePage(t *testing.T) {
	e := newEnv(t)
	desk := e.login(t, "intake@hotline.demo")
	p := e.do(t, desk, "GET", "/app/intake?lang=en", nil)
	if p.status != 200 || !strings.Contains(p.body, `name="narrative"`) || !strings.Contains(p.body, `name="channel"`) || !strings.Contains(p.body, `name="contacted_on"`) {
		t.Fatalf("intake form: status %d or fields missing", p.status)
	}
	checkLabels(t, "intake form", p.body)
	form := func(channel, day string) url.Values {
		return url.Values{"channel": {channel}, "contacted_on": {day}, "language": {"km"}, "narrative": {"កូនប្រុសខ្ញុំត្រូវបានឃុំខ្លួននៅបាវិត។ zqxphone"},
			"place": {"Bavet"}, "still_held": {"yes"}, "victim_nationality": {"KH"}, "reporter_name": {"Sok Dara"}, "reporter_contact": {"+855 12 777 000"}}
	}
	for _, tt := range []struct{ name, channel, day, field string }{
		{"channel", "web", "2026-01-02", "channel"},
		{"date", "phone", "yesterday", "contacted_on"},
		{"future date", "phone", time.Now().AddDate(0, 0, 5).Format(time.DateOnly), "contacted_on"},
	} {
		r := e.do(t, desk, "POST", "/app/intake?lang=en", form(tt.channel, tt.day))
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `class="has-error"`) || !strings.Contains(r.body, "zqxphone") {
			t.Errorf("%s: status %d; want 422 with the field marked and what was typed kept", tt.name, r.status)
		}
	}
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	// An investigator takes no reports down: the form is not theirs.
	inv := e.login(t, "investigator@hotline.demo")
	for _, m := range []string{"GET", "POST"} {
		var v url.Values
		if m == "POST" {
			v = form("phone", day)
		}
		if p := e.do(t, inv, m, "/app/intake", v); p.status != http.StatusForbidden {
			t.Errorf("investigator %s /app/intake: status %d, want 403", m, p.status)
		}
	}
	r := e.do(t, desk, "POST", "/app/intake?lang=en", form("phone", day))
	if r.status != http.StatusCreated {
		t.Fatalf("file: status %d\n%s", r.status, r.body)
	}
	code := regexp.MustCompile(`<code id="code" class="big">(VG-[0-9A-Z-]+)</code>`).FindStringSubmatch(r.body)
	secret := regexp.MustCompile(`<code id="secret" class="big">([^<]+)</code>`).FindStringSubmatch(r.body)
	id := regexp.MustCompile(`href="/app/reports/([0-9a-f-]+)" id="intake-report"`).FindStringSubmatch(r.body)
	if code == nil || secret == nil || id == nil {
		t.Fatal("the page shows no tracking code, secret or report link")
	}
	// The reporter tracks it with what staff passed on.
	if p := e.do(t, e.client(t), "GET", "/api/v1/track/"+code[1], nil, "X-Tracking-Secret", secret[1]); p.status != 200 || !strings.Contains(p.body, `"received"`) {
		t.Errorf("track with the code and secret passed on: status %d %s", p.status, p.body)
	}
	tri := e.do(t, desk, "GET", "/app/triage", nil)
	if !strings.Contains(tri.body, id[1]) {
		t.Error("the phone report is not in triage")
	}
	coord := e.login(t, "coordinator@hotline.demo")
	api := e.do(t, coord, "GET", "/api/v1/reports/"+id[1], nil)
	for _, want := range []string{`"channel":"phone"`, `"contacted_on":"` + day + `"`, `"created_by":"` + e.demo.Users["intake@hotline.demo"] + `"`, `"taken_by_user":"` + e.demo.Users["intake@hotline.demo"] + `"`} {
		if !strings.Contains(api.body, want) {
			t.Errorf("GET /api/v1/reports/%s lacks %s", id[1], want)
		}
	}
	if strings.Contains(api.body, "Sok Dara") {
		t.Error("the reporter's name is readable without a reveal")
	}
}

// TestStaffStatementOnCasePage adds a statement taken by phone to a report
// of a case, then a recantation that stands beside it.
func TestStaffStatementOnCasePage(t *testing.T) {
	e := newEnv(t)
	golden := e.demo.Cases["golden"]
	inv := e.login(t, "investigator@hotline.demo")
	cp := e.do(t, inv, "GET", "/app/cases/"+golden+"?lang=en", nil)
	m := regexp.MustCompile(`id="statement-form-([0-9a-f-]+)"`).FindStringSubmatch(cp.body)
	if m == nil {
		t.Fatal("no statement form on the case page")
	}
	rid := m[1]
	post := func(v url.Values) page {
		v.Set("report", rid)
		return e.do(t, inv, "POST", "/app/cases/"+golden+"/statements?lang=en", v)
	}
	if r := post(url.Values{"kind": {"testimony"}, "channel": {"pigeon"}, "language": {"km"}, "text": {"x"}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "channel") {
		t.Errorf("a statement by pigeon: status %d, want 422 naming the channel", r.status)
	}
	r := post(url.Values{"kind": {"testimony"}, "channel": {"phone"}, "language": {"km"}, "text": {"He phoned from a new number zqxcall."}, "circumstances": {"evening call to the hotline"}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("add statement: status %d\n%s", r.status, r.body)
	}
	sid := regexp.MustCompile(`#st-([0-9a-f-]+)$`).FindStringSubmatch(r.header.Get("Location"))
	if sid == nil {
		t.Fatalf("redirected to %q", r.header.Get("Location"))
	}
	if r := post(url.Values{"kind": {"recantation"}, "recants_id": {sid[1]}, "channel": {"walk_in"}, "language": {"km"}, "text": {"It was not him who called."}}); r.status != http.StatusSeeOther {
		t.Fatalf("add recantation: status %d\n%s", r.status, r.body)
	}
	cp = e.do(t, inv, "GET", "/app/cases/"+golden+"?lang=en", nil)
	if !strings.Contains(cp.body, "Taken by Vichea Investigator (Phone)") || !strings.Contains(cp.body, "Taken by Vichea Investigator (In person)") {
		t.Error("the case page does not say who took the statements and how")
	}
	row := regexp.MustCompile(`(?s)<li class="row with-side">.*?</li>`).FindAllString(cp.body, -1)
	found := false
	for _, r := range row {
		if strings.Contains(r, "zqxcall") && strings.Contains(r, "It was not him who called.") {
			found = true
		}
	}
	if !found {
		t.Error("the recantation does not stand beside the statement it recants")
	}
}
