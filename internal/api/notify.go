package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/notify"
)

// NotificationList is a page of the caller's notifications and how many
// are unread in all.
type NotificationList struct {
	Page[*notify.View]
	Unread int `json:"unread"`
}

func (api *API) listNotifications(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	ns, err := api.svc.Notify.List(r.Context(), a, cursor, limit)
	if err != nil {
		return err
	}
	n, err := api.svc.Notify.Unread(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NotificationList{Page: page(ns, limit, func(v *notify.View) string { return v.ID }), Unread: n})
	return nil
}

// readNotifications marks one notification read ({id}), or all.
func (api *API) readNotifications(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if err := api.svc.Notify.MarkRead(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// notifySettings answers how the caller is told by e-mail.
func (api *API) notifySettings(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	st, err := api.svc.Notify.Settings(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// setNotifySettings changes how the caller is told by e-mail.
func (api *API) setNotifySettings(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in notify.Settings
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	st, err := api.svc.Notify.SetSettings(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// mailFailures lists the e-mail to the admin's organisation that failed.
func (api *API) mailFailures(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	fs, err := api.svc.Notify.Failures(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": fs})
	return nil
}
