package api

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/ingest"
)

// koboResult is what a KoboToolbox REST Service delivery is answered.
type koboResult struct {
	Created            int `json:"created"`
	AlreadyImported    int `json:"already_imported"`
	Skipped            int `json:"skipped"`
	AttachmentsPending int `json:"attachments_pending"`
}

// koboSubmission files a KoboToolbox REST Service delivery: the token in
// the path names the hook (its organisation and mapping), whoever posts.
func (api *API) koboSubmission(w http.ResponseWriter, r *http.Request, _ auth.Actor) error {
	if api.svc.Ingest == nil {
		return ingest.ErrUnknownHook
	}
	res, err := api.svc.Ingest.ReceiveKobo(r.Context(), r.PathValue("token"), r.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, koboResult{Created: res.Created, AlreadyImported: res.Already, Skipped: res.Skipped, AttachmentsPending: res.Pending})
	return nil
}
