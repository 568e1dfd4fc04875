package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/staff"
)

func runUser(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("user: want add, list, disable, enable, totp or unlock: %w", errUsage)
	}
	sub := args[0]
	fs := newFlags(e, "user "+sub)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var in staff.UserIn
	var org string
	switch sub {
	case "add":
		fs.StringVar(&in.Email, "email", "", "e-mail address (required)")
		fs.StringVar(&in.Name, "name", "", "full name (required)")
		fs.StringVar(&in.Role, "role", "", "integration, partner, intake, investigator, coordinator, admin or operator (required)")
		fs.StringVar(&org, "org", "", "organisation id or name (required)")
	case "list", "disable", "enable", "totp", "unlock":
	default:
		return fmt.Errorf("user: unknown subcommand %q (want add, list, disable, enable, totp or unlock): %w", sub, errUsage)
	}
	db, err := parseAndOpen(ctx, fs, cfg, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	svc := staff.New(db, cfg.SessionTTL)
	switch sub {
	case "add":
		o, err := svc.FindOrg(ctx, org)
		if err != nil {
			return fmt.Errorf("user add: --org: %w", err)
		}
		in.OrgID = o.ID
		// The password comes on standard input, never as a flag (it would
		// stay in the shell history and the process list). An integration
		// account has none: it uses API tokens.
		if in.Role != string(auth.Integration) {
			line, err := bufio.NewReader(e.stdin).ReadString('\n')
			if err != nil && line == "" {
				return fmt.Errorf("user add: read the password from standard input: %w", err)
			}
			in.Password = strings.TrimRight(line, "\r\n")
		}
		v, err := svc.CreateUser(ctx, staff.System, &in)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintln(e.stdout, v.ID)
	case "list":
		us, err := svc.ListUsers(ctx, staff.System)
		if err != nil {
			return err
		}
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, u.OrgID, state)
		}
	case "disable", "enable":
		if fs.NArg() != 1 {
			return fmt.Errorf("user %s: give one user id or e-mail: %w", sub, errUsage)
		}
		if _, err := svc.SetDisabled(ctx, staff.System, fs.Arg(0), sub == "disable"); err != nil {
			return fmt.Errorf("user %s: %w", sub, err)
		}
	case "totp":
		if fs.NArg() != 1 {
			return fmt.Errorf("user totp: give one e-mail: %w", errUsage)
		}
		url, secret, err := svc.EnableTOTP(ctx, staff.System, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("user totp: %w", err)
		}
		fmt.Fprintf(e.stdout, "secret: %s\nurl: %s\n", secret, url)
	case "unlock":
		if fs.NArg() != 1 {
			return fmt.Errorf("user unlock: give one user id or e-mail: %w", errUsage)
		}
		if err := svc.Unlock(ctx, staff.System, fs.Arg(0)); err != nil {
			return fmt.Errorf("user unlock: %w", err)
		}
	}
	return nil
}
