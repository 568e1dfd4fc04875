package main

import (
	"context"
	"errors"
)

// runDemo is not built yet.
func runDemo(ctx context.Context, e *env, args []string) error {
	return errors.New("demo: not implemented yet")
}
