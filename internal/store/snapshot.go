package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
)

// ErrSnapshotPostgres means Snapshot was asked of a PostgreSQL database,
// which is backed up with pg_dump (docs/operations.md).
var ErrSnapshotPostgres = errors.New("store: snapshots are for SQLite; back up PostgreSQL with pg_dump (see docs/operations.md)")

// Snapshot writes a consistent copy of a SQLite database to path, which
// must not exist, with VACUUM INTO: one read transaction, so other
// processes (a running server) keep reading and writing meanwhile, and the
// copy is the database as of that transaction's start, compacted, without
// a WAL beside it. The copy has mode 0600.
func (db *DB) Snapshot(ctx context.Context, path string) error {
	if db.Engine != SQLite {
		return ErrSnapshotPostgres
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	// The writer: the readers are query_only, which refuses VACUUM. In
	// another process than the server, this takes no write lock.
	if _, err := db.w.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: snapshot into %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("store: snapshot: restrict %s: %w", path, err)
	}
	return nil
}

// Path is the SQLite database file, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// ExportSnapshot runs fn in a read-only repeatable-read transaction on
// PostgreSQL whose snapshot it exports (pg_export_snapshot): a pg_dump run
// with --snapshot=snapshot while fn runs dumps exactly the data fn reads
// through q, however much servers write meanwhile. The snapshot is valid
// until fn returns.
func (db *DB) ExportSnapshot(ctx context.Context, fn func(snapshot string, q Q) error) error {
	if db.Engine != Postgres {
		return errors.New("store: exported snapshots are for PostgreSQL")
	}
	tx, err := db.w.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("store: export snapshot: %w", err)
	}
	defer tx.Rollback()
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
		return fmt.Errorf("store: export snapshot: %w", err)
	}
	return fn(id, Q{q: tx, engine: db.Engine})
}

// Empty reports whether the database holds no table at all (in SQLite's
// main schema, or PostgreSQL's current schema): a place a backup may be
// restored into.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	query := `SELECT count(*) FROM sqlite_master WHERE type = 'table'`
	if db.Engine == Postgres {
		query = `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`
	}
	var n int
	if err := db.w.QueryRowContext(ctx, query).Scan(&n); err != nil {
		return false, fmt.Errorf("store: list tables: %w", err)
	}
	return n == 0, nil
}
