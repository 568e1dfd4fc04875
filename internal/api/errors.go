package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/vigil-project/vigil/internal/answer"
)

// ErrorBody is the API's one error shape.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail says what went wrong: a stable code, a safe message and, when
// the error is about one field, its name.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// Status maps an error from a service or the door to an HTTP status and
// the body to send, as package answer decides for both doors; unknown
// errors are 500 with a generic message (the cause is logged, never sent).
func Status(err error) (int, ErrorDetail) {
	a := answer.Of(err)
	return a.Status, ErrorDetail{Code: a.Code, Message: a.Message, Field: a.Field}
}

// writeError sends err in the error shape and logs server faults.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	a := answer.Of(err)
	if a.RetryAfter != "" && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", a.RetryAfter)
	}
	if a.Fault() {
		log.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if a.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	writeJSON(w, a.Status, ErrorBody{Error: ErrorDetail{Code: a.Code, Message: a.Message, Field: a.Field}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}
