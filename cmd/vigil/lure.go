package main

import (
	"context"
	"errors"
)

// runLure is not built yet.
func runLure(ctx context.Context, e *env, args []string) error {
	return errors.New("lure: not implemented yet")
}
