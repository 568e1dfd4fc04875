package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/vigil-project/vigil/internal/server"
)

func runLinks(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("links: want rebuild: %w", errUsage)
	}
	return withServer(ctx, e, "links rebuild", args[1:], func(srv *server.Server) error {
		// The rebuild makes millions of short-lived objects a second while
		// it holds two shards (about 750 MB at 2 million occurrences each)
		// and 50 bytes a report: collect garbage less often, in a heap up
		// to five times that (3.5 GB at a million reports).
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		start := time.Now()
		st, err := srv.Links.Rebuild(ctx)
		if err != nil {
			return fmt.Errorf("links rebuild: %w", err)
		}
		fmt.Fprintf(e.stdout, "rebuilt the link index in %v: %s\n", time.Since(start).Round(time.Millisecond), st)
		return nil
	})
}
