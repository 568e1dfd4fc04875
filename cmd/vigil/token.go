package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/staff"
)

// runToken creates, lists and revokes API tokens as System (whoever holds
// the data directory); each creation and revocation is audited in the
// user's organisation's trail as the system's.
func runToken(ctx context.Context, e *env, args []string) error {
	sub, fs, cfg, err := subcommand(e, "token", args, []string{"create", "list", "revoke"})
	if err != nil {
		return err
	}
	var user, name *string
	var ttl *time.Duration
	var asJSON bool
	switch sub {
	case "create":
		user = fs.String("user", "", "user id or e-mail (required)")
		name = fs.String("name", "cli", "what the token is for")
		ttl = fs.Duration("ttl", 0, "lifetime, e.g. 720h (0: no expiry)")
	case "list":
		fs.BoolVar(&asJSON, "json", false, "print a JSON array (for scripts)")
	case "revoke":
	default:
		return fmt.Errorf("token: unknown subcommand %q (want create, list or revoke): %w", sub, errUsage)
	}
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	switch {
	case sub == "create" && *user == "":
		return fmt.Errorf("token create: --user is required: %w", errUsage)
	case sub == "revoke" && fs.NArg() != 1:
		return fmt.Errorf("token revoke: give one token id (vigil token revoke TOKEN-ID; token list shows them): %w", errUsage)
	case sub != "revoke" && fs.NArg() > 0:
		return fmt.Errorf("token %s: unexpected argument %q: %w", sub, fs.Arg(0), errUsage)
	}
	svc, closeDB, err := openStaff(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeDB()
	switch sub {
	case "create":
		t, err := svc.CreateToken(ctx, staff.System, *user, *name, *ttl)
		if err != nil {
			return fmt.Errorf("token create: %w", err)
		}
		fmt.Fprintln(e.stdout, t.Token)
	case "list":
		ts, err := svc.ListTokens(ctx, staff.System)
		if err != nil {
			return fmt.Errorf("token list: %w", err)
		}
		if asJSON {
			return printJSON(e, orEmpty(ts))
		}
		now := time.Now()
		for _, t := range ts {
			state, expires := "active", "never"
			if !t.ExpiresAt.IsZero() {
				expires = t.ExpiresAt.Format(time.RFC3339)
				if now.After(t.ExpiresAt) {
					state = "expired"
				}
			}
			if t.Revoked {
				state = "revoked"
			}
			used := "never"
			if !t.LastUsedAt.IsZero() {
				used = t.LastUsedAt.Format(time.RFC3339)
			}
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\t%s\texpires %s\tlast used %s\n", t.ID, t.UserEmail, t.Name, state, t.CreatedAt.Format(time.RFC3339), expires, used)
		}
	case "revoke":
		if err := svc.RevokeToken(ctx, staff.System, fs.Arg(0)); err != nil {
			return fmt.Errorf("token revoke: %w", err)
		}
	}
	return nil
}
