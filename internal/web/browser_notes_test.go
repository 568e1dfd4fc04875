package web_test

import (
	"strings"
	"testing"
	"time"
)

// TestBrowserNotesAndIntake drives chromium through a phone call taken at
// the intake desk (the staff intake form, its tracking code and secret to
// pass on, the report in triage) and a note added on a case page and seen
// there, at 1280 px and 390 px.
func TestBrowserNotesAndIntake(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("intake@hotline.demo")

	b.open("/app/intake?lang=en")
	b.shot("intake-form-en")
	b.set("#channel", "phone")
	day := time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly)
	b.set("#contacted_on", day)
	b.set("#language", "km")
	b.set("#narrative", "កូនស្រីខ្ញុំត្រូវបានឃុំនៅបាវិត។ She called from a new number.")
	b.set("#place", "Bavet")
	b.submit("#intake-form button.primary", "#intake-ack")
	code := b.text("#code")
	if !strings.HasPrefix(code, "VG-") || b.text("#secret") == "" {
		t.Fatalf("the desk is shown code %q and no secret", code)
	}
	b.shot("intake-done-en")
	id := strings.TrimPrefix(b.eval("document.querySelector('#intake-report').getAttribute('href')"), "/app/reports/")
	b.open("/app/triage")
	if !strings.Contains(b.eval("document.querySelector('table.queue').innerHTML"), id) {
		t.Error("the phone report is not in the triage queue")
	}
	b.open("/app/reports/" + id)
	if got := b.text(".tracking-code"); got != code {
		t.Errorf("the report page shows tracking code %q, want %q", got, code)
	}
	if got := b.text(".statement .taken"); !strings.Contains(got, "Bopha Intake") {
		t.Errorf("the first statement says %q, want who took it", got)
	}
	b.checkClean()
	b.logout()

	b.login("investigator@hotline.demo")
	golden := e.demo.Cases["golden"]
	b.open("/app/cases/" + golden + "?lang=en")
	b.set("#note-text", "Mother called back: new number confirmed.")
	b.submit("#note-form button", "li.note")
	if got := b.text("li.note .note-text"); got != "Mother called back: new number confirmed." {
		t.Errorf("the case page shows the note %q", got)
	}
	if got := b.text("p.notice"); got != localeText(t, "en", "case.done.noted") {
		t.Errorf("notice after a note %q", got)
	}
	b.shot("case-note-en")
	b.phone()
	b.open("/app/cases/" + golden + "?lang=km")
	b.shot("case-note-km-390")
	b.checkClean()
}
