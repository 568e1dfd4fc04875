package store

import (
	"context"
	"fmt"
)

// ChatReport links a report to the chat that filed it (migration 0025):
// the chat known only by its blind index, as its draft is.
type ChatReport struct {
	Channel   string
	Chat      string
	ReportID  string
	CreatedAt int64
	// Unread is how many of the staff's messages to the report the
	// reporter has not read (ListChatReports fills it).
	Unread int
}

// PutChatReport links a report to a chat; linking it twice is a no-op.
func (q Q) PutChatReport(ctx context.Context, l *ChatReport) error {
	if _, err := q.q.ExecContext(ctx, `INSERT INTO chat_reports (channel, chat, report_id, created_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (channel, chat, report_id) DO NOTHING`, l.Channel, l.Chat, l.ReportID, l.CreatedAt); err != nil {
		return fmt.Errorf("store: put chat report: %w", err)
	}
	return nil
}

// ListChatReports returns the reports a chat filed, newest first, each
// with its count of unread staff messages.
func (q Q) ListChatReports(ctx context.Context, channel, chat string) ([]*ChatReport, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT c.channel, c.chat, c.report_id, c.created_at,
		(SELECT COUNT(*) FROM report_messages m WHERE m.report_id = c.report_id AND m.from_staff = 1 AND m.read_at = 0)
		FROM chat_reports c WHERE c.channel = $1 AND c.chat = $2 ORDER BY c.created_at DESC, c.report_id DESC`, channel, chat)
	if err != nil {
		return nil, fmt.Errorf("store: list chat reports: %w", err)
	}
	defer rows.Close()
	var out []*ChatReport
	for rows.Next() {
		var l ChatReport
		if err := rows.Scan(&l.Channel, &l.Chat, &l.ReportID, &l.CreatedAt, &l.Unread); err != nil {
			return nil, fmt.Errorf("store: list chat reports: %w", err)
		}
		out = append(out, &l)
	}
	return out, rows.Err()
}

// DeleteChatReports forgets which reports a chat filed and returns how
// many links it deleted.
func (q Q) DeleteChatReports(ctx context.Context, channel, chat string) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM chat_reports WHERE channel = $1 AND chat = $2`, channel, chat)
	if err != nil {
		return 0, fmt.Errorf("store: delete chat reports: %w", err)
	}
	return res.RowsAffected()
}

// DeleteReportChats forgets which chats filed a report (its erasure).
func (q Q) DeleteReportChats(ctx context.Context, reportID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM chat_reports WHERE report_id = $1`, reportID); err != nil {
		return fmt.Errorf("store: delete report chats: %w", err)
	}
	return nil
}
