package web_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/store"
)

// TestBrowserDeadlineDigest: in chromium, an investigator chooses a daily
// digest instead of a message per event; a coordinator assigns a case to
// it and makes the case critical, so its deadline falls within a day. The
// deadline sweep (the job that runs every ten minutes) tells the
// investigator, whose bell lists the deadline, and one digest message —
// not a message per event — reaches the in-process SMTP server, counting
// both events and linking to the case.
func TestBrowserDeadlineDigest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box := &inbox{}
	smtpSrv := smtp.NewServer(box)
	smtpSrv.Domain = "localhost"
	go smtpSrv.Serve(ln)
	t.Cleanup(func() { smtpSrv.Close() })
	e := newEnvCfg(t, store.SQLite, func(c *config.Config) {
		c.SMTPURL = "smtp://" + ln.Addr().String() + "?starttls=off"
		c.SMTPFrom = "vigil@hotline.test"
		c.PublicURL = "https://vigil.example.org"
	})
	ctx := context.Background()
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	caseID := e.demo.Cases[firstKey(e.demo.Cases)]
	inv := e.demo.Users["investigator@hotline.demo"]

	// The investigator asks for a daily digest.
	b.login("investigator@hotline.demo")
	b.open("/app/notifications?lang=en")
	b.click(`input[name="mail"][value="` + notify.MailDigest + `"]`)
	b.submit(`#mail-settings button`, "#mail-settings")
	b.logout()
	// Its last digest went out two days ago, so today's is due.
	err = e.srv.DB.Tx(ctx, func(q store.Q) error {
		st, err := q.GetNotifySettings(ctx, inv)
		if err != nil {
			return err
		}
		if st.Mail != notify.MailDigest {
			t.Errorf("after choosing the digest the settings say %q", st.Mail)
		}
		st.DigestAt = time.Now().Add(-48 * time.Hour).UnixMicro()
		return q.PutNotifySettings(ctx, st)
	})
	if err != nil {
		t.Fatal(err)
	}
	// What reached the investigator before it chose the digest (the demo's
	// own assignments, told one by one) is not counted.
	before := len(mailsTo(box, "investigator@hotline.demo"))

	// The coordinator assigns the case and makes it critical: due within a day.
	b.login("coordinator@hotline.demo")
	b.open("/app/cases/" + caseID + "?lang=en")
	b.set("#assignee", inv)
	b.submit(`form[action="/app/cases/`+caseID+`/assign"] button`, "#case-assignee")
	b.open("/app/cases/" + caseID + "?lang=en")
	b.set("#urgency", "critical")
	b.submit(`form[action="/app/cases/`+caseID+`/status"] button`, "#urgency")
	b.logout()

	// The sweep, as its job runs it.
	if err := e.srv.Notify.Sweep(ctx, ""); err != nil {
		t.Fatal(err)
	}
	e.srv.Jobs.Notify()

	b.login("investigator@hotline.demo")
	b.open("/app/notifications?lang=en")
	main := b.eval(`document.querySelector('main').innerText`)
	if !strings.Contains(main, localeText(t, "en", "notify.deadline.tomorrow")) && !strings.Contains(main, localeText(t, "en", "notify.deadline.overdue")) {
		t.Errorf("the investigator's notifications do not name the deadline:\n%s", main)
	}
	b.shot("bell-deadline")

	var mails []string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && len(mails) <= before; time.Sleep(200 * time.Millisecond) {
		mails = mailsTo(box, "investigator@hotline.demo")
	}
	time.Sleep(time.Second) // a second message, if one were sent, would arrive by now
	mails = mailsTo(box, "investigator@hotline.demo")[before:]
	if len(mails) != 1 || !strings.Contains(mails[0], "things need you") {
		t.Fatalf("the investigator got %d messages, want one digest:\n%s", len(mails), strings.Join(mails, "\n-----\n"))
	}
	if !strings.Contains(mails[0], "https://vigil.example.org/app/cases/"+caseID) {
		t.Errorf("the digest does not link to the case:\n%s", mails[0])
	}
	b.checkClean()
}

// mailsTo returns the messages the inbox holds for the address, in order.
func mailsTo(box *inbox, addr string) []string {
	var out []string
	for _, m := range box.all() {
		if strings.Contains(m, addr) {
			out = append(out, m)
		}
	}
	return out
}
