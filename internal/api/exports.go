package api

import (
	"net/http"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/export"
	"github.com/vigil-project/vigil/internal/listexport"
)

// exportList writes a staff list (triage, cases, referrals, stats) as CSV
// or XLSX: ?format=csv|xlsx, ?lang= (else Accept-Language) for the
// headings and values, ?sealed=true&reason=… for the sealed fields (those
// who may reveal them), and the list page's own filters.
func (api *API) exportList(list string) Handler {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
		q := r.URL.Query()
		lang := q.Get("lang")
		if lang == "" {
			lang, _, _ = strings.Cut(r.Header.Get("Accept-Language"), ",")
		}
		req, err := listexport.RequestOf(list, lang, q)
		if err != nil {
			return err
		}
		e, err := api.svc.Export.Start(r.Context(), a, req)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", e.ContentType())
		w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
		w.Header().Set("Cache-Control", "no-store")
		if err := e.Write(r.Context(), w); err != nil {
			// The status is sent: all that is left is to log and cut the
			// body short.
			api.log.ErrorContext(r.Context(), "api: export", "list", list, "err", err)
		}
		return nil
	}
}

// exportData writes an organisation's data in a partner's format
// (package export): stix, ftm, ctdc, csv (one table: ?table=, default
// reports) or xlsx; since, tlp, k, lang, reveal and reason as query
// parameters. Admins and coordinators; audited (export.data).
func (api *API) exportData(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	req, err := export.RequestOf(r.PathValue("format"), r.URL.Query())
	if err != nil {
		return err
	}
	e, err := api.svc.Data.Start(r.Context(), a, req)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", e.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.Filename()+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := e.Write(r.Context(), w); err != nil {
		api.log.ErrorContext(r.Context(), "api: export", "format", req.Format, "err", err)
	}
	return nil
}
