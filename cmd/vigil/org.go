package main

import (
	"context"
	"fmt"

	"github.com/vigil-project/vigil/internal/staff"
)

func runOrg(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("org: want add or list: %w", errUsage)
	}
	switch args[0] {
	case "add":
		fs := newFlags(e, "org add")
		cfg, err := loadConfig(e, fs)
		if err != nil {
			return err
		}
		var in staff.OrgIn
		fs.StringVar(&in.Name, "name", "", "organisation name (required)")
		fs.StringVar(&in.Kind, "kind", "ngo", "ngo, hotline, police, embassy, newsroom, government or other")
		fs.StringVar(&in.Country, "country", "", "ISO 3166-1 alpha-2 country code")
		fs.BoolVar(&in.ReceivesPublic, "receives-public", false, "this organisation receives reports filed by the public")
		fs.BoolVar(&in.TOTPOptional, "totp-optional", false, "let its admins and coordinators sign in without an authenticator app (by default they must set one up at their first sign-in)")
		db, err := parseAndOpen(ctx, fs, cfg, args[1:])
		if err != nil {
			return err
		}
		defer db.Close()
		v, err := staff.New(db, cfg.SessionTTL).CreateOrg(ctx, staff.System, &in)
		if err != nil {
			return fmt.Errorf("org add: %w", err)
		}
		fmt.Fprintln(e.stdout, v.ID)
		return nil
	case "list":
		fs := newFlags(e, "org list")
		cfg, err := loadConfig(e, fs)
		if err != nil {
			return err
		}
		asJSON := fs.Bool("json", false, "print a JSON array (for scripts)")
		db, err := parseAndOpen(ctx, fs, cfg, args[1:])
		if err != nil {
			return err
		}
		defer db.Close()
		os, err := staff.New(db, cfg.SessionTTL).ListOrgs(ctx, staff.System)
		if err != nil {
			return fmt.Errorf("org list: %w", err)
		}
		if *asJSON {
			return printJSON(e, orEmpty(os))
		}
		for _, o := range os {
			pub := ""
			if o.ReceivesPublic {
				pub = " (receives public reports)"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s%s\n", o.ID, o.Kind, o.Country, o.Name, pub)
		}
		return nil
	}
	return fmt.Errorf("org: unknown subcommand %q (want add or list): %w", args[0], errUsage)
}
