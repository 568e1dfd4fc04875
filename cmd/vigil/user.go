package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/staff"
)

func runUser(ctx context.Context, e *env, args []string) error {
	sub, fs, cfg, err := subcommand(e, "user", args, []string{"add", "list", "disable", "enable", "totp", "unlock", "reset-password"})
	if err != nil {
		return err
	}
	var in staff.UserIn
	var org string
	var asJSON bool
	switch sub {
	case "add":
		fs.StringVar(&in.Email, "email", "", "e-mail address (required)")
		fs.StringVar(&in.Name, "name", "", "full name (required)")
		fs.StringVar(&in.Role, "role", "", "integration, partner, intake, investigator, coordinator, admin or operator (required)")
		fs.StringVar(&org, "org", "", "organisation id or name (required)")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print a JSON array (for scripts)")
	case "disable", "enable", "totp", "unlock", "reset-password":
	default:
		return fmt.Errorf("user: unknown subcommand %q (want add, list, disable, enable, totp, unlock or reset-password): %w", sub, errUsage)
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case (sub == "add" || sub == "list") && fs.NArg() > 0:
		return fmt.Errorf("user %s: unexpected argument %q: %w", sub, fs.Arg(0), errUsage)
	case sub != "add" && sub != "list" && fs.NArg() != 1:
		return fmt.Errorf("user %s: give one e-mail or user id (vigil user %s EMAIL)%s: %w", sub, sub, flagsAfter(fs.Args()), errUsage)
	}
	svc, closeDB, err := openStaff(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
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
			if in.Password, err = readPassword(e, in.Email); err != nil {
				return fmt.Errorf("user add: %w", err)
			}
		}
		v, err := svc.CreateUser(ctx, staff.System, &in)
		if err != nil {
			return fmt.Errorf("user add: %w", err)
		}
		fmt.Fprintln(e.stdout, v.ID)
	case "list":
		us, err := svc.ListUsers(ctx, staff.System)
		if err != nil {
			return fmt.Errorf("user list: %w", err)
		}
		if asJSON {
			return printJSON(e, orEmpty(us))
		}
		for _, u := range us {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\n", u.ID, u.Email, u.Role, u.OrgID, state)
		}
	case "disable", "enable":
		if _, err := svc.SetDisabled(ctx, staff.System, fs.Arg(0), sub == "disable"); err != nil {
			return fmt.Errorf("user %s: %w", sub, err)
		}
	case "totp":
		url, secret, err := svc.EnableTOTP(ctx, staff.System, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("user totp: %w", err)
		}
		fmt.Fprintf(e.stdout, "secret: %s\nurl: %s\n", secret, url)
	case "unlock":
		if err := svc.Unlock(ctx, staff.System, fs.Arg(0)); err != nil {
			return fmt.Errorf("user unlock: %w", err)
		}
	case "reset-password":
		// The one-time link goes to standard output, for whoever runs the
		// command to give to the user; the password itself is never seen.
		p, err := svc.ResetPassword(ctx, staff.System, fs.Arg(0))
		if err != nil {
			return fmt.Errorf("user reset-password: %w", err)
		}
		fmt.Fprintln(e.stdout, p.Link(cfg.PublicURL))
		if cfg.PublicURL == "" {
			fmt.Fprintln(e.stderr, "VIGIL_PUBLIC_URL is not set: open this path on Vigil's address.")
		}
		fmt.Fprintf(e.stderr, "The link works once, until %s.\n", p.ExpiresAt.UTC().Format(time.RFC3339))
	}
	return nil
}

// readPassword reads a new password: from a terminal without echo, asked
// twice; otherwise the first line of standard input (for scripts and pipes).
func readPassword(e *env, email string) (string, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			return "", fmt.Errorf("read the password from standard input (its first line): %w", err)
		}
		return strings.TrimRight(line, "\r\n"), nil
	}
	fmt.Fprintf(e.stderr, "Password for %s (not shown): ", email)
	p1, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password from the terminal: %w", err)
	}
	fmt.Fprint(e.stderr, "The same password again: ")
	p2, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read the password from the terminal: %w", err)
	}
	if string(p1) != string(p2) {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return string(p1), nil
}
