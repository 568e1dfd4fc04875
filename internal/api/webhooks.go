package api

import (
	"net/http"
	"strconv"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/webhooks"
)

// An organisation's webhook endpoints and their delivery log: package
// webhooks decides and keeps them.

func (api *API) listWebhooks(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	es, err := api.svc.Webhooks.List(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[webhooks.Endpoint]{Items: es})
	return nil
}

func (api *API) createWebhook(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in webhooks.EndpointIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	c, err := api.svc.Webhooks.Create(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

// webhookPatch is what PATCH /api/v1/webhooks/{id} changes: whether the
// endpoint is on.
type webhookPatch struct {
	Enabled *bool `json:"enabled"`
}

func (api *API) updateWebhook(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in webhookPatch
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return invalid.Field("enabled", "required", "say true (send events to the endpoint) or false (switch it off)")
	}
	e, err := api.svc.Webhooks.SetEnabled(r.Context(), a, r.PathValue("id"), *in.Enabled)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, e)
	return nil
}

func (api *API) deleteWebhook(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if err := api.svc.Webhooks.Delete(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (api *API) webhookDeliveries(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return invalid.Field("limit", "invalid", "is not a number")
		}
		limit = n
	}
	ds, err := api.svc.Webhooks.Deliveries(r.Context(), a, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[webhooks.Delivery]{Items: ds})
	return nil
}
