// Package notify tells staff what needs them: a case assigned to them, a
// referral of their case answered or overdue, a deadline tomorrow or past,
// a new screening hit or a newly linked report on their case. A
// notification is written in the same transaction as the change it is
// about (the deadline ones by a periodic sweep), names its object by type
// and id and holds no title or text, and is read only by the user it is
// for. It goes out by e-mail too, as the user chose: each by itself, in a
// daily digest, or not at all; the message says only that something needs
// them and links to it.
package notify

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/store"
)

// Kinds of notification.
const (
	CaseAssigned     = "case.assigned"
	ReferralAnswered = "referral.answered"
	ReferralOverdue  = "referral.overdue"
	DeadlineTomorrow = "deadline.tomorrow"
	DeadlineOverdue  = "deadline.overdue"
	ScreeningHit     = "screening.hit"
	ReportLinked     = "report.linked"
	// ReporterReplied: a report's reporter wrote (on the track page or in
	// a chat app); told to the staff who wrote to the reporter and the
	// assignees of the report's cases.
	ReporterReplied = "report.reply"
)

// Kinds lists the kinds of notification.
var Kinds = []string{CaseAssigned, ReferralAnswered, ReferralOverdue, DeadlineTomorrow, DeadlineOverdue, ScreeningHit, ReportLinked, ReporterReplied}

// Job kinds: a notification to send by itself (subject: its id), a user's
// digest (subject: the user's id) and the periodic sweep.
const (
	JobMail   = "notify.mail"
	JobDigest = "notify.digest"
	JobSweep  = "notify.sweep"
)

// Mail choices.
const (
	MailEach   = "each"
	MailDigest = "digest"
	MailNone   = "none"
)

// Add tells user about kind of object, inside q's transaction; nothing
// when there is no user or the user is the actor (no one is told what they
// did themselves).
func Add(ctx context.Context, q store.Q, a auth.Actor, userID, kind, objectType, objectID string) error {
	return AddOnce(ctx, q, a, userID, kind, objectType, objectID, "")
}

// AddOnce is Add for an event that may be seen more than once: the user is
// told of kind and dedupe once ("" tells every time). A new notification
// for a user who wants each by e-mail queues its message in the same
// transaction.
func AddOnce(ctx context.Context, q store.Q, a auth.Actor, userID, kind, objectType, objectID, dedupe string) error {
	if userID == "" || userID == a.UserID {
		return nil
	}
	n := &store.Notification{ID: store.NewID(), UserID: userID, Kind: kind, ObjectType: objectType,
		ObjectID: objectID, ActorID: a.UserID, CreatedAt: store.Now(), Dedupe: dedupe}
	added, err := q.PutNotification(ctx, n)
	if err != nil || !added {
		return err
	}
	st, err := q.GetNotifySettings(ctx, userID)
	if err != nil {
		return err
	}
	if st.Mail != MailEach {
		return nil
	}
	return q.PutJobs(ctx, []*store.Job{{ID: store.NewID(), Kind: JobMail, ReportID: n.ID}}, n.CreatedAt)
}

// Path is the workspace page of a notification's object.
func Path(objectType, objectID string) string {
	switch objectType {
	case "case":
		return "/app/cases/" + url.PathEscape(objectID)
	case "report":
		return "/app/reports/" + url.PathEscape(objectID)
	}
	return "/app/notifications"
}

// View is a notification as the API and the pages show it.
type View struct {
	ID         string    `json:"id"`
	Kind       string    `json:"kind"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id"`
	ActorID    string    `json:"actor_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	Read       bool      `json:"read"`
}

// Service reads and marks a user's own notifications, keeps their mail
// settings, sweeps for deadlines and sends e-mail.
type Service struct {
	db  *store.DB
	now func() time.Time
	// mail sends e-mail; nil: none is sent (the mail jobs finish without).
	mail Sender
	// base is the address links in e-mail start with.
	base string
	// tr translates the messages.
	tr Translator
}

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

// Settings is how a staff member wants to be told by e-mail.
type Settings struct {
	// Mail is "each", "digest" or "none".
	Mail string `json:"mail"`
	// Lang is the language of the messages, one of locale.Languages.
	Lang string `json:"lang"`
}

// Settings returns a's e-mail settings.
func (s *Service) Settings(ctx context.Context, a auth.Actor) (*Settings, error) {
	if err := self(a); err != nil {
		return nil, err
	}
	st, err := s.db.Read().GetNotifySettings(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	return &Settings{Mail: st.Mail, Lang: st.Lang}, nil
}

// SetSettings changes a's e-mail settings.
func (s *Service) SetSettings(ctx context.Context, a auth.Actor, in *Settings) (*Settings, error) {
	if err := self(a); err != nil {
		return nil, err
	}
	if err := invalid.Enum("mail", in.Mail, []string{MailEach, MailDigest, MailNone}); err != nil {
		return nil, err
	}
	if err := invalid.Enum("lang", in.Lang, locale.Languages); err != nil {
		return nil, err
	}
	err := s.db.Tx(ctx, func(q store.Q) error {
		st, err := q.GetNotifySettings(ctx, a.UserID)
		if err != nil {
			return err
		}
		st.Mail, st.Lang = in.Mail, in.Lang
		if err := q.PutNotifySettings(ctx, st); err != nil {
			return fmt.Errorf("notify: settings: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Settings{Mail: in.Mail, Lang: in.Lang}, nil
}

func self(a auth.Actor) error {
	if a.Public() || a.UserID == "system" {
		return auth.ErrForbidden
	}
	return nil
}

// List returns a's notifications, newest first: at most limit, older than
// the notification before ("" for the newest).
func (s *Service) List(ctx context.Context, a auth.Actor, before string, limit int) ([]*View, error) {
	if err := self(a); err != nil {
		return nil, err
	}
	ns, err := s.db.Read().ListNotifications(ctx, a.UserID, before, limit)
	if err != nil {
		return nil, err
	}
	out := make([]*View, 0, len(ns))
	for _, n := range ns {
		out = append(out, &View{ID: n.ID, Kind: n.Kind, ObjectType: n.ObjectType, ObjectID: n.ObjectID, ActorID: n.ActorID,
			CreatedAt: store.Time(n.CreatedAt), Read: n.ReadAt != 0})
	}
	return out, nil
}

// Unread counts a's unread notifications.
func (s *Service) Unread(ctx context.Context, a auth.Actor) (int, error) {
	if err := self(a); err != nil {
		return 0, err
	}
	return s.db.Read().CountUnread(ctx, a.UserID)
}

// MarkRead marks one of a's notifications read, or all of them when id is
// ""; another user's is not found.
func (s *Service) MarkRead(ctx context.Context, a auth.Actor, id string) error {
	if err := self(a); err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		return q.MarkNotificationsRead(ctx, a.UserID, id, s.now().UnixMicro())
	})
}
