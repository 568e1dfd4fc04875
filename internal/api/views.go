package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/views"
)

// A staff member's saved list views: package views decides and keeps them.

func (api *API) listViews(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	vs, err := api.svc.Views.List(r.Context(), a, r.URL.Query().Get("list"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[views.View]{Items: vs})
	return nil
}

func (api *API) saveView(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in views.In
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Views.Save(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (api *API) deleteView(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if err := api.svc.Views.Delete(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
