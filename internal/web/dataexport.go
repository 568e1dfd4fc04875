package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/invalid"
)

// dataExportView is the data export page's data.
type dataExportView struct {
	// Groups are the formats, those for partners' tools first.
	Groups []formatGroup
	TLPs   []tlpOption
	Tables []string
	// SealedTables are those the form with the identities offers: the
	// testimony's statements too.
	SealedTables []string
	Langs        []langLink
	DefaultK     int
	CanReveal    bool
	// Failed is the format whose form was refused ("" when none): its
	// fields keep what was sent, and Sealed says it was the form with the
	// identities.
	Failed string
	Sealed bool
	// Summary says what was refused, linking to Anchor (the field's id,
	// else its form's).
	Summary, Anchor string
}

// formatGroup is a heading of the page and the formats under it.
type formatGroup struct {
	Name    string
	Formats []string
}

// formatGroups are the page's formats: for partners' tools, for
// spreadsheets.
var formatGroups = []formatGroup{
	{"partners", []string{export.STIX, export.FtM, export.CTDC}},
	{"sheets", []string{export.CSV, export.XLSX}},
}

// tlpOption is a TLP marking as the STIX form offers it.
type tlpOption struct{ Value, Label string }

// tlpOptions are the service's TLP markings under their TLP 2.0 names
// (the service's "white" is TLP:CLEAR), which are not translated.
func tlpOptions() []tlpOption {
	var o []tlpOption
	for _, t := range export.TLPs() {
		l := strings.ToUpper(t)
		if t == "white" {
			l = "CLEAR"
		}
		o = append(o, tlpOption{t, "TLP:" + l})
	}
	return o
}

// mountDataExports adds the data export page (issue #17): the same
// exports as GET /api/v1/exports/{format}, through the same service.
func (s *site) mountDataExports(mux *http.ServeMux) {
	mux.Handle("GET /app/exports", s.staffPage(false, s.dataExportPage))
	mux.Handle("GET /app/exports/{format}", s.staffPage(false, s.dataExport))
	// A POST is the form that asks for the sealed fields, so the reason
	// stays out of the address.
	mux.Handle("POST /app/exports/{format}", s.staffPage(false, s.dataExport))
}

// canExportData says whether the data export page is in a's navigation.
func canExportData(a auth.Actor) bool {
	return auth.Can(a, auth.ExportData, auth.Resource{OrgID: a.OrgID})
}

// dataExportPage shows the export forms, one per format.
func (s *site) dataExportPage(w http.ResponseWriter, q *req) error {
	if s.d.Data == nil {
		return errNotFound
	}
	if !canExportData(q.actor) {
		return auth.ErrForbidden
	}
	v := s.dataExportView(q, "", false, url.Values{})
	s.render(w, q, http.StatusOK, "exports", v)
	return nil
}

// dataExportView starts the page's view; failed names the format whose
// form sent f.
func (s *site) dataExportView(q *req, failed string, sealed bool, f url.Values) *view {
	v := s.newView(q, "dataexport.title")
	d := &dataExportView{Groups: formatGroups, TLPs: tlpOptions(), Tables: export.Tables(), DefaultK: export.DefaultK,
		SealedTables: append(export.Tables(), export.TableStatements),
		CanReveal:    auth.Can(q.actor, auth.RevealSealed, auth.Resource{OrgID: q.actor.OrgID}), Failed: failed, Sealed: sealed}
	for _, code := range localeOrder {
		d.Langs = append(d.Langs, langLink{Code: code, Name: s.locales[code].Name, Current: code == q.L.Code})
	}
	v.Data = d
	v.Form = f
	return v
}

// dataExport streams an export as GET /api/v1/exports/{format} does: the
// request read by export.RequestOf, started (authorised, audited) by the
// export service and written straight to the response. A refused field
// shows the page again with the field named.
func (s *site) dataExport(w http.ResponseWriter, q *req) error {
	if s.d.Data == nil {
		return errNotFound
	}
	f := q.r.URL.Query()
	sealed := false
	if q.r.Method == http.MethodPost {
		if err := q.r.ParseForm(); err != nil {
			return invalid.Field("form", "invalid_value", "is not a form")
		}
		f = q.r.PostForm
		sealed = f.Get("reveal") == "true"
	}
	format := q.r.PathValue("format")
	if f.Get("lang") == "" {
		f.Set("lang", q.L.Code)
	}
	r, err := export.RequestOf(format, f)
	var e *export.Export
	if err == nil {
		e, err = s.d.Data.Start(q.ctx(), q.actor, r)
	}
	if a := answer.Of(err); err != nil && a.Field == "format" {
		return errNotFound
	} else if err != nil && a.Field != "" && a.Status >= 400 && a.Status < 500 {
		s.dataExportRefused(w, q, format, sealed, f, a, err)
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := e.Write(q.ctx(), w); err != nil {
		// The status is sent: all that is left is to log and cut the body
		// short.
		s.log.ErrorContext(q.ctx(), "web: data export", "format", format, "err", err)
	}
	return nil
}

// dataExportRefused shows the page again with the refusal's status (422
// for a bad value, 403 for sealed fields the role may not reveal) and the
// refused field named beside it and in the summary.
func (s *site) dataExportRefused(w http.ResponseWriter, q *req, format string, sealed bool, f url.Values, a answer.Answer, err error) {
	field := a.Field
	v := s.dataExportView(q, format, sealed, f)
	msg := q.L.T("dataexport.err." + field)
	if !q.L.Has("dataexport.err." + field) {
		msg, _ = s.refusal(q, err)
	}
	v.Errors[field] = msg
	d := v.Data.(*dataExportView)
	d.Summary = q.L.T("dataexport.err.summary", q.L.T("dataexport.field."+field))
	if field == "sealed" || !q.L.Has("dataexport.field."+field) {
		d.Summary = msg
	}
	d.Anchor = fieldAnchor(format, sealed, field)
	s.render(w, q, a.Status, "exports", v)
}

// fieldAnchor is the id of the field of a refused form, or of the form
// when the field is not one of its own.
func fieldAnchor(format string, sealed bool, field string) string {
	if sealed {
		if field == "reason" || field == "table" || field == "since" || field == "lang" {
			return "sealed-" + field
		}
		return "export-sealed"
	}
	own := map[string]string{"tlp": export.STIX, "k": export.CTDC, "table": export.CSV}
	switch {
	case field == "since", field == "lang" && (format == export.CSV || format == export.XLSX), own[field] == format:
		return format + "-" + field
	}
	return "export-" + format
}
