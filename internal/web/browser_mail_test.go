package web_test

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/store"
)

// inbox is an in-process SMTP server (go-smtp) keeping the recipients and
// raw data of what arrives.
type inbox struct {
	mu   sync.Mutex
	msgs []string
}

func (m *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{box: m}, nil }

func (m *inbox) all() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

type inboxSession struct {
	box *inbox
	to  []string
}

func (s *inboxSession) Reset()                               { s.to = nil }
func (s *inboxSession) Logout() error                        { return nil }
func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, "To: "+strings.Join(s.to, ",")+"\n"+string(b))
	s.box.mu.Unlock()
	return nil
}

// TestBrowserAssignmentMail: in chromium, a coordinator assigns a case to
// an investigator on the case page; the investigator's bell counts it and
// lists it, and an e-mail reaches the in-process SMTP server, saying only
// that a case needs them and linking to it.
func TestBrowserAssignmentMail(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	box := &inbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	e := newEnvCfg(t, store.SQLite, func(c *config.Config) {
		c.SMTPURL = "smtp://" + ln.Addr().String() + "?starttls=off"
		c.SMTPFrom = "vigil@hotline.test"
		c.PublicURL = "https://vigil.example.org"
	})
	b := newBrowser(t, e.ts.URL)
	b.desktop()
	caseID := e.demo.Cases[firstKey(e.demo.Cases)]
	inv := e.demo.Users["investigator@hotline.demo"]
	b.login("coordinator@hotline.demo")
	b.open("/app/cases/" + caseID + "?lang=en")
	b.set("#assignee", inv)
	b.submit(`form[action="/app/cases/`+caseID+`/assign"] button`, "#case-assignee")
	b.logout()
	b.login("investigator@hotline.demo")
	b.open("/app/cases?lang=en")
	if n := b.eval(`(document.querySelector('a.bell .badge') || {}).textContent || ''`); n == "" || n == "0" {
		t.Errorf("the investigator's bell shows %q, want the assignment counted", n)
	}
	b.open("/app/notifications?lang=en")
	if !strings.Contains(b.eval(`document.querySelector('main').innerHTML`), "/app/cases/"+caseID) {
		t.Error("the notifications page does not link to the assigned case")
	}
	b.shot("bell-assignment")
	// Other mail may reach the investigator too (the demo's own
	// assignments, a deadline sweep): wait for the one about this case.
	link := "https://vigil.example.org/app/cases/" + caseID
	var mail string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline) && mail == ""; time.Sleep(200 * time.Millisecond) {
		for _, m := range box.all() {
			if strings.Contains(m, "investigator@hotline.demo") && strings.Contains(m, link) {
				mail = m
			}
		}
	}
	if mail == "" {
		t.Fatalf("no e-mail linking to %s reached the investigator; the server got %d:\n%s", link, len(box.all()), strings.Join(box.all(), "\n----\n"))
	}
	b.checkClean()
}
