package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// Sender sends one plain-text e-mail.
type Sender interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Translator translates a message key into a language; args fill its
// verbs.
type Translator func(lang, key string, args ...any) string

// SMTP sends e-mail through a mail server with go-mail, one connection per
// message.
type SMTP struct {
	// Host, Port and the optional Username and Password reach the server.
	Host               string
	Port               int
	Username, Password string
	// TLS is "starttls" (required), "implicit" or "off".
	TLS string
	// From is the sender address.
	From string
	// Timeout bounds one delivery; 30 seconds when zero.
	Timeout time.Duration
}

var _ Sender = (*SMTP)(nil)

// Send delivers one message.
func (s *SMTP) Send(ctx context.Context, to, subject, body string) error {
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	opts := []mail.Option{mail.WithPort(s.Port), mail.WithTimeout(timeout)}
	switch s.TLS {
	case "implicit":
		opts = append(opts, mail.WithSSL())
	case "off":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.Username), mail.WithPassword(s.Password))
	}
	c, err := mail.NewClient(s.Host, opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	m := mail.NewMsg()
	if err := m.From(s.From); err != nil {
		return fmt.Errorf("notify: smtp from: %w", err)
	}
	if err := m.To(to); err != nil {
		return fmt.Errorf("notify: smtp to: %w", err)
	}
	m.Subject(subject)
	m.SetBodyString(mail.TypeTextPlain, body)
	if err := c.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("notify: smtp %s:%d: %w", s.Host, s.Port, err)
	}
	return nil
}

// UseMail makes the service send e-mail through sender, with links under
// base (the address staff open Vigil at), in the words of tr.
func (s *Service) UseMail(sender Sender, base string, tr Translator) {
	s.mail, s.base, s.tr = sender, strings.TrimRight(base, "/"), tr
}

// MailEnabled reports whether e-mail is sent at all (a mail server is
// configured).
func (s *Service) MailEnabled() bool { return s.mail != nil }

// errNoAddress: the user has no address mail can go to.
var errNoAddress = errors.New("no e-mail address")

// recipient returns the address and settings of a user who can be mailed:
// enabled, with an address.
func (s *Service) recipient(ctx context.Context, q store.Q, userID string) (string, *store.NotifySettings, error) {
	u, err := q.GetUser(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	if u.Disabled || !strings.Contains(u.Email, "@") {
		return "", nil, errNoAddress
	}
	st, err := q.GetNotifySettings(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	return u.Email, st, nil
}

// line is one notification in a message: what needs the reader (never
// what the object holds) and the link to it.
func (s *Service) line(lang string, n *store.Notification) string {
	return s.tr(lang, "mail."+n.Kind) + "\n" + s.base + Path(n.ObjectType, n.ObjectID)
}

// footer says why the message came and where to change that.
func (s *Service) footer(lang string) string {
	return "\n\n-- \n" + s.tr(lang, "mail.footer") + "\n" + s.base + "/app/notifications"
}

// SendOne is the JobMail handler: it sends notification id by itself,
// unless it was read or mailed already, the user no longer wants each by
// e-mail, or no mail server is configured.
func (s *Service) SendOne(ctx context.Context, id string) error {
	if s.mail == nil {
		return nil
	}
	q := s.db.Read()
	n, err := q.GetNotification(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if n.ReadAt != 0 || n.MailedAt != 0 {
		return nil
	}
	to, st, err := s.recipient(ctx, q, n.UserID)
	if errors.Is(err, errNoAddress) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mail != MailEach {
		return nil
	}
	body := s.tr(st.Lang, "mail.hello") + "\n\n" + s.line(st.Lang, n) + s.footer(st.Lang)
	if err := s.mail.Send(ctx, to, s.tr(st.Lang, "mail.subject"), body); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error { return q.MarkNotificationsMailed(ctx, []string{n.ID}, s.now().UnixMicro()) })
}

// digestMax is the most notifications one digest lists; the rest wait for
// the next.
const digestMax = 100

// SendDigest is the JobDigest handler: one message listing the user's
// notifications neither read nor mailed yet.
func (s *Service) SendDigest(ctx context.Context, userID string) error {
	if s.mail == nil {
		return nil
	}
	q := s.db.Read()
	to, st, err := s.recipient(ctx, q, userID)
	if errors.Is(err, errNoAddress) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.Mail != MailDigest {
		return nil
	}
	now := s.now()
	ns, err := q.UnmailedNotifications(ctx, userID, now.UnixMicro(), digestMax)
	if err != nil || len(ns) == 0 {
		return err
	}
	var b strings.Builder
	b.WriteString(s.tr(st.Lang, "mail.digest.intro", len(ns)))
	ids := make([]string, len(ns))
	for i, n := range ns {
		b.WriteString("\n\n" + s.line(st.Lang, n))
		ids[i] = n.ID
	}
	b.WriteString(s.footer(st.Lang))
	if err := s.mail.Send(ctx, to, s.tr(st.Lang, "mail.digest.subject", len(ns)), b.String()); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		if err := q.MarkNotificationsMailed(ctx, ids, now.UnixMicro()); err != nil {
			return err
		}
		st.DigestAt = now.UnixMicro()
		return q.PutNotifySettings(ctx, st)
	})
}

// Failure is an e-mail that could not be delivered yet, or was given up.
type Failure struct {
	JobID    string `json:"job_id"`
	Kind     string `json:"kind"`
	To       string `json:"to"`
	Error    string `json:"error"`
	Attempts int    `json:"attempts"`
	// NextAt is when it is tried again; absent once given up.
	NextAt *time.Time `json:"next_at,omitempty"`
	GaveUp bool       `json:"gave_up"`
}

// Failures lists the e-mail to a's organisation that failed at least once,
// newest first: for its admins.
func (s *Service) Failures(ctx context.Context, a auth.Actor) ([]*Failure, error) {
	if !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	fs, err := s.db.Read().MailFailures(ctx, a.OrgID, JobMail, JobDigest, 100)
	if err != nil {
		return nil, err
	}
	out := make([]*Failure, 0, len(fs))
	for _, f := range fs {
		v := &Failure{JobID: f.JobID, Kind: f.Kind, To: f.UserEmail, Error: f.Error, Attempts: f.Attempts, GaveUp: f.Done}
		if f.NextAt != 0 {
			t := store.Time(f.NextAt)
			v.NextAt = &t
		}
		out = append(out, v)
	}
	return out, nil
}
