package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
)

// The conversation with a report's reporter: staff read it and write to
// the reporter; the reporter, with the tracking code and secret, reads it
// and answers. intake seals, authorises and audits.

func (api *API) listMessages(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	ms, err := api.svc.Intake.Messages(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

func (api *API) writeToReporter(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in intake.MessageIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	m, err := api.svc.Intake.WriteToReporter(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, m)
	return nil
}

func (api *API) trackMessages(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	code, secret, err := trackArgs(r)
	if err != nil {
		return err
	}
	ms, err := api.svc.Intake.Conversation(r.Context(), code, secret, false)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"items": ms})
	return nil
}

func (api *API) trackReply(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	code, secret, err := trackArgs(r)
	if err != nil {
		return err
	}
	var in intake.MessageIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	m, err := api.svc.Intake.Reply(r.Context(), code, secret, &in)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, m)
	return nil
}
