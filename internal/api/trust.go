package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/links"
)

// The routes of what the public check trusts: verified reports, protected
// identifiers and wrongly reported ones (links.Service decides and audits).

func (api *API) setVerified(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in links.VerifyIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Links.SetVerified(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) setWronglyReported(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in links.WronglyReportedIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Links.SetWronglyReported(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) listProtected(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	ps, err := api.svc.Links.ListProtected(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[links.ProtectedView]{Items: ps})
	return nil
}

func (api *API) protect(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in links.ProtectIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Links.Protect(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (api *API) unprotect(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if err := api.svc.Links.Unprotect(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
