package main

import (
	"context"
	"errors"
)

// runWatchlist is not built yet.
func runWatchlist(ctx context.Context, e *env, args []string) error {
	return errors.New("watchlist: not implemented yet")
}
