package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"github.com/vigil-project/vigil/internal/blob"
	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/store"
)

// runLog runs the testimony ledger's operator commands: audit, checkpoint
// and vkey.
func runLog(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("log: want audit, checkpoint or vkey: %w", errUsage)
	}
	switch args[0] {
	case "audit":
		return runLogAudit(ctx, e, args[1:])
	case "checkpoint":
		return runLogCheckpoint(ctx, e, args[1:])
	case "vkey":
		return runLogVKey(ctx, e, args[1:])
	}
	return fmt.Errorf("log: unknown subcommand %q (want audit, checkpoint or vkey): %w", args[0], errUsage)
}

// checkpointFiles collects repeated --checkpoint flags.
type checkpointFiles []string

// String lists the files given.
func (c *checkpointFiles) String() string { return strings.Join(*c, ",") }

// Set adds one file.
func (c *checkpointFiles) Set(s string) error { *c = append(*c, s); return nil }

// runLogAudit recomputes every stored record's commitment, checks it
// against the log, and checks the stored tree against the latest signed
// checkpoint. It exits non-zero naming each record that no longer matches.
func runLogAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log audit")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	vkeyFlag := fs.String("vkey", "", "the log's verifier key (default: derived from the log key file)")
	var cps checkpointFiles
	fs.Var(&cps, "checkpoint", "a signed checkpoint seen earlier (file); the stored tree must contain it (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("log audit: unexpected arguments %q: %w", fs.Args(), errUsage)
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	var seen [][]byte
	for _, name := range cps {
		b, err := os.ReadFile(name)
		if err != nil {
			return fmt.Errorf("log audit: --checkpoint: %w", err)
		}
		seen = append(seen, b)
	}
	return ledgerAudit(ctx, e, cfg, *vkeyFlag, seen)
}

// ledgerAudit runs the ledger audit of the configured data directory and
// prints its findings: the work of `vigil log audit`, which restore runs
// too. vkey is the log's verifier key, or "" for the one of the log key
// file; checkpoints are signed checkpoints seen earlier.
func ledgerAudit(ctx context.Context, e *env, cfg *config.Config, vkey string, checkpoints [][]byte) error {
	if err := checkExists(cfg); err != nil {
		return err
	}
	verifier, err := logVerifier(cfg, vkey)
	if err != nil {
		return fmt.Errorf("log audit: %w", err)
	}
	files, err := auditFiles(ctx, cfg)
	if err != nil {
		return fmt.Errorf("log audit: %w", err)
	}
	opts := ledger.AuditOptions{Verifier: verifier, Files: files, Checkpoints: checkpoints}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	if opts.Keyring, err = openKeyring(ctx, cfg, db); err != nil {
		return fmt.Errorf("log audit: %w", err)
	}
	rep, err := ledger.Audit(ctx, db, opts)
	if err != nil {
		return fmt.Errorf("log audit: %w", err)
	}
	fmt.Fprintf(e.stdout, "log %s: tree size %d, root %x\n", verifier.Name(), rep.Size, rep.Root)
	fmt.Fprintf(e.stdout, "records: %d match the log, %d erased (key destroyed), %d entries not yet integrated\n", rep.Checked, rep.Erased, rep.Pending)
	for _, f := range rep.Failures {
		fmt.Fprintln(e.stdout, "FAIL", f.String())
	}
	if !rep.OK() {
		return fmt.Errorf("log audit: %d check(s) failed", len(rep.Failures))
	}
	fmt.Fprintln(e.stdout, "OK: every stored record matches the log, and the tree matches its signed checkpoint")
	return nil
}

// auditFiles is the attachment store the audit reads: a bucket is checked
// first, so that one out of reach is one clear error rather than a failure
// for every attachment; the directory is not (nor made, if missing: every
// attachment it lacks is a failure).
func auditFiles(ctx context.Context, cfg *config.Config) (blob.Store, error) {
	if cfg.AttachmentsS3.On() {
		return server.OpenAttachments(ctx, cfg)
	}
	return server.Attachments(cfg)
}

// runLogCheckpoint prints the latest signed checkpoint.
func runLogCheckpoint(ctx context.Context, e *env, args []string) error {
	return withDB(ctx, e, "log checkpoint", args, func(_ *config.Config, db *store.DB) error {
		st, err := db.Read().GetLedgerState(ctx)
		if err != nil {
			return fmt.Errorf("log checkpoint: %w", err)
		}
		fmt.Fprint(e.stdout, st.Checkpoint)
		return nil
	})
}

// runLogVKey prints the log's verifier key, for publishing and pinning.
func runLogVKey(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "log vkey")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	if err := parseConfig(fs, cfg, args); err != nil {
		return err
	}
	k, err := ledger.LoadKey(cfg.LogKeyFile)
	if err != nil {
		return fmt.Errorf("log vkey: %w", err)
	}
	fmt.Fprintln(e.stdout, k.VerifierKey())
	return nil
}

// logVerifier returns the verifier for the flag's key, or the one derived
// from the log key file.
func logVerifier(cfg *config.Config, vkey string) (note.Verifier, error) {
	if vkey != "" {
		v, err := note.NewVerifier(vkey)
		if err != nil {
			return nil, fmt.Errorf("--vkey: %w", err)
		}
		return v, nil
	}
	k, err := ledger.LoadKey(cfg.LogKeyFile)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no log key at %s: give the log's verifier key with --vkey", cfg.LogKeyFile)
	}
	if err != nil {
		return nil, err
	}
	return k.Verifier(), nil
}
