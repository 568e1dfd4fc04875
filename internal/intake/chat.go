package intake

import (
	"context"

	"github.com/vigil-project/vigil/internal/store"
)

// The reporter in the chat that filed a report. A chat app's engine
// (internal/converse) keeps which chat filed which report (chat_reports,
// the chat known only by its blind index) and answers for the reporter
// who writes from that chat without the tracking code and secret: the
// chat is the proof, as the code and secret are on the track page. These
// methods take the report's ID and trust the caller to have found it
// through the chat's link; nothing but the chat engine calls them. The
// rules are Track's, Conversation's and Reply's.

// ChatStatus is a report's status as its chat is told it: TrackStatus
// without the tracking code (the chat is the reporter's proof).
type ChatStatus struct {
	Status string
	// LastAction is the date (not the time) of the last change.
	LastAction string
}

// ChatTrack returns the status of the report a chat filed.
func (s *Service) ChatTrack(ctx context.Context, reportID string) (*ChatStatus, error) {
	r, err := s.db.Read().GetReport(ctx, reportID)
	if err != nil {
		return nil, err
	}
	st, err := s.publicStatus(ctx, r)
	if err != nil {
		return nil, err
	}
	return &ChatStatus{Status: st, LastAction: store.Time(r.UpdatedAt).Format("2006-01-02")}, nil
}

// ChatConversation is Conversation for the chat that filed the report:
// with onlyNew the staff's messages its reporter has not read yet, all of
// which it marks read.
func (s *Service) ChatConversation(ctx context.Context, reportID string, onlyNew bool) ([]MessageView, error) {
	return s.conversation(ctx, func(q store.Q) (*store.Report, error) { return q.GetReport(ctx, reportID) }, onlyNew)
}

// ChatReply is Reply from the chat that filed the report: the same
// statement, message, cap (MaxRepliesPerDay), audit and notifications.
func (s *Service) ChatReply(ctx context.Context, reportID string, in *MessageIn) (*MessageView, error) {
	return s.reply(ctx, func(q store.Q) (*store.Report, error) { return q.GetReport(ctx, reportID) }, in)
}
