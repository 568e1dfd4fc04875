package casework

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// History limits: the case's own events, and the reveals of each report.
const (
	historyCaseEvents   = 100
	historyReportEvents = 20
)

// HistoryEvent is one audited change of a case, or a reveal of one of its
// reports.
type HistoryEvent struct {
	ID           string    `json:"id"`
	At           time.Time `json:"at"`
	ActorID      string    `json:"actor_id"`
	Action       string    `json:"action"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	// Detail is what changed, as the audit trail recorded it (never a
	// sealed value).
	Detail json.RawMessage `json:"detail,omitempty"`
	// Reason is the reason the actor gave, opened from the sealed trail.
	Reason string `json:"reason,omitempty"`
}

// History returns a case's audit trail (status changes, assignment,
// referrals, reports added and moved) and the reveals of its reports,
// newest first, their reasons opened: for its organisation's staff
// (auth.ReadHistory). A partner, who reads a referred case, is refused;
// anyone who may not read the case is told it is not found.
func (s *Service) History(ctx context.Context, a auth.Actor, caseID string) ([]HistoryEvent, error) {
	q := s.db.Read()
	if _, _, _, err := s.load(ctx, q, a, caseID, auth.ReadHistory); err != nil {
		return nil, err
	}
	evs, err := q.ListAuditEvents(ctx, store.AuditFilter{ResourceType: "case", ResourceID: caseID, Limit: historyCaseEvents})
	if err != nil {
		return nil, err
	}
	ids, err := q.CaseReportIDs(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for _, rid := range ids {
		more, err := q.ListAuditEvents(ctx, store.AuditFilter{ResourceType: "report", ResourceID: rid, Action: "report.reveal", Limit: historyReportEvents})
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	if err := audit.OpenReasons(s.keys, evs); err != nil {
		return nil, err
	}
	slices.SortFunc(evs, func(a, b *store.AuditEvent) int { return strings.Compare(b.ID, a.ID) })
	out := make([]HistoryEvent, 0, len(evs))
	for _, e := range evs {
		h := HistoryEvent{ID: e.ID, At: store.Time(e.At), ActorID: e.ActorID, Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Reason: e.Reason}
		if e.Detail != "" && json.Valid([]byte(e.Detail)) {
			h.Detail = json.RawMessage(e.Detail)
		}
		out = append(out, h)
	}
	return out, nil
}
