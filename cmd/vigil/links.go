package main

import (
	"context"
	"errors"
)

// runLinks is not built yet.
func runLinks(ctx context.Context, e *env, args []string) error {
	return errors.New("links: not implemented yet")
}
