package main

import (
	"context"
	"fmt"

	"github.com/vigil-project/vigil/internal/server"
)

func runSearch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("search: want rebuild: %w", errUsage)
	}
	return withServer(ctx, e, "search rebuild", args[1:], func(srv *server.Server) error {
		st, err := srv.Search.Rebuild(ctx)
		if err != nil {
			return fmt.Errorf("search rebuild: %w", err)
		}
		fmt.Fprintf(e.stdout, "rebuilt the search index: %s\n", st)
		return nil
	})
}
