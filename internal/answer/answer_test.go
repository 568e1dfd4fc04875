package answer_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// TestOf: every error a service returns has one answer, whichever door
// asks; wrapping does not change it, and nothing unknown leaks its text.
func TestOf(t *testing.T) {
	for _, tt := range []struct {
		name   string
		err    error
		status int
		code   string
		field  string
		retry  bool
	}{
		{"field", invalid.Field("title", "too_long", "is too long"), 422, "too_long", "title", false},
		{"unauthenticated", auth.ErrUnauthenticated, 401, "unauthenticated", "", false},
		{"forbidden", auth.ErrForbidden, 403, "forbidden", "", false},
		{"not found", fmt.Errorf("store: case 1: %w", store.ErrNotFound), 404, "not_found", "", false},
		{"precondition required", invalid.ErrPreconditionRequired, 428, "precondition_required", "If-Match", false},
		{"precondition", invalid.ErrPrecondition, 412, "precondition_failed", "If-Match", false},
		{"conflict", store.ErrConflict, 409, "conflict", "", false},
		{"busy", auth.ErrBusy, 503, "busy", "", true},
		{"locked", &auth.LockedError{Until: time.Now().Add(time.Minute)}, 429, "locked", "", true},
		{"cancelled", context.Canceled, 503, "unavailable", "", true},
		{"refusal", answer.Refuse(http.StatusTooManyRequests, "rate_limited", "", "slow down"), 429, "rate_limited", "", false},
		{"unknown", errors.New("pq: secret table name"), 500, "internal", "", false},
	} {
		for _, err := range []error{tt.err, fmt.Errorf("wrapped: %w", tt.err)} {
			a := answer.Of(err)
			if a.Status != tt.status || a.Code != tt.code || a.Field != tt.field || (a.RetryAfter != "") != tt.retry || a.Message == "" {
				t.Errorf("%s (%v): got %+v, want %d %s field %q retry %v", tt.name, err, a, tt.status, tt.code, tt.field, tt.retry)
			}
			if a.Fault() != (tt.status >= 500) {
				t.Errorf("%s: Fault() = %v", tt.name, a.Fault())
			}
		}
	}
	if a := answer.Of(errors.New("pq: secret table name")); a.Message != "something went wrong on our side; it was logged" {
		t.Errorf("an unknown error's message is %q: it must not carry the cause", a.Message)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"deflate, br", false},
		{"GZIP;q=0.5", true},
		{"gzip;q=0.05", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=nonsense", false},
		{"x-gzip", true},
		{"*", true},
		{"*;q=0", false},
		{"gzip;q=0, *", false},
		{"br, *;q=0.1", true},
		{"identity", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tc.header)
		if got := answer.AcceptsGzip(r); got != tc.want {
			t.Errorf("Accept-Encoding %q: %v, want %v", tc.header, got, tc.want)
		}
	}
}
