package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/store"
)

// On PostgreSQL a backup holds vigil.pgdump (pg_dump's custom format)
// where a SQLite one holds vigil.db; the attachments and the manifest are
// the same. pg_dump and pg_restore are the PostgreSQL client tools, run as
// programs: Vigil does not reimplement them.

// pgDumpName is the database's file in a PostgreSQL backup.
const pgDumpName = "vigil.pgdump"

// pgTool finds the client tool name, or says how to get it.
func pgTool(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not installed or not on PATH: it comes with the PostgreSQL client tools (e.g. apt install postgresql-client), of the server's major version or newer", name)
	}
	return path, nil
}

// pgArgs splits a PostgreSQL URL into the connection string given to a
// client tool, without the password, and the environment that carries the
// password (PGPASSWORD), so that it never shows in the process list.
func pgArgs(dsn string) (conn string, env []string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("VIGIL_DATABASE: %w", err)
	}
	env = os.Environ()
	if u.User != nil {
		if pw, ok := u.User.Password(); ok {
			env = append(env, "PGPASSWORD="+pw)
			u.User = url.User(u.User.Username())
		}
	}
	return u.String(), env, nil
}

// runPG runs a client tool and returns its error with what it wrote to
// standard error.
func runPG(ctx context.Context, env []string, tool string, args ...string) error {
	path, err := pgTool(tool)
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = env
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w: %s", tool, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

// dumpPostgres writes the database to dir/vigil.pgdump with pg_dump and
// starts the manifest from the same snapshot: the dump runs on the
// snapshot of a transaction that reads the schema, the reports and the
// ledger checkpoint, so the manifest describes exactly what is dumped.
func dumpPostgres(ctx context.Context, e *env, cfg *config.Config, db *store.DB, dir string) (string, *manifest, error) {
	if _, err := pgTool("pg_dump"); err != nil {
		return "", nil, err
	}
	conn, env, err := pgArgs(cfg.DSN())
	if err != nil {
		return "", nil, err
	}
	m := newManifest(cfg)
	m.Database = "postgres"
	if m.SchemaVersion, _, err = db.SchemaVersion(ctx); err != nil {
		return "", nil, err
	}
	out := filepath.Join(dir, pgDumpName)
	err = db.ExportSnapshot(ctx, func(snapshot string, q store.Q) error {
		if m.Reports, err = q.CountReports(ctx); err != nil {
			return err
		}
		ls, err := q.GetLedgerState(ctx)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		default:
			m.Ledger = manifestLedger{Size: ls.Size, Root: hex.EncodeToString(ls.Root), Checkpoint: ls.Checkpoint}
		}
		p := startProgress(e, "backup: pg_dump of the database", 0)
		stop := watchSize(out, p)
		defer func() { stop(); p.Done() }()
		return runPG(ctx, env, "pg_dump", "--format=custom", "--no-owner", "--no-privileges",
			"--snapshot="+snapshot, "--file="+out, "--dbname="+conn)
	})
	if err != nil {
		return "", nil, err
	}
	describeKeys(cfg, m)
	return out, m, nil
}

// restorePostgres loads a backup's dump into the configured PostgreSQL
// database, which must hold no table: restore never writes over data.
func restorePostgres(ctx context.Context, e *env, cfg *config.Config, dump string) error {
	if _, err := pgTool("pg_restore"); err != nil {
		return err
	}
	conn, env, err := pgArgs(cfg.DSN())
	if err != nil {
		return err
	}
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	empty, err := db.Empty(ctx)
	db.Close()
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the PostgreSQL database of VIGIL_DATABASE is not empty: restore only into a new database (createdb), never over data")
	}
	p := startProgress(e, "restore: pg_restore of the database", 0)
	start := time.Now()
	err = runPG(ctx, env, "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname="+conn, dump)
	p.Done()
	if err != nil {
		return err
	}
	e.log.Info("restore: database loaded", "took", time.Since(start).Round(time.Millisecond))
	// pg_restore leaves the planner without statistics until autovacuum
	// gets to every table (see store.DB.AnalyzeReports): gather them now.
	if db, err = openStore(ctx, cfg); err != nil {
		return err
	}
	defer db.Close()
	p = startProgress(e, "restore: ANALYZE (the planner's statistics)", 0)
	err = db.AnalyzeAll(ctx)
	p.Done()
	return err
}
