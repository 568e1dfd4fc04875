package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
)

// A case's internal notes: casework seals, authorises and audits them.

func (api *API) listNotes(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	notes, err := api.svc.Casework.Notes(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": notes})
	return nil
}

func (api *API) addNote(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.NoteIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	n, err := api.svc.Casework.AddNote(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusCreated, n.Version, n)
}

// editNote adds a version to a note (its author only); If-Match (the
// note's ETag, its version) is optional.
func (api *API) editNote(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.NoteIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	ver, err := optionalIfMatch(r)
	if err != nil {
		return err
	}
	n, err := api.svc.Casework.EditNote(r.Context(), a, r.PathValue("id"), r.PathValue("note"), ver, &in)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, n.Version, n)
}
