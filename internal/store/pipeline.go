package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// LinkTx is DerivedTx for linking reports: the transaction holds the link
// index's lock ([Q.LockLinks] is then a no-op) and the writes made through
// [Q.Deferred] are sent when it commits. On PostgreSQL that is two round
// trips fewer at the start (BEGIN, synchronous_commit off and the lock in
// one simple query) and one statement's round trip fewer per deferred
// write: they go with COMMIT in one pipelined batch. Linking one report
// took about a dozen round trips of 0.1–0.2 ms each (docs/benchmarks.md,
// "Incremental update"). On SQLite, in process, it is DerivedTx and
// deferred writes are made at once.
func (db *DB) LinkTx(ctx context.Context, fn func(q Q) error) error {
	if db.Engine != Postgres {
		return db.DerivedTx(ctx, fn) // one writer: no lock to take
	}
	return db.pgTx(ctx, "", pgLink, fn)
}

// linkBegin begins a link transaction on PostgreSQL: derived, so its
// commit does not wait for the disk, and holding the link lock.
var linkBegin = []string{`BEGIN`, `SET LOCAL synchronous_commit = off`, `SELECT pg_advisory_xact_lock(` + strconv.Itoa(linksLockKey) + `)`}

// beginOnUse is a link transaction's connection on PostgreSQL before its
// BEGIN is sent: the first statement sends it, as one simple query ahead
// of itself, or in the same pipelined batch when that statement is the
// probe (Q.ProbeLinksAndRead), so that beginning, taking the lock and the
// reads before linking are one round trip.
type beginOnUse struct {
	conn *sql.Conn
	sent bool
	// err is why sending the BEGIN failed, for a statement that cannot
	// return it (QueryRowContext).
	err error
}

// start sends the BEGIN if it was not sent.
func (c *beginOnUse) start(ctx context.Context) error {
	if c.sent {
		return c.err
	}
	c.sent = true
	if _, err := c.conn.ExecContext(ctx, strings.Join(linkBegin, "; ")); err != nil {
		c.err = fmt.Errorf("store: begin: %w", err)
	}
	return c.err
}

func (c *beginOnUse) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c.conn.ExecContext(ctx, query, args...)
}

func (c *beginOnUse) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.start(ctx); err != nil {
		return nil, err
	}
	return c.conn.QueryContext(ctx, query, args...)
}

func (c *beginOnUse) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if err := c.start(ctx); err != nil {
		// A Row carries its error only from a query: this one fails
		// at once, and pgTx reports c.err, the real cause.
		done, cancel := context.WithCancel(ctx)
		cancel()
		return c.conn.QueryRowContext(done, query, args...)
	}
	return c.conn.QueryRowContext(ctx, query, args...)
}

// withBegin sends the BEGIN and the statements queue adds in one batch,
// and hands the batch's results, past the BEGIN's, to read.
func (c *beginOnUse) withBegin(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	if c.sent {
		return fmt.Errorf("store: pipeline: the transaction has begun")
	}
	c.sent = true // whatever happens next, the transaction may have begun: roll back
	return c.conn.Raw(func(dc any) error {
		conn, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline: driver connection is %T", dc)
		}
		b := &pgx.Batch{}
		for _, s := range linkBegin {
			b.Queue(s)
		}
		queue(b)
		br := conn.Conn().SendBatch(ctx, b)
		for range linkBegin {
			if _, err := br.Exec(); err != nil {
				br.Close()
				c.err = fmt.Errorf("store: begin: %w", err)
				return c.err
			}
		}
		if err := read(br); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	})
}

// pipeline holds a transaction's deferred writes until it commits.
type pipeline struct {
	stmts []pipelined
}

type pipelined struct {
	what, query string
	args        []any
}

// Deferred is q for writes that nothing later in the transaction reads:
// inside [DB.LinkTx] on PostgreSQL they are sent with the commit; anywhere
// else they are made at once, as through q.
func (q Q) Deferred() Q {
	q.deferring = q.pipe != nil
	return q
}

// exec runs a write, or defers it when q is Deferred in a pipelined
// transaction; what names its table in an error.
func (q Q) exec(ctx context.Context, what, query string, args ...any) error {
	if q.deferring {
		q.pipe.stmts = append(q.pipe.stmts, pipelined{what, query, args})
		return nil
	}
	_, err := q.q.ExecContext(ctx, query, args...)
	return err
}

// pgKind is what a hand-run PostgreSQL transaction (pgTx) is for.
type pgKind int

const (
	pgDerived pgKind = iota // DerivedTx
	pgLink                  // LinkTx: holds the link lock, pipelines deferred writes
	pgBulk                  // Bulk: Q.CopyRows uses COPY on its connection
)

// pgTx runs fn in a transaction on a connection of its own (database/sql
// hides a transaction's connection, which COPY and pipelining need), begun
// by the simple query begin (which may hold several statements: one round
// trip), committing if fn returns nil and rolling back otherwise. A link
// transaction holds the link lock (begin took it) and sends its deferred
// writes with the COMMIT, in one pipelined batch.
func (db *DB) pgTx(ctx context.Context, begin string, kind pgKind, fn func(q Q) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer conn.Close()
	settled := false
	defer func() {
		if !settled {
			// fn panicked, or the connection's state is unknown: never
			// return it to the pool inside a transaction.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	q := Q{q: conn, engine: db.Engine, marks: &txMarks{log: &db.marks}}
	var lazy *beginOnUse
	if kind == pgLink {
		// Begun by its first statement (beginOnUse).
		lazy = &beginOnUse{conn: conn}
		q.q, q.linksLocked, q.pipe = lazy, true, &pipeline{}
	} else if _, err := conn.ExecContext(ctx, begin); err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if kind == pgBulk {
		q.conn = conn
	}
	rollback := func(err error) error {
		if lazy != nil && lazy.err != nil {
			err = errors.Join(lazy.err, err)
		}
		if lazy != nil && !lazy.sent {
			settled = true // nothing was begun
			return err
		}
		if _, rbErr := conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`); rbErr != nil {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		settled = true
		return err
	}
	if err := fn(q); err != nil {
		return rollback(err)
	}
	switch {
	case lazy != nil && !lazy.sent && len(q.pipe.stmts) == 0:
		// Nothing was read or written: nothing to begin or commit.
	case lazy != nil && !lazy.sent:
		// Only deferred writes: they go with the BEGIN and COMMIT.
		lazy.sent = true
		err = commitPipelined(ctx, conn, append(beginStmts(), q.pipe.stmts...))
	case q.pipe == nil || len(q.pipe.stmts) == 0:
		_, err = conn.ExecContext(ctx, `COMMIT`)
	default:
		err = commitPipelined(ctx, conn, q.pipe.stmts)
	}
	q.marks.committed()
	if err != nil {
		return rollback(fmt.Errorf("store: commit: %w", err))
	}
	settled = true
	return nil
}

// beginStmts is linkBegin as deferred statements.
func beginStmts() []pipelined {
	out := make([]pipelined, len(linkBegin))
	for k, q := range linkBegin {
		out[k] = pipelined{query: q} // no table: an error is the begin's
	}
	return out
}

// commitPipelined sends stmts and COMMIT in one batch. After a failed
// statement the server skips the rest, COMMIT included, and the
// transaction is left to be rolled back.
func commitPipelined(ctx context.Context, conn *sql.Conn, stmts []pipelined) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: pipeline: driver connection is %T", dc)
		}
		b := &pgx.Batch{}
		for _, s := range stmts {
			b.Queue(s.query, s.args...)
		}
		b.Queue(`COMMIT`)
		br := c.Conn().SendBatch(ctx, b)
		for _, s := range stmts {
			if _, err := br.Exec(); err != nil {
				br.Close()
				if s.what == "" {
					return fmt.Errorf("store: begin: %w", err)
				}
				return insertError(s.what, err)
			}
		}
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
		return br.Close()
	})
}
