package notify_test

import (
	"context"
	"io"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// message is one e-mail the test SMTP server received: the envelope, the
// raw data, and the subject and body decoded.
type message struct {
	From          string
	To            []string
	Data          string
	Subject, Body string
}

// decode fills Subject and Body from Data.
func (m *message) decode() error {
	msg, err := mail.ReadMessage(strings.NewReader(m.Data))
	if err != nil {
		return err
	}
	if m.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return err
	}
	body := msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	m.Body = string(b)
	return err
}

// mailbox is an in-process SMTP server (go-smtp) keeping what arrives.
type mailbox struct {
	mu   sync.Mutex
	msgs []message
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: m}, nil }

func (m *mailbox) all() []message {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]message(nil), m.msgs...)
}

type session struct {
	box *mailbox
	msg message
}

func (s *session) Reset()        { s.msg = message{} }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.msg.From = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.To = append(s.msg.To, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.msg.Data = string(b)
	if err := s.msg.decode(); err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, s.msg)
	s.box.mu.Unlock()
	return nil
}

// serveSMTP runs a mail server on addr ("127.0.0.1:0" for any port) until
// the test ends.
func serveSMTP(t *testing.T, addr string) (*mailbox, string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	box := &mailbox{}
	s := smtp.NewServer(box)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return box, ln.Addr().String()
}

// clock is a test clock that moves only forward, by Add.
type clock struct{ off atomic.Int64 }

func (c *clock) Now() time.Time         { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) Add(d time.Duration)    { c.off.Add(int64(d)) }
func (c *clock) Func() func() time.Time { return c.Now }

// world is a running server that mails through smtpAddr, with a hotline
// whose coordinator, investigator and admin are actors.
type world struct {
	srv                     *server.Server
	clock                   *clock
	coord, investigator, ad auth.Actor
	investigatorEmail       string
}

const (
	narrative = "My sister is held in a compound near Bavet. SEALED-NARRATIVE-7f3a"
	title     = "CASE-TITLE-91c2 Bavet compound"
)

func newWorld(t *testing.T, db *store.DB, smtpAddr string) *world {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.SMTPURL = "smtp://" + smtpAddr + "?starttls=off"
	cfg.SMTPFrom = "vigil@hotline.test"
	cfg.PublicURL = "https://vigil.example.org"
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	keys, err := seal.Open(ctx, filepath.Join(cfg.DataDir, "master.key"), db)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(ctx, &cfg, db, keys, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{srv: srv, clock: &clock{}}
	srv.Jobs.Now = w.clock.Func()
	notify.SetNow(srv.Notify, w.clock.Func())
	org, err := srv.Staff.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline", ReceivesPublic: true, TOTPOptional: true})
	if err != nil {
		t.Fatal(err)
	}
	user := func(role auth.Role) auth.Actor {
		u, err := srv.Staff.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: string(role) + "@hotline.test", Name: string(role), Role: string(role), Password: "a long enough password"})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{UserID: u.ID, OrgID: org.ID, Role: role}
	}
	w.ad, w.coord, w.investigator = user(auth.Admin), user(auth.Coordinator), user(auth.Investigator)
	w.investigatorEmail = "investigator@hotline.test"
	srv.Start(ctx)
	t.Cleanup(srv.Close)
	// The sweep of the current ten minutes runs at start: let it finish
	// (finding nothing) before the test makes anything to find.
	if err := srv.Jobs.Schedule(ctx); err != nil {
		t.Fatal(err)
	}
	if err := srv.Jobs.Drain(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// assign files a report and makes it a case assigned to the investigator.
func (w *world) assign(t *testing.T, urgency string) *casework.CaseView {
	t.Helper()
	ctx := context.Background()
	ack, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Narrative: narrative})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	cv, err := w.srv.Casework.Create(ctx, w.coord, &casework.CaseIn{ReportIDs: []string{ack.ID}, Title: title, Urgency: urgency, AssigneeID: w.investigator.UserID})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("assigning took %v: mail must not hold the request", d)
	}
	return cv
}

// waitFor polls until cond holds, for at most 15 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// noSealed fails when a message holds anything of a case or report
// beyond its link.
func noSealed(t *testing.T, m message) {
	t.Helper()
	for _, secret := range []string{"SEALED-NARRATIVE-7f3a", "Bavet", "CASE-TITLE-91c2", "sister"} {
		if strings.Contains(m.Data, secret) || strings.Contains(m.Body, secret) || strings.Contains(m.Subject, secret) {
			t.Errorf("an e-mail holds %q:\n%s\n%s", secret, m.Subject, m.Body)
		}
	}
}

var links = regexp.MustCompile(`https://vigil\.example\.org/app/(cases|reports)/[0-9a-f-]+`)

// TestMailOnAssignment: assigning a case mails the assignee a message
// saying a case needs them, with its link and nothing of the case; the
// one who assigned it gets nothing.
func TestMailOnAssignment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		box, addr := serveSMTP(t, "127.0.0.1:0")
		w := newWorld(t, db, addr)
		cv := w.assign(t, casework.UrgencyNormal)
		waitFor(t, "the assignment mail", func() bool { return len(box.all()) == 1 })
		m := box.all()[0]
		if len(m.To) != 1 || m.To[0] != w.investigatorEmail || m.From != "vigil@hotline.test" {
			t.Errorf("envelope: from %q to %v", m.From, m.To)
		}
		if !strings.Contains(m.Body, "https://vigil.example.org/app/cases/"+cv.ID) || m.Subject != "Vigil: a case needs you" || !strings.Contains(m.Body, "A case was assigned to you.") {
			t.Errorf("the message lacks its subject, sentence or link:\n%s\n%s", m.Subject, m.Body)
		}
		noSealed(t, m)
		// Mailed once: a second pass of the queue sends nothing more.
		if err := w.srv.Jobs.Drain(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := len(box.all()); n != 1 {
			t.Errorf("%d messages after draining again, want 1", n)
		}
	})
}

// TestMailWaitsForServer: with the mail server down, assigning still
// answers at once; the message is retried with backoff, the admin sees
// the failure, and it arrives once the server is up.
func TestMailWaitsForServer(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens: the server is down
		w := newWorld(t, db, addr)
		ctx := context.Background()
		cv := w.assign(t, casework.UrgencyNormal)
		var fs []*notify.Failure
		waitFor(t, "the failure", func() bool {
			fs, err = w.srv.Notify.Failures(ctx, w.ad)
			if err != nil {
				t.Fatal(err)
			}
			return len(fs) == 1
		})
		if f := fs[0]; f.GaveUp || f.NextAt == nil || f.To != w.investigatorEmail || f.Attempts != 1 || f.Kind != notify.JobMail {
			t.Errorf("failure: %+v", f)
		}
		if _, err := w.srv.Notify.Failures(ctx, w.coord); err == nil {
			t.Error("a coordinator reads the mail failures")
		}
		box, _ := serveSMTP(t, addr)
		time.Sleep(1500 * time.Millisecond)
		if n := len(box.all()); n != 0 {
			t.Fatalf("retried before its backoff: %d messages", n)
		}
		w.clock.Add(time.Minute)
		waitFor(t, "the retried mail", func() bool { return len(box.all()) == 1 })
		if !strings.Contains(box.all()[0].Body, "/app/cases/"+cv.ID) {
			t.Errorf("the retried message:\n%s", box.all()[0].Body)
		}
		noSealed(t, box.all()[0])
		waitFor(t, "the failure to clear", func() bool {
			fs, _ := w.srv.Notify.Failures(ctx, w.ad)
			return len(fs) == 0
		})
	})
}

// TestDigest: a user who chose a daily digest gets no message per event
// but one a day listing each notification (three assignments, then the
// sweep's three deadlines due tomorrow), in their language; the sweep
// tells each deadline once however often it runs, and tells it again when
// it has passed.
func TestDigest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		box, addr := serveSMTP(t, "127.0.0.1:0")
		w := newWorld(t, db, addr)
		ctx := context.Background()
		if _, err := w.srv.Notify.SetSettings(ctx, w.investigator, &notify.Settings{Mail: "digest", Lang: "km"}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []notify.Settings{{Mail: "hourly", Lang: "en"}, {Mail: "each", Lang: "fr"}} {
			if _, err := w.srv.Notify.SetSettings(ctx, w.investigator, &bad); err == nil {
				t.Errorf("settings %+v accepted", bad)
			}
		}
		ids := map[string]bool{}
		for range 3 {
			ids[w.assign(t, casework.UrgencyCritical).ID] = true // due in a day
		}
		// The sweep runs every ten minutes: move to the next run.
		w.clock.Add(notify.SweepEvery)
		waitFor(t, "the digest", func() bool { return len(box.all()) == 1 })
		time.Sleep(1500 * time.Millisecond) // the next ticks send nothing more
		msgs := box.all()
		if len(msgs) != 1 {
			t.Fatalf("%d messages, want one digest", len(msgs))
		}
		body := msgs[0].Body
		got := links.FindAllString(body, -1)
		if len(got) != 6 {
			t.Errorf("the digest lists %d links, want 6 (3 assignments, 3 deadlines):\n%s", len(got), body)
		}
		for _, l := range got {
			if !ids[l[strings.LastIndex(l, "/")+1:]] {
				t.Errorf("the digest links to %s, not one of the cases", l)
			}
		}
		if msgs[0].Subject != "Vigil៖ មាន 6 រឿងត្រូវការអ្នក" || !strings.Contains(body, "ករណីមួយត្រូវបានចាត់តាំងឱ្យអ្នក។") {
			t.Errorf("the digest is not in Khmer:\n%s\n%s", msgs[0].Subject, body)
		}
		noSealed(t, msgs[0])
		kinds := func() map[string]int {
			ns, err := w.srv.Notify.List(ctx, w.investigator, "", 100)
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]int{}
			for _, n := range ns {
				out[n.Kind]++
			}
			return out
		}
		// Two more sweeps tell nothing new.
		for range 2 {
			w.clock.Add(notify.SweepEvery)
			time.Sleep(1200 * time.Millisecond)
		}
		if k := kinds(); k[notify.CaseAssigned] != 3 || k[notify.DeadlineTomorrow] != 3 || k[notify.DeadlineOverdue] != 0 || len(k) != 2 {
			t.Errorf("after three sweeps: %v", k)
		}
		// Two days on, the deadlines have passed: told once each, in the
		// next day's digest.
		w.clock.Add(48 * time.Hour)
		waitFor(t, "the overdue digest", func() bool { return len(box.all()) == 2 })
		if k := kinds(); k[notify.DeadlineOverdue] != 3 {
			t.Errorf("after the deadlines passed: %v", k)
		}
		if n := len(links.FindAllString(box.all()[1].Body, -1)); n != 3 {
			t.Errorf("the second digest lists %d links, want 3", n)
		}
	})
}

// TestScreeningAndLinks: a watch-list import that finds a new hit on a
// report of an open case tells the case's assignee, and so does a new
// report sharing a phone number with it; each by e-mail too, with no
// text of either report.
func TestScreeningAndLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		box, addr := serveSMTP(t, "127.0.0.1:0")
		w := newWorld(t, db, addr)
		ctx := context.Background()
		const phone = "+85512345678"
		a, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Narrative: narrative + " The recruiter called from " + phone + ".",
			Subjects: []intake.SubjectIn{{Name: "Try Pheap", Type: "person", Role: "suspect"}}})
		if err != nil {
			t.Fatal(err)
		}
		cv, err := w.srv.Casework.Create(ctx, w.coord, &casework.CaseIn{ReportIDs: []string{a.ID}, Title: title, AssigneeID: w.investigator.UserID})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.srv.Jobs.Drain(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.srv.Screen.LoadDemo(ctx); err != nil {
			t.Fatal(err)
		}
		b, err := w.srv.Intake.Submit(ctx, auth.Actor{}, &intake.Submission{Language: "en", Narrative: "Another family was called by " + phone + " about a job in Bavet."})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{notify.CaseAssigned: "case/" + cv.ID, notify.ScreeningHit: "case/" + cv.ID, notify.ReportLinked: "report/" + b.ID}
		var got map[string]string
		waitFor(t, "the three notifications", func() bool {
			ns, err := w.srv.Notify.List(ctx, w.investigator, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			got = map[string]string{}
			for _, n := range ns {
				got[n.Kind] = n.ObjectType + "/" + n.ObjectID
			}
			return len(got) == 3
		})
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: got %q, want %q", k, got[k], v)
			}
		}
		waitFor(t, "three messages", func() bool { return len(box.all()) == 3 })
		for _, m := range box.all() {
			noSealed(t, m)
			if strings.Contains(m.Body, phone) || strings.Contains(m.Body, "Try Pheap") {
				t.Errorf("a message names the identifier or the subject:\n%s", m.Body)
			}
		}
		// The coordinator who made the case is told of nothing.
		if n, _ := w.srv.Notify.Unread(ctx, w.coord); n != 0 {
			t.Errorf("the coordinator has %d notifications", n)
		}
	})
}
