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

// pgEmpty refuses a PostgreSQL database that holds any table: restore
// never writes over data.
func pgEmpty(ctx context.Context, cfg *config.Config) error {
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	empty, err := db.Empty(ctx)
	if err != nil {
		return err
	}
	if !empty {
		return errors.New("the PostgreSQL database of VIGIL_DATABASE is not empty: restore only into a new database (createdb), never over data")
	}
	return nil
}

// moveIntoPostgres copies a SQLite backup's database (a staged copy,
// brought up to this binary's schema first if it is older) into the
// configured PostgreSQL database, which must be empty: every row, in one
// transaction, checked table by table (store.DB.MoveTo).
func moveIntoPostgres(ctx context.Context, e *env, cfg *config.Config, path string) error {
	src, err := store.Open(ctx, "sqlite:"+path)
	if err != nil {
		return fmt.Errorf("open the backup's database: %w", err)
	}
	defer src.Close()
	have, want, err := src.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if have < want {
		if _, err := src.Migrate(ctx); err != nil {
			return fmt.Errorf("bring the backup's database (schema version %d) up to version %d: %w", have, want, err)
		}
		fmt.Fprintf(e.stdout, "the backup's database was at schema version %d: brought up to %d before the move\n", have, want)
	}
	dst, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer dst.Close()
	p := startProgress(e, "restore: rows copied from SQLite into PostgreSQL", 0)
	p.items = true
	labels := map[string]string{"build": "restore: keys, indexes and foreign keys built in PostgreSQL", "check": "restore: statistics gathered and counts compared"}
	start := time.Now()
	res, err := src.MoveTo(ctx, dst, store.MoveProgress{
		Rows: func(_ string, n int64) { p.Add(n) },
		Stage: func(s string) {
			p.Done()
			p = startTimer(e, labels[s])
		},
	})
	p.Done()
	if err != nil {
		return err
	}
	r := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	fmt.Fprintf(e.stdout, "moved the backup's SQLite database into PostgreSQL: %d rows in %d tables in %v (copy %v, keys and indexes %v, statistics and counts %v), each table's count checked\n",
		res.Rows, len(res.Tables), r(time.Since(start)), r(res.Copy), r(res.Build), r(res.Check))
	if len(res.Skipped) > 0 {
		// Quoted: the names come from the backup's file, not from Vigil.
		fmt.Fprintf(e.stdout, "left behind: %q (tables in the SQLite file that are not part of Vigil's schema)\n", res.Skipped)
	}
	return nil
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
	if err := pgEmpty(ctx, cfg); err != nil {
		return err
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
	db, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	p = startProgress(e, "restore: ANALYZE (the planner's statistics)", 0)
	err = db.AnalyzeAll(ctx)
	p.Done()
	return err
}
