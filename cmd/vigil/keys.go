package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// runKeys rotates the master key or the log key and checks that every
// data key opens.
func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("keys: want rotate-master, rotate-log or check: %w", errUsage)
	}
	sub := args[0]
	if sub != "rotate-master" && sub != "rotate-log" && sub != "check" {
		return fmt.Errorf("keys: unknown subcommand %q (want rotate-master, rotate-log or check): %w", sub, errUsage)
	}
	fs := newFlags(e, "keys "+sub)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var settle *time.Duration
	var finish, cancel *bool
	switch sub {
	case "rotate-master":
		settle = fs.Duration("settle", 4*time.Second, "how long running servers get to pick up the new key before the rewrap starts")
	case "rotate-log":
		finish = fs.Bool("finish", false, "make the announced key the log's key and retire the old one")
		cancel = fs.Bool("cancel", false, "abandon the key change under way")
	}
	db, err := parseAndOpen(ctx, fs, cfg, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	if fs.NArg() > 0 {
		return fmt.Errorf("keys %s: unexpected argument %q: %w", sub, fs.Arg(0), errUsage)
	}
	if sub == "rotate-log" {
		return rotateLog(ctx, e, cfg, db, *finish, *cancel)
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

// rotateLog begins, finishes or cancels a change of the log's signing key
// (see internal/ledger/rotate.go).
func rotateLog(ctx context.Context, e *env, cfg *config.Config, db *store.DB, finish, cancel bool) error {
	path := cfg.LogKeyFile
	switch {
	case finish && cancel:
		return fmt.Errorf("keys rotate-log: --finish or --cancel, not both: %w", errUsage)
	case cancel:
		if err := ledger.CancelKeyChange(ctx, db, path); err != nil {
			return fmt.Errorf("keys rotate-log --cancel: %w", err)
		}
		fmt.Fprintln(e.stdout, "the log key change is cancelled: checkpoints are signed by the current key alone again")
		return nil
	case finish:
		kc, err := ledger.FinishKeyChange(ctx, db, path)
		if err != nil {
			return fmt.Errorf("keys rotate-log --finish: %w", err)
		}
		fmt.Fprintf(e.stdout, "the log's key is now %s; checkpoints from now on carry its signature alone\n", kc.Current)
		if kc.RetiredFile != "" {
			fmt.Fprintf(e.stdout, "the old key %s is in %s: it signs nothing any more; destroy it (old receipts verify without it)\n", kc.Retired, kc.RetiredFile)
		}
		fmt.Fprintf(e.stdout, "back up the new key file %s now, apart from the data\n", path)
		return nil
	}
	kc, err := ledger.BeginKeyChange(ctx, db, path)
	if err != nil {
		return fmt.Errorf("keys rotate-log: %w", err)
	}
	fmt.Fprintf(e.stdout, `the next log key is %s (file %s.next).
From now on every checkpoint is signed by the current key %s and by the next one,
and /log/vkeys lists both. Publish the next key where verifiers look for the log's key,
give them time to take it, then run
  vigil keys rotate-log --finish
Servers with their own data directory need a copy of %s.next (mode 0600) to co-sign.
`, kc.Next, path, kc.Current, path)
	return nil
}
