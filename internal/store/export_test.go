package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// KeptBatchMax is how many checks one batched statement reads at most.
const KeptBatchMax = keptBatchMax

// RefillStats empties the statistics roll-up and the incident-type index
// and fills them again the way migration 0007 does, for tests of that fill.
func (db *DB) RefillStats(ctx context.Context) error {
	return db.Tx(ctx, func(q Q) error {
		for _, table := range []string{"report_stats", "report_incident_types"} {
			if _, err := q.q.ExecContext(ctx, `DELETE FROM `+table); err != nil {
				return err
			}
		}
		return fillStats(ctx, q)
	})
}

// RefillPlaces empties report_places and fills it again the way its
// migration does, for tests of that fill.
func (db *DB) RefillPlaces(ctx context.Context) error {
	return db.Tx(ctx, func(q Q) error {
		if _, err := q.q.ExecContext(ctx, `DELETE FROM report_places`); err != nil {
			return err
		}
		return fillReportPlaces(ctx, q)
	})
}

// BulkReports stores reports as PutIntake does (one multi-row INSERT per
// table), without their statements: for benchmarks that need many rows.
func (db *DB) BulkReports(ctx context.Context, rs []*Report) error {
	return db.Tx(ctx, func(q Q) error {
		rows := make([][]any, 0, len(rs))
		for _, r := range rs {
			rows = append(rows, []any{r.ID, r.OrgID, r.TrackingCode, r.SecretHash, r.Channel, r.Language, r.Country,
				mustJSON(nonNil(r.IncidentTypes)), mustJSON(nonNil(r.Victims)), mustJSON(nonNil(r.Places)), mustJSON(nonNil(r.Subjects)), b2i(r.Urgent), r.Status,
				r.Sealed, r.ErasedAt, r.CreatedBy, r.ReceivedAt, r.UpdatedAt})
		}
		if err := q.insertMany(ctx, "reports", reportCols, rows); err != nil {
			return err
		}
		return q.indexReports(ctx, rs)
	})
}

// MigrateBefore applies the migrations before the one whose name ends in
// suffix, for tests of that migration on a database as it was.
func (db *DB) MigrateBefore(ctx context.Context, suffix string) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	for k, m := range ms {
		if strings.HasSuffix(m.name, suffix) {
			_, err := db.migrate(ctx, k)
			return err
		}
	}
	return fmt.Errorf("store: no migration named *%s", suffix)
}

// MigrateTo applies the migrations up to version n, for tests of upgrades
// from a database as it was at n.
func (db *DB) MigrateTo(ctx context.Context, n int) error {
	_, err := db.migrate(ctx, n)
	return err
}

// MigrationCount is the number of migrations, the current schema version.
func MigrationCount() int {
	ms, err := migrations()
	if err != nil {
		panic(err)
	}
	return len(ms)
}

// QueryStrings runs query on the writer connection and returns its rows,
// every value as text (NULL as ""), for tests that read the catalogue.
func (db *DB) QueryStrings(ctx context.Context, query string, args ...any) ([][]string, error) {
	rows, err := db.w.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	return out, rows.Err()
}

// RelTuples is PostgreSQL's planner estimate of table's rows (-1 before
// the table was ever analyzed or vacuumed), for tests of AnalyzeReports.
func (db *DB) RelTuples(ctx context.Context, table string) (float64, error) {
	var n float64
	err := db.r.QueryRowContext(ctx, `SELECT reltuples FROM pg_class WHERE relname = $1 AND relkind = 'r'`, table).Scan(&n)
	return n, err
}

// ExplainClaim is PostgreSQL's plan of a claim of n jobs of kinds, as
// ClaimJobs would run it in q's transaction.
func (q Q) ExplainClaim(ctx context.Context, kinds []string, n int, now int64) (string, error) {
	query, args, err := q.claim(ctx, kinds)
	if err != nil {
		return "", err
	}
	rows, err := q.q.QueryContext(ctx, `EXPLAIN `+query, append([]any{now + 1, now, n}, args...)...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		plan = append(plan, line)
	}
	return strings.Join(plan, "\n"), rows.Err()
}

// KeptCheckConcurrently runs n checks of ids (ids[i%len(ids)]) through a
// keptBatcher of slots readers on db, as PostgreSQL's public check does,
// and returns each answer and how many statements were run (counted on
// the batcher's reads). The checks arrive while every reader is busy:
// the slots are held until all n are queued, then each held slot's
// reader takes the queue, as a reader whose statement returns does. So
// the count does not hang on how the goroutines happen to be scheduled
// (run freely on a fast engine, each check could find a slot free and
// go alone).
func (db *DB) KeptCheckConcurrently(ctx context.Context, ids []string, n, slots int) (answers []Kept, statements int, err error) {
	var mu sync.Mutex
	b := newKeptBatcher(func() Q {
		mu.Lock()
		statements++
		mu.Unlock()
		return db.Read()
	}, slots, keptBatchMax)
	for range slots {
		b.slots <- struct{}{}
	}
	answers = make([]Kept, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i].Trust, answers[i].Kept, errs[i] = b.check(ctx, ids[i%len(ids)])
		}()
	}
	deadline := time.Now().Add(10 * time.Second)
	for queued := 0; queued < n; {
		if time.Now().After(deadline) {
			return nil, 0, fmt.Errorf("%d of %d checks queued after 10 s", queued, n)
		}
		time.Sleep(time.Millisecond)
		b.mu.Lock()
		queued = len(b.queue)
		b.mu.Unlock()
	}
	for range slots {
		go b.run()
	}
	wg.Wait()
	return answers, statements, errors.Join(errs...)
}

// CommitSync reports whether a commit in q's transaction waits for the
// disk: SQLite's synchronous setting on the writer (FULL, or NORMAL for a
// derived transaction), PostgreSQL's synchronous_commit.
func (q Q) CommitSync(ctx context.Context) (string, error) {
	if q.engine == Postgres {
		var v string
		err := q.q.QueryRowContext(ctx, `SHOW synchronous_commit`).Scan(&v)
		return v, err
	}
	var v int
	if err := q.q.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&v); err != nil {
		return "", err
	}
	return map[int]string{0: "off", 1: "normal", 2: "full", 3: "extra"}[v], nil
}

// RelPages is a PostgreSQL table's size in pages, and fills and empties
// search_pending with n rows first when fill.
func (db *DB) RelPages(ctx context.Context, table string, fill int) (int64, error) {
	if fill > 0 {
		if _, err := db.w.ExecContext(ctx, `INSERT INTO search_pending (id, report_id, terms) SELECT 'p' || g, 'r' || g, '\x00'::bytea FROM generate_series(1, $1) g`, fill); err != nil {
			return 0, err
		}
		if _, err := db.w.ExecContext(ctx, `DELETE FROM search_pending`); err != nil {
			return 0, err
		}
	}
	var n int64
	err := db.w.QueryRowContext(ctx, `SELECT pg_relation_size($1::regclass) / current_setting('block_size')::int`, table).Scan(&n)
	return n, err
}

// UnlinkedReports returns the reports not in the link index, oldest
// first.
func (q Q) UnlinkedReports(ctx context.Context) ([]string, error) {
	return q.strings(ctx, `SELECT r.id FROM reports r WHERE NOT EXISTS (SELECT 1 FROM report_links l WHERE l.report_id = r.id) ORDER BY r.id`)
}

// Churn inserts n jobs, inserts n search_pending rows and deletes them
// again, then makes PostgreSQL publish the counts at once (they are
// otherwise flushed up to a second later), for tests of Upkeep.
func (db *DB) Churn(ctx context.Context, n int) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, stmt := range []string{
		`INSERT INTO jobs (id, kind, report_id, run_after) SELECT 'churn-' || md5(random()::text || g), 'test', 'x', 0 FROM generate_series(1, $1) g`,
		`INSERT INTO search_pending (id, report_id, terms) SELECT 'churn-' || md5(random()::text || g), 'r', '\x00' FROM generate_series(1, $1) g`,
	} {
		if _, err := conn.ExecContext(ctx, stmt, n); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	for _, stmt := range []string{`DELETE FROM search_pending WHERE id LIKE 'churn-%'`, `SELECT pg_stat_force_next_flush()`} {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// HoldUpkeepLock takes the upkeep's advisory lock on a connection of its
// own, as another server's upkeep would, until release is called.
func (db *DB) HoldUpkeepLock(ctx context.Context) (release func(), err error) {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, upkeepLockKey); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, upkeepLockKey)
		conn.Close()
	}, nil
}

// SearchPostings reads every posting block, checks that each term's
// blocks are kept as postings.go says (disjoint and in order, keys equal
// to their bounds but the last's, openKey, no block empty or over
// postingBlock, every id at or above its block's bound) and returns each
// term's reports, oldest first.
func (db *DB) SearchPostings(ctx context.Context) (map[string][]string, error) {
	rows, err := db.w.QueryContext(ctx, `SELECT term, k, lo, reports FROM search_postings ORDER BY term, k`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	var term []byte
	var prev *block
	for rows.Next() {
		var t, k, lo, reports []byte
		if err := rows.Scan(&t, &k, &lo, &reports); err != nil {
			return nil, err
		}
		b, err := decodeBlock(k, lo, reports)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(t, term) {
			if prev != nil && !prev.open() {
				return nil, fmt.Errorf("term %x: its last block has key %x, not the last block's", term, prev.key)
			}
			term, prev = t, nil
		}
		switch {
		case len(b.ids) == 0 || len(b.ids) > postingBlock:
			return nil, fmt.Errorf("term %x: a block of %d reports", t, len(b.ids))
		case !b.open() && !bytes.Equal(k, lo):
			return nil, fmt.Errorf("term %x: block %x has bound %x", t, k, lo)
		case ridCompare(b.ids[0], b.lo) < 0:
			return nil, fmt.Errorf("term %x: block %x holds %s, below its bound", t, k, b.ids[0])
		case prev != nil && ridCompare(b.lo, prev.ids[len(prev.ids)-1]) <= 0:
			return nil, fmt.Errorf("term %x: block %x's bound is not above the block before", t, k)
		}
		for i, r := range b.ids {
			if i > 0 && ridCompare(r, b.ids[i-1]) <= 0 {
				return nil, fmt.Errorf("term %x: block %x not in order", t, k)
			}
			out[string(t)] = append(out[string(t)], r.String())
		}
		prev = b
	}
	if prev != nil && !prev.open() {
		return nil, fmt.Errorf("term %x: its last block has key %x, not the last block's", term, prev.key)
	}
	return out, rows.Err()
}

// ClearTrustPostgres is the statement SaveTrust clears its marks with on
// PostgreSQL, after "WITH m(i, t) AS (…)".
const ClearTrustPostgres = clearTrustPostgres
