package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/staff"
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
	if err := parseConfig(fs, cfg, args); err != nil {
		return err
	}
	switch {
	case in.Org.Name == "" || in.Admin.Email == "" || in.Admin.Name == "":
		return fmt.Errorf("setup: --org, --admin-email and --admin-name are required: %w", errUsage)
	case fs.NArg() > 0:
		return fmt.Errorf("setup: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	db, err := createDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if in.Admin.Password, err = readPassword(e, in.Admin.Email); err != nil {
		return err
	}
	o, u, err := staff.New(db, cfg.SessionTTL).Setup(ctx, &in)
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(e.stdout, "organisation %s (%s) and admin %s created; the admin signs in and sets up an authenticator app first\n", o.Name, o.ID, u.Email)
	if !o.ReceivesPublic {
		fmt.Fprintln(e.stdout, "no organisation receives public reports yet: the public form refuses them until one does (vigil org add --receives-public)")
	}
	return nil
}
