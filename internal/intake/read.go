package intake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Fields a referral can share with a partner. A partner sees a report's id,
// status, language, urgency and date, and of the rest only what is shared.
const (
	ShareIncidentTypes = "incident_types"
	ShareVictims       = "victims"
	SharePlaces        = "places"
	ShareSubjects      = "subjects"
	ShareStatements    = "statements"
	ShareIdentity      = auth.SharedIdentity
)

// ShareableFields lists what a referral can share.
var ShareableFields = []string{ShareIncidentTypes, ShareVictims, SharePlaces, ShareSubjects, ShareStatements, ShareIdentity}

// ReportView is a report as one actor may see it.
type ReportView struct {
	ID            string           `json:"id"`
	OrgID         string           `json:"org_id,omitempty"`
	TrackingCode  string           `json:"tracking_code,omitempty"`
	Channel       string           `json:"channel,omitempty"`
	Language      string           `json:"language"`
	Country       string           `json:"country,omitempty"`
	IncidentTypes []string         `json:"incident_types,omitempty"`
	Victims       []VictimView     `json:"victims,omitempty"`
	Places        []store.PlaceRef `json:"places,omitempty"`
	Subjects      []store.Subject  `json:"subjects,omitempty"`
	Urgent        bool             `json:"urgent"`
	Status        string           `json:"status"`
	Erased        bool             `json:"erased"`
	// HasSealed says whether there are sealed fields to reveal.
	HasSealed  bool            `json:"has_sealed"`
	ReceivedAt time.Time       `json:"received_at"`
	CaseIDs    []string        `json:"case_ids"`
	Statements []StatementView `json:"statements,omitempty"`
	// Attachments are the report's files, with the statements (for a
	// partner only when the referral shares statements).
	Attachments []AttachmentView `json:"attachments,omitempty"`
	// Shared lists the fields a partner was given; empty for staff of the
	// owning organisation, who see everything but sealed fields.
	Shared []string `json:"shared,omitempty"`
	// MergedInto is the report kept, for a duplicate merged into it;
	// DismissReason why staff dismissed it. Staff of the owning
	// organisation only (see casework's Merge and Dismiss).
	MergedInto    string `json:"merged_into,omitempty"`
	DismissReason string `json:"dismiss_reason,omitempty"`
	// CreatedBy is the staff member who entered the report (empty for one
	// the public filed) and ContactedOn the date (YYYY-MM-DD) the reporter
	// first made contact, when staff gave it. Staff of the owning
	// organisation only.
	CreatedBy   string `json:"created_by,omitempty"`
	ContactedOn string `json:"contacted_on,omitempty"`
}

// VictimView is a victim without identity; IdentitySealed says whether a
// name, passport or contact is sealed for this victim.
type VictimView struct {
	store.Victim
	IdentitySealed bool `json:"identity_sealed"`
}

// StatementView is a statement with its full version history.
type StatementView struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"`
	RecantsID     string `json:"recants_id,omitempty"`
	Language      string `json:"language"`
	Source        string `json:"source,omitempty"`
	TakenBy       string `json:"taken_by,omitempty"`
	Circumstances string `json:"circumstances,omitempty"`
	// Channel is how a statement staff took reached them (StaffChannels);
	// TakenByUser is then the staff member who took it. Both empty for a
	// statement the reporter filed.
	Channel     string        `json:"channel,omitempty"`
	TakenByUser string        `json:"taken_by_user,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	Versions    []VersionView `json:"versions"`
}

// VersionView is one version of a statement's text. LeafIndex is the
// version's leaf in the testimony ledger, once integrated.
type VersionView struct {
	Version   int       `json:"version"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
	LeafIndex *int64    `json:"leaf_index,omitempty"`
}

// Sealed is a report's identifying part, returned only by Reveal.
type Sealed struct {
	Reporter *Reporter      `json:"reporter,omitempty"`
	Victims  []sealedVictim `json:"victims,omitempty"`
}

// Access computes what a report's access depends on: its owner, the
// organisations its cases are referred to, and the fields those referrals
// share with the actor's organisation.
func Access(ctx context.Context, q store.Q, a auth.Actor, r *store.Report) (auth.Resource, []string, error) {
	caseIDs, err := q.ReportCaseIDs(ctx, r.ID)
	if err != nil {
		return auth.Resource{OrgID: r.OrgID}, nil, err
	}
	res, err := resource(a, r, caseIDs, func(cid string) ([]*store.Referral, error) { return q.ListReferrals(ctx, cid, "") })
	return res, caseIDs, err
}

// resource is what Access computes, given the report's cases and a way to
// read a case's referrals.
func resource(a auth.Actor, r *store.Report, caseIDs []string, referrals func(caseID string) ([]*store.Referral, error)) (auth.Resource, error) {
	res := auth.Resource{OrgID: r.OrgID}
	for _, cid := range caseIDs {
		refs, err := referrals(cid)
		if err != nil {
			return res, err
		}
		for _, ref := range refs {
			res.AddReferral(a, ref.ToOrgID, ref.Shared)
		}
	}
	return res, nil
}

// allowed says whether a may do act to a report of access res: not found
// if a may not even read it (so its existence is not revealed), forbidden
// if a may read it but not do act.
func allowed(a auth.Actor, act auth.Action, id string, res auth.Resource) error {
	if !auth.Can(a, auth.ReadReport, res) {
		return fmt.Errorf("report %s: %w", id, store.ErrNotFound)
	}
	if !auth.Can(a, act, res) {
		return auth.ErrForbidden
	}
	return nil
}

// load returns a report the actor may do act to. A report the actor may not
// even read is reported as not found, so its existence is not revealed.
func (s *Service) load(ctx context.Context, q store.Q, a auth.Actor, id string, act auth.Action) (*store.Report, auth.Resource, []string, error) {
	r, err := q.GetReport(ctx, id)
	if err != nil {
		return nil, auth.Resource{}, nil, err
	}
	res, caseIDs, err := Access(ctx, q, a, r)
	if err != nil {
		return nil, res, nil, err
	}
	if err := allowed(a, act, id, res); err != nil {
		return nil, res, nil, err
	}
	return r, res, caseIDs, nil
}

// Authorize checks that a may do act to a report, without opening any of
// it: not found if a may not even read it, forbidden if a may read it but
// not do act.
func (s *Service) Authorize(ctx context.Context, a auth.Actor, reportID string, act auth.Action) (*store.Report, error) {
	r, _, _, err := s.load(ctx, s.db.Read(), a, reportID, act)
	return r, err
}

// AuthorizeEach decides for each of reportIDs what Authorize decides, and
// returns those a may do act to, keyed by id; the others (not found, not
// a's to read, or not to act on) are left out. It reads the reports at
// once, their cases at once and each of those cases' referrals once,
// where Authorize takes two statements a report: a network of a hundred
// reports asked two hundred.
func (s *Service) AuthorizeEach(ctx context.Context, a auth.Actor, reportIDs []string, act auth.Action) (map[string]*store.Report, error) {
	each, err := s.authorizeEach(ctx, s.db.Read(), a, reportIDs, act)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*store.Report, len(each))
	for id, e := range each {
		out[id] = e.report
	}
	return out, nil
}

// GetEach is Get for many reports at once (a page listing reports): the
// views of those a may read, keyed by id, the others left out. Who may
// read them is decided as AuthorizeEach decides it, in a few statements
// for all of them; each view is then built as Get builds it, with its
// statements and attachments only when withStatements says so for its
// report (they are most of a view's reads).
func (s *Service) GetEach(ctx context.Context, a auth.Actor, reportIDs []string, withStatements func(reportID string) bool) (map[string]*ReportView, error) {
	q := s.db.Read()
	each, err := s.authorizeEach(ctx, q, a, reportIDs, auth.ReadReport)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*ReportView, len(each))
	for id, e := range each {
		if out[id], err = s.view(ctx, q, a, e.report, e.res, e.caseIDs, withStatements(id)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// WithJobAd returns which of reportIDs came with a job ad (a statement
// of KindJobAd), in one read. It reads no text: who may read them is
// GetEach's question.
func (s *Service) WithJobAd(ctx context.Context, reportIDs []string) (map[string]bool, error) {
	return s.db.Read().ReportsWithStatement(ctx, reportIDs, KindJobAd)
}

// authorized is a report some act was allowed on, with what its access
// was decided from (as load returns them).
type authorized struct {
	report  *store.Report
	res     auth.Resource
	caseIDs []string
}

// authorizeEach is AuthorizeEach's reading and deciding, keeping each
// allowed report's access for GetEach.
func (s *Service) authorizeEach(ctx context.Context, q store.Q, a auth.Actor, reportIDs []string, act auth.Action) (map[string]authorized, error) {
	out := map[string]authorized{}
	if len(reportIDs) == 0 {
		return out, nil
	}
	reports, err := q.GetReports(ctx, reportIDs)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(reports))
	for id := range reports {
		ids = append(ids, id)
	}
	cases, err := q.CaseIDsOfReports(ctx, ids)
	if err != nil {
		return nil, err
	}
	refs := map[string][]*store.Referral{}
	referrals := func(cid string) ([]*store.Referral, error) {
		if r, ok := refs[cid]; ok {
			return r, nil
		}
		r, err := q.ListReferrals(ctx, cid, "")
		refs[cid] = r
		return r, err
	}
	for id, r := range reports {
		res, err := resource(a, r, cases[id], referrals)
		if err != nil {
			return nil, err
		}
		if allowed(a, act, id, res) == nil {
			out[id] = authorized{report: r, res: res, caseIDs: cases[id]}
		}
	}
	return out, nil
}

// Get returns a report as a may see it.
func (s *Service) Get(ctx context.Context, a auth.Actor, id string) (*ReportView, error) {
	q := s.db.Read()
	r, res, caseIDs, err := s.load(ctx, q, a, id, auth.ReadReport)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, q, a, r, res, caseIDs, true)
}

// View builds the view of an already-authorised report (for callers such as
// casework that checked access themselves).
func (s *Service) View(ctx context.Context, a auth.Actor, r *store.Report, withStatements bool) (*ReportView, error) {
	q := s.db.Read()
	res, caseIDs, err := Access(ctx, q, a, r)
	if err != nil {
		return nil, err
	}
	if !auth.Can(a, auth.ReadReport, res) {
		return nil, fmt.Errorf("report %s: %w", r.ID, store.ErrNotFound)
	}
	return s.view(ctx, q, a, r, res, caseIDs, withStatements)
}

func (s *Service) view(ctx context.Context, q store.Q, a auth.Actor, r *store.Report, res auth.Resource, caseIDs []string, withStatements bool) (*ReportView, error) {
	partner := a.Role == auth.Partner
	shares := func(f string) bool { return !partner || slices.Contains(res.Shared, f) }
	v := &ReportView{
		ID: r.ID, Language: r.Language, Urgent: r.Urgent, Status: r.Status,
		Erased: r.ErasedAt != 0, HasSealed: r.Sealed != nil, ReceivedAt: store.Time(r.ReceivedAt),
		CaseIDs: nonNilStrings(caseIDs),
	}
	if partner {
		v.Shared = res.Shared
		v.HasSealed = v.HasSealed && shares(ShareIdentity)
	} else {
		v.OrgID, v.TrackingCode, v.Channel, v.Country, v.CreatedBy = r.OrgID, r.TrackingCode, r.Channel, r.Country, r.CreatedBy
		if r.ContactedAt != 0 {
			v.ContactedOn = store.Time(r.ContactedAt).Format(time.DateOnly)
		}
		if r.Status == StatusMerged || r.Status == StatusDismissed {
			act, err := q.GetReportAct(ctx, r.ID)
			if err != nil {
				return nil, err
			}
			v.MergedInto, v.DismissReason = act.MergedInto, act.DismissReason
		}
	}
	if shares(ShareIncidentTypes) {
		v.IncidentTypes = r.IncidentTypes
	}
	if shares(ShareVictims) {
		for _, vi := range r.Victims {
			v.Victims = append(v.Victims, VictimView{Victim: vi, IdentitySealed: r.Sealed != nil})
		}
	}
	if shares(SharePlaces) {
		v.Places = r.Places
	}
	if shares(ShareSubjects) {
		v.Subjects = r.Subjects
	}
	if withStatements && shares(ShareStatements) {
		st, err := s.statements(ctx, q, r)
		if err != nil {
			return nil, err
		}
		if partner {
			// Who on the owning organisation's staff took a statement is
			// that organisation's business.
			for i := range st {
				st[i].TakenByUser = ""
			}
		}
		v.Statements = st
		if v.Attachments, err = s.attachmentViews(ctx, q, a, r); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeKey opens the data key of a report that text is added to: refused,
// naming the report, once it was erased.
func (s *Service) writeKey(ctx context.Context, q store.Q, reportID string) (*seal.DataKey, error) {
	dk, err := s.dataKey(ctx, q, reportID)
	if errors.Is(err, seal.ErrDestroyed) {
		return nil, invalid.Field("report", "erased", "the report was erased; nothing can be added")
	}
	return dk, err
}

// indexText, in the transaction that adds text to report r, indexes the
// text for search and queues the report's follow-up jobs.
func (s *Service) indexText(ctx context.Context, q store.Q, r *store.Report, text string, now time.Time) error {
	if err := q.PutSearchTerms(ctx, s.searchTerms(r.OrgID, r.ID, []string{text}, nil)); err != nil {
		return err
	}
	return q.PutJobs(ctx, s.jobs(r.ID), now.UnixMicro())
}

// written wakes the ledger's sequencer and tells the follow-ups once text
// added to a report is committed.
func (s *Service) written(ctx context.Context, reportID string) {
	if s.ledger != nil {
		s.ledger.Notify()
	}
	if s.stored != nil {
		s.stored(context.WithoutCancel(ctx), []string{reportID})
	}
}

// dataKey opens a report's data key; ErrDestroyed after erasure.
func (s *Service) dataKey(ctx context.Context, q store.Q, reportID string) (*seal.DataKey, error) {
	w, err := q.GetDataKey(ctx, reportID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, seal.ErrDestroyed
	}
	if err != nil {
		return nil, err
	}
	return s.keys.Unwrap(reportID, w)
}

// statements returns a report's statements with every version opened. After
// erasure the texts read as empty and the history stays.
func (s *Service) statements(ctx context.Context, q store.Q, r *store.Report) ([]StatementView, error) {
	stmts, err := q.ListStatements(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	dk, err := s.dataKey(ctx, q, r.ID)
	if err != nil && !errors.Is(err, seal.ErrDestroyed) {
		return nil, err
	}
	leaves, err := q.LeafIndexes(ctx, idsOf(stmts, func(st *store.Statement) string { return st.ID }))
	if err != nil {
		return nil, err
	}
	out := make([]StatementView, 0, len(stmts))
	for _, st := range stmts {
		vs, err := q.ListStatementVersions(ctx, st.ID)
		if err != nil {
			return nil, err
		}
		sv := StatementView{ID: st.ID, Kind: st.Kind, RecantsID: st.RecantsID, Language: st.Language, Source: st.Source,
			TakenBy: st.TakenBy, Circumstances: st.Circumstances, CreatedAt: store.Time(st.CreatedAt), Versions: []VersionView{}}
		if st.Channel != "" {
			sv.Channel, sv.TakenByUser = st.Channel, st.CreatedBy
		}
		for _, ver := range vs {
			vv := VersionView{Version: ver.Version, CreatedAt: store.Time(ver.CreatedAt)}
			if idx, ok := leaves[st.ID][ver.Version]; ok {
				vv.LeafIndex = &idx
			}
			if dk != nil {
				text, err := dk.Open(ver.Text, versionContext(st.ID, ver.Version, "text"))
				if err != nil {
					return nil, fmt.Errorf("intake: open statement %s v%d: %w", st.ID, ver.Version, err)
				}
				vv.Text = string(text)
			}
			sv.Versions = append(sv.Versions, vv)
		}
		out = append(out, sv)
	}
	return out, nil
}

// Reveal opens a report's sealed fields for a, recording who, when and why.
func (s *Service) Reveal(ctx context.Context, a auth.Actor, id, reason string) (*Sealed, error) {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 5 {
		return nil, invalid.Field("reason", "required", "say why you need to see the sealed fields (at least 5 characters)")
	}
	if err := invalid.Text("reason", reason, 1000, false); err != nil {
		return nil, err
	}
	var out Sealed
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, id, auth.RevealSealed)
		if err != nil {
			return err
		}
		if r.ErasedAt != 0 {
			return seal.ErrDestroyed
		}
		if err := s.openSealed(ctx, q, r, &out); err != nil {
			return err
		}
		return audit.RecordReason(ctx, q, s.keys, a, "report.reveal", "report", id, reason, nil)
	})
	if err != nil {
		if errors.Is(err, seal.ErrDestroyed) {
			return nil, fmt.Errorf("report %s was erased: %w", id, store.ErrNotFound)
		}
		return nil, err
	}
	return &out, nil
}

// openSealed opens r's sealed part into out (nothing when it has none).
func (s *Service) openSealed(ctx context.Context, q store.Q, r *store.Report, out *Sealed) error {
	if r.Sealed == nil {
		return nil
	}
	dk, err := s.dataKey(ctx, q, r.ID)
	if err != nil {
		return err
	}
	b, err := dk.Open(r.Sealed, sealedContext(r.ID))
	if err != nil {
		return fmt.Errorf("intake: open sealed part of %s: %w", r.ID, err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("intake: sealed part of %s: %w", r.ID, err)
	}
	return nil
}

// Opener opens the sealed fields of reports, each checked with
// RevealSealed; a report a may not reveal, or erased, is left out.
type Opener func(ctx context.Context, ids []string) (map[string]*Sealed, error)

// errRevealExport refuses sealed fields in an export to a reader who may
// not reveal them, naming the parameter that asked.
var errRevealExport = answer.Refuse(http.StatusForbidden, "forbidden", "sealed", "your role may not reveal sealed fields (reporter and victim identities); export without them")

// RevealForExport lets a list export carry sealed fields: a must be one
// who may reveal its organisation's reports (a 403 naming "sealed"
// otherwise) and give a reason, which is recorded, sealed, in one
// export.reveal event (detail says which export) before the Opener is
// returned. Each report the Opener opens is checked again.
func (s *Service) RevealForExport(ctx context.Context, a auth.Actor, reason string, detail any) (Opener, error) {
	if !auth.Can(a, auth.RevealSealed, auth.Resource{OrgID: a.OrgID}) {
		return nil, errRevealExport
	}
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 5 {
		return nil, invalid.Field("reason", "required", "say why the export needs the sealed fields (at least 5 characters)")
	}
	if err := invalid.Text("reason", reason, 1000, false); err != nil {
		return nil, err
	}
	err := s.db.Tx(ctx, func(q store.Q) error {
		return audit.RecordReason(ctx, q, s.keys, a, "export.reveal", "organisation", a.OrgID, reason, detail)
	})
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, ids []string) (map[string]*Sealed, error) {
		q := s.db.Read()
		out := make(map[string]*Sealed, len(ids))
		for _, id := range ids {
			r, _, _, err := s.load(ctx, q, a, id, auth.RevealSealed)
			if errors.Is(err, auth.ErrForbidden) || errors.Is(err, store.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if r.ErasedAt != 0 {
				continue
			}
			var sd Sealed
			if err := s.openSealed(ctx, q, r, &sd); err != nil {
				return nil, err
			}
			out[id] = &sd
		}
		return out, nil
	}, nil
}

// Erase destroys a report's data key on request: its sealed fields and
// statement texts become unreadable; the report, its history and its ledger
// entries stay, consistent.
func (s *Service) Erase(ctx context.Context, a auth.Actor, id, reason string) error {
	reason = strings.TrimSpace(reason)
	if len([]rune(reason)) < 5 {
		return invalid.Field("reason", "required", "say why the report is erased (at least 5 characters)")
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, id, auth.EraseReport)
		if err != nil {
			return err
		}
		if r.ErasedAt != 0 {
			return nil
		}
		if err := q.DeleteDataKey(ctx, id); err != nil {
			return err
		}
		if err := q.MarkReportErased(ctx, id, store.Now()); err != nil {
			return err
		}
		// The search index's hashes of the report's words go with its key.
		if err := q.DeleteSearchTerms(ctx, id); err != nil {
			return err
		}
		// So do the links to the chats that filed it (chat_reports).
		if err := q.DeleteReportChats(ctx, id); err != nil {
			return err
		}
		return audit.RecordReason(ctx, q, s.keys, a, "report.erase", "report", id, reason, nil)
	})
}

// StatementIn is a new statement: further testimony, a recantation (with
// RecantsID), a third-party source such as a medical record, or a note.
type StatementIn struct {
	Kind          string `json:"kind"`
	RecantsID     string `json:"recants_id,omitempty"`
	Language      string `json:"language"`
	Text          string `json:"text"`
	Source        string `json:"source,omitempty"`
	TakenBy       string `json:"taken_by,omitempty"`
	Circumstances string `json:"circumstances,omitempty"`
	// Channel, for a statement staff took, is how it reached them
	// (StaffChannels: phone, walk_in, chat, letter, email, other); the
	// statement then records the actor as who took it.
	Channel string `json:"channel,omitempty"`
}

func (in *StatementIn) validate() error {
	if err := invalid.Enum("kind", in.Kind, StatementKinds); err != nil {
		return err
	}
	var err error
	if in.Language, err = NormaliseLanguage("language", in.Language); err != nil {
		return err
	}
	if strings.TrimSpace(in.Text) == "" {
		return invalid.Field("text", "required", "is required")
	}
	if err := invalid.Text("text", in.Text, MaxNarrative, false); err != nil {
		return err
	}
	for f, v := range map[string]string{"source": in.Source, "taken_by": in.TakenBy, "circumstances": in.Circumstances} {
		if err := invalid.Text(f, v, 2000, false); err != nil {
			return err
		}
	}
	if in.Channel != "" {
		if err := invalid.Enum("channel", in.Channel, StaffChannels); err != nil {
			return err
		}
	}
	if in.Kind == KindRecantation && in.RecantsID == "" {
		return invalid.Field("recants_id", "required", "a recantation must name the statement it recants")
	}
	if in.Kind != KindRecantation && in.RecantsID != "" {
		return invalid.Field("recants_id", "invalid", "only a recantation names a statement it recants")
	}
	return nil
}

// putStatement stores a new statement or version of r, its search terms
// (of text) and r's follow-up jobs, in q's transaction.
func (s *Service) putStatement(ctx context.Context, q store.Q, r *store.Report, w *statementWrite, text string, now time.Time) error {
	if err := w.put(ctx, q); err != nil {
		return err
	}
	return s.indexText(ctx, q, r, text, now)
}

// AddStatement adds a statement to a report. Nothing existing changes: a
// recantation stands beside the statement it recants.
func (s *Service) AddStatement(ctx context.Context, a auth.Actor, reportID string, in *StatementIn) (*StatementView, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var w *statementWrite
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, reportID, auth.AddStatement)
		if err != nil {
			return err
		}
		if in.RecantsID != "" {
			old, err := q.GetStatement(ctx, in.RecantsID)
			if err != nil || old.ReportID != r.ID {
				return invalid.Field("recants_id", "not_found", "no statement %q in this report", in.RecantsID)
			}
		}
		dk, err := s.writeKey(ctx, q, r.ID)
		if err != nil {
			return err
		}
		w = newStatement(dk, r.ID, in.Kind, in.RecantsID, in.Language, in.Text, a.UserID, now)
		w.stmt.Source, w.stmt.TakenBy, w.stmt.Circumstances, w.stmt.Channel = in.Source, in.TakenBy, in.Circumstances, in.Channel
		if err := s.putStatement(ctx, q, r, w, in.Text, now); err != nil {
			return err
		}
		detail := map[string]string{"statement": w.stmt.ID, "kind": in.Kind}
		if in.Channel != "" {
			detail["channel"] = in.Channel
		}
		return audit.Record(ctx, q, a, "statement.add", "report", r.ID, detail)
	})
	if err != nil {
		return nil, err
	}
	s.written(ctx, reportID)
	v := &StatementView{ID: w.stmt.ID, Kind: w.stmt.Kind, RecantsID: w.stmt.RecantsID, Language: w.stmt.Language,
		Source: w.stmt.Source, TakenBy: w.stmt.TakenBy, Circumstances: w.stmt.Circumstances, CreatedAt: now,
		Versions: []VersionView{{Version: 1, Text: in.Text, CreatedAt: now}}}
	if in.Channel != "" {
		v.Channel, v.TakenByUser = in.Channel, a.UserID
	}
	return v, nil
}

// AddVersion appends a corrected version of a statement's text. Earlier
// versions stay readable and committed.
func (s *Service) AddVersion(ctx context.Context, a auth.Actor, reportID, statementID, text string) (*VersionView, error) {
	if strings.TrimSpace(text) == "" {
		return nil, invalid.Field("text", "required", "is required")
	}
	if err := invalid.Text("text", text, MaxNarrative, false); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	var version int
	err := s.db.Tx(ctx, func(q store.Q) error {
		r, _, _, err := s.load(ctx, q, a, reportID, auth.AddStatement)
		if err != nil {
			return err
		}
		st, err := q.GetStatement(ctx, statementID)
		if err != nil || st.ReportID != r.ID {
			return fmt.Errorf("statement %s: %w", statementID, store.ErrNotFound)
		}
		vs, err := q.ListStatementVersions(ctx, statementID)
		if err != nil {
			return err
		}
		version = len(vs) + 1
		dk, err := s.writeKey(ctx, q, r.ID)
		if err != nil {
			return err
		}
		w := newVersion(dk, statementID, version, text, a.UserID, now)
		if err := s.putStatement(ctx, q, r, w, text, now); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "statement.version", "report", r.ID, map[string]any{"statement": statementID, "version": version})
	})
	if err != nil {
		return nil, err
	}
	s.written(ctx, reportID)
	return &VersionView{Version: version, Text: text, CreatedAt: now}, nil
}

// ListFilter narrows List and Count.
type ListFilter struct {
	Status       string
	Language     string
	IncidentType string
	Urgent       *bool
	// Place keeps reports naming the place: any of its names when the
	// gazetteer knows it, else any place whose name contains the text
	// (ignoring case).
	Place string
	// ReceivedFrom and ReceivedTo keep reports received in [from, to); zero
	// does not bound.
	ReceivedFrom, ReceivedTo time.Time
	// UrgentFirst lists reports with someone still held first (the triage
	// queue's order); the cursor From then holds the urgency too.
	UrgentFirst bool
	// From is the keyset cursor: only reports after it, or with Back those
	// before it (returned in the list's order).
	From *store.Key
	Back bool
	// Before is the API's cursor: a report id.
	Before string
	Limit  int
}

// storeFilter checks f and returns it as the store's filter of a's
// organisation's reports.
func storeFilter(a auth.Actor, f ListFilter) (store.ReportFilter, error) {
	if !auth.Can(a, auth.ListReports, auth.Resource{OrgID: a.OrgID}) {
		return store.ReportFilter{}, auth.ErrForbidden
	}
	if f.Status != "" {
		if err := invalid.Enum("status", f.Status, ReportStatuses); err != nil {
			return store.ReportFilter{}, err
		}
	}
	if f.IncidentType != "" {
		if err := invalid.Enum("incident_type", f.IncidentType, IncidentTypes); err != nil {
			return store.ReportFilter{}, err
		}
	}
	sf := store.ReportFilter{OrgID: a.OrgID, Status: f.Status, Language: f.Language, IncidentType: f.IncidentType, Urgent: f.Urgent,
		UrgentFirst: f.UrgentFirst, From: f.From, Back: f.Back, Before: f.Before, Limit: f.Limit}
	if p := strings.TrimSpace(f.Place); p != "" {
		sf.PlaceKey, sf.PlaceText = placeMatch(p)
	}
	if !f.ReceivedFrom.IsZero() {
		sf.ReceivedFrom = f.ReceivedFrom.UnixMicro()
	}
	if !f.ReceivedTo.IsZero() {
		sf.ReceivedTo = f.ReceivedTo.UnixMicro()
	}
	return sf, nil
}

// Count counts the reports of a's organisation that f keeps (its cursor and
// limit aside), stopping at upTo+1: more than upTo is all it then says.
func (s *Service) Count(ctx context.Context, a auth.Actor, f ListFilter, upTo int) (int, error) {
	sf, err := storeFilter(a, f)
	if err != nil {
		return 0, err
	}
	return s.db.Read().CountReportsUpTo(ctx, sf, upTo)
}

// List returns the reports of a's organisation, newest first (or still
// held first), without statements.
func (s *Service) List(ctx context.Context, a auth.Actor, f ListFilter) ([]*ReportView, error) {
	sf, err := storeFilter(a, f)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	rs, err := q.ListReports(ctx, sf)
	if err != nil {
		return nil, err
	}
	caseIDs, err := q.CaseIDsOfReports(ctx, idsOf(rs, func(r *store.Report) string { return r.ID }))
	if err != nil {
		return nil, err
	}
	out := make([]*ReportView, 0, len(rs))
	for _, r := range rs {
		v, err := s.view(ctx, q, a, r, auth.Resource{OrgID: r.OrgID}, caseIDs[r.ID], false)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// idsOf returns the id of each of xs, in order.
func idsOf[T any](xs []T, id func(T) string) []string {
	ids := make([]string, len(xs))
	for i, x := range xs {
		ids[i] = id(x)
	}
	return ids
}

// Receipt returns the ledger receipt of the first statement of the report
// with a tracking code, if secret matches (the receipt the reporter
// downloads or fetches), waiting up to ReceiptWait for the ledger to
// integrate it. A wrong code or secret is store.ErrNotFound.
func (s *Service) Receipt(ctx context.Context, code, secret string) (*ledger.Receipt, error) {
	stmt, err := s.FirstStatement(ctx, code, secret)
	if err != nil {
		return nil, err
	}
	if s.ledger == nil {
		return nil, fmt.Errorf("intake: receipt: no ledger: %w", store.ErrNotFound)
	}
	ctx, cancel := context.WithTimeout(ctx, s.ReceiptWait)
	defer cancel()
	r, err := s.ledger.ReceiptForRecord(ctx, ledger.KindStatement, stmt, 1)
	if err != nil {
		return nil, fmt.Errorf("intake: receipt: %w", err)
	}
	return r, nil
}

// FirstStatement returns the first statement of the report with a tracking
// code, if secret matches (for the reporter's receipt download).
func (s *Service) FirstStatement(ctx context.Context, code, secret string) (string, error) {
	if _, err := s.Track(ctx, code, secret); err != nil {
		return "", err
	}
	q := s.db.Read()
	r, err := q.GetReportByTrackingCode(ctx, code)
	if err != nil {
		return "", err
	}
	st, err := q.ListStatements(ctx, r.ID)
	if err != nil {
		return "", err
	}
	if len(st) == 0 {
		return "", ErrNoSuchReport
	}
	return st[0].ID, nil
}
