// Package invalid describes input a service refuses: which field, why, and
// the HTTP status family it belongs to. Handlers turn it into the API's one
// error shape; the CLI prints it.
package invalid

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Error is input refused because of one field.
type Error struct {
	// Field names the field in the request, e.g. "victims[0].nationality".
	Field string
	// Code is a stable machine-readable reason, e.g. "required", "too_long".
	Code string
	// Message is a safe, human-readable sentence.
	Message string
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Field returns an Error for field.
func Field(field, code, format string, args ...any) error {
	return &Error{Field: field, Code: code, Message: fmt.Sprintf(format, args...)}
}

// As returns the Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Sentinels for refusals that are not about one field (refusals of the
// actor are auth.ErrForbidden and auth.ErrUnauthenticated).
var (
	// ErrPrecondition means an If-Match version no longer matches.
	ErrPrecondition = errors.New("the resource changed since you read it")
	// ErrPreconditionRequired means an update came without If-Match.
	ErrPreconditionRequired = errors.New("If-Match header required")
)

// Text checks a free-text field the one way every service does: valid
// UTF-8, no NUL character (PostgreSQL refuses one in text), at most max
// characters, and, when required, not blank.
func Text(field, s string, max int, required bool) error {
	if required && strings.TrimSpace(s) == "" {
		return Field(field, "required", "is required")
	}
	if !utf8.ValidString(s) {
		return Field(field, "invalid_utf8", "is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return Field(field, "too_long", "is %d characters long; at most %d allowed", n, max)
	}
	if strings.ContainsRune(s, 0) {
		return Field(field, "invalid", "contains a NUL character")
	}
	return nil
}

// Line checks a one-line text field as Text does, and that it holds no
// control character (no line break, tab or escape).
func Line(field, s string, max int, required bool) error {
	if err := Text(field, s, max, required); err != nil {
		return err
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return Field(field, "invalid_value", "must be text on one line, without control characters")
	}
	return nil
}

// Enum checks that v is one of allowed.
func Enum(field, v string, allowed []string) error {
	if !slices.Contains(allowed, v) {
		return Field(field, "invalid_value", "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
	return nil
}
