package main

import (
	"context"
	"errors"
)

// runLog is not built yet.
func runLog(ctx context.Context, e *env, args []string) error {
	return errors.New("log: not implemented yet")
}
