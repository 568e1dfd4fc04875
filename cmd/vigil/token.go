package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/staff"
)

func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("token: want create: %w", errUsage)
	}
	fs := newFlags(e, "token create")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	user := fs.String("user", "", "user id or e-mail (required)")
	name := fs.String("name", "cli", "what the token is for")
	ttl := fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: no expiry)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *user == "" {
		return fmt.Errorf("token create: --user is required: %w", errUsage)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	tok, err := staff.New(db, time.Hour).CreateToken(ctx, staff.System, *user, *name, *ttl)
	if err != nil {
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}
