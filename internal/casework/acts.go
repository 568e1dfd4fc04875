package casework

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// Why a report is dismissed.
const (
	DismissNotActionable = "not_actionable"
	DismissDuplicate     = "duplicate"
	DismissSpam          = "spam"
	DismissOutOfScope    = "out_of_scope"
)

// DismissReasons lists why a report can be dismissed.
var DismissReasons = []string{DismissNotActionable, DismissDuplicate, DismissSpam, DismissOutOfScope}

// noteLimit bounds the note that may accompany an act on a report.
const noteLimit = 2000

// loadReport returns a report a may do act to inside a transaction: not
// found if a may not read it, forbidden if a may read it but not act.
func loadReport(ctx context.Context, q store.Q, a auth.Actor, id string, act auth.Action) (*store.Report, error) {
	r, err := q.GetReport(ctx, id)
	if err != nil {
		return nil, err
	}
	res, _, err := intake.Access(ctx, q, a, r)
	if err != nil {
		return nil, err
	}
	if !auth.Can(a, auth.ReadReport, res) {
		return nil, fmt.Errorf("report %s: %w", id, store.ErrNotFound)
	}
	if !auth.Can(a, act, res) {
		return nil, auth.ErrForbidden
	}
	return r, nil
}

// notFoundAs turns a report or case a may not see, named by field, into a
// refusal that names the field (422), as Create does for report_ids.
func notFoundAs(err error, field, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return invalid.Field(field, "not_found", "no report or case %q that you may act on", id)
	}
	return err
}

// actedOn refuses a report that staff merged or dismissed: it must be
// reopened before it is worked on again. field names it in the refusal.
func actedOn(field string, r *store.Report) error {
	switch r.Status {
	case intake.StatusMerged:
		return invalid.Field(field, "merged", "report %s was merged into another report: work on that one, or reopen this one first", r.ID)
	case intake.StatusDismissed:
		return invalid.Field(field, "dismissed", "report %s was dismissed: reopen it first", r.ID)
	}
	return nil
}

// record audits an act, its note (if any) sealed as the event's reason.
func (s *Service) record(ctx context.Context, q store.Q, a auth.Actor, action, typ, id, note string, detail any) error {
	if note != "" {
		return audit.RecordReason(ctx, q, s.keys, a, action, typ, id, note, detail)
	}
	return audit.Record(ctx, q, a, action, typ, id, detail)
}

// MergeIn merges a duplicate report into the report kept.
type MergeIn struct {
	Into string `json:"into"`
	Note string `json:"note,omitempty"`
}

// Merge marks report id as a duplicate of in.Into. The duplicate keeps its
// statements, attachments, ledger entries and cases; it leaves the triage
// queue (its status is merged) and names the report kept (merged_into).
// Duplicates already merged into id are pointed at in.Into too, so a
// duplicate always names the report finally kept. Its reporter, tracking
// it, sees the kept report's status. Reopen undoes a merge.
//
// The link index is left as it was: the duplicate's identifiers still
// count it in identifiers.report_count, and so in the public check's band
// (see docs/architecture.md, "Acting on reports").
func (s *Service) Merge(ctx context.Context, a auth.Actor, id string, in *MergeIn) (*intake.ReportView, error) {
	if strings.TrimSpace(in.Into) == "" {
		return nil, invalid.Field("into", "required", "name the report to keep")
	}
	if in.Into == id {
		return nil, invalid.Field("into", "invalid", "a report cannot be merged into itself")
	}
	return s.reportAct(ctx, a, id, in.Note, func(q store.Q, dup *store.Report, now int64) error {
		kept, err := loadReport(ctx, q, a, in.Into, auth.TriageReport)
		if err != nil {
			return notFoundAs(err, "into", in.Into)
		}
		if dup.Status == intake.StatusMerged {
			return invalid.Field("id", "merged", "report %s is already merged into another report; reopen it first", id)
		}
		if err := actedOn("into", kept); err != nil {
			return err
		}
		if err := q.SetReportAct(ctx, id, dup.Status, intake.StatusMerged, store.ReportAct{MergedInto: kept.ID}, now); err != nil {
			return err
		}
		if err := q.RepointMerged(ctx, id, kept.ID, now); err != nil {
			return err
		}
		return s.record(ctx, q, a, "report.merge", "report", id, strings.TrimSpace(in.Note), map[string]string{"into": kept.ID, "was": dup.Status})
	})
}

// DismissIn dismisses a report.
type DismissIn struct {
	// Reason is one of DismissReasons.
	Reason string `json:"reason"`
	// Note says more; it is sealed in the audit trail.
	Note string `json:"note,omitempty"`
}

// Dismiss sets a report aside with a reason: it leaves the triage queue
// (its status is dismissed; the triage filter status=dismissed lists it),
// keeps everything it holds and its cases, and its reporter, tracking it,
// reads "closed" (intake.PublicStatus says why). Reopen undoes it.
func (s *Service) Dismiss(ctx context.Context, a auth.Actor, id string, in *DismissIn) (*intake.ReportView, error) {
	if in.Reason == "" {
		return nil, invalid.Field("reason", "required", "say why: %s", strings.Join(DismissReasons, ", "))
	}
	if err := invalid.Enum("reason", in.Reason, DismissReasons); err != nil {
		return nil, err
	}
	return s.reportAct(ctx, a, id, in.Note, func(q store.Q, r *store.Report, now int64) error {
		if err := actedOn("id", r); err != nil {
			return err
		}
		if err := q.SetReportAct(ctx, id, r.Status, intake.StatusDismissed, store.ReportAct{DismissReason: in.Reason}, now); err != nil {
			return err
		}
		return s.record(ctx, q, a, "report.dismiss", "report", id, strings.TrimSpace(in.Note), map[string]string{"reason": in.Reason, "was": r.Status})
	})
}

// ReopenIn reopens a merged or dismissed report.
type ReopenIn struct {
	Note string `json:"note,omitempty"`
}

// Reopen undoes a merge or a dismissal: the report takes the status its
// latest case gives it, or received (back in the triage queue) when it is in
// none.
func (s *Service) Reopen(ctx context.Context, a auth.Actor, id string, in *ReopenIn) (*intake.ReportView, error) {
	return s.reportAct(ctx, a, id, in.Note, func(q store.Q, r *store.Report, now int64) error {
		if r.Status != intake.StatusMerged && r.Status != intake.StatusDismissed {
			return invalid.Field("id", "not_dismissed", "report %s is neither merged nor dismissed", id)
		}
		act, err := q.GetReportAct(ctx, id)
		if err != nil {
			return err
		}
		st := intake.StatusReceived
		cases, err := q.ReportCaseIDs(ctx, id)
		if err != nil {
			return err
		}
		if len(cases) > 0 {
			c, err := q.GetCase(ctx, cases[len(cases)-1])
			if err != nil {
				return err
			}
			st = reportStatus(c.Status)
		}
		if err := q.SetReportAct(ctx, id, r.Status, st, store.ReportAct{}, now); err != nil {
			return err
		}
		detail := map[string]string{"was": r.Status, "status": st}
		if act.MergedInto != "" {
			detail["merged_into"] = act.MergedInto
		}
		if act.DismissReason != "" {
			detail["reason"] = act.DismissReason
		}
		return s.record(ctx, q, a, "report.reopen", "report", id, strings.TrimSpace(in.Note), detail)
	})
}

// reportAct runs act on report id in one transaction, once the note is
// checked and the actor may triage the report, and answers the report as it
// reads afterwards: the frame of merge, dismiss and reopen.
func (s *Service) reportAct(ctx context.Context, a auth.Actor, id, note string, act func(q store.Q, r *store.Report, now int64) error) (*intake.ReportView, error) {
	if err := invalid.Text("note", note, noteLimit, false); err != nil {
		return nil, err
	}
	now := s.now().UTC().UnixMicro()
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, err := loadReport(ctx, q, a, id, auth.TriageReport)
		if err != nil {
			return err
		}
		return act(q, r, now)
	})
	if err != nil {
		return nil, err
	}
	return s.intake.Get(ctx, a, id)
}

// AddReportIn adds a report to a case, or with FromCaseID moves it there
// from another case.
type AddReportIn struct {
	ReportID   string `json:"report_id"`
	FromCaseID string `json:"from_case_id,omitempty"`
}

// AddReport adds a report to a case if the case's version is still ifMatch
// (0: any version), or moves it there from in.FromCaseID. The report takes
// the case's status as a reporter sees it; each case changed gets a new
// version and an audit event. A case closed cannot take a report (reopen it
// first); a case a report is moved out of may be left with none.
func (s *Service) AddReport(ctx context.Context, a auth.Actor, caseID string, ifMatch int, in *AddReportIn) (*CaseView, error) {
	if strings.TrimSpace(in.ReportID) == "" {
		return nil, invalid.Field("report_id", "required", "name the report to add")
	}
	if in.FromCaseID == caseID {
		return nil, invalid.Field("from_case_id", "invalid", "the report would move into the case it is in")
	}
	now := s.now().UTC().UnixMicro()
	var out *store.Case
	var ids []string
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, _, _, err := s.load(ctx, q, a, caseID, auth.TriageReport)
		if err != nil {
			return err
		}
		if ifMatch != 0 && c.Version != ifMatch {
			return invalid.ErrPrecondition
		}
		if c.Status == StatusClosed {
			return invalid.Field("case", "closed", "a closed case cannot take a report: reopen it first")
		}
		r, err := loadReport(ctx, q, a, in.ReportID, auth.TriageReport)
		if err != nil {
			return notFoundAs(err, "report_id", in.ReportID)
		}
		if err := actedOn("report_id", r); err != nil {
			return err
		}
		cases, err := q.ReportCaseIDs(ctx, r.ID)
		if err != nil {
			return err
		}
		if slices.Contains(cases, caseID) {
			return invalid.Field("report_id", "duplicate", "report %s is already in this case", r.ID)
		}
		action, detail := "case.add_report", map[string]string{"report": r.ID}
		if in.FromCaseID != "" {
			from, _, _, err := s.load(ctx, q, a, in.FromCaseID, auth.TriageReport)
			if err != nil {
				return notFoundAs(err, "from_case_id", in.FromCaseID)
			}
			if !slices.Contains(cases, from.ID) {
				return invalid.Field("from_case_id", "not_found", "report %s is not in case %s", r.ID, from.ID)
			}
			if err := q.RemoveCaseReport(ctx, from.ID, r.ID); err != nil {
				return err
			}
			if err := bump(ctx, q, from, now); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, "case.remove_report", "case", from.ID, map[string]string{"report": r.ID, "to": caseID}); err != nil {
				return err
			}
			action, detail["from"] = "case.move_report", from.ID
		}
		if err := q.AddCaseReport(ctx, caseID, r.ID, now); err != nil {
			return err
		}
		if err := q.SetActiveReportStatus(ctx, r.ID, reportStatus(c.Status), now); err != nil {
			return err
		}
		if err := bump(ctx, q, c, now); err != nil {
			return err
		}
		if ids, err = q.CaseReportIDs(ctx, caseID); err != nil {
			return err
		}
		out = c
		return audit.Record(ctx, q, a, action, "case", caseID, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.view(out, ids), nil
}

// bump gives a case whose reports changed a new version.
func bump(ctx context.Context, q store.Q, c *store.Case, now int64) error {
	prev := c.Version
	c.Version, c.UpdatedAt = prev+1, now
	if err := q.UpdateCase(ctx, c, prev); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return invalid.ErrPrecondition
		}
		return err
	}
	return nil
}
