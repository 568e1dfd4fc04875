package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// bulkCacheKiB is SQLite's page cache during a bulk load (the default is
// 2 MiB, far too small for building a million-row index: pages spill to the
// WAL and are read back again and again).
const bulkCacheKiB = 1 << 20

// Bulk runs fn in one write transaction meant for loading many rows with
// [Q.CopyRows]: COPY on PostgreSQL, prepared multi-row INSERTs on SQLite
// with a large page cache. It commits if fn returns nil.
func (db *DB) Bulk(ctx context.Context, fn func(q Q) error) error {
	if db.Engine != Postgres {
		// A large page cache; statement journals in memory, not in a
		// temporary file written page by page.
		for _, p := range []string{fmt.Sprintf(`PRAGMA cache_size = -%d`, bulkCacheKiB), `PRAGMA temp_store = MEMORY`} {
			if _, err := db.w.ExecContext(ctx, p); err != nil {
				return fmt.Errorf("store: bulk: %s: %w", p, err)
			}
		}
		defer db.w.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000; PRAGMA temp_store = DEFAULT`)
		return db.Tx(ctx, fn)
	}
	return db.pgTx(ctx, `BEGIN`, pgBulk, fn)
}

// CopyRows loads n rows into table; row(i) returns the i-th row's values in
// the order of cols. Inside [DB.Bulk] on PostgreSQL it uses COPY; elsewhere
// prepared INSERTs of many rows each.
func (q Q) CopyRows(ctx context.Context, table string, cols []string, n int, row func(i int) []any) error {
	if n == 0 {
		return nil
	}
	if q.conn != nil && q.engine == Postgres {
		return q.conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("store: copy into %s: driver connection is %T", table, dc)
			}
			i := 0
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromFunc(func() ([]any, error) {
				if i == n {
					return nil, nil
				}
				i++
				return row(i - 1), nil
			}))
			if err != nil {
				return fmt.Errorf("store: copy into %s: %w", table, err)
			}
			return nil
		})
	}
	preparer, ok := q.q.(interface {
		PrepareContext(context.Context, string) (*sql.Stmt, error)
	})
	if !ok {
		return fmt.Errorf("store: copy into %s: cannot prepare on %T", table, q.q)
	}
	width := len(cols)
	per := min(n, 256, maxParams/width)
	prepare := func(rows int) (*sql.Stmt, error) {
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?,", width), ",") + ")"
		text := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.TrimSuffix(strings.Repeat(tuple+",", rows), ",")
		st, err := preparer.PrepareContext(ctx, text)
		if err != nil {
			return nil, fmt.Errorf("store: copy into %s: prepare: %w", table, err)
		}
		return st, nil
	}
	full, err := prepare(per)
	if err != nil {
		return err
	}
	defer full.Close()
	args := make([]any, 0, per*width)
	for start := 0; start < n; start += per {
		end := min(n, start+per)
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		st := full
		if end-start < per {
			if st, err = prepare(end - start); err != nil {
				return err
			}
			defer st.Close()
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: copy into %s: %w", table, err)
		}
	}
	return nil
}
