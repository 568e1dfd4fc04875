package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
)

// The acts on a report outside its cases — merge a duplicate, dismiss,
// reopen, add it to a case or move it — on the report's acts page
// (/app/reports/{id}/acts). casework decides, authorises and audits them,
// as it does for the API.

// triageStatuses are the triage queue's status filter: the queue itself
// (received), and the reports staff set aside.
var triageStatuses = []string{intake.StatusReceived, intake.StatusDismissed, intake.StatusMerged}

// actsPickerLimit bounds the cases the case picker offers (the newest).
const actsPickerLimit = 200

// actsView is the acts page's data.
type actsView struct {
	R *intake.ReportView
	// Merged are the duplicates merged into R.
	Merged []string
	// CanAct: the actor may merge, dismiss, reopen and add R to a case.
	CanAct bool
	// Cases are the cases R can be added to (open, not holding it), for the
	// picker; In are the cases R is in, with their titles.
	Cases   []*casework.CaseView
	In      []*casework.CaseView
	Reasons []string
}

// mountActs adds the acts page and its forms.
func (s *site) mountActs(mux *http.ServeMux) {
	mux.Handle("GET /app/reports/{id}/acts", s.staffPage(false, s.actsPage))
	mux.Handle("POST /app/reports/{id}/merge", s.staffPage(false, s.actMerge))
	mux.Handle("POST /app/reports/{id}/dismiss", s.staffPage(false, s.actDismiss))
	mux.Handle("POST /app/reports/{id}/reopen", s.staffPage(false, s.actReopen))
	mux.Handle("POST /app/reports/{id}/case", s.staffPage(false, s.actCase))
}

func (s *site) actsPage(w http.ResponseWriter, q *req) error {
	return s.renderActs(w, q, http.StatusOK, nil)
}

// renderActs renders the acts page; edit adds a refusal's message.
func (s *site) renderActs(w http.ResponseWriter, q *req, status int, edit func(v *view)) error {
	id := q.r.PathValue("id")
	r, err := s.d.Intake.Get(q.ctx(), q.actor, id)
	if err != nil {
		return err
	}
	av := &actsView{R: r, Reasons: casework.DismissReasons}
	// Staff of the owning organisation see OrgID; a partner never acts.
	av.CanAct = r.OrgID != "" && auth.Can(q.actor, auth.TriageReport, auth.Resource{OrgID: r.OrgID})
	if r.OrgID != "" {
		if av.Merged, err = s.d.DB.Read().MergedReportIDs(q.ctx(), r.ID); err != nil {
			return err
		}
	}
	for _, cid := range r.CaseIDs {
		c, err := s.d.Casework.Get(q.ctx(), q.actor, cid)
		if err != nil {
			return err
		}
		c.Reports = nil
		av.In = append(av.In, c)
	}
	if av.CanAct {
		cs, err := s.d.Casework.List(q.ctx(), q.actor, casework.ListFilter{Limit: actsPickerLimit})
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.Status != casework.StatusClosed && !slices.Contains(r.CaseIDs, c.ID) {
				av.Cases = append(av.Cases, c)
			}
		}
	}
	v := s.newView(q, "acts.title")
	v.Data = av
	if done := q.r.URL.Query().Get("done"); done != "" && q.r.Method == http.MethodGet {
		v.Notice = q.L.TOr("acts.done.", done)
	}
	if edit != nil {
		edit(v)
	}
	s.render(w, q, status, "acts", v)
	return nil
}

// actError re-renders the acts page with the message of a refused act
// beside the form field, or returns err when it is not a refusal.
func (s *site) actError(w http.ResponseWriter, q *req, form string, err error) error {
	msg, ok := s.refusal(q, err)
	if !ok {
		return err
	}
	return s.renderActs(w, q, answer.Of(err).Status, func(v *view) {
		v.Errors[form] = msg
		v.Error = msg
	})
}

func (s *site) actDone(w http.ResponseWriter, q *req, done string) error {
	return redirect(w, q, "/app/reports/"+q.r.PathValue("id")+"/acts?done="+done)
}

// actMerge merges the report into another, named by its ID or its
// tracking code.
func (s *site) actMerge(w http.ResponseWriter, q *req) error {
	into := strings.TrimSpace(q.r.PostFormValue("into"))
	if strings.HasPrefix(strings.ToUpper(into), "VG") {
		// A tracking code: the report's ID, if there is one; the service
		// then refuses what the actor may not act on as it refuses an ID.
		if r, err := s.d.DB.Read().GetReportByTrackingCode(q.ctx(), strings.ToUpper(into)); err == nil {
			into = r.ID
		}
	}
	in := &casework.MergeIn{Into: into, Note: strings.TrimSpace(q.r.PostFormValue("note"))}
	if _, err := s.d.Casework.Merge(q.ctx(), q.actor, q.r.PathValue("id"), in); err != nil {
		return s.actError(w, q, "merge", err)
	}
	return s.actDone(w, q, "merged")
}

func (s *site) actDismiss(w http.ResponseWriter, q *req) error {
	in := &casework.DismissIn{Reason: q.r.PostFormValue("reason"), Note: strings.TrimSpace(q.r.PostFormValue("note"))}
	if _, err := s.d.Casework.Dismiss(q.ctx(), q.actor, q.r.PathValue("id"), in); err != nil {
		return s.actError(w, q, "dismiss", err)
	}
	return s.actDone(w, q, "dismissed")
}

func (s *site) actReopen(w http.ResponseWriter, q *req) error {
	in := &casework.ReopenIn{Note: strings.TrimSpace(q.r.PostFormValue("note"))}
	if _, err := s.d.Casework.Reopen(q.ctx(), q.actor, q.r.PathValue("id"), in); err != nil {
		return s.actError(w, q, "reopen", err)
	}
	return s.actDone(w, q, "reopened")
}

// actCase adds the report to the picked case, or moves it there from the
// case named by from.
func (s *site) actCase(w http.ResponseWriter, q *req) error {
	id, to := q.r.PathValue("id"), q.r.PostFormValue("case")
	if to == "" {
		return s.actError(w, q, "case", invalid.Field("case", "required", "pick a case"))
	}
	in := &casework.AddReportIn{ReportID: id, FromCaseID: q.r.PostFormValue("from")}
	c, err := s.d.Casework.AddReport(q.ctx(), q.actor, to, 0, in)
	if err != nil {
		return s.actError(w, q, "case", err)
	}
	return redirect(w, q, "/app/cases/"+c.ID+"?done=report_added")
}
