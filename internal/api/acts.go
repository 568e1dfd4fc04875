package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
)

// The acts on a report outside its cases (merge, dismiss, reopen) and on a
// case's reports (add, move): casework decides and audits them.

func (api *API) mergeReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.MergeIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Casework.Merge(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) dismissReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.DismissIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Casework.Dismiss(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) reopenReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.ReopenIn
	if r.ContentLength != 0 {
		if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
			return err
		}
	}
	v, err := api.svc.Casework.Reopen(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// addCaseReport adds a report to a case, or moves it there; If-Match (the
// case's ETag) is optional.
func (api *API) addCaseReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.AddReportIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	ver, err := optionalIfMatch(r)
	if err != nil {
		return err
	}
	v, err := api.svc.Casework.AddReport(r.Context(), a, r.PathValue("id"), ver, &in)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, v.Version, v)
}
