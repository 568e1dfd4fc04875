package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/store"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	cfg.ServeFlags(fs)
	withDemo := fs.Bool("demo", false, "load the demo data set if the database is empty")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Migrate {
		db, err := openStore(ctx, cfg)
		if err != nil {
			return err
		}
		if err := db.LockExclusive(); err != nil {
			db.Close()
			return err
		}
		if _, err := db.Migrate(ctx); err != nil {
			db.Close()
			return err
		}
		db.Close()
	}
	db, err := createDB(ctx, cfg)
	if err != nil {
		if errors.Is(err, store.ErrStaleSchema) {
			return fmt.Errorf("%w (or start with --migrate)", err)
		}
		return err
	}
	defer db.Close()
	// One server per SQLite database: a second one would fight the first
	// for the write lock.
	if err := db.LockExclusive(); err != nil {
		return err
	}
	keys, err := openKeyring(ctx, cfg, db)
	if err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, db, keys, e.log)
	if err != nil {
		return err
	}
	if *withDemo {
		loaded, creds, err := demo.LoadIfEmpty(ctx, srv, demo.Options{})
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if loaded {
			fmt.Fprintln(e.stderr, "vigil: demo data loaded. Demo accounts (password for all:", demo.Password+"):")
			for _, c := range creds {
				fmt.Fprintf(e.stderr, "  %-13s %s\n", c.Role, c.Email)
			}
		}
	}
	srv.WarnSetup(ctx)
	// The setup link is for a server with no account, asked again now: the
	// token was drawn when the server was made, and accounts loaded since
	// (the demo's) close it.
	setup := srv.SetupToken != ""
	if setup {
		if setup, err = srv.Staff.NeedsSetup(ctx); err != nil {
			return err
		}
	}
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	return srv.ListenAndServe(ctx, func(addr string) {
		fmt.Fprintf(e.stderr, "vigil: listening on %s://%s\n", scheme, addr)
		if setup {
			fmt.Fprintf(e.stderr, "vigil: no account exists yet. To create the first organisation and its admin, open (once):\n\n    %s://%s/setup?token=%s\n\n  or run: vigil setup --data DIR --org NAME --admin-email EMAIL --admin-name NAME\n", scheme, addr, srv.SetupToken)
		}
	})
}
