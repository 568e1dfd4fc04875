package store

import (
	"context"
	"fmt"
)

// Notification is something a staff member is told about: an object (by
// type and id) and what happened to it, by whom.
type Notification struct {
	ID         string
	UserID     string
	Kind       string
	ObjectType string
	ObjectID   string
	ActorID    string
	CreatedAt  int64
	// ReadAt is when the user read it (unix µs); 0 while unread.
	ReadAt int64
}

// PutNotification stores a notification.
func (q Q) PutNotification(ctx context.Context, n *Notification) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO notifications (id, user_id, kind, object_type, object_id, actor_id, created_at, read_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`, n.ID, n.UserID, n.Kind, n.ObjectType, n.ObjectID, n.ActorID, n.CreatedAt, n.ReadAt)
	if err != nil {
		return fmt.Errorf("store: put notification: %w", err)
	}
	return nil
}

// ListNotifications returns a user's notifications, newest first, those
// with ids below before ("" for the newest), at most limit.
func (q Q) ListNotifications(ctx context.Context, userID, before string, limit int) ([]*Notification, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, user_id, kind, object_type, object_id, actor_id, created_at, read_at FROM notifications
		WHERE user_id = $1 AND ($2 = '' OR id < $2) ORDER BY id DESC LIMIT $3`, userID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: list notifications: %w", err)
	}
	defer rows.Close()
	var out []*Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.ObjectType, &n.ObjectID, &n.ActorID, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, fmt.Errorf("store: list notifications: %w", err)
		}
		out = append(out, &n)
	}
	return out, rows.Err()
}

// CountUnread counts a user's unread notifications.
func (q Q) CountUnread(ctx context.Context, userID string) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at = 0`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count unread: %w", err)
	}
	return n, nil
}

// MarkNotificationsRead marks a user's notification id read at at, or all
// of them when id is ""; ErrNotFound when id is not the user's.
func (q Q) MarkNotificationsRead(ctx context.Context, userID, id string, at int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at = 0 AND ($3 = '' OR id = $3)`, at, userID, id)
	if err != nil {
		return fmt.Errorf("store: mark read: %w", err)
	}
	if id == "" {
		return nil
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// Already read, or not this user's: tell which.
		var c int
		if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND id = $2`, userID, id).Scan(&c); err != nil {
			return fmt.Errorf("store: mark read: %w", err)
		}
		if c == 0 {
			return fmt.Errorf("store: notification %s: %w", id, ErrNotFound)
		}
	}
	return nil
}
