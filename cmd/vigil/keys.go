package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/seal"
)

// runKeys rotates the master key and checks that every data key opens.
func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: want rotate-master or check: %w", errUsage)
	}
	sub := args[0]
	if sub != "rotate-master" && sub != "check" {
		return fmt.Errorf("keys: unknown subcommand %q (want rotate-master or check): %w", sub, errUsage)
	}
	fs := newFlags(e, "keys "+sub)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var settle *time.Duration
	if sub == "rotate-master" {
		settle = fs.Duration("settle", 4*time.Second, "how long running servers get to pick up the new key before the rewrap starts")
	}
	db, err := parseAndOpen(ctx, fs, cfg, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() > 0 {
		return fmt.Errorf("keys %s: unexpected argument %q: %w", sub, fs.Arg(0), errUsage)
	}
	if sub == "check" {
		rep, err := seal.Check(ctx, cfg.MasterKeyFile, db)
		if err != nil {
			return fmt.Errorf("keys check: %w", err)
		}
		fmt.Fprintf(e.stdout, "master key %s (%s): %d data keys open, %d erased", rep.Fingerprint, cfg.MasterKeyFile, rep.OK, rep.Destroyed)
		if rep.Failed > 0 {
			fmt.Fprintf(e.stdout, ", %d DO NOT OPEN (reports %s)\n", rep.Failed, strings.Join(rep.FailedIDs, ", "))
			return fmt.Errorf("keys check: %d data keys do not open with this master key", rep.Failed)
		}
		fmt.Fprintln(e.stdout)
		return nil
	}
	p := startProgress(e, "rewrapping data keys", 0)
	p.items = true
	rep, err := seal.Rotate(ctx, cfg.MasterKeyFile, db, seal.RotateOptions{Settle: max(*settle, time.Millisecond), Progress: func(n int) { p.Set(int64(n)) }})
	p.Done()
	if err != nil {
		return fmt.Errorf("keys rotate-master: %w (run it again to resume: nothing is lost)", err)
	}
	fmt.Fprintf(e.stdout, "master key rotated to %s: %d data keys rewrapped, %d already under it", rep.New, rep.Rewrapped, rep.Already)
	if rep.Unreadable > 0 {
		fmt.Fprintf(e.stdout, ", %d opened with neither key (run vigil keys check)", rep.Unreadable)
	}
	fmt.Fprintln(e.stdout)
	if rep.Retired != "" {
		fmt.Fprintf(e.stdout, "the old key is in %s: servers started before the rotation hold it until restarted, and backups made before today need it; destroy it once neither is true\n", rep.Retired)
	}
	fmt.Fprintf(e.stdout, "back up the new key file %s now, apart from the data\n", cfg.MasterKeyFile)
	return nil
}
