package api

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
)

// uploadBodyLimit is the body a file upload route takes: one attachment,
// its part's headers and the usual limit for the rest.
func (api *API) uploadBodyLimit() int64 { return api.bodyLimit + intake.MaxAttachment + 64<<10 }

// isUpload says whether rt takes a file (multipart) rather than JSON.
func isUpload(rt Route) bool {
	return rt.Method == http.MethodPost && rt.Pattern == "/api/v1/reports/{id}/attachments"
}

// addAttachment takes one file, the multipart part named "file", and hands
// it to intake, which checks, seals, commits and audits it.
func (api *API) addAttachment(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return answer.Refuse(http.StatusUnsupportedMediaType, "unsupported_media_type", "", "send the file as multipart/form-data, in a part named \"file\"")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return answer.Refuse(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read")
	}
	for range 16 {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return answer.Refuse(http.StatusRequestEntityTooLarge, "too_large", "file", "the request body is too large")
			}
			return answer.Refuse(http.StatusBadRequest, "malformed_multipart", "", "the multipart body could not be read")
		}
		if part.FormName() != "file" {
			continue
		}
		v, err := api.svc.Intake.AddAttachment(r.Context(), a, r.PathValue("id"), "file", part.FileName(), part)
		if err != nil {
			return err
		}
		w.Header().Set("Location", "/api/v1/reports/"+r.PathValue("id"))
		writeJSON(w, http.StatusCreated, v)
		return nil
	}
	return invalid.Field("file", "required", "send the file in a multipart part named \"file\"")
}
