package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	reports := fs.Int("reports", 0, "also add this many generated reports (for scale tests), linked with one bulk rebuild")
	seed := fs.Uint64("seed", 1, "seed of the generated reports (the same seed gives the same reports)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *reports < 0 {
		return fmt.Errorf("demo: --reports must be 0 or more: %w", errUsage)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	db, err := createDB(ctx, cfg)
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
	if !loaded && *reports == 0 {
		return fmt.Errorf("demo: the database already holds data; use an empty --data directory")
	}
	if loaded {
		fmt.Fprintf(e.stdout, "demo data loaded into %s\npassword for every demo account: %s\n", cfg.DSN(), demo.Password)
		for _, c := range creds {
			fmt.Fprintf(e.stdout, "  %-13s %s\n", c.Role, c.Email)
		}
	}
	if *reports == 0 {
		return nil
	}
	last := time.Now()
	res, err := demo.Bulk(ctx, srv, demo.BulkOptions{Reports: *reports, Seed: *seed, Progress: func(n int) {
		if time.Since(last) > 10*time.Second || n == *reports {
			last = time.Now()
			fmt.Fprintf(e.stdout, "  %d of %d reports stored\n", n, *reports)
		}
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added %d generated reports from %d networks: stored in %v, ledger caught up in %v, linked in %v: %s\n",
		res.Reports, res.Networks, res.Store.Round(time.Millisecond), res.Sequence.Round(time.Millisecond), res.LinksTime.Round(time.Millisecond), res.Links)
	return nil
}
