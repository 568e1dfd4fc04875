package store

import (
	"context"
	"fmt"
)

// PostgresMemory is what a PostgreSQL server is set to keep in memory,
// beside the size of the data Vigil reads most.
type PostgresMemory struct {
	// SharedBuffers and EffectiveCache are the settings shared_buffers and
	// effective_cache_size, in bytes.
	SharedBuffers, EffectiveCache int64
	// Identifiers is the link index's identifiers table with its indexes:
	// every public check reads it by key.
	Identifiers int64
	// SearchKey is the search index's key (search_terms' primary key):
	// every staff search reads it.
	SearchKey int64
}

// PostgresMemory reads the memory settings and the sizes of the hot
// tables. It is meant for PostgreSQL only; on SQLite it returns zeros.
func (db *DB) PostgresMemory(ctx context.Context) (PostgresMemory, error) {
	var m PostgresMemory
	if db.Engine != Postgres {
		return m, nil
	}
	err := db.r.QueryRowContext(ctx, `SELECT
		(SELECT setting::bigint FROM pg_settings WHERE name = 'shared_buffers') * current_setting('block_size')::bigint,
		(SELECT setting::bigint FROM pg_settings WHERE name = 'effective_cache_size') * current_setting('block_size')::bigint,
		pg_total_relation_size('identifiers'),
		pg_indexes_size('search_terms')`).Scan(&m.SharedBuffers, &m.EffectiveCache, &m.Identifiers, &m.SearchKey)
	if err != nil {
		return m, fmt.Errorf("store: postgresql memory settings: %w", err)
	}
	return m, nil
}

// PostgresSetting returns the value of a setting as Vigil's connections
// see it (current_setting), for diagnostics.
func (db *DB) PostgresSetting(ctx context.Context, name string) (string, error) {
	var v string
	if err := db.r.QueryRowContext(ctx, `SELECT current_setting($1)`, name).Scan(&v); err != nil {
		return "", fmt.Errorf("store: setting %s: %w", name, err)
	}
	return v, nil
}
