package web

import (
	"errors"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/lure"
	"github.com/vigil-project/vigil/internal/screen"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/views"
)

// TriageLimit is how many reports the triage queue shows on a page.
const TriageLimit = 100

// CasesLimit is how many cases the case list shows on a page.
const CasesLimit = 100

// triageView is the triage queue's data.
type triageView struct {
	Reports       []*intake.ReportView
	Users         []*staff.UserView
	Languages     []string
	IncidentTypes []string
	CanAssign     bool
	Done          string
	Page          pager
	// Unread counts each report's replies from its reporter that staff
	// have not read.
	Unread map[string]int

	// Statuses are the triage queue's status filter: received (the
	// default), dismissed, merged.
	Statuses []string
	// CanReveal offers the export with sealed fields (with a reason) of
	// the queue as ExportFilter filters it.
	CanReveal    bool
	ExportFilter url.Values
	// Saved is the actor's saved views of the queue.
	Saved *savedViews
}

// assignable lists the colleagues a case can be assigned to.
func (s *site) assignable(q *req) ([]*staff.UserView, error) {
	us, err := s.d.Staff.ListUsers(q.ctx(), q.actor)
	if err != nil {
		return nil, err
	}
	var out []*staff.UserView
	for _, u := range us {
		if u.OrgID == q.actor.OrgID && !u.Disabled && auth.Can(auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}, auth.ReadCase, auth.Resource{OrgID: u.OrgID}) {
			out = append(out, u)
		}
	}
	return out, nil
}

// triageFilter reads the triage queue's filters from the URL as the
// export of the same list reads them (listexport.TriageFilter): the new
// reports (not yet in a case) of the actor's organisation, those with
// someone still held first; status= lists the reports staff set aside
// instead (acts.go).
func triageFilter(f url.Values) (intake.ListFilter, error) {
	return asBadFilter(listexport.TriageFilter(f))
}

// asBadFilter turns a filter refused for one field into the page's
// badFilter, which renders the list page with that field named.
func asBadFilter[T any](v T, err error) (T, error) {
	if fe, ok := invalid.As(err); ok {
		return v, &badFilter{fe.Field}
	}
	return v, err
}

// triage lists new reports (not yet in a case), those with someone still
// held first, a page at a time, with every filter in the SQL and in the
// URL.
func (s *site) triage(w http.ResponseWriter, q *req) error {
	if !auth.Can(q.actor, auth.ListReports, auth.Resource{OrgID: q.actor.OrgID}) {
		return errForbidden
	}
	f := q.r.URL.Query()
	lf, err := triageFilter(f)
	var bf *badFilter
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "triage.title", bf)
		return nil
	}
	c, err := readCursor(f, true)
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "triage.title", bf)
		return nil
	}
	rows, prev, next, err := pageOf(c, TriageLimit, func(from *store.Key, back bool, limit int) ([]*intake.ReportView, error) {
		g := lf
		g.From, g.Back, g.Limit = from, back, limit
		return s.d.Intake.List(q.ctx(), q.actor, g)
	})
	if err != nil {
		return err
	}
	tv := &triageView{Reports: rows, Languages: localeOrder, IncidentTypes: intake.IncidentTypes, Statuses: triageStatuses,
		CanAssign: auth.Can(q.actor, auth.CreateCase, auth.Resource{OrgID: q.actor.OrgID}), Done: f.Get("done"),
		CanReveal: auth.Can(q.actor, auth.RevealSealed, auth.Resource{OrgID: q.actor.OrgID}), ExportFilter: url.Values{}}
	for k, vs := range f {
		if k != "after" && k != "before" && k != "done" && k != "lang" {
			tv.ExportFilter[k] = vs
		}
	}
	n, err := s.d.Intake.Count(q.ctx(), q.actor, lf, CountUpTo)
	if err != nil {
		return err
	}
	tv.Page.count(n)
	tv.Page.Shown = len(rows)
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if tv.Unread, err = s.d.Intake.UnreadReplies(q.ctx(), q.actor, ids); err != nil {
		return err
	}
	if len(rows) > 0 {
		key := func(r *intake.ReportView) string { return cursorText(store.Key{Urgent: r.Urgent, ID: r.ID}, true) }
		tv.Page.links("/app/triage", f, prev, next, key(rows[0]), key(rows[len(rows)-1]))
	}
	if tv.CanAssign {
		if tv.Users, err = s.assignable(q); err != nil {
			return err
		}
	}
	tv.Saved = s.loadViews(q, views.Triage, f)
	v := s.newView(q, "triage.title")
	v.Form = f
	v.Data = tv
	if tv.Done != "" {
		v.Notice = q.L.T("triage.done", tv.Done)
	}
	s.render(w, q, http.StatusOK, "triage", v)
	return nil
}

// triageAssign makes cases from the selected reports: one case each, or
// one case for all, assigned to the chosen colleague.
func (s *site) triageAssign(w http.ResponseWriter, q *req) error {
	if err := q.r.ParseForm(); err != nil {
		return err
	}
	f := q.r.PostForm
	ids := f["report"]
	if len(ids) == 0 {
		return redirect(w, q, "/app/triage")
	}
	assignee := f.Get("assignee")
	title := strings.TrimSpace(f.Get("title"))
	var groups [][]string
	if f.Get("mode") == "one" {
		groups = [][]string{ids}
	} else {
		for _, id := range ids {
			groups = append(groups, []string{id})
		}
	}
	var made []string
	for _, g := range groups {
		t := title
		if t == "" {
			t = s.defaultTitle(q, g[0])
		}
		c, err := s.d.Casework.Create(q.ctx(), q.actor, &casework.CaseIn{ReportIDs: g, Title: t, AssigneeID: assignee})
		if err != nil {
			if fe, ok := invalid.As(err); ok {
				v := s.newView(q, "triage.title")
				v.Error = s.fieldMessage(q.L, fe)
				s.render(w, q, http.StatusUnprocessableEntity, "error", v)
				return nil
			}
			return err
		}
		made = append(made, c.ID)
	}
	if len(made) == 1 {
		return redirect(w, q, "/app/cases/"+made[0]+"?done=created")
	}
	return redirect(w, q, "/app/triage?done="+strconv.Itoa(len(made)))
}

// defaultTitle names a new case after its first report's place and date.
func (s *site) defaultTitle(q *req, reportID string) string {
	r, err := s.d.Intake.Get(q.ctx(), q.actor, reportID)
	if err != nil {
		return q.L.T("case.default_title", shortID(reportID), "")
	}
	var places []string
	for _, p := range r.Places {
		places = append(places, p.Name)
	}
	return q.L.T("case.default_title", shortID(reportID), strings.Join(places, ", "))
}

// casesView is the case list's data.
type casesView struct {
	Cases     []*casework.CaseView
	UserNames map[string]string
	Statuses  []string
	Urgencies []string
	Page      pager
	// Saved is the actor's saved views of the list.
	Saved *savedViews
}

// casesFilter reads the case list's filters from the URL as its export
// does (listexport.CasesFilter).
func casesFilter(f url.Values, a auth.Actor) (casework.ListFilter, error) {
	return asBadFilter(listexport.CasesFilter(f, a.UserID))
}

// cases lists the cases the actor may see (its organisation's, or for a
// partner those referred to it), newest first, a page at a time.
func (s *site) cases(w http.ResponseWriter, q *req) error {
	f := q.r.URL.Query()
	lf, err := casesFilter(f, q.actor)
	var bf *badFilter
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "cases.title", bf)
		return nil
	}
	c, err := readCursor(f, false)
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "cases.title", bf)
		return nil
	}
	cs, prev, next, err := pageOf(c, CasesLimit, func(from *store.Key, back bool, limit int) ([]*casework.CaseView, error) {
		g := lf
		if from != nil {
			g.From = from.ID
		}
		g.Back, g.Limit = back, limit
		return s.d.Casework.List(q.ctx(), q.actor, g)
	})
	if err != nil {
		return err
	}
	cv := &casesView{Cases: cs, Statuses: casework.Statuses, Urgencies: casework.Urgencies}
	n, err := s.d.Casework.Count(q.ctx(), q.actor, lf, CountUpTo)
	if err != nil {
		return err
	}
	cv.Page.count(n)
	cv.Page.Shown = len(cs)
	if len(cs) > 0 {
		cv.Page.links("/app/cases", f, prev, next, cs[0].ID, cs[len(cs)-1].ID)
	}
	if cv.UserNames, err = s.userNames(q); err != nil {
		return err
	}
	cv.Saved = s.loadViews(q, views.Cases, f)
	v := s.newView(q, "cases.title")
	v.Form = f
	v.Data = cv
	s.render(w, q, http.StatusOK, "cases", v)
	return nil
}

func (s *site) userNames(q *req) (map[string]string, error) {
	out := map[string]string{}
	if !auth.Can(q.actor, auth.ReadUsers, auth.Resource{OrgID: q.actor.OrgID}) {
		return out, nil
	}
	us, err := s.d.Staff.ListUsers(q.ctx(), q.actor)
	if err != nil {
		return nil, err
	}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, nil
}

func (s *site) orgNames(q *req) ([]*staff.OrgView, map[string]string, error) {
	os, err := s.d.Staff.ListOrgs(q.ctx(), q.actor)
	if err != nil {
		return nil, nil, err
	}
	m := map[string]string{}
	for _, o := range os {
		m[o.ID] = o.Name
	}
	return os, m, nil
}

// caseView is the case page's data. C is nil on the page of a report that
// is not yet in a case.
type caseView struct {
	C         *casework.CaseView
	Reports   []*reportBlock
	Users     []*staff.UserView
	UserNames map[string]string
	Orgs      []*staff.OrgView
	OrgNames  map[string]string
	Shareable []string
	Statuses  []string
	History   []historyItem
	Partner   bool
	CanAssign bool
	CanUpdate bool
	CanRefer  bool
	CanCreate bool
	CanLinks  bool
	// Notes are the case's internal notes, for those who may read them
	// (never a partner); CanNote says whether the actor may add one, Me
	// who it is (only a note's author edits it).
	Notes   []*casework.NoteView
	CanNote bool
	// SharedNotes are, for a partner, the notes a referral shared with it.
	SharedNotes []*casework.NoteView
	Me          string
	// Verify is the report page's verified mark for the public check (a
	// report in a case counts as verified anyway); nil when the actor may
	// not set it.
	Verify *verifyBox
}

// verifyBox is a report's verified mark on the report page.
type verifyBox struct {
	ReportID string
	Verified bool
}

// reportBlock is one report on the case page.
type reportBlock struct {
	R    *intake.ReportView
	Rows []stmtRow
	// Revealed holds the sealed fields, only in the response to a reveal.
	Revealed    *intake.Sealed
	CanReveal   bool
	Places      []placeInfo
	Identifiers []links.IdentifierView
	Hits        []screen.Hit
	Attachments []intake.AttachmentView
	Lure        *lure.Result
	// CanStatement says whether the actor may add a statement it took
	// (staff of the owning organisation); Names names the staff who took
	// statements; Channels are the channels a statement can come by.
	CanStatement bool
	Names        map[string]string
	Channels     []string
	Kinds        []string
	// Hooks says which optional services are present.
	Hooks map[string]bool
	// Messages is the conversation with the reporter, shown when
	// MayTalk (auth.ReadMessages); CanWrite says the actor may write to
	// the reporter (auth.WriteReporter).
	Messages []intake.MessageView
	MayTalk  bool
	CanWrite bool
}

// stmtRow is a statement with the recantations of it beside it.
type stmtRow struct {
	Main intake.StatementView
	Side []intake.StatementView
}

type placeInfo struct {
	Name, Known, Country string
}

// historyItem is one audited change of the case.
type historyItem struct {
	At     time.Time
	Actor  string
	Action string
	Detail string
	Reason string
}

// statementRows puts each recantation beside the statement it recants.
func statementRows(st []intake.StatementView) []stmtRow {
	var rows []stmtRow
	idx := map[string]int{}
	for _, s := range st {
		if s.RecantsID != "" {
			if i, ok := idx[s.RecantsID]; ok {
				rows[i].Side = append(rows[i].Side, s)
				continue
			}
		}
		idx[s.ID] = len(rows)
		rows = append(rows, stmtRow{Main: s})
	}
	return rows
}

func (s *site) block(q *req, r *intake.ReportView, revealed map[string]*intake.Sealed) *reportBlock {
	b := &reportBlock{R: r, Rows: statementRows(r.Statements), Revealed: revealed[r.ID],
		Hooks: map[string]bool{"links": s.d.Links != nil, "screening": s.d.Screen != nil, "lure": s.d.Links != nil}}
	b.CanReveal = r.HasSealed && !r.Erased && (q.actor.Role == auth.Partner || auth.Can(q.actor, auth.RevealSealed, auth.Resource{OrgID: q.actor.OrgID}))
	if r.OrgID != "" && !r.Erased && auth.Can(q.actor, auth.AddStatement, auth.Resource{OrgID: r.OrgID}) {
		b.CanStatement, b.Channels, b.Kinds = true, intake.StaffChannels, staffStatementKinds
	}
	for _, p := range r.Places {
		pi := placeInfo{Name: p.Name}
		if g, ok := gazetteer.Default().Lookup(p.Name); ok {
			pi.Known, pi.Country = g.Name, g.Country
		}
		b.Places = append(b.Places, pi)
	}
	ctx := q.ctx()
	if r.OrgID != "" && auth.Can(q.actor, auth.ReadMessages, auth.Resource{OrgID: r.OrgID}) {
		if ms, err := s.d.Intake.Messages(ctx, q.actor, r.ID); err == nil {
			b.Messages, b.MayTalk = ms, true
			b.CanWrite = !r.Erased && auth.Can(q.actor, auth.WriteReporter, auth.Resource{OrgID: r.OrgID})
		} else {
			s.log.WarnContext(ctx, "web: messages", "report", r.ID, "err", err)
		}
	}
	if as, err := s.d.Intake.Attachments(ctx, q.actor, r.ID); err == nil {
		b.Attachments = as
	} else {
		s.log.WarnContext(ctx, "web: attachments", "report", r.ID, "err", err)
	}
	if s.d.Links != nil && q.actor.Role != auth.Partner {
		if ids, err := s.d.Links.ReportIdentifiers(ctx, q.actor, r.ID); err == nil {
			b.Identifiers = shownIdentifiers(ids)
		} else {
			s.log.WarnContext(ctx, "web: identifiers", "report", r.ID, "err", err)
		}
	}
	if s.d.Screen != nil {
		// The screening service decides who sees hits; refused (a reader
		// who may not review screening), the page shows no hits section.
		switch hits, err := s.d.Screen.ReportHits(ctx, q.actor, r.ID); {
		case err == nil:
			b.Hits = hits
		case !errors.Is(err, auth.ErrForbidden):
			s.log.WarnContext(ctx, "web: screening hits", "report", r.ID, "err", err)
		}
	}
	if s.d.Links != nil && q.actor.Role != auth.Partner {
		if ls, err := s.d.Links.ReportLure(ctx, q.actor, r.ID, q.L.Code); err == nil {
			b.Lure = ls
		} else {
			s.log.WarnContext(ctx, "web: lure score", "report", r.ID, "err", err)
		}
	}
	return b
}

// loadCase builds the case page's data.
func (s *site) loadCase(q *req, id string, revealed map[string]*intake.Sealed) (*caseView, error) {
	c, err := s.d.Casework.Get(q.ctx(), q.actor, id)
	if err != nil {
		return nil, err
	}
	a := q.actor
	own := auth.Resource{OrgID: c.OrgID}
	cv := &caseView{C: c, Partner: a.Role == auth.Partner, Shareable: intake.ShareableFields, Statuses: casework.Statuses}
	for _, r := range c.Reports {
		cv.Reports = append(cv.Reports, s.block(q, r, revealed))
	}
	if cv.Orgs, cv.OrgNames, err = s.orgNames(q); err != nil {
		return nil, err
	}
	if cv.Partner {
		if cv.SharedNotes, err = s.d.Casework.Notes(q.ctx(), a, c.ID); err != nil {
			return nil, err
		}
		return cv, nil
	}
	cv.CanAssign = auth.Can(a, auth.AssignCase, own)
	cv.CanUpdate = auth.Can(a, auth.UpdateCase, own)
	cv.CanRefer = auth.Can(a, auth.ReferCase, own)
	cv.CanLinks = true
	if cv.UserNames, err = s.userNames(q); err != nil {
		return nil, err
	}
	for _, b := range cv.Reports {
		b.Names = cv.UserNames
	}
	cv.Me = a.UserID
	if auth.Can(a, auth.ReadNotes, own) {
		if cv.Notes, err = s.d.Casework.Notes(q.ctx(), a, c.ID); err != nil {
			return nil, err
		}
		cv.CanNote = auth.Can(a, auth.WriteNote, own)
	}
	if cv.CanAssign {
		if cv.Users, err = s.assignable(q); err != nil {
			return nil, err
		}
	}
	cv.Orgs = slices.DeleteFunc(slices.Clone(cv.Orgs), func(o *staff.OrgView) bool { return o.ID == a.OrgID })
	names := maps.Clone(cv.UserNames)
	if names == nil {
		names = map[string]string{}
	}
	for _, o := range cv.Orgs {
		names[o.ID] = o.Name
	}
	cv.History, err = s.history(q, c, names)
	return cv, err
}

// history is the case's history as casework gives it (its audit trail
// and the reveals of its reports, newest first), with people's names for
// their IDs.
func (s *site) history(q *req, c *casework.CaseView, names map[string]string) ([]historyItem, error) {
	evs, err := s.d.Casework.History(q.ctx(), q.actor, c.ID)
	if err != nil {
		return nil, err
	}
	out := make([]historyItem, 0, len(evs))
	for _, e := range evs {
		who := names[e.ActorID]
		if who == "" {
			who = shortID(e.ActorID)
		}
		out = append(out, historyItem{At: e.At, Actor: who, Action: e.Action, Detail: readableDetail(q.L, e.Detail, names), Reason: e.Reason})
	}
	return out, nil
}

func (s *site) renderCase(w http.ResponseWriter, q *req, id string, revealed map[string]*intake.Sealed, status int, edit func(v *view)) error {
	cv, err := s.loadCase(q, id, revealed)
	if err != nil {
		return err
	}
	v := s.newView(q, "")
	v.Title = cv.C.Title
	v.Data = cv
	if done := q.r.URL.Query().Get("done"); done != "" && q.r.Method == http.MethodGet {
		v.Notice = q.L.TOr("case.done.", done)
	}
	if edit != nil {
		edit(v)
	}
	s.render(w, q, status, "case", v)
	return nil
}

func (s *site) casePage(w http.ResponseWriter, q *req) error {
	return s.renderCase(w, q, q.r.PathValue("id"), nil, http.StatusOK, nil)
}

// actionError re-renders the case page with the error of a refused action,
// or returns err when it is not a refusal.
func (s *site) actionError(w http.ResponseWriter, q *req, id, field string, err error) error {
	msg, ok := s.refusal(q, err)
	if !ok {
		return err
	}
	status := answer.Of(err).Status
	return s.renderCase(w, q, id, nil, status, func(v *view) {
		v.Errors[field] = msg
		v.Error = msg
	})
}

func formVersion(q *req) int {
	n, _ := strconv.Atoi(q.r.PostFormValue("version"))
	return n
}

func (s *site) caseAssign(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	assignee := q.r.PostFormValue("assignee")
	if _, err := s.d.Casework.Update(q.ctx(), q.actor, id, formVersion(q), &casework.Patch{AssigneeID: &assignee}); err != nil {
		return s.actionError(w, q, id, "assignee", err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=assigned")
}

func (s *site) caseStatus(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	p := &casework.Patch{}
	if st := q.r.PostFormValue("status"); st != "" {
		p.Status = &st
	}
	if u := q.r.PostFormValue("urgency"); u != "" {
		p.Urgency = &u
	}
	if r := q.r.PostFormValue("reason"); r != "" {
		p.Reason = &r
	}
	if _, err := s.d.Casework.Update(q.ctx(), q.actor, id, formVersion(q), p); err != nil {
		return s.actionError(w, q, id, "status", err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=updated")
}

func (s *site) caseRefer(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	if err := q.r.ParseForm(); err != nil {
		return err
	}
	in := &casework.ReferralIn{ToOrgID: q.r.PostForm.Get("to_org"), Shared: q.r.PostForm["shared"], Note: strings.TrimSpace(q.r.PostForm.Get("note")),
		// An empty field is no title: the partner sees a neutral one.
		PartnerTitle: strings.TrimSpace(q.r.PostForm.Get("partner_title")), NoteIDs: q.r.PostForm["note_ids"]}
	if _, err := s.d.Casework.Refer(q.ctx(), q.actor, id, in); err != nil {
		return s.actionError(w, q, id, "refer", err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=referred")
}

// attachment serves a copy of an attachment without its metadata (no
// EXIF, so no GPS position) to staff who may read its report; each download
// is audited. The content is served as a download, never rendered inline.
func (s *site) attachment(w http.ResponseWriter, q *req) error {
	av, data, err := s.d.Intake.OpenAttachment(q.ctx(), q.actor, q.r.PathValue("rid"), q.r.PathValue("aid"))
	if errors.Is(err, intake.ErrNoCleanCopy) {
		return &statusError{http.StatusNotFound, "case.no_clean_copy"}
	}
	if err != nil {
		return err
	}
	return serveAttachment(w, av, data, "")
}

// attachmentOriginal serves an attachment exactly as received, metadata
// and all, to the owning organisation's coordinators and investigators; it
// is audited as an opening of the original.
func (s *site) attachmentOriginal(w http.ResponseWriter, q *req) error {
	av, data, err := s.d.Intake.OpenOriginal(q.ctx(), q.actor, q.r.PathValue("rid"), q.r.PathValue("aid"))
	if err != nil {
		return err
	}
	return serveAttachment(w, av, data, "-original")
}

func serveAttachment(w http.ResponseWriter, av *intake.AttachmentView, data []byte, suffix string) error {
	ext := map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp", "application/pdf": ".pdf"}[av.MediaType]
	h := w.Header()
	h.Set("Content-Type", av.MediaType)
	h.Set("Content-Disposition", `attachment; filename="attachment-`+av.ID[len(av.ID)-8:]+suffix+ext+`"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	_, err := w.Write(data)
	return err
}

// caseScreenReview confirms or dismisses a screening hit of a report in
// the case.
func (s *site) caseScreenReview(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	if s.d.Screen == nil {
		return s.actionError(w, q, id, "note", auth.ErrForbidden)
	}
	hit := q.r.PostFormValue("hit")
	if _, err := s.d.Screen.ReviewHit(q.ctx(), q.actor, hit, q.r.PostFormValue("decision"), q.r.PostFormValue("note")); err != nil {
		return s.actionError(w, q, id, "note:"+hit, err)
	}
	return redirect(w, q, "/app/cases/"+id+"?done=reviewed")
}

// caseReveal opens a report's sealed fields, audited, and shows them in
// this response only.
func (s *site) caseReveal(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	rid := q.r.PostFormValue("report")
	sealed, err := s.d.Intake.Reveal(q.ctx(), q.actor, rid, q.r.PostFormValue("reason"))
	if err != nil {
		return s.actionError(w, q, id, "reason:"+rid, err)
	}
	return s.renderCase(w, q, id, map[string]*intake.Sealed{rid: sealed}, http.StatusOK, func(v *view) {
		v.Notice = q.L.T("case.done.revealed")
	})
}

// reportPage shows a report not yet in a case, with the form to make one.
func (s *site) reportPage(w http.ResponseWriter, q *req) error {
	return s.renderReport(w, q, q.r.PathValue("id"), http.StatusOK, nil)
}

// renderReport renders the report page; edit, when given, changes the
// view (an error beside a form) and the page is shown even for a report
// in a case.
func (s *site) renderReport(w http.ResponseWriter, q *req, id string, status int, edit func(v *view)) error {
	r, err := s.d.Intake.Get(q.ctx(), q.actor, id)
	if err != nil {
		return err
	}
	if len(r.CaseIDs) > 0 && edit == nil {
		return redirect(w, q, "/app/cases/"+r.CaseIDs[0])
	}
	cv := &caseView{Reports: []*reportBlock{s.block(q, r, nil)}, CanCreate: auth.Can(q.actor, auth.CreateCase, auth.Resource{OrgID: q.actor.OrgID})}
	if q.actor.Role != auth.Partner {
		// Who took the statements, by name.
		if cv.Reports[0].Names, err = s.userNames(q); err != nil {
			return err
		}
	}
	if s.d.Links != nil && auth.Can(q.actor, auth.VerifyReport, auth.Resource{OrgID: r.OrgID}) {
		cv.Verify = &verifyBox{ReportID: r.ID}
		if cv.Verify.Verified, err = s.d.Links.Verified(q.ctx(), q.actor, r.ID); err != nil {
			return err
		}
	}
	if cv.CanCreate {
		if cv.Users, err = s.assignable(q); err != nil {
			return err
		}
	}
	v := s.newView(q, "report.page_title")
	v.Data = cv
	if done := q.r.URL.Query().Get("done"); done != "" && q.r.Method == http.MethodGet {
		v.Notice = q.L.TOr("case.done.", done)
	}
	if edit != nil {
		edit(v)
	}
	s.render(w, q, status, "case", v)
	return nil
}

// referralsView is the referral list's data.
type referralsView struct {
	Referrals []*casework.ReferralView
	Titles    map[string]string
	OrgNames  map[string]string
	Partner   bool
}

func (s *site) referrals(w http.ResponseWriter, q *req) error {
	refs, err := s.d.Casework.Referrals(q.ctx(), q.actor)
	if err != nil {
		return err
	}
	_, orgs, err := s.orgNames(q)
	if err != nil {
		return err
	}
	titles := map[string]string{}
	for _, r := range refs {
		if _, ok := titles[r.CaseID]; ok {
			continue
		}
		if c, err := s.d.Casework.Get(q.ctx(), q.actor, r.CaseID); err == nil {
			titles[r.CaseID] = c.Title
		}
	}
	v := s.newView(q, "referrals.title")
	v.Data = &referralsView{Referrals: refs, Titles: titles, OrgNames: orgs, Partner: q.actor.Role == auth.Partner}
	s.render(w, q, http.StatusOK, "referrals", v)
	return nil
}

func (s *site) respond(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	ref, err := s.d.Casework.GetReferral(q.ctx(), q.actor, id)
	if err != nil {
		return err
	}
	in := &casework.ResponseIn{Status: q.r.PostFormValue("status"), Response: strings.TrimSpace(q.r.PostFormValue("response"))}
	if _, err := s.d.Casework.Respond(q.ctx(), q.actor, id, formVersion(q), in); err != nil {
		return s.actionError(w, q, ref.CaseID, "respond:"+id, err)
	}
	return redirect(w, q, "/app/cases/"+ref.CaseID+"?done=responded")
}

// refusal is the localised message for an error a service refused input
// with; ok is false for other errors.
func (s *site) refusal(q *req, err error) (string, bool) {
	if fe, ok := invalid.As(err); ok && q.L.Code == "en" {
		return fe.Error(), true
	}
	a := answer.Of(err)
	if a.Fault() || a.Status == http.StatusUnauthorized {
		return "", false
	}
	return s.message(q, err, a), true
}
