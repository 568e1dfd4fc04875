package auth

import "errors"

// The refusals of an actor, whichever service decides them: the API
// answers 403 and 401, the pages the same in the reader's language.
var (
	// ErrForbidden means the actor may see the resource but not do this.
	ErrForbidden = errors.New("forbidden")
	// ErrUnauthenticated means the request carries no valid credentials.
	ErrUnauthenticated = errors.New("authentication required")
)
