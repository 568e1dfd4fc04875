package main

import (
	"context"
	"errors"
)

// runToken is not built yet.
func runToken(ctx context.Context, e *env, args []string) error {
	return errors.New("token: not implemented yet")
}
