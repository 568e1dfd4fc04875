// Package casework turns reports into cases and moves them through triage,
// assignment, referral to partners and closure. Access is decided by
// auth.Can; a case an actor may not read does not exist for it.
package casework

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/webhooks"
)

// Case statuses, in workflow order.
const (
	StatusNew        = "new"
	StatusTriaged    = "triaged"
	StatusInProgress = "in_progress"
	StatusReferred   = "referred"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
)

// Statuses lists the case statuses.
var Statuses = []string{StatusNew, StatusTriaged, StatusInProgress, StatusReferred, StatusResolved, StatusClosed}

// transitions lists the statuses each status may move to.
var transitions = map[string][]string{
	StatusNew:        {StatusTriaged, StatusInProgress, StatusClosed},
	StatusTriaged:    {StatusInProgress, StatusReferred, StatusResolved, StatusClosed},
	StatusInProgress: {StatusReferred, StatusResolved, StatusClosed},
	StatusReferred:   {StatusInProgress, StatusResolved, StatusClosed},
	StatusResolved:   {StatusInProgress, StatusClosed},
	// A closed case reopens only with a reason (Patch.Reason), audited.
	StatusClosed: {StatusTriaged, StatusInProgress},
}

// StatusPath returns the statuses a case goes through, each an allowed
// transition, from one status to another by the fewest steps (to
// included, from not; none when they are the same or to is not reachable).
func StatusPath(from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == to && cur != from {
			var path []string
			for s := to; s != from; s = prev[s] {
				path = append([]string{s}, path...)
			}
			return path
		}
		for _, next := range transitions[cur] {
			if _, seen := prev[next]; !seen {
				prev[next] = cur
				queue = append(queue, next)
			}
		}
	}
	return nil
}

// Urgencies, most urgent first, with the time each allows before a case is
// overdue.
const (
	UrgencyCritical = "critical"
	UrgencyHigh     = "high"
	UrgencyNormal   = "normal"
	UrgencyLow      = "low"
)

// Urgencies lists the urgencies.
var Urgencies = []string{UrgencyCritical, UrgencyHigh, UrgencyNormal, UrgencyLow}

// Deadlines is how long a case of each urgency may wait before it is
// overdue and escalated.
var Deadlines = map[string]time.Duration{
	UrgencyCritical: 24 * time.Hour,
	UrgencyHigh:     72 * time.Hour,
	UrgencyNormal:   14 * 24 * time.Hour,
	UrgencyLow:      30 * 24 * time.Hour,
}

// Referral statuses.
const (
	RefPending   = "pending"
	RefAccepted  = "accepted"
	RefDeclined  = "declined"
	RefCompleted = "completed"
)

// Service runs casework.
type Service struct {
	db *store.DB
	// keys seals the reasons recorded in the audit trail (reopening a
	// case) and opens them for the case's history, and makes and opens
	// the cases' data keys (notes.go).
	keys   Keyring
	intake *intake.Service
	log    *slog.Logger
	now    func() time.Time
}

// Keyring is what casework needs of the keys: it seals audit reasons, and
// makes and opens the data keys its cases' notes are sealed with.
// *seal.Keyring implements it.
type Keyring interface {
	audit.Sealer
	NewDataKey(id string) (*seal.DataKey, []byte, error)
	Unwrap(id string, wrapped []byte) (*seal.DataKey, error)
}

// New returns a casework service; it shows reports through intake's views
// and seals audit reasons and case notes with keys (the keyring).
func New(db *store.DB, keys Keyring, in *intake.Service, logger *slog.Logger) *Service {
	return &Service{db: db, keys: keys, intake: in, log: logger, now: time.Now}
}

// CaseView is a case as one actor may see it.
type CaseView struct {
	ID         string               `json:"id"`
	OrgID      string               `json:"org_id,omitempty"`
	Title      string               `json:"title"`
	Status     string               `json:"status"`
	Urgency    string               `json:"urgency"`
	AssigneeID string               `json:"assignee_id,omitempty"`
	DueAt      *time.Time           `json:"due_at,omitempty"`
	Overdue    bool                 `json:"overdue"`
	CreatedAt  time.Time            `json:"created_at"`
	UpdatedAt  time.Time            `json:"updated_at"`
	Version    int                  `json:"version"`
	ReportIDs  []string             `json:"report_ids"`
	Reports    []*intake.ReportView `json:"reports,omitempty"`
	Referrals  []*ReferralView      `json:"referrals,omitempty"`
}

// ReferralView is a referral as one actor may see it.
type ReferralView struct {
	ID        string   `json:"id"`
	CaseID    string   `json:"case_id"`
	FromOrgID string   `json:"from_org_id"`
	ToOrgID   string   `json:"to_org_id"`
	Shared    []string `json:"shared"`
	Note      string   `json:"note,omitempty"`
	// PartnerTitle is the title the partner sees for the case, as the
	// referrer wrote it; empty when none was written.
	PartnerTitle string     `json:"partner_title,omitempty"`
	Status       string     `json:"status"`
	Response     string     `json:"response,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	RespondedAt  *time.Time `json:"responded_at,omitempty"`
	Version      int        `json:"version"`
}

func referralView(r *store.Referral) *ReferralView {
	v := &ReferralView{ID: r.ID, CaseID: r.CaseID, FromOrgID: r.FromOrgID, ToOrgID: r.ToOrgID, Shared: r.Shared,
		Note: r.Note, PartnerTitle: r.PartnerTitle, Status: r.Status, Response: r.Response, CreatedAt: store.Time(r.CreatedAt), Version: r.Version}
	if r.Shared == nil {
		v.Shared = []string{}
	}
	if r.RespondedAt != 0 {
		t := store.Time(r.RespondedAt)
		v.RespondedAt = &t
	}
	return v
}

// caseResource is what access to a case depends on.
func caseResource(ctx context.Context, q store.Q, a auth.Actor, c *store.Case) (auth.Resource, []*store.Referral, error) {
	res := auth.Resource{OrgID: c.OrgID}
	refs, err := q.ListReferrals(ctx, c.ID, "")
	if err != nil {
		return res, nil, err
	}
	for _, r := range refs {
		res.AddReferral(a, r.ToOrgID, r.Shared)
	}
	return res, refs, nil
}

// load returns a case a may do act to; not found if a may not read it.
func (s *Service) load(ctx context.Context, q store.Q, a auth.Actor, id string, act auth.Action) (*store.Case, auth.Resource, []*store.Referral, error) {
	c, err := q.GetCase(ctx, id)
	if err != nil {
		return nil, auth.Resource{}, nil, err
	}
	res, refs, err := caseResource(ctx, q, a, c)
	if err != nil {
		return nil, res, nil, err
	}
	if !auth.Can(a, auth.ReadCase, res) {
		return nil, res, nil, fmt.Errorf("case %s: %w", id, store.ErrNotFound)
	}
	if !auth.Can(a, act, res) {
		return nil, res, nil, auth.ErrForbidden
	}
	return c, res, refs, nil
}

func (s *Service) view(c *store.Case, reportIDs []string) *CaseView {
	v := &CaseView{ID: c.ID, OrgID: c.OrgID, Title: c.Title, Status: c.Status, Urgency: c.Urgency, AssigneeID: c.AssigneeID,
		CreatedAt: store.Time(c.CreatedAt), UpdatedAt: store.Time(c.UpdatedAt), Version: c.Version, ReportIDs: reportIDs}
	if v.ReportIDs == nil {
		v.ReportIDs = []string{}
	}
	if c.DueAt != 0 {
		t := store.Time(c.DueAt)
		v.DueAt = &t
		v.Overdue = c.Status != StatusResolved && c.Status != StatusClosed && s.now().After(t)
	}
	return v
}

// forPartner strips from a case view what a partner must not see: the
// owner's organisation, the assignee, and the internal title, which often
// holds a victim's name (issue 11). The partner sees title instead — the
// title the referrer wrote for it (see partnerTitle) — or, when there is
// none, a neutral title made from the case ID's random tail.
func forPartner(v *CaseView, title string) {
	v.OrgID, v.AssigneeID = "", ""
	if title == "" {
		title = "Case " + v.ID[max(0, len(v.ID)-8):]
	}
	v.Title = title
}

// partnerTitle is the title the referrer wrote for org in the latest of
// refs (in ID order, so in time order) made to org: a new referral's
// title, or its lack of one, replaces an older one's.
func partnerTitle(refs []*store.Referral, org string) string {
	title := ""
	for _, r := range refs {
		if r.ToOrgID == org {
			title = r.PartnerTitle
		}
	}
	return title
}

// CaseIn creates a case from reports.
type CaseIn struct {
	ReportIDs []string `json:"report_ids"`
	Title     string   `json:"title"`
	// Urgency defaults to critical when a victim is still held, else normal.
	Urgency    string `json:"urgency,omitempty"`
	AssigneeID string `json:"assignee_id,omitempty"`
}

// Create makes a case from one or more reports of a's organisation.
func (s *Service) Create(ctx context.Context, a auth.Actor, in *CaseIn) (*CaseView, error) {
	if len(in.ReportIDs) == 0 {
		return nil, invalid.Field("report_ids", "required", "name at least one report")
	}
	if len(in.ReportIDs) > 100 {
		return nil, invalid.Field("report_ids", "too_many", "at most 100 reports per case")
	}
	if err := invalid.Text("title", in.Title, 200, true); err != nil {
		return nil, err
	}
	if in.Urgency != "" {
		if err := invalid.Enum("urgency", in.Urgency, Urgencies); err != nil {
			return nil, err
		}
	}
	if !auth.Can(a, auth.CreateCase, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	now := s.now().UTC()
	c := &store.Case{ID: store.NewID(), OrgID: a.OrgID, Title: strings.TrimSpace(in.Title), Status: StatusNew, Urgency: in.Urgency,
		CreatedBy: a.UserID, CreatedAt: now.UnixMicro(), UpdatedAt: now.UnixMicro(), Version: 1}
	var ids []string
	err := s.db.Tx(ctx, func(q store.Q) error {
		urgent := false
		for i, rid := range in.ReportIDs {
			r, err := q.GetReport(ctx, rid)
			if err != nil || r.OrgID != a.OrgID {
				return invalid.Field(fmt.Sprintf("report_ids[%d]", i), "not_found", "no report %q in your organisation", rid)
			}
			if err := actedOn(fmt.Sprintf("report_ids[%d]", i), r); err != nil {
				return err
			}
			urgent = urgent || r.Urgent
			if !slices.Contains(ids, rid) {
				ids = append(ids, rid)
			}
		}
		if c.Urgency == "" {
			c.Urgency = UrgencyNormal
			if urgent {
				c.Urgency = UrgencyCritical
			}
		}
		c.DueAt = now.Add(Deadlines[c.Urgency]).UnixMicro()
		if in.AssigneeID != "" {
			if err := s.checkAssignee(ctx, q, a, in.AssigneeID); err != nil {
				return err
			}
			c.AssigneeID = in.AssigneeID
		}
		if err := q.PutCase(ctx, c); err != nil {
			return err
		}
		for _, rid := range ids {
			if err := q.AddCaseReport(ctx, c.ID, rid, now.UnixMicro()); err != nil {
				return err
			}
			if err := q.SetReportStatus(ctx, rid, intake.StatusInReview, now.UnixMicro()); err != nil {
				return err
			}
		}
		if err := notify.Add(ctx, q, a, c.AssigneeID, notify.CaseAssigned, "case", c.ID); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "case.create", "case", c.ID, map[string]any{"reports": ids})
	})
	if err != nil {
		return nil, err
	}
	return s.view(c, ids), nil
}

func (s *Service) checkAssignee(ctx context.Context, q store.Q, a auth.Actor, userID string) error {
	u, err := q.GetUser(ctx, userID)
	if err != nil || u.OrgID != a.OrgID || u.Disabled {
		return invalid.Field("assignee_id", "not_found", "no active user %q in your organisation", userID)
	}
	// Only someone who may read the case can work on it: not an admin,
	// partner, integration account or operator.
	if !auth.Can(auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}, auth.ReadCase, auth.Resource{OrgID: u.OrgID}) {
		return invalid.Field("assignee_id", "invalid", "a %s cannot be assigned cases", u.Role)
	}
	return nil
}

// Get returns a case with its reports (as a may see them) and referrals (a
// partner sees only its own).
func (s *Service) Get(ctx context.Context, a auth.Actor, id string) (*CaseView, error) {
	q := s.db.Read()
	c, _, refs, err := s.load(ctx, q, a, id, auth.ReadCase)
	if err != nil {
		return nil, err
	}
	ids, err := q.CaseReportIDs(ctx, id)
	if err != nil {
		return nil, err
	}
	v := s.view(c, ids)
	if a.Role == auth.Partner {
		forPartner(v, partnerTitle(refs, a.OrgID))
	}
	for _, rid := range ids {
		r, err := q.GetReport(ctx, rid)
		if err != nil {
			return nil, err
		}
		rv, err := s.intake.View(ctx, a, r, true)
		if err != nil {
			return nil, err
		}
		v.Reports = append(v.Reports, rv)
	}
	for _, r := range refs {
		if a.Role == auth.Partner && r.ToOrgID != a.OrgID {
			continue
		}
		v.Referrals = append(v.Referrals, referralView(r))
	}
	return v, nil
}

// ListFilter narrows List and Count.
type ListFilter struct {
	Status     string
	AssigneeID string
	Urgency    string
	// Overdue keeps cases past their deadline and neither resolved nor
	// closed.
	Overdue bool
	// From is the keyset cursor (a case id): only cases after it, or with
	// Back those before it (returned newest first).
	From   string
	Back   bool
	Before string
	Limit  int
}

// storeFilter checks f and returns the store's filter of the cases a may
// see: its organisation's, or for a partner those referred to its
// organisation.
func (s *Service) storeFilter(a auth.Actor, f ListFilter) (store.CaseFilter, error) {
	if !auth.Can(a, auth.ListCases, auth.Resource{OrgID: a.OrgID}) {
		return store.CaseFilter{}, auth.ErrForbidden
	}
	if f.Status != "" {
		if err := invalid.Enum("status", f.Status, Statuses); err != nil {
			return store.CaseFilter{}, err
		}
	}
	if f.Urgency != "" {
		if err := invalid.Enum("urgency", f.Urgency, Urgencies); err != nil {
			return store.CaseFilter{}, err
		}
	}
	cf := store.CaseFilter{Status: f.Status, AssigneeID: f.AssigneeID, Urgency: f.Urgency, From: f.From, Back: f.Back, Before: f.Before, Limit: f.Limit}
	if f.Overdue {
		cf.OverdueAt = s.now().UnixMicro()
	}
	if a.Role == auth.Partner {
		cf.ReferredTo = a.OrgID
	} else {
		cf.OrgID = a.OrgID
	}
	return cf, nil
}

// Count counts the cases List would give a with f (its cursor and limit
// aside), stopping at upTo+1: more than upTo is all it then says.
func (s *Service) Count(ctx context.Context, a auth.Actor, f ListFilter, upTo int) (int, error) {
	cf, err := s.storeFilter(a, f)
	if err != nil {
		return 0, err
	}
	return s.db.Read().CountCasesUpTo(ctx, cf, upTo)
}

// List returns the cases a may see: its organisation's, or for a partner
// those referred to its organisation.
func (s *Service) List(ctx context.Context, a auth.Actor, f ListFilter) ([]*CaseView, error) {
	cf, err := s.storeFilter(a, f)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	cs, err := q.ListCases(ctx, cf)
	if err != nil {
		return nil, err
	}
	// A partner's titles: those written for it, by case.
	titles := map[string]string{}
	if a.Role == auth.Partner {
		refs, err := q.ListReferrals(ctx, "", a.OrgID)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			titles[r.CaseID] = r.PartnerTitle
		}
	}
	out := make([]*CaseView, 0, len(cs))
	for _, c := range cs {
		ids, err := q.CaseReportIDs(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		v := s.view(c, ids)
		if a.Role == auth.Partner {
			forPartner(v, titles[c.ID])
		}
		out = append(out, v)
	}
	return out, nil
}

// Patch changes a case. Nil fields stay as they are.
type Patch struct {
	Title      *string `json:"title,omitempty"`
	Status     *string `json:"status,omitempty"`
	Urgency    *string `json:"urgency,omitempty"`
	AssigneeID *string `json:"assignee_id,omitempty"`
	// Reason says why a closed case is reopened; required then, and
	// recorded in the audit trail.
	Reason *string `json:"reason,omitempty"`
}

// Update applies p to a case if its version is still ifMatch.
func (s *Service) Update(ctx context.Context, a auth.Actor, id string, ifMatch int, p *Patch) (*CaseView, error) {
	if p.Title != nil {
		if err := invalid.Text("title", *p.Title, 200, true); err != nil {
			return nil, err
		}
	}
	if p.Status != nil {
		if err := invalid.Enum("status", *p.Status, Statuses); err != nil {
			return nil, err
		}
	}
	if p.Urgency != nil {
		if err := invalid.Enum("urgency", *p.Urgency, Urgencies); err != nil {
			return nil, err
		}
	}
	if p.Title == nil && p.Status == nil && p.Urgency == nil && p.AssigneeID == nil {
		return nil, invalid.Field("", "empty", "nothing to change: give title, status, urgency or assignee_id")
	}
	now := s.now().UTC()
	var out *store.Case
	var ids []string
	err := s.db.Tx(ctx, func(q store.Q) error {
		act := auth.UpdateCase
		if p.Title == nil && p.Status == nil && p.Urgency == nil {
			act = auth.AssignCase
		}
		c, _, _, err := s.load(ctx, q, a, id, act)
		if err != nil {
			return err
		}
		if p.AssigneeID != nil && !auth.Can(a, auth.AssignCase, auth.Resource{OrgID: c.OrgID}) {
			return auth.ErrForbidden
		}
		if c.Version != ifMatch {
			return invalid.ErrPrecondition
		}
		prev := *c
		changes := map[string]any{}
		if p.Title != nil {
			c.Title = strings.TrimSpace(*p.Title)
			changes["title"] = true
		}
		reopen := ""
		if p.Status != nil && *p.Status != c.Status {
			if !slices.Contains(transitions[c.Status], *p.Status) {
				return invalid.Field("status", "invalid_transition", "a %s case cannot become %s (allowed: %s)", c.Status, *p.Status, strings.Join(transitions[c.Status], ", "))
			}
			if c.Status == StatusClosed {
				if p.Reason == nil {
					return invalid.Field("reason", "required", "reopening a closed case needs a reason")
				}
				if err := invalid.Text("reason", *p.Reason, 1000, true); err != nil {
					return err
				}
				reopen = strings.TrimSpace(*p.Reason)
			}
			changes["status"] = []string{c.Status, *p.Status}
			c.Status = *p.Status
		}
		if p.Urgency != nil && *p.Urgency != c.Urgency {
			changes["urgency"] = []string{c.Urgency, *p.Urgency}
			c.Urgency = *p.Urgency
			c.DueAt = store.Time(c.CreatedAt).Add(Deadlines[c.Urgency]).UnixMicro()
		}
		if p.AssigneeID != nil && *p.AssigneeID != c.AssigneeID {
			if *p.AssigneeID != "" {
				if err := s.checkAssignee(ctx, q, a, *p.AssigneeID); err != nil {
					return err
				}
			}
			changes["assignee"] = []string{c.AssigneeID, *p.AssigneeID}
			c.AssigneeID = *p.AssigneeID
		}
		c.UpdatedAt = now.UnixMicro()
		c.Version = prev.Version + 1
		if err := q.UpdateCase(ctx, c, prev.Version); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return invalid.ErrPrecondition
			}
			return err
		}
		if ids, err = q.CaseReportIDs(ctx, id); err != nil {
			return err
		}
		if c.Status != prev.Status {
			if err := setReportStatus(ctx, q, ids, c.Status, now); err != nil {
				return err
			}
			if err := webhooks.Queue(ctx, q, c.OrgID, webhooks.CaseStatusChanged, map[string]string{"case_id": c.ID, "org_id": c.OrgID, "status": c.Status, "previous_status": prev.Status}); err != nil {
				return err
			}
		}
		out = c
		if c.AssigneeID != prev.AssigneeID {
			if err := notify.Add(ctx, q, a, c.AssigneeID, notify.CaseAssigned, "case", c.ID); err != nil {
				return err
			}
		}
		if reopen != "" {
			if err := audit.RecordReason(ctx, q, s.keys, a, "case.reopen", "case", id, reopen, map[string]string{"status": c.Status}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, q, a, "case.update", "case", id, changes)
	})
	if err != nil {
		return nil, err
	}
	return s.view(out, ids), nil
}

// setReportStatus mirrors a case's status on its reports, in the coarse
// terms a reporter sees when tracking. A report staff merged or dismissed
// keeps that status (see Merge and Dismiss).
func setReportStatus(ctx context.Context, q store.Q, reportIDs []string, caseStatus string, now time.Time) error {
	st := reportStatus(caseStatus)
	for _, rid := range reportIDs {
		if err := q.SetActiveReportStatus(ctx, rid, st, now.UnixMicro()); err != nil {
			return err
		}
	}
	return nil
}

// reportStatus is the status of a report in a case of caseStatus.
func reportStatus(caseStatus string) string {
	switch caseStatus {
	case StatusReferred:
		return intake.StatusReferred
	case StatusResolved, StatusClosed:
		return intake.StatusClosed
	}
	return intake.StatusInReview
}

// ReferralIn refers a case to a partner organisation.
type ReferralIn struct {
	ToOrgID string   `json:"to_org_id"`
	Shared  []string `json:"shared"`
	Note    string   `json:"note,omitempty"`
	// PartnerTitle is the title the partner sees for the case instead of
	// the internal one; optional (a neutral title when empty).
	PartnerTitle string `json:"partner_title,omitempty"`
	// NoteIDs are the case notes the partner may read, each at the
	// version it has now; none by default (notes are internal).
	NoteIDs []string `json:"note_ids,omitempty"`
}

// Refer refers a case to another organisation, sharing the listed fields.
func (s *Service) Refer(ctx context.Context, a auth.Actor, caseID string, in *ReferralIn) (*ReferralView, error) {
	if in.ToOrgID == "" {
		return nil, invalid.Field("to_org_id", "required", "is required")
	}
	for i, f := range in.Shared {
		if err := invalid.Enum(fmt.Sprintf("shared[%d]", i), f, intake.ShareableFields); err != nil {
			return nil, err
		}
	}
	if err := invalid.Text("note", in.Note, 2000, false); err != nil {
		return nil, err
	}
	// Given, it must say something: a blank title is refused, not taken
	// for none.
	if in.PartnerTitle != "" {
		if err := invalid.Text("partner_title", in.PartnerTitle, 200, true); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	ref := &store.Referral{ID: store.NewID(), CaseID: caseID, FromOrgID: a.OrgID, ToOrgID: in.ToOrgID, Shared: in.Shared,
		Note: in.Note, PartnerTitle: strings.TrimSpace(in.PartnerTitle), Status: RefPending, CreatedBy: a.UserID, CreatedAt: now.UnixMicro(), Version: 1}
	err := s.db.Tx(ctx, func(q store.Q) error {
		c, _, refs, err := s.load(ctx, q, a, caseID, auth.ReferCase)
		if err != nil {
			return err
		}
		if c.Status == StatusClosed {
			return invalid.Field("case", "closed", "a closed case cannot be referred")
		}
		if in.ToOrgID == c.OrgID {
			return invalid.Field("to_org_id", "invalid", "a case cannot be referred to its own organisation")
		}
		if _, err := q.GetOrganisation(ctx, in.ToOrgID); err != nil {
			return invalid.Field("to_org_id", "not_found", "no organisation %q", in.ToOrgID)
		}
		for _, r := range refs {
			if r.ToOrgID == in.ToOrgID && (r.Status == RefPending || r.Status == RefAccepted) {
				return invalid.Field("to_org_id", "duplicate", "the case is already referred to that organisation")
			}
		}
		shared, err := referralNotes(ctx, q, caseID, in.NoteIDs)
		if err != nil {
			return err
		}
		if err := q.PutReferral(ctx, ref); err != nil {
			return err
		}
		if err := q.PutReferralNotes(ctx, ref.ID, shared); err != nil {
			return err
		}
		if c.Status != StatusReferred {
			prev, prevStatus := c.Version, c.Status
			c.Status, c.Version, c.UpdatedAt = StatusReferred, c.Version+1, now.UnixMicro()
			if err := q.UpdateCase(ctx, c, prev); err != nil {
				return err
			}
			ids, err := q.CaseReportIDs(ctx, caseID)
			if err != nil {
				return err
			}
			if err := setReportStatus(ctx, q, ids, StatusReferred, now); err != nil {
				return err
			}
			if err := webhooks.Queue(ctx, q, c.OrgID, webhooks.CaseStatusChanged, map[string]string{"case_id": c.ID, "org_id": c.OrgID, "status": c.Status, "previous_status": prevStatus}); err != nil {
				return err
			}
		}
		detail := map[string]any{"referral": ref.ID, "to": in.ToOrgID, "shared": in.Shared}
		if len(shared) > 0 {
			detail["notes"] = len(shared)
		}
		return audit.Record(ctx, q, a, "case.refer", "case", caseID, detail)
	})
	if err != nil {
		return nil, err
	}
	return referralView(ref), nil
}

// Referrals lists the referrals made to a's organisation (partners) or made
// by it (staff).
func (s *Service) Referrals(ctx context.Context, a auth.Actor) ([]*ReferralView, error) {
	if !auth.Can(a, auth.ListReferrals, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	q := s.db.Read()
	var refs []*store.Referral
	var err error
	if a.Role == auth.Partner {
		refs, err = q.ListReferrals(ctx, "", a.OrgID)
	} else {
		var all []*store.Referral
		all, err = q.ListReferrals(ctx, "", "")
		for _, r := range all {
			if r.FromOrgID == a.OrgID {
				refs = append(refs, r)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	out := make([]*ReferralView, 0, len(refs))
	for _, r := range refs {
		out = append(out, referralView(r))
	}
	return out, nil
}

// GetReferral returns one referral a may read.
func (s *Service) GetReferral(ctx context.Context, a auth.Actor, id string) (*ReferralView, error) {
	q := s.db.Read()
	r, err := q.GetReferral(ctx, id)
	if err != nil {
		return nil, err
	}
	if !canSeeReferral(a, r) {
		return nil, fmt.Errorf("referral %s: %w", id, store.ErrNotFound)
	}
	return referralView(r), nil
}

func canSeeReferral(a auth.Actor, r *store.Referral) bool {
	if a.Role == auth.Partner {
		return auth.Can(a, auth.ReadReferral, auth.Resource{OrgID: r.FromOrgID, ReferredTo: []string{r.ToOrgID}})
	}
	return auth.Can(a, auth.ReadReferral, auth.Resource{OrgID: r.FromOrgID})
}

// ResponseIn is a partner's answer to a referral.
type ResponseIn struct {
	Status   string `json:"status"`
	Response string `json:"response"`
}

// Respond records the partner's answer to a referral.
func (s *Service) Respond(ctx context.Context, a auth.Actor, id string, ifMatch int, in *ResponseIn) (*ReferralView, error) {
	if err := invalid.Enum("status", in.Status, []string{RefAccepted, RefDeclined, RefCompleted}); err != nil {
		return nil, err
	}
	if err := invalid.Text("response", in.Response, 5000, in.Status == RefDeclined); err != nil {
		return nil, err
	}
	var out *store.Referral
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, err := q.GetReferral(ctx, id)
		if err != nil {
			return err
		}
		if !canSeeReferral(a, r) {
			return fmt.Errorf("referral %s: %w", id, store.ErrNotFound)
		}
		if !auth.Can(a, auth.RespondReferral, auth.Resource{OrgID: r.FromOrgID, ReferredTo: []string{r.ToOrgID}}) || a.OrgID != r.ToOrgID {
			return auth.ErrForbidden
		}
		if ifMatch != 0 && r.Version != ifMatch {
			return invalid.ErrPrecondition
		}
		if r.Status == RefCompleted || r.Status == RefDeclined {
			return invalid.Field("status", "closed", "the referral is already %s", r.Status)
		}
		prev := r.Version
		r.Status, r.Response, r.RespondedBy, r.RespondedAt, r.Version = in.Status, in.Response, a.UserID, store.Now(), r.Version+1
		if err := q.UpdateReferral(ctx, r, prev); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return invalid.ErrPrecondition
			}
			return err
		}
		out = r
		// The referring case's assignee is told, or its creator while no
		// one is assigned.
		c, err := q.GetCase(ctx, r.CaseID)
		if err != nil {
			return err
		}
		who := c.AssigneeID
		if who == "" {
			who = c.CreatedBy
		}
		if err := notify.Add(ctx, q, a, who, notify.ReferralAnswered, "case", c.ID); err != nil {
			return err
		}
		if err := webhooks.Queue(ctx, q, r.FromOrgID, webhooks.ReferralAnswered, map[string]string{"referral_id": r.ID, "case_id": r.CaseID, "org_id": r.FromOrgID, "to_org_id": r.ToOrgID, "status": r.Status}); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "referral.respond", "referral", id, map[string]string{"status": in.Status})
	})
	if err != nil {
		return nil, err
	}
	return referralView(out), nil
}
