package main

import (
	"context"
	"fmt"
)

func runSearch(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "rebuild" {
		return fmt.Errorf("search: want rebuild: %w", errUsage)
	}
	fs := newFlags(e, "search rebuild")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	db, err := parseAndOpen(ctx, fs, cfg, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	st, err := srv.Search.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("search rebuild: %w", err)
	}
	fmt.Fprintf(e.stdout, "rebuilt the search index: %s\n", st)
	return nil
}
