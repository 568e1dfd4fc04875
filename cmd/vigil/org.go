package main

import (
	"context"
	"errors"
)

// runOrg is not built yet.
func runOrg(ctx context.Context, e *env, args []string) error {
	return errors.New("org: not implemented yet")
}
