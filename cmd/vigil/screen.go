package main

import (
	"context"
	"errors"
)

// runScreen is not built yet.
func runScreen(ctx context.Context, e *env, args []string) error {
	return errors.New("screen: not implemented yet")
}
