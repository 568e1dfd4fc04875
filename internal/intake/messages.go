package intake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// The conversation between staff and a report's reporter. Staff who may
// work on a report (auth.ReadMessages, auth.WriteReporter: its
// organisation's coordinators, investigators and intake staff; never a
// partner) read it and write to the reporter; the reporter reads and
// answers with the tracking code and secret, on the track page or in the
// chat app the report came from. Every message is sealed with the
// report's data key, so erasing the report erases the conversation. Each
// reporter's message is also a testimony statement of the report, sealed
// and committed to the ledger like the first. A reporter's message
// notifies the staff who wrote to the reporter and the assignees of the
// report's cases (notify.ReporterReplied); an unread reply is counted on
// the triage list until staff open the conversation.

// MaxMessage bounds a message's text, in characters.
const MaxMessage = 4000

// MaxRepliesPerDay bounds the reporter's messages to one report in any 24
// hours. Each is a permanent ledger statement, and whoever holds a code and
// its secret can write them from many addresses, so the per-client rate
// limits of the doors are not enough: past the cap a reply is refused
// (429) until the oldest of the day's leaves the window.
const MaxRepliesPerDay = 20

// errTooManyReplies refuses a reply past MaxRepliesPerDay.
var errTooManyReplies = answer.Refuse(http.StatusTooManyRequests, "rate_limited", "text",
	fmt.Sprintf("this report has had %d messages from its reporter in the last 24 hours; wait before writing again", MaxRepliesPerDay))

// MessageView is a message as its reader sees it. AuthorID is a staff
// author's account, and is left out for the reporter.
type MessageView struct {
	ID        string    `json:"id"`
	FromStaff bool      `json:"from_staff"`
	AuthorID  string    `json:"author_id,omitempty"`
	Language  string    `json:"language"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	// Read says whether the other side has read it.
	Read bool `json:"read"`
	// StatementID is the statement a reporter's message is (staff only).
	StatementID string `json:"statement_id,omitempty"`
}

// MessageIn is a new message's text (and, from the reporter, its
// language: a BCP 47 tag, the report's when empty).
type MessageIn struct {
	Text     string `json:"text"`
	Language string `json:"language,omitempty"`
}

func (in *MessageIn) validate() error {
	if strings.TrimSpace(in.Text) == "" {
		return invalid.Field("text", "required", "is required: write the message")
	}
	if err := invalid.Text("text", in.Text, MaxMessage, true); err != nil {
		return err
	}
	if in.Language != "" {
		l, err := NormaliseLanguage("language", in.Language)
		if err != nil {
			return err
		}
		in.Language = l
	}
	return nil
}

func messageContext(id string) string { return "message:" + id + ":text" }

// openMessages opens a report's messages; staff views keep the author and
// statement.
func (s *Service) openMessages(ctx context.Context, q store.Q, reportID string, staff bool) ([]MessageView, error) {
	ms, err := q.ListReportMessages(ctx, reportID)
	if err != nil {
		return nil, err
	}
	out := make([]MessageView, 0, len(ms))
	if len(ms) == 0 {
		return out, nil
	}
	dk, err := s.dataKey(ctx, q, reportID)
	if err != nil {
		if errors.Is(err, seal.ErrDestroyed) {
			return out, nil
		}
		return nil, err
	}
	for _, m := range ms {
		text, err := dk.Open(m.Text, messageContext(m.ID))
		if err != nil {
			return nil, fmt.Errorf("intake: open message %s: %w", m.ID, err)
		}
		v := MessageView{ID: m.ID, FromStaff: m.FromStaff, Language: m.Language, Text: string(text), CreatedAt: store.Time(m.CreatedAt), Read: m.ReadAt != 0}
		if staff {
			v.AuthorID, v.StatementID = m.AuthorID, m.StatementID
		}
		out = append(out, v)
	}
	return out, nil
}

// Messages returns the conversation with a report's reporter, oldest
// first, and marks the reporter's messages read. Not found for a report a
// may not read; forbidden for one it may read but whose conversation it
// may not (a partner).
func (s *Service) Messages(ctx context.Context, a auth.Actor, reportID string) ([]MessageView, error) {
	var out []MessageView
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, reportID, auth.ReadMessages)
		if err != nil {
			return err
		}
		if out, err = s.openMessages(ctx, q, r.ID, true); err != nil {
			return err
		}
		_, err = q.MarkReportMessagesRead(ctx, r.ID, false, store.Now())
		return err
	})
	return out, err
}

// WriteToReporter adds a staff message to the conversation with a
// report's reporter, sealed, and audits it (report.message; the trail
// holds the message's ID, never its text).
func (s *Service) WriteToReporter(ctx context.Context, a auth.Actor, reportID string, in *MessageIn) (*MessageView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var m *store.ReportMessage
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, reportID, auth.WriteReporter)
		if err != nil {
			return err
		}
		dk, err := s.writeKey(ctx, q, r.ID)
		if err != nil {
			return err
		}
		id := store.NewID()
		m = &store.ReportMessage{ID: id, ReportID: r.ID, OrgID: r.OrgID, FromStaff: true, AuthorID: a.UserID,
			Language: r.Language, Text: dk.Seal([]byte(in.Text), messageContext(id)), CreatedAt: now.UnixMicro()}
		if err := q.PutReportMessage(ctx, m); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "report.message", "report", r.ID, map[string]string{"message": id})
	})
	if err != nil {
		return nil, err
	}
	return &MessageView{ID: m.ID, FromStaff: true, AuthorID: a.UserID, Language: m.Language, Text: in.Text, CreatedAt: now}, nil
}

// Conversation returns the conversation for the reporter who proves it
// with the tracking code and secret, oldest first, and marks the staff's
// messages read. With onlyNew it returns only the staff's messages the
// reporter had not read yet (a chat's /status). A wrong code or secret is
// ErrNoSuchReport.
func (s *Service) Conversation(ctx context.Context, code, secret string, onlyNew bool) ([]MessageView, error) {
	return s.conversation(ctx, func(q store.Q) (*store.Report, error) { return reportBySecret(ctx, q, code, secret) }, onlyNew)
}

// conversation is Conversation for the report find returns.
func (s *Service) conversation(ctx context.Context, find func(store.Q) (*store.Report, error), onlyNew bool) ([]MessageView, error) {
	var out []MessageView
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, err := find(q)
		if err != nil {
			return err
		}
		all, err := s.openMessages(ctx, q, r.ID, false)
		if err != nil {
			return err
		}
		out = all
		if onlyNew {
			out = out[:0:0]
			for _, m := range all {
				if m.FromStaff && !m.Read {
					out = append(out, m)
				}
			}
		}
		_, err = q.MarkReportMessagesRead(ctx, r.ID, true, store.Now())
		return err
	})
	return out, err
}

// Reply adds the reporter's message to the conversation: a testimony
// statement of the report (sealed, committed to the ledger) and a message
// naming it, in one transaction, audited as report.reply by the public.
// The staff who wrote to the reporter and the assignees of the report's
// cases are notified.
func (s *Service) Reply(ctx context.Context, code, secret string, in *MessageIn) (*MessageView, error) {
	return s.reply(ctx, func(q store.Q) (*store.Report, error) { return reportBySecret(ctx, q, code, secret) }, in)
}

// reply is Reply to the report find returns.
func (s *Service) reply(ctx context.Context, find func(store.Q) (*store.Report, error), in *MessageIn) (*MessageView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var m *store.ReportMessage
	var reportID string
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, err := find(q)
		if err != nil {
			return err
		}
		reportID = r.ID
		n, err := q.CountReporterMessagesSince(ctx, r.ID, now.Add(-24*time.Hour).UnixMicro())
		if err != nil {
			return err
		}
		if n >= MaxRepliesPerDay {
			return errTooManyReplies
		}
		dk, err := s.writeKey(ctx, q, r.ID)
		if err != nil {
			return err
		}
		lang := in.Language
		if lang == "" {
			lang = r.Language
		}
		w := newStatement(dk, r.ID, KindTestimony, "", lang, in.Text, "", now)
		if err := s.putStatement(ctx, q, r, w, in.Text, now); err != nil {
			return err
		}
		id := store.NewID()
		m = &store.ReportMessage{ID: id, ReportID: r.ID, OrgID: r.OrgID, StatementID: w.stmt.ID, Language: lang,
			Text: dk.Seal([]byte(in.Text), messageContext(id)), CreatedAt: now.UnixMicro()}
		if err := q.PutReportMessage(ctx, m); err != nil {
			return err
		}
		if err := audit.Record(ctx, q, auth.Actor{}, "report.reply", "report", r.ID, map[string]string{"message": id, "statement": w.stmt.ID}); err != nil {
			return err
		}
		return s.tellStaff(ctx, q, r.ID, id)
	})
	if err != nil {
		return nil, err
	}
	if s.ledger != nil {
		s.ledger.Notify()
	}
	if s.stored != nil {
		s.stored(context.WithoutCancel(ctx), []string{reportID})
	}
	return &MessageView{ID: m.ID, Language: m.Language, Text: in.Text, CreatedAt: now}, nil
}

// tellStaff notifies, of a reporter's message, the staff who wrote to the
// reporter and the assignees of the report's cases, each once.
func (s *Service) tellStaff(ctx context.Context, q store.Q, reportID, messageID string) error {
	ms, err := q.ListReportMessages(ctx, reportID)
	if err != nil {
		return err
	}
	users := map[string]bool{}
	for _, m := range ms {
		if m.FromStaff && m.AuthorID != "" {
			users[m.AuthorID] = true
		}
	}
	caseIDs, err := q.ReportCaseIDs(ctx, reportID)
	if err != nil {
		return err
	}
	for _, cid := range caseIDs {
		c, err := q.GetCase(ctx, cid)
		if err != nil {
			return err
		}
		if c.AssigneeID != "" {
			users[c.AssigneeID] = true
		}
	}
	for u := range users {
		if err := notify.AddOnce(ctx, q, auth.Actor{}, u, notify.ReporterReplied, "report", reportID, messageID); err != nil {
			return err
		}
	}
	return nil
}

// UnreadReplies counts the reporter's messages staff have not read, for
// each of reports (of a's organisation) that has any: the triage list's
// mark. Nothing for an actor who may not read its organisation's
// conversations.
func (s *Service) UnreadReplies(ctx context.Context, a auth.Actor, reportIDs []string) (map[string]int, error) {
	if !auth.Can(a, auth.ReadMessages, auth.Resource{OrgID: a.OrgID}) {
		return map[string]int{}, nil
	}
	return s.db.Read().UnreadReplies(ctx, a.OrgID, reportIDs)
}
