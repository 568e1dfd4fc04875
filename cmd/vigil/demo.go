package main

import (
	"context"
	"fmt"

	"github.com/vigil-project/vigil/internal/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	defer srv.Close()
	loaded, creds, err := demo.LoadIfEmpty(ctx, srv, demo.Options{})
	if err != nil {
		return err
	}
	if !loaded {
		return fmt.Errorf("demo: the database already holds data; use an empty --data directory")
	}
	fmt.Fprintf(e.stdout, "demo data loaded into %s\npassword for every demo account: %s\n", cfg.DSN(), demo.Password)
	for _, c := range creds {
		fmt.Fprintf(e.stdout, "  %-13s %s\n", c.Role, c.Email)
	}
	return nil
}
