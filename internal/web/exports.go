package web

import (
	"encoding/csv"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/store"
)

// AuditLimit is the audit page's page size.
const AuditLimit = 50

// exportURL links a list's export in a format, with the list page's
// filters.
func exportURL(list, format string, f url.Values) string {
	return listURL("/app/export/"+list, f, "format", format)
}

// exportList writes a list as CSV or XLSX through the export service (the
// same call as GET /api/v1/exports/lists/{list}), in the page's language.
func (s *site) exportList(w http.ResponseWriter, q *req) error {
	if s.d.Export == nil {
		return errNotFound
	}
	// A POST is the form that asks for the sealed fields, so the reason
	// stays out of the address.
	f := q.r.URL.Query()
	if q.r.Method == http.MethodPost {
		if err := q.r.ParseForm(); err != nil {
			return invalid.Field("form", "invalid_value", "is not a form")
		}
		f = q.r.PostForm
	}
	r, err := listexport.RequestOf(q.r.PathValue("list"), q.L.Code, f)
	var e *listexport.Export
	if err == nil {
		e, err = s.d.Export.Start(q.ctx(), q.actor, r)
	}
	if fe, ok := invalid.As(err); ok && (fe.Field == "reason" || fe.Field == "sealed") {
		v := s.newView(q, "export.sealed_title")
		v.Error, _ = s.refusal(q, err)
		s.render(w, q, http.StatusUnprocessableEntity, "error", v)
		return nil
	}
	if fe, ok := invalid.As(err); ok {
		if fe.Field == "list" {
			return errNotFound
		}
		s.renderBadFilter(w, q, q.r.PathValue("list")+".title", &badFilter{fe.Field})
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
	if err := e.Write(q.ctx(), w); err != nil {
		s.log.ErrorContext(q.ctx(), "web: export", "err", err)
	}
	return nil
}

// auditView is the audit page's data.
type auditView struct {
	Events    []*store.AuditEvent
	UserNames map[string]string
	Actions   []string
	Objects   []string
	Page      pager
	CSV       string
}

// auditObjects are the kinds of object the audit page filters by.
var auditObjects = []string{"report", "case", "referral", "screening_hit", "identifier", "protected_identifier", "user", "token", "organisation"}

// auditFilter reads the audit page's filters.
func auditFilter(f url.Values) (audit.TrailFilter, error) {
	var tf audit.TrailFilter
	var err error
	tf.ActorID = f.Get("actor")
	if tf.ActorID != "" && !idPattern.MatchString(tf.ActorID) {
		return tf, &badFilter{"actor"}
	}
	if tf.Action, err = readEnum(f, "action", audit.Actions()); err != nil {
		return tf, err
	}
	if tf.ResourceType, err = readEnum(f, "object", auditObjects); err != nil {
		return tf, err
	}
	tf.ResourceID = f.Get("object_id")
	if len(tf.ResourceID) > 64 {
		return tf, &badFilter{"object_id"}
	}
	if tf.From, err = readDate(f, "from"); err != nil {
		return tf, err
	}
	if tf.To, err = readDate(f, "to"); err != nil {
		return tf, err
	}
	if !tf.To.IsZero() {
		// The last day named is included.
		tf.To = tf.To.Add(24 * time.Hour)
	}
	if !tf.From.IsZero() && !tf.To.IsZero() && !tf.To.After(tf.From) {
		return tf, &badFilter{"to"}
	}
	return tf, nil
}

// auditRequest reads the audit trail's filter from the query of the audit
// page or its export. It is false when it has answered: not found without
// the audit service, or the page naming the filter that is wrong.
func (s *site) auditRequest(w http.ResponseWriter, q *req) (url.Values, audit.TrailFilter, bool, error) {
	if s.d.Audit == nil {
		return nil, audit.TrailFilter{}, false, errNotFound
	}
	f := q.r.URL.Query()
	tf, err := auditFilter(f)
	var bf *badFilter
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "audit.title", bf)
		return nil, tf, false, nil
	}
	return f, tf, true, nil
}

// auditPage shows the organisation's audit trail (admins and
// coordinators; the service decides), newest first, a page at a time.
func (s *site) auditPage(w http.ResponseWriter, q *req) error {
	f, tf, ok, err := s.auditRequest(w, q)
	if !ok {
		return err
	}
	c, err := readCursor(f, false)
	var bf *badFilter
	if errors.As(err, &bf) {
		s.renderBadFilter(w, q, "audit.title", bf)
		return nil
	}
	evs, prev, next, err := pageOf(c, AuditLimit, func(from *store.Key, back bool, limit int) ([]*store.AuditEvent, error) {
		g := tf
		g.Limit = limit
		if from != nil && back {
			g.After = from.ID
		} else if from != nil {
			g.Before = from.ID
		}
		return s.d.Audit.Trail(q.ctx(), q.actor, g)
	})
	if err != nil {
		return err
	}
	av := &auditView{Events: evs, Actions: audit.Actions(), Objects: auditObjects, CSV: listURL("/app/audit.csv", f)}
	av.Page.Shown = len(evs)
	if len(evs) > 0 {
		av.Page.links("/app/audit", f, prev, next, evs[0].ID, evs[len(evs)-1].ID)
	}
	if av.UserNames, err = s.userNames(q); err != nil {
		return err
	}
	v := s.newView(q, "audit.title")
	v.Form = f
	v.Data = av
	s.render(w, q, http.StatusOK, "audit", v)
	return nil
}

// auditCSV writes the trail the audit page's filters keep as CSV, a page
// of the service at a time; the export is itself audited.
func (s *site) auditCSV(w http.ResponseWriter, q *req) error {
	f, tf, ok, err := s.auditRequest(w, q)
	if !ok {
		return err
	}
	tf.Limit = 500
	evs, err := s.d.Audit.Trail(q.ctx(), q.actor, tf)
	if err != nil {
		return err
	}
	if err := s.d.Audit.RecordExport(q.ctx(), q.actor, f.Encode()); err != nil {
		return err
	}
	names, err := s.userNames(q)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="vigil-audit-`+time.Now().UTC().Format("20060102-1504")+`.csv"`)
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	L := q.L
	cw.Write([]string{L.T("audit.when"), L.T("audit.who"), L.T("audit.action"), L.T("audit.object"), L.T("audit.object_id"), L.T("audit.reason")})
	for len(evs) > 0 {
		for _, e := range evs {
			who := names[e.ActorID]
			if who == "" {
				who = e.ActorID
			}
			cw.Write([]string{store.Time(e.At).UTC().Format("2006-01-02 15:04:05Z"), who, L.TOr("audit.", e.Action), e.ResourceType, e.ResourceID, e.Reason})
		}
		if len(evs) < tf.Limit {
			break
		}
		tf.Before = evs[len(evs)-1].ID
		if evs, err = s.d.Audit.Trail(q.ctx(), q.actor, tf); err != nil {
			s.log.ErrorContext(q.ctx(), "web: audit export", "err", err)
			break
		}
	}
	cw.Flush()
	return cw.Error()
}

// canReadAudit says whether the audit page is in a's navigation.
func canReadAudit(a auth.Actor) bool {
	return auth.Can(a, auth.ReadAudit, auth.Resource{OrgID: a.OrgID})
}
