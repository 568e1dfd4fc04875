package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
)

// TestBrowserActs drives chromium through the acts on a report: merge a
// duplicate into the report kept (named by its tracking code, which the
// page shows), then dismiss a report, find it with the triage filter, and
// reopen it.
func TestBrowserActs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	coord := auth.Actor{UserID: e.demo.Users["coordinator@hotline.demo"], OrgID: e.demo.Orgs["hotline"], Role: auth.Coordinator}
	file := func(text string) *intake.Ack {
		ack, err := e.srv.Intake.Submit(ctx, coord, &intake.Submission{Language: "en", Narrative: text})
		if err != nil {
			t.Fatal(err)
		}
		return ack
	}
	kept := file("My brother is held in a compound in O'Smach; they beat him.")
	dup := file("Calling again about my brother in O'Smach, the one they beat.")
	spam := file("Buy cheap followers now, best price.")

	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("coordinator@hotline.demo")

	// The report page shows the tracking code and leads to the acts.
	b.open("/app/reports/" + dup.ID)
	if got := b.text(".tracking-code"); got != dup.TrackingCode {
		t.Errorf("the report page shows tracking code %q, want %q", got, dup.TrackingCode)
	}
	b.submit("a.acts-link", "#merge-form")
	b.set("#into", strings.ToLower(kept.TrackingCode))
	b.set("#merge-note", "same family, second call")
	b.submit("#merge-form button", "#merged-into")
	if got := b.eval("document.querySelector('#merged-into').getAttribute('href')"); got != "/app/reports/"+kept.ID {
		t.Errorf("merged into %q, want the kept report", got)
	}
	if got := b.text("#report-status"); got != localeText(t, "en", "status.merged") {
		t.Errorf("status after merge %q", got)
	}
	b.shot("acts-merged-en")

	// Dismiss, find it among the dismissed, reopen.
	b.open("/app/reports/" + spam.ID + "/acts")
	b.set("#reason", "spam")
	b.submit("#dismiss-form button", "#reopen-form")
	if got := b.text("#report-status"); !strings.Contains(got, localeText(t, "en", "dismiss.spam")) {
		t.Errorf("status after dismissal %q", got)
	}
	b.open("/app/triage")
	if strings.Contains(b.eval("document.body.innerHTML"), spam.ID) {
		t.Errorf("the dismissed report is still in the triage queue")
	}
	b.set("#f-status", "dismissed")
	b.submit("form.filters button", "table.queue")
	if !strings.Contains(b.eval("document.querySelector('table.queue').innerHTML"), spam.ID) {
		t.Errorf("status=dismissed does not list the dismissed report")
	}
	b.shot("acts-dismissed-triage-en")
	b.open("/app/reports/" + spam.ID + "/acts")
	b.submit("#reopen-form button", "#dismiss-form")
	if got := b.text("#report-status"); got != localeText(t, "en", "status.received") {
		t.Errorf("status after reopening %q", got)
	}
	b.checkClean()
}
