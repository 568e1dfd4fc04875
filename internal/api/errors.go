package api

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
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

// Status maps an error from a service to an HTTP status and the body to
// send. It is the one place that decides; unknown errors are 500 with a
// generic message (the cause is logged, never sent).
func Status(err error) (int, ErrorDetail) {
	var re *requestError
	if errors.As(err, &re) {
		return re.status, ErrorDetail{Code: re.code, Message: re.message, Field: re.field}
	}
	if fe, ok := invalid.As(err); ok {
		return http.StatusUnprocessableEntity, ErrorDetail{Code: fe.Code, Message: fe.Error(), Field: fe.Field}
	}
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		return http.StatusTooManyRequests, ErrorDetail{Code: "locked", Message: "too many failed sign-ins for this account; wait and try again", Field: "current_password"}
	case errors.Is(err, invalid.ErrUnauthenticated):
		return http.StatusUnauthorized, ErrorDetail{Code: "unauthenticated", Message: "sign in or send a valid API token"}
	case errors.Is(err, invalid.ErrForbidden):
		return http.StatusForbidden, ErrorDetail{Code: "forbidden", Message: "your role does not allow this"}
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, ErrorDetail{Code: "not_found", Message: notFoundMessage(err)}
	case errors.Is(err, invalid.ErrPreconditionRequired):
		return http.StatusPreconditionRequired, ErrorDetail{Code: "precondition_required", Message: "send the ETag you read in an If-Match header", Field: "If-Match"}
	case errors.Is(err, invalid.ErrPrecondition):
		return http.StatusPreconditionFailed, ErrorDetail{Code: "precondition_failed", Message: "the resource changed since you read it; read it again", Field: "If-Match"}
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, ErrorDetail{Code: "conflict", Message: "this conflicts with what is stored"}
	case errors.Is(err, auth.ErrBusy):
		return http.StatusServiceUnavailable, ErrorDetail{Code: "busy", Message: "too many sign-ins at once; try again in a few seconds"}
	case store.IsUnavailable(err):
		return http.StatusServiceUnavailable, ErrorDetail{Code: "unavailable", Message: "the database is unavailable, so nothing was saved; please try again in a minute"}
	case errors.Is(err, errRateLimited):
		return http.StatusTooManyRequests, ErrorDetail{Code: "rate_limited", Message: "too many requests; wait a moment and try again"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, ErrorDetail{Code: "unavailable", Message: "the request was cancelled or took too long"}
	}
	return http.StatusInternalServerError, ErrorDetail{Code: "internal", Message: "something went wrong on our side; it was logged"}
}

// RetryAfterOutage is the Retry-After, in seconds, of an answer refused
// because the database is unavailable.
const RetryAfterOutage = "60"

func notFoundMessage(err error) string {
	var nf interface{ NotFoundMessage() string }
	if errors.As(err, &nf) {
		return nf.NotFoundMessage()
	}
	return "not found"
}

// writeError sends err in the error shape and logs server faults.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status, detail := Status(err)
	var locked *auth.LockedError
	if errors.As(err, &locked) {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, int(time.Until(locked.Until).Seconds()))))
	}
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", RetryAfterOutage)
	}
	if status >= 500 {
		log.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="vigil"`)
	}
	writeJSON(w, status, ErrorBody{Error: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	enc.Encode(v)
}
