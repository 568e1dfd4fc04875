// Package notify tells staff what needs them: a case assigned to them, a
// referral of their case answered. A notification is written in the same
// transaction as the change it is about, names its object by type and id
// and holds no title or text, and is read only by the user it is for.
package notify

import (
	"context"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// Kinds of notification.
const (
	CaseAssigned     = "case.assigned"
	ReferralAnswered = "referral.answered"
)

// Add tells user about kind of object, inside q's transaction; nothing
// when there is no user or the user is the actor (no one is told what they
// did themselves).
func Add(ctx context.Context, q store.Q, a auth.Actor, userID, kind, objectType, objectID string) error {
	if userID == "" || userID == a.UserID {
		return nil
	}
	return q.PutNotification(ctx, &store.Notification{ID: store.NewID(), UserID: userID, Kind: kind, ObjectType: objectType,
		ObjectID: objectID, ActorID: a.UserID, CreatedAt: store.Now()})
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

// Service reads and marks a user's own notifications.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns the service.
func New(db *store.DB) *Service { return &Service{db: db, now: time.Now} }

func self(a auth.Actor) error {
	if a.Public() || a.UserID == "system" {
		return invalid.ErrForbidden
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
