// Package answer decides what a client is told when a request is refused or
// fails: the HTTP status, a stable code, a safe English message, the field
// it is about and how long to wait. The API sends it as JSON; the pages show
// the code's translation. One table for both doors, so they cannot disagree.
package answer

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// Answer is what a client is told.
type Answer struct {
	Status int
	// Code is stable and machine-readable: "not_found", "locked", or an
	// *invalid.Error's code.
	Code string
	// Message is a safe English sentence; it never holds the cause of a
	// server fault.
	Message string
	// Field names the request field the answer is about, if any.
	Field string
	// RetryAfter is the Retry-After header's value in seconds ("" for
	// none).
	RetryAfter string
}

// Fault reports whether the answer is the server's fault, to be logged.
func (a Answer) Fault() bool { return a.Status >= 500 }

// Refusal is an error that carries its own answer: a refusal made at the
// door, before any service is asked (a body that cannot be read, a request
// from another site, a rate limit).
type Refusal Answer

func (r *Refusal) Error() string { return r.Message }

// Refuse returns a Refusal.
func Refuse(status int, code, field, message string) *Refusal {
	return &Refusal{Status: status, Code: code, Field: field, Message: message}
}

// Retry-After values, in seconds.
const (
	// RetryOutage: the database is unavailable.
	RetryOutage = "60"
	// RetryBusy: every password-hashing slot is taken.
	RetryBusy = "5"
)

// Of returns the answer for err, which a service or the door returned.
func Of(err error) Answer {
	var r *Refusal
	if errors.As(err, &r) {
		return Answer(*r)
	}
	if fe, ok := invalid.As(err); ok {
		return Answer{Status: http.StatusUnprocessableEntity, Code: fe.Code, Message: fe.Error(), Field: fe.Field}
	}
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		return Answer{Status: http.StatusTooManyRequests, Code: "locked", Message: "too many failed sign-ins for this account; wait and try again",
			RetryAfter: strconv.Itoa(max(1, int(time.Until(locked.Until).Seconds())))}
	case errors.Is(err, auth.ErrUnauthenticated):
		return Answer{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "sign in or send a valid API token"}
	case errors.Is(err, auth.ErrForbidden):
		return Answer{Status: http.StatusForbidden, Code: "forbidden", Message: "your role does not allow this"}
	case errors.Is(err, store.ErrNotFound):
		return Answer{Status: http.StatusNotFound, Code: "not_found", Message: notFoundMessage(err)}
	case errors.Is(err, invalid.ErrPreconditionRequired):
		return Answer{Status: http.StatusPreconditionRequired, Code: "precondition_required", Message: "send the ETag you read in an If-Match header", Field: "If-Match"}
	case errors.Is(err, invalid.ErrPrecondition):
		return Answer{Status: http.StatusPreconditionFailed, Code: "precondition_failed", Message: "the resource changed since you read it; read it again", Field: "If-Match"}
	case errors.Is(err, store.ErrConflict):
		return Answer{Status: http.StatusConflict, Code: "conflict", Message: "this conflicts with what is stored"}
	case errors.Is(err, auth.ErrBusy):
		return Answer{Status: http.StatusServiceUnavailable, Code: "busy", Message: "too many sign-ins at once; try again in a few seconds", RetryAfter: RetryBusy}
	case store.IsUnavailable(err):
		return Answer{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the database is unavailable, so nothing was saved; please try again in a minute", RetryAfter: RetryOutage}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Answer{Status: http.StatusServiceUnavailable, Code: "unavailable", Message: "the request was cancelled or took too long", RetryAfter: RetryOutage}
	}
	return Answer{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side; it was logged"}
}

func notFoundMessage(err error) string {
	var nf interface{ NotFoundMessage() string }
	if errors.As(err, &nf) {
		return nf.NotFoundMessage()
	}
	return "not found"
}

// AcceptsGzip reports whether the request's Accept-Encoding takes gzip
// (RFC 9110 §12.5.3): "gzip" (or "x-gzip") with a quality above zero, or,
// when gzip is not named, "*" with one.
func AcceptsGzip(r *http.Request) bool {
	named, star := false, false
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		ok := true
		if q, given := quality(params); given {
			ok = q > 0
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			if !ok {
				return false
			}
			named = true
		case "*":
			star = ok
		}
	}
	return named || star
}

// quality is the q parameter among params ("q=0.5"), if one is given; one
// that does not read as a number counts as zero.
func quality(params string) (float64, bool) {
	for p := range strings.SplitSeq(params, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(name), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil {
				return 0, true
			}
			return q, true
		}
	}
	return 0, false
}
