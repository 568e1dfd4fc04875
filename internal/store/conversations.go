package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
)

// ReportMessage is one message between staff and a report's reporter
// (migration 0024). Text is sealed with the report's data key. A
// reporter's message names the statement it also is.
type ReportMessage struct {
	ID          string
	ReportID    string
	OrgID       string
	FromStaff   bool
	AuthorID    string
	StatementID string
	Language    string
	Text        []byte
	CreatedAt   int64
	ReadAt      int64
}

const reportMessageCols = `id, report_id, org_id, from_staff, author_id, statement_id, language, text, created_at, read_at`

// PutReportMessage stores a message.
func (q Q) PutReportMessage(ctx context.Context, m *ReportMessage) error {
	staff := 0
	if m.FromStaff {
		staff = 1
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO report_messages (`+reportMessageCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		m.ID, m.ReportID, m.OrgID, staff, m.AuthorID, m.StatementID, m.Language, m.Text, m.CreatedAt, m.ReadAt); err != nil {
		return fmt.Errorf("store: put report message: %w", err)
	}
	return nil
}

// ListReportMessages returns a report's messages, oldest first.
func (q Q) ListReportMessages(ctx context.Context, reportID string) ([]*ReportMessage, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+reportMessageCols+` FROM report_messages WHERE report_id = $1 ORDER BY id`, reportID)
	if err != nil {
		return nil, fmt.Errorf("store: list report messages: %w", err)
	}
	defer rows.Close()
	var out []*ReportMessage
	for rows.Next() {
		var m ReportMessage
		var staff int
		if err := rows.Scan(&m.ID, &m.ReportID, &m.OrgID, &staff, &m.AuthorID, &m.StatementID, &m.Language, &m.Text, &m.CreatedAt, &m.ReadAt); err != nil {
			return nil, fmt.Errorf("store: list report messages: %w", err)
		}
		m.FromStaff = staff == 1
		out = append(out, &m)
	}
	return out, rows.Err()
}

// CountReporterMessagesSince counts the reporter's messages of a report
// written at or after since (Unix microseconds).
func (q Q) CountReporterMessagesSince(ctx context.Context, reportID string, since int64) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM report_messages WHERE report_id = $1 AND from_staff = 0 AND created_at >= $2`, reportID, since).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count reporter messages: %w", err)
	}
	return n, nil
}

// MarkReportMessagesRead marks the unread messages of a report from one
// side (fromStaff) read at at, and returns how many it marked.
func (q Q) MarkReportMessagesRead(ctx context.Context, reportID string, fromStaff bool, at int64) (int64, error) {
	staff := 0
	if fromStaff {
		staff = 1
	}
	res, err := q.q.ExecContext(ctx, `UPDATE report_messages SET read_at = $1 WHERE report_id = $2 AND from_staff = $3 AND read_at = 0`, at, reportID, staff)
	if err != nil {
		return 0, fmt.Errorf("store: mark report messages read: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: mark report messages read: %w", err)
	}
	return n, nil
}

// UnreadReplies counts, for each of reportIDs of organisation orgID that
// has any, the reporter's messages staff have not read yet.
func (q Q) UnreadReplies(ctx context.Context, orgID string, reportIDs []string) (map[string]int, error) {
	out := map[string]int{}
	if len(reportIDs) == 0 {
		return out, nil
	}
	args := []any{orgID}
	ph := ""
	for i, id := range reportIDs {
		args = append(args, id)
		if i > 0 {
			ph += ","
		}
		ph += fmt.Sprintf("$%d", i+2)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, COUNT(*) FROM report_messages WHERE org_id = $1 AND from_staff = 0 AND read_at = 0 AND report_id IN (`+ph+`) GROUP BY report_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: unread replies: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("store: unread replies: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// ChatDraft is a report being written in a chat (migration 0024): the
// chat known only by its blind index, the body sealed with the draft's own
// data key, stored wrapped.
type ChatDraft struct {
	Channel   string
	Chat      string
	Wrapped   []byte
	Body      []byte
	UpdatedAt int64
	ExpiresAt int64
}

// GetChatDraft returns the draft of a chat, ErrNotFound if it has none or
// it expired before now.
func (q Q) GetChatDraft(ctx context.Context, channel, chat string, now int64) (*ChatDraft, error) {
	var d ChatDraft
	err := q.q.QueryRowContext(ctx, `SELECT channel, chat, wrapped, body, updated_at, expires_at FROM chat_drafts WHERE channel = $1 AND chat = $2 AND expires_at > $3`,
		channel, chat, now).Scan(&d.Channel, &d.Chat, &d.Wrapped, &d.Body, &d.UpdatedAt, &d.ExpiresAt)
	return found(&d, err, "chat draft", channel)
}

// PutChatDraft stores a chat's draft, replacing the one it had.
func (q Q) PutChatDraft(ctx context.Context, d *ChatDraft) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO chat_drafts (channel, chat, wrapped, body, updated_at, expires_at) VALUES ($1,$2,$3,$4,$5,$6)
		ON CONFLICT (channel, chat) DO UPDATE SET wrapped = excluded.wrapped, body = excluded.body, updated_at = excluded.updated_at, expires_at = excluded.expires_at`,
		d.Channel, d.Chat, d.Wrapped, d.Body, d.UpdatedAt, d.ExpiresAt); err != nil {
		return fmt.Errorf("store: put chat draft: %w", err)
	}
	return nil
}

// DeleteChatDraft deletes a chat's draft, if it has one.
func (q Q) DeleteChatDraft(ctx context.Context, channel, chat string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM chat_drafts WHERE channel = $1 AND chat = $2`, channel, chat); err != nil {
		return fmt.Errorf("store: delete chat draft: %w", err)
	}
	return nil
}

// DeleteExpiredChatDrafts deletes the drafts expired at now and returns
// how many.
func (q Q) DeleteExpiredChatDrafts(ctx context.Context, now int64) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM chat_drafts WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired chat drafts: %w", err)
	}
	return res.RowsAffected()
}

// ChatCursor returns where a channel's poller stopped (0 at first).
func (q Q) ChatCursor(ctx context.Context, channel string) (int64, error) {
	var n int64
	err := q.q.QueryRowContext(ctx, `SELECT next FROM chat_cursors WHERE channel = $1`, channel).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: chat cursor: %w", err)
	}
	return n, nil
}

// SetChatCursor records where a channel's poller stopped.
func (q Q) SetChatCursor(ctx context.Context, channel string, next int64) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO chat_cursors (channel, next) VALUES ($1,$2) ON CONFLICT (channel) DO UPDATE SET next = excluded.next`, channel, next); err != nil {
		return fmt.Errorf("store: set chat cursor: %w", err)
	}
	return nil
}

// pollerLockKeys are the PostgreSQL advisory locks a channel's poller
// holds (beside ledgerLockKey).
var pollerLockKeys = map[string]int64{"telegram": 7215101, "line": 7215102, "whatsapp": 7215103}

// PollerLock is the right to poll a chat channel: one poller at a time
// across the servers sharing a PostgreSQL database (a session advisory
// lock on a dedicated connection: losing the connection loses the lock).
// On SQLite, which one server uses, it is nominal.
type PollerLock struct {
	conn *sql.Conn // PostgreSQL only
	key  int64
}

// TryPollerLock takes a channel's poller lock without waiting;
// ErrConflict means another process holds it.
func (db *DB) TryPollerLock(ctx context.Context, channel string) (*PollerLock, error) {
	key, ok := pollerLockKeys[channel]
	if !ok {
		return nil, fmt.Errorf("store: poller lock: no channel %q", channel)
	}
	if db.Engine != Postgres {
		return &PollerLock{key: key}, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: poller lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: poller lock: %w", err)
	}
	if !got {
		conn.Close()
		return nil, fmt.Errorf("store: poller lock %s: held by another process: %w", channel, ErrConflict)
	}
	return &PollerLock{conn: conn, key: key}, nil
}

// Release gives the lock up; if the unlock cannot be confirmed the
// connection is discarded, which ends its session and its locks.
func (l *PollerLock) Release() {
	if l.conn == nil {
		return
	}
	var ok bool
	if err := l.conn.QueryRowContext(context.Background(), `SELECT pg_advisory_unlock($1)`, l.key).Scan(&ok); err != nil || !ok {
		l.conn.Raw(func(any) error { return driver.ErrBadConn })
	}
	l.conn.Close()
}
