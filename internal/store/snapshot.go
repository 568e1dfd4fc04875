package store

import (
	"context"
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
