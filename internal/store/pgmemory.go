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
	// SearchIndex is the search index's posting blocks (search_postings
	// with its key): every staff search reads them.
	SearchIndex int64
	// Unanalyzed lists the large tables (10,000 rows or more) whose
	// planner statistics are missing or stale — never analyzed, or more
	// than half their rows changed since — in name order. With them a
	// generic plan may scan a whole table (docs/benchmarks.md,
	// "Incremental update").
	Unanalyzed []string
}

// staleTables are the tables whose statistics PostgresMemory checks: those
// the hot paths read through prepared statements.
var staleTables = []string{"reports", "statements", "statement_versions", "data_keys", "identifiers", "identifier_occurrences", "report_links", "identifier_trust", "search_postings", "jobs"}

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
		pg_total_relation_size('search_postings')`).Scan(&m.SharedBuffers, &m.EffectiveCache, &m.Identifiers, &m.SearchIndex)
	if err != nil {
		return m, fmt.Errorf("store: postgresql memory settings: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, `SELECT relname FROM pg_stat_user_tables
		WHERE relname = ANY($1::text[]) AND n_live_tup >= 10000
		AND (COALESCE(last_analyze, last_autoanalyze) IS NULL OR n_mod_since_analyze > n_live_tup / 2)
		ORDER BY relname`, staleTables)
	if err != nil {
		return m, fmt.Errorf("store: postgresql statistics: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return m, fmt.Errorf("store: postgresql statistics: %w", err)
		}
		m.Unanalyzed = append(m.Unanalyzed, t)
	}
	if err := rows.Err(); err != nil {
		return m, fmt.Errorf("store: postgresql statistics: %w", err)
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
