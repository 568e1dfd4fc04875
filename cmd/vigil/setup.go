package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// runSetup does what the first-run setup page does, without a browser:
// the first organisation and its admin, on an installation with no account.
func runSetup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "setup")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var in staff.SetupIn
	fs.StringVar(&in.Org.Name, "org", "", "the organisation's name (required)")
	fs.StringVar(&in.Org.Kind, "kind", "hotline", "the organisation's kind: "+strings.Join(staff.OrgKinds, ", "))
	fs.StringVar(&in.Org.Country, "country", "", "the organisation's country (ISO 3166-1 alpha-2, e.g. KH)")
	fs.BoolVar(&in.Org.ReceivesPublic, "receives-public", false, "the organisation receives reports from the public form")
	fs.StringVar(&in.Admin.Email, "admin-email", "", "the first admin's e-mail address (required)")
	fs.StringVar(&in.Admin.Name, "admin-name", "", "the first admin's name (required)")
	origin := fs.String("log-origin", "", "the testimony ledger's name in its checkpoints, e.g. hotline.example.org/log; it cannot change once the ledger holds an entry (default: VIGIL_LOG_ORIGIN)")
	if err := parseConfig(fs, cfg, args); err != nil {
		return err
	}
	switch {
	case in.Org.Name == "" || in.Admin.Email == "" || in.Admin.Name == "":
		return fmt.Errorf("setup: --org, --admin-email and --admin-name are required: %w", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("setup: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	if *origin != "" {
		if err := ledger.ValidOrigin("--log-origin", *origin); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
		if cfg.LogOrigin != config.DefaultLogOrigin && cfg.LogOrigin != *origin {
			return fmt.Errorf("setup: --log-origin %q conflicts with VIGIL_LOG_ORIGIN %q: give one of them", *origin, cfg.LogOrigin)
		}
	}
	db, err := createDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	st := staff.New(db, cfg.SessionTTL)
	if need, err := st.NeedsSetup(ctx); err != nil {
		return fmt.Errorf("setup: %w", err)
	} else if !need {
		return fmt.Errorf("setup: %w", staff.ErrSetUp)
	}
	if in.Admin.Password, err = readPassword(e, in.Admin.Email); err != nil {
		return err
	}
	named, err := nameLedger(ctx, cfg, db, *origin)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	o, u, err := st.Setup(ctx, &in)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(e.stdout, "the testimony ledger is named %s; it cannot change once the ledger holds an entry\n", named)
	fmt.Fprintf(e.stdout, "organisation %s (%s) and admin %s created; the admin signs in and sets up an authenticator app first\n", o.Name, o.ID, u.Email)
	if !o.ReceivesPublic {
		fmt.Fprintln(e.stdout, "no organisation receives public reports yet: the public form refuses them until one does (vigil org add --receives-public)")
	}
	return nil
}

// nameLedger opens the ledger (creating its key on a new installation) and
// gives it origin, if not empty; it returns the ledger's name.
func nameLedger(ctx context.Context, cfg *config.Config, db *store.DB, origin string) (string, error) {
	current, err := ledger.ResolveOrigin(ctx, db, cfg.LogOrigin, cfg.LogOrigin != config.DefaultLogOrigin)
	if err != nil {
		return "", err
	}
	if origin == "" {
		origin = current
	}
	key, err := ledger.OpenKey(ctx, db, cfg.LogKeyFile, current)
	if err != nil {
		return "", err
	}
	l, err := ledger.New(db, key, nil)
	if err != nil {
		return "", err
	}
	if err := l.Rename(ctx, origin); err != nil {
		return "", err
	}
	return l.Origin(), nil
}
