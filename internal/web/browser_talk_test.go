package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
)

// TestBrowserConversation drives chromium through a conversation between
// an investigator and an anonymous reporter: the investigator writes from
// the report's page, the reporter reads it on the track page in Khmer with
// the tracking code and secret and answers, the answer is marked unread
// on the triage list and read once opened. Nothing about the conversation
// stays in the reporter's browser.
func TestBrowserConversation(t *testing.T) {
	e := newEnv(t)
	ack, err := e.srv.Intake.Submit(context.Background(), auth.Actor{}, &intake.Submission{Language: "km", Channel: "web",
		Narrative: "បងប្រុសខ្ញុំត្រូវបានឃុំខ្លួននៅបាវិត។"})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	b.login("investigator@hotline.demo")
	b.open("/app/reports/" + ack.ID + "?lang=en")
	b.set("#talk-text-"+ack.ID, "Is your brother still held? Is it safe to write to you here?")
	b.submit("#talk-form-"+ack.ID+" button", "li.msg.from-staff")
	if got := b.text("li.msg.from-staff .msg-text"); got != "Is your brother still held? Is it safe to write to you here?" {
		t.Errorf("the report page shows %q", got)
	}
	b.shot("talk-staff-en")
	b.checkClean()
	b.logout()

	b.phone()
	b.open("/track?lang=km")
	b.set("#code", ack.TrackingCode)
	b.set("#secret", ack.Secret)
	b.submit("form[action='/track'] button.primary", "#talk")
	if got := b.text("#talk-h"); got != localeText(t, "km", "talk.heading") {
		t.Errorf("the track page's conversation heading %q, want it in Khmer", got)
	}
	if got := b.text("li.msg.from-staff .msg-text"); !strings.Contains(got, "still held") {
		t.Errorf("the reporter reads %q", got)
	}
	b.set("#reply", "គាត់នៅតែត្រូវបានឃុំខ្លួន។ Yes, it is safe.")
	b.submit("#reply-form button", "li.msg.from-reporter")
	if got := b.text("li.msg.from-reporter .msg-text"); got != "គាត់នៅតែត្រូវបានឃុំខ្លួន។ Yes, it is safe." {
		t.Errorf("the reporter's answer shows as %q", got)
	}
	if got := b.text("#talk p.notice"); got != localeText(t, "km", "talk.sent") {
		t.Errorf("notice after answering %q", got)
	}
	b.shot("talk-track-km-390")
	if got := b.eval(`String(localStorage.length + sessionStorage.length) + "|" + document.cookie + "|" + location.href`); strings.Contains(got, ack.Secret) || !strings.HasPrefix(got, "0|") {
		t.Errorf("the browser keeps %q", got)
	}
	b.checkClean()

	b.desktop()
	b.login("investigator@hotline.demo")
	b.open("/app/triage?lang=en")
	if got := b.eval(`(document.querySelector("tr:has(a[href='/app/reports/` + ack.ID + `']) .unread-reply") || {}).textContent || ""`); !strings.Contains(got, "1") {
		t.Errorf("the triage list marks the report %q, want 1 new reply", got)
	}
	b.open("/app/reports/" + ack.ID + "?lang=en")
	if got := b.text("li.msg.from-reporter .msg-text"); !strings.Contains(got, "Yes, it is safe.") {
		t.Errorf("the investigator reads %q", got)
	}
	b.open("/app/triage?lang=en")
	if got := b.eval(`String(document.querySelectorAll("tr:has(a[href='/app/reports/` + ack.ID + `']) .unread-reply").length)`); got != "0" {
		t.Errorf("after reading, %s unread marks on the report", got)
	}
	b.open("/app/notifications?lang=en")
	if got := b.text("main"); !strings.Contains(got, localeText(t, "en", "notify.report.reply")) {
		t.Errorf("the investigator's notifications %q, want the reporter's reply", got)
	}
	b.checkClean()
}
