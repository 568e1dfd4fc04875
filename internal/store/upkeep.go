package store

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// upkeepLockKey is the PostgreSQL advisory lock one upkeep pass holds, so
// that several servers on one database do not analyze the same table at
// once (see linksLockKey for the others).
const upkeepLockKey = 7215004

// upkeepQueues are the tables Upkeep also vacuums: queues whose rows are
// deleted or updated as soon as they are done, so that their dead rows
// outnumber their live ones within minutes under load (a count of
// search_pending reads through all of them on every intake batch).
var upkeepQueues = []string{"search_pending", "trust_pending", "jobs"}

// UpkeepSpacing is the least time between two analyses (or two vacuums) of
// one table by Upkeep, whoever ran the one before (autovacuum looks at a
// database once a minute by default).
const UpkeepSpacing = 30 * time.Second

// Upkeep refreshes, on PostgreSQL, the planner statistics of Vigil's
// tables (every table of the current schema) and vacuums its queues, by
// autovacuum's default rules: a table is analyzed once more than 50 rows
// and a tenth of its live rows changed since it was last analyzed (never
// analyzed counts as all changed), a queue vacuumed once its dead rows
// pass 50 and a fifth of its live ones; neither more often than
// UpkeepSpacing. Other tables are left to autovacuum's vacuum, which
// throttles itself where a VACUUM run here would not. It returns what it
// ran. Nothing on SQLite.
//
// Vigil does not leave this to autovacuum alone. A prepared statement's
// plan is kept until the statistics of a table it reads change, and a
// table that was never analyzed has none, so the plans made while a new
// database was small are kept however large it grows: with autovacuum off
// (as on the project's CI machine), 30 s of intake on a new database left
// the follow-up jobs reading a claim's identifiers and texts by whole-table
// scans (26-75 ms a read where an index gives about 3) and 8,600-11,200
// jobs behind (docs/benchmarks.md, "Follow-up jobs keep up", eighth round).
// Autovacuum, when it runs, looks only once a minute, and the same happens
// meanwhile to a database that grows fast (a first day, an import, a
// flood). When another server holds the upkeep lock, this pass does
// nothing.
func (db *DB) Upkeep(ctx context.Context) ([]string, error) {
	if db.Engine != Postgres {
		return nil, nil
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: upkeep: %w", err)
	}
	defer conn.Close()
	var mine bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, upkeepLockKey).Scan(&mine); err != nil {
		return nil, fmt.Errorf("store: upkeep: %w", err)
	}
	if !mine {
		return nil, nil
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, upkeepLockKey)
	rows, err := conn.QueryContext(ctx, `SELECT quote_ident(relname),
		n_mod_since_analyze > 50 + n_live_tup / 10
			AND COALESCE(GREATEST(last_analyze, last_autoanalyze), 'epoch') < now() - make_interval(secs => $2),
		relname = ANY($1::text[]) AND n_dead_tup > 50 + n_live_tup / 5
			AND COALESCE(GREATEST(last_vacuum, last_autovacuum), 'epoch') < now() - make_interval(secs => $2)
		FROM pg_stat_user_tables WHERE schemaname = current_schema()
		ORDER BY relname`, upkeepQueues, UpkeepSpacing.Seconds())
	if err != nil {
		return nil, fmt.Errorf("store: upkeep: %w", err)
	}
	var stmts []string
	for rows.Next() {
		var table string
		var analyze, vacuum bool
		if err := rows.Scan(&table, &analyze, &vacuum); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: upkeep: %w", err)
		}
		switch {
		case vacuum && analyze:
			stmts = append(stmts, "VACUUM (ANALYZE) "+table)
		case vacuum:
			stmts = append(stmts, "VACUUM "+table)
		case analyze:
			stmts = append(stmts, "ANALYZE "+table)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: upkeep: %w", err)
	}
	for i, stmt := range stmts {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return stmts[:i], fmt.Errorf("store: upkeep: %s: %w", stmt, err)
		}
	}
	return stmts, nil
}

// RunUpkeep runs Upkeep every interval until ctx ends, logging what it
// ran at debug level and its failures as warnings. On SQLite it returns at
// once.
func (db *DB) RunUpkeep(ctx context.Context, every time.Duration, log *slog.Logger) {
	if db.Engine != Postgres {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		ran, err := db.Upkeep(ctx)
		if err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "store: keeping PostgreSQL's statistics failed; trying again", "err", err)
		}
		if len(ran) > 0 {
			log.DebugContext(ctx, "store: PostgreSQL upkeep", "ran", ran)
		}
	}
}
