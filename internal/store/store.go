// Package store holds Vigil's SQL: one schema and one set of queries that run
// unchanged on SQLite (modernc.org/sqlite, pure Go) and PostgreSQL (pgx).
// Services own transactions and call the methods of [Q] inside them.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Sentinel errors every method returns wrapped, never nil results with nil
// errors.
var (
	// ErrNotFound means the row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrConflict means a uniqueness or version check failed.
	ErrConflict = errors.New("conflict")
	// ErrStaleSchema means the database needs `vigil migrate`.
	ErrStaleSchema = errors.New("database schema is out of date: run `vigil migrate`")
)

// Engine names a database engine.
type Engine string

// The engines Vigil runs on.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open database: a writer and a reader pool. With SQLite the writer
// is one connection (BEGIN IMMEDIATE) and readers share the WAL; with
// PostgreSQL both are the same pool.
type DB struct {
	Engine Engine
	w      *sql.DB
	r      *sql.DB
	// path is the SQLite file.
	path string
	// lock is the directory lock held since LockExclusive, or nil.
	lock *os.File
	// stmts holds the reader pool's prepared statements for the queries
	// every public check runs (SQLite: see [Q.hotRow]).
	stmts *stmtCache
	// replica is a PostgreSQL streaming replica's pool, or nil: see Public.
	replica *sql.DB
	// ckpt checkpoints SQLite's write-ahead log in the background, or nil.
	ckpt *checkpointer
	// gate orders SQLite's writer between transactions a person waits for
	// and derived ones, or nil (PostgreSQL): see writeGate.
	gate *writeGate
	// kept coalesces the public check's reads on PostgreSQL, or nil: see
	// KeptCheck.
	kept *keptBatcher
	// marks records which identifiers this process's transactions
	// marked for weighing: see Marks.
	marks markLog
}

// Public check reads in flight at once on PostgreSQL, and the most one
// statement reads (keptBatcher). One at a time made the largest batches
// and the most checks a second: on two cores shared with the load
// generator, 32 clients, 12,217/s with one, 9,293 with two, 8,095 with
// four, 7,093 without batching (docs/benchmarks.md, "Public check").
const (
	keptSlots    = 1
	keptBatchMax = 128
)

// KeptCheck is Public().KeptCheck; on PostgreSQL, checks that arrive
// while keptSlots reads are in flight are read together in one statement
// when one returns (keptBatcher).
func (db *DB) KeptCheck(ctx context.Context, identifierID string) (t *Trust, kept bool, err error) {
	if db.kept == nil {
		return db.Public().KeptCheck(ctx, identifierID)
	}
	return db.kept.check(ctx, identifierID)
}

// stmtCache is a set of prepared statements by query text.
type stmtCache struct {
	pool *sql.DB
	m    sync.Map // query → *sql.Stmt
}

// get returns the prepared statement for query, preparing it once.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := c.m.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	s, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	return s, nil
}

// close closes the statements and forgets them, so that a read after the
// pool closed fails as the pool does ("database is closed": unavailable).
func (c *stmtCache) close() error {
	var err error
	c.m.Range(func(q, s any) bool {
		c.m.Delete(q)
		err = errors.Join(err, s.(*sql.Stmt).Close())
		return true
	})
	return err
}

// Options tune an open database.
type Options struct {
	// MaxConns is the most connections the process opens: the PostgreSQL
	// pool, or the SQLite reader pool beside its one writer. Zero means
	// [DefaultMaxConns].
	MaxConns int
	// Replica is a PostgreSQL URL of a streaming replica of the database,
	// or empty. Public reads from it (as many connections again).
	Replica string
}

// DefaultMaxConns is the default connection cap: four per core the process
// may use, at least four. Several servers share one PostgreSQL, whose
// max_connections (100 by default) must cover all of them.
func DefaultMaxConns() int {
	return max(4, 4*runtime.GOMAXPROCS(0))
}

// Open connects to dsn with the default [Options].
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith connects to dsn: "postgres://…" for PostgreSQL, "sqlite:PATH" (or
// a bare path) for SQLite. The SQLite file's directory is created if
// missing.
func OpenWith(ctx context.Context, dsn string, opt Options) (*DB, error) {
	if opt.MaxConns <= 0 {
		opt.MaxConns = DefaultMaxConns()
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		dsn, err := withSessionDefaults(dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db, err := openPostgres(ctx, dsn, opt.MaxConns)
		if err != nil {
			return nil, err
		}
		out := &DB{Engine: Postgres, w: db, r: db}
		out.kept = newKeptBatcher(out.Public, keptSlots, keptBatchMax)
		if opt.Replica != "" {
			dsn, err := withSessionDefaults(opt.Replica)
			if err != nil {
				db.Close()
				return nil, fmt.Errorf("store: open replica: %w", err)
			}
			if out.replica, err = openPostgres(ctx, dsn, opt.MaxConns); err != nil {
				db.Close()
				return nil, fmt.Errorf("store: replica: %w", err)
			}
		}
		return out, nil
	}
	if opt.Replica != "" {
		return nil, fmt.Errorf("store: a replica needs PostgreSQL")
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	if err := createSQLite(ctx, path); err != nil {
		return nil, err
	}
	// busy_timeout first so the other pragmas wait rather than fail.
	// mmap: pages are read from the OS page cache in place rather than
	// copied by a system call each (a scan of a million reports spent most
	// of its time in pread without it).
	// secure_delete: deleted rows and freed pages are overwritten with
	// zeros, so what was deleted (a destroyed data key, the plaintext link
	// index migration 0008 drops) does not linger in the file.
	pragmas := "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=mmap_size(17179869184)&_pragma=secure_delete(1)"
	// The writer's own checkpoints only fence the log: see checkpointer.
	w, err := sql.Open("sqlite", "file:"+path+pragmas+fmt.Sprintf("&_pragma=cache_size(-262144)&_pragma=wal_autocheckpoint(%d)&_txlock=immediate", writerCheckpointPages))
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite writer: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", "file:"+path+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite reader: %w", err)
	}
	r.SetMaxOpenConns(opt.MaxConns)
	r.SetMaxIdleConns(opt.MaxConns)
	if err := os.Chmod(path, 0o600); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("store: restrict %s: %w", path, err)
	}
	ckpt, err := startCheckpointer(ctx, "file:"+path+pragmas, checkpointEvery)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return &DB{Engine: SQLite, w: w, r: r, path: path, stmts: &stmtCache{pool: r}, ckpt: ckpt, gate: &writeGate{}}, nil
}

// sessionDefaults are the PostgreSQL settings each of Vigil's connections
// asks for unless the database address sets them itself (as
// "?jit=on&…"). Vigil's queries are short index walks; when the planner
// overestimates one (a search term's rows, estimated from a sample of a
// skewed column), it plans parallel workers and JIT compilation, which
// cost tens of milliseconds to start, hundreds on a busy machine, for a
// query that reads a few pages: at a million reports a Thai search took
// 186 ms at the median with them and 2 ms without (docs/benchmarks.md,
// "Search").
var sessionDefaults = [][2]string{{"jit", "off"}, {"max_parallel_workers_per_gather", "0"}}

// clientCheck is the PostgreSQL setting (14 and later) that has a server
// look, while a statement runs, whether the client is still there, and end
// the statement if it is not. Without it a statement runs to its end after
// the process that sent it died: after `vigil demo --reports 1000000` a
// trust save whose plan read its table once a row ran on for more than 15
// minutes after the demo had exited, holding the row locks the next
// server's saves waited for (docs/benchmarks.md, "The BEGIN with the first
// reads"). Set after connecting, not in the address, which an older server
// would refuse.
const clientCheck = "client_connection_check_interval"

// clientCheckEvery is how often the server looks.
const clientCheckEvery = "10s"

// checkClient sets clientCheck on a new connection to a server that has
// it, unless the address set it (own).
func checkClient(ctx context.Context, c *pgx.Conn, own bool) error {
	if own {
		return nil
	}
	v := c.PgConn().ParameterStatus("server_version") // "15.20 (Debian …)"
	major, _, _ := strings.Cut(v, ".")
	if n, err := strconv.Atoi(strings.TrimSpace(major)); err != nil || n < 14 {
		return nil
	}
	if _, err := c.Exec(ctx, "SET "+clientCheck+" = '"+clientCheckEvery+"'"); err != nil {
		return fmt.Errorf("store: set %s: %w", clientCheck, err)
	}
	return nil
}

// withSessionDefaults adds sessionDefaults to a postgres:// address's
// query, each unless it is there already.
func withSessionDefaults(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", errors.New("the database address is not a URL") // the error could hold the password
	}
	q := u.Query()
	for _, kv := range sessionDefaults {
		if !q.Has(kv[0]) {
			q.Set(kv[0], kv[1])
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// sqlitePageSize is the page size of a new SQLite file: four times
// SQLite's default, so a scan or a bulk load of millions of rows makes a
// quarter of the page reads (each a system call beyond SQLite's 2 GB mmap
// cap) and the B-trees are a level shallower.
const sqlitePageSize = 16384

// createSQLite creates the file at path with sqlitePageSize pages if it
// does not exist yet. The page size is fixed by the first table, and WAL
// mode (set at every open) would fix it first, so this runs before.
func createSQLite(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil || !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return fmt.Errorf("store: create %s: %w", path, err)
	}
	defer db.Close()
	for _, stmt := range []string{fmt.Sprintf(`PRAGMA page_size = %d`, sqlitePageSize), createSchemaVersion} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: create %s: %w", path, err)
		}
	}
	return nil
}

// Close closes both pools and releases the directory lock.
func (db *DB) Close() error {
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	if db.stmts != nil {
		err = errors.Join(err, db.stmts.close())
	}
	err = errors.Join(err, db.w.Close())
	if db.replica != nil {
		err = errors.Join(err, db.replica.Close())
	}
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	if db.lock != nil {
		err = errors.Join(err, db.lock.Close())
		db.lock = nil
	}
	return err
}

// querier is what *sql.DB, *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs Vigil's queries on a pool or inside a transaction. Every query
// method of the store is a method of Q.
type Q struct {
	q      querier
	engine Engine
	// conn is set inside [DB.Bulk] on PostgreSQL, where CopyRows uses COPY
	// on the transaction's connection.
	conn *sql.Conn
	// stmts is set on SQLite's reader pool (Read): see hotRow. In a read
	// transaction (ReadBatch) readTx is that transaction, through which
	// the pool's prepared statements run.
	stmts  *stmtCache
	readTx *sql.Tx
	// marks is set in a write transaction: see DB.Marks.
	marks *txMarks
	// pipe holds the deferred writes of a pipelined transaction
	// (DB.LinkTx), deferring says q defers them (Deferred), and
	// linksLocked that the transaction holds the link lock.
	pipe        *pipeline
	deferring   bool
	linksLocked bool
}

// openPostgres opens and pings a PostgreSQL pool of at most max
// connections.
func openPostgres(ctx context.Context, dsn string, max int) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// Only the reason: the whole error names the address, which may
		// hold the password.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && pe.Unwrap() != nil {
			return nil, fmt.Errorf("store: open postgres: the database address: %w", pe.Unwrap())
		}
		return nil, errors.New("store: open postgres: the database address cannot be read")
	}
	_, own := cfg.RuntimeParams[clientCheck]
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		return checkClient(ctx, c, own)
	}))
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	return db, nil
}

// Public returns a Q for the public check's and the published range's
// reads: on the replica when one is configured (its answers may lag the
// primary by the replication delay), else as Read.
func (db *DB) Public() Q {
	if db.replica != nil {
		return Q{q: db.replica, engine: db.Engine}
	}
	return db.Read()
}

// Replicated tells whether Public reads from a replica.
func (db *DB) Replicated() bool { return db.replica != nil }

// Read returns a Q on the reader pool, for queries outside a transaction.
func (db *DB) Read() Q { return Q{q: db.r, engine: db.Engine, stmts: db.stmts} }

// PublicBatch is ReadBatch for the public check's reads: through Public,
// on the replica when one is configured.
func (db *DB) PublicBatch(ctx context.Context, fn func(q Q) error) error {
	if db.replica != nil {
		return fn(db.Public())
	}
	return db.ReadBatch(ctx, fn)
}

// ReadBatch runs fn, a worker's many reads in a row, with q on the reader
// pool. On SQLite they are one read transaction on one reader connection
// (fn sees one snapshot). A statement outside a transaction is a read
// transaction of its own, and SQLite drops a connection's whole page cache
// when a transaction begins after anything was written: under intake every
// read started by reading its pages again, which was the trust worker's
// largest cost (a quarter of a server's CPU under intake, most of it
// decoding pages read back). In one transaction the pages stay cached
// from one statement to the next. On PostgreSQL fn reads as through Read:
// each statement sees the data as it is when it runs. fn's error is
// returned as it is.
func (db *DB) ReadBatch(ctx context.Context, fn func(q Q) error) error {
	if db.Engine != SQLite {
		return fn(db.Read())
	}
	tx, err := db.r.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin read: %w", err)
	}
	// Only reads: nothing to commit, and the reader connections are
	// query_only.
	defer tx.Rollback()
	return fn(Q{q: tx, engine: db.Engine, stmts: db.stmts, readTx: tx})
}

// hotRow runs a one-row query that every public check (or every report
// filed) runs. On SQLite's reader pool it goes through a prepared
// statement kept for the life of the pool: modernc's driver otherwise
// parses the text each time, and parsing was 30 % of a public check's CPU
// at a million reports (the statement is prepared again on each connection
// that runs it, by database/sql). pgx keeps a statement cache per
// connection itself.
func (q Q) hotRow(ctx context.Context, query string, args ...any) *sql.Row {
	if q.stmts != nil {
		if s, err := q.stmts.get(ctx, query); err == nil {
			if q.readTx != nil {
				s = q.readTx.StmtContext(ctx, s)
			}
			return s.QueryRowContext(ctx, args...)
		}
	}
	return q.q.QueryRowContext(ctx, query, args...)
}

// hotQuery is hotRow for a query of many rows that a background worker
// runs again and again: the trust worker's signals of each identifier it
// weighs (parsing was a fifth of a server's CPU under intake), and each
// build of the published range.
func (q Q) hotQuery(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if q.stmts != nil {
		if s, err := q.stmts.get(ctx, query); err == nil {
			if q.readTx != nil {
				s = q.readTx.StmtContext(ctx, s)
			}
			return s.QueryContext(ctx, args...)
		}
	}
	return q.q.QueryContext(ctx, query, args...)
}

// Tx runs fn in one write transaction, committing if fn returns nil and
// rolling back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(q Q) error) error {
	release, err := db.writerTurn(ctx, true)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer release()
	return inTx(ctx, db.w, db, fn)
}

// writerTurn waits for SQLite's writer through the gate (first says the
// transaction is one a person waits for) and returns what ends the turn;
// on PostgreSQL, with no gate, it returns at once.
func (db *DB) writerTurn(ctx context.Context, first bool) (release func(), err error) {
	if db.gate == nil {
		return func() {}, nil
	}
	if err := db.gate.acquire(ctx, first); err != nil {
		return nil, err
	}
	return db.gate.release, nil
}

// DerivedTx is Tx for a transaction that writes only derived data: what
// Vigil computes again from what is already durable if the transaction is
// lost — the link index, the search index's merge, the trust weights,
// screening's hits and the follow-up jobs' leases and outcomes. Its commit
// does not wait for the disk (SQLite: synchronous=NORMAL for this
// transaction, the write-ahead log not synced; PostgreSQL: SET LOCAL
// synchronous_commit = off): the sync was about a fifth of a linking
// batch's hold on SQLite's one writer under intake (docs/benchmarks.md,
// "Fifth round" of the follow-up jobs).
//
// Safe because both engines' logs are written in order: a power cut can
// lose only a suffix of recent commits, and the next ordinary commit (a
// report taken, a staff action, the ledger) syncs every commit before it.
// So a derived write can be lost only together with everything after it:
// a lost link batch loses its jobs' outcomes too and the jobs run again. A
// process crash loses nothing (the log is in the OS's cache). Never for
// what is acknowledged to a person or signed: reports, statements, staff
// actions, audit events, the ledger.
func (db *DB) DerivedTx(ctx context.Context, fn func(q Q) error) error {
	if db.Engine == Postgres {
		return db.pgTx(ctx, `BEGIN; SET LOCAL synchronous_commit = off`, pgDerived, fn)
	}
	release, err := db.writerTurn(ctx, false)
	if err != nil {
		return fmt.Errorf("store: derived transaction: %w", err)
	}
	defer release()
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: derived transaction: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA synchronous = NORMAL`); err != nil {
		conn.Close()
		return fmt.Errorf("store: derived transaction: %w", err)
	}
	txErr := inTx(ctx, conn, db, fn)
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA synchronous = FULL`); err != nil {
		// The writer must not go back to the pool without syncing its
		// commits: drop the connection (the pool opens a new one, with
		// the DSN's pragmas).
		conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
		return errors.Join(txErr, fmt.Errorf("store: derived transaction: restore synchronous: %w", err))
	}
	if err := conn.Close(); err != nil {
		return errors.Join(txErr, fmt.Errorf("store: derived transaction: %w", err))
	}
	return txErr
}

// txBeginner is a pool or a connection that begins transactions.
type txBeginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// inTx runs fn in a transaction begun on b, committing if fn returns nil
// and rolling back otherwise.
func inTx(ctx context.Context, b txBeginner, db *DB, fn func(q Q) error) error {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	marks := &txMarks{log: &db.marks}
	if err := fn(Q{q: tx, engine: db.Engine, marks: marks}); err != nil {
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("store: rollback: %w", rbErr))
		}
		return err
	}
	err = tx.Commit()
	marks.committed()
	if err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Engine reports which engine q runs on.
func (q Q) Engine() Engine { return q.engine }

// Stats are the pool statistics of the reader pool (on PostgreSQL the one
// pool).
func (db *DB) Stats() sql.DBStats { return db.r.Stats() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.r.PingContext(ctx)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, fmt.Errorf("store: read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		v, err := strconv.Atoi(num)
		if err != nil {
			return nil, fmt.Errorf("store: migration %s: bad number: %w", e.Name(), err)
		}
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, fmt.Errorf("store: read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("store: migration %s: want number %d", m.name, i+1)
		}
	}
	return ms, nil
}

// dialect rewrites the few type names that differ between the engines.
func (db *DB) dialect(s string) string {
	if db.Engine == Postgres {
		s = strings.ReplaceAll(s, " BLOB", " BYTEA")
		s = strings.ReplaceAll(s, ") WITHOUT ROWID;", ");")
	}
	return s
}

const createSchemaVersion = `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)`

// SchemaVersion returns the applied schema version and the version this
// binary wants.
func (db *DB) SchemaVersion(ctx context.Context) (have, want int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, 0, err
	}
	want = len(ms)
	exists := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`
	if db.Engine == Postgres {
		exists = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'`
	}
	var n int
	if err := db.w.QueryRowContext(ctx, exists).Scan(&n); err != nil {
		return 0, want, fmt.Errorf("store: schema version: %w", err)
	}
	if n == 0 {
		// No table yet: nothing applied.
		return 0, want, nil
	}
	var v sql.NullInt64
	if err := db.w.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, want, fmt.Errorf("store: schema version: %w", err)
	}
	return int(v.Int64), want, nil
}

// CheckSchema returns ErrStaleSchema unless every migration is applied.
func (db *DB) CheckSchema(ctx context.Context) error {
	have, want, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if have < want {
		return fmt.Errorf("store: schema version %d, want %d: %w", have, want, ErrStaleSchema)
	}
	if have > want {
		return fmt.Errorf("store: schema version %d is newer than this binary knows (%d)", have, want)
	}
	return nil
}

// Migrate applies every migration not yet applied, each in one transaction.
// With PostgreSQL an advisory lock keeps two processes from migrating at once.
func (db *DB) Migrate(ctx context.Context) (applied int, err error) {
	return db.migrate(ctx, -1)
}

// migrate applies the migrations not yet applied up to version upTo (every
// one when upTo < 0).
func (db *DB) migrate(ctx context.Context, upTo int) (applied int, err error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	if upTo >= 0 && upTo < len(ms) {
		ms = ms[:upTo]
	}
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	defer conn.Close()
	if db.Engine == Postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7215001)`); err != nil {
			return 0, fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7215001)`)
	}
	if _, err := conn.ExecContext(ctx, createSchemaVersion); err != nil {
		return 0, fmt.Errorf("store: migrate: %w", err)
	}
	var have sql.NullInt64
	vacuum := false
	if err := conn.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&have); err != nil {
		return 0, fmt.Errorf("store: migrate: read version: %w", err)
	}
	for _, m := range ms {
		if m.version <= int(have.Int64) {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, fmt.Errorf("store: migrate %s: %w", m.name, err)
		}
		for _, stmt := range splitSQL(db.dialect(m.sql)) {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("store: migrate %s: %w", m.name, err)
			}
		}
		if fill := migrationFill(m.name); fill != nil {
			if err := fill(ctx, Q{q: tx, engine: db.Engine}); err != nil {
				tx.Rollback()
				return applied, fmt.Errorf("store: migrate %s: fill: %w", m.name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)`, m.version, Now()); err != nil {
			tx.Rollback()
			return applied, fmt.Errorf("store: migrate %s: record: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("store: migrate %s: commit: %w", m.name, err)
		}
		applied++
		if db.Engine == SQLite && migrationVacuum(m.name) {
			vacuum = true
		}
	}
	if vacuum {
		// Rewrite the file without free pages and empty the WAL, so no
		// page the migration dropped survives in either.
		if err := db.vacuum(ctx, conn); err != nil {
			return applied, fmt.Errorf("store: migrate: %w (the migrations are applied; run VACUUM again by hand)", err)
		}
	}
	return applied, nil
}

// migrationVacuum reports whether a migration removed data that must not
// linger in free pages, so a SQLite file is vacuumed after it. It is keyed
// by the name without its number.
func migrationVacuum(name string) bool {
	return strings.HasSuffix(name, "_sealed_identifiers.sql")
}

// migrationFill returns the Go step a migration runs after its SQL, in the
// same transaction, or nil: for data the SQL cannot compute the same way on
// both engines.
func migrationFill(name string) func(context.Context, Q) error {
	switch {
	case name == "0007_stats.sql":
		return fillStats
	case strings.HasSuffix(name, "_sealed_identifiers.sql"):
		return fillRelink
	case strings.HasSuffix(name, "_report_places.sql"):
		return fillReportPlaces
	}
	return nil
}

// splitSQL splits a migration into statements at semicolons that end a line,
// dropping comment lines.
func splitSQL(s string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(s, "\n") {
		t := strings.TrimSpace(line)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		cur.WriteString(line)
		cur.WriteString("\n")
		if strings.HasSuffix(t, ";") {
			out = append(out, strings.TrimSuffix(strings.TrimSpace(cur.String()), ";"))
			cur.Reset()
		}
	}
	if strings.TrimSpace(cur.String()) != "" {
		out = append(out, cur.String())
	}
	return out
}

// NewID returns a new time-ordered record ID (UUIDv7): ordering by ID orders
// by creation time, which keyset pagination relies on.
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

// Now is the current time as the store keeps it: Unix microseconds, UTC.
func Now() int64 { return time.Now().UnixMicro() }

// Time converts a stored time to time.Time (zero for 0).
func Time(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

// isUnique reports whether err is a uniqueness violation on either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key value")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Ceiling measures the database's own limit for durable inserts of rows the
// size of a report: a bare loop of batched INSERTs (batch rows per
// transaction) into a scratch table, for d. It returns rows per second. The
// scratch table is dropped afterwards.
func (db *DB) Ceiling(ctx context.Context, batch int, rowBytes int, d time.Duration) (float64, error) {
	if _, err := db.w.ExecContext(ctx, db.dialect(`CREATE TABLE IF NOT EXISTS bench_ceiling (id TEXT PRIMARY KEY, body BLOB NOT NULL)`)); err != nil {
		return 0, fmt.Errorf("store: ceiling: %w", err)
	}
	defer db.w.ExecContext(context.WithoutCancel(ctx), `DROP TABLE bench_ceiling`)
	body := make([]byte, rowBytes)
	for i := range body {
		body[i] = byte('a' + i%26)
	}
	n := 0
	start := time.Now()
	for time.Since(start) < d {
		err := db.Tx(ctx, func(q Q) error {
			for i := 0; i < batch; i++ {
				if _, err := q.q.ExecContext(ctx, `INSERT INTO bench_ceiling (id, body) VALUES ($1, $2)`, NewID(), body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("store: ceiling: %w", err)
		}
		n += batch
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// Exec runs one statement as it is. Vigil's own code has a method for each
// query; this is for tests that damage tables on purpose to check a repair.
func (q Q) Exec(ctx context.Context, query string, args ...any) error {
	if _, err := q.q.ExecContext(ctx, query, args...); err != nil {
		return fmt.Errorf("store: exec: %w", err)
	}
	return nil
}

// found is what a read of one row by id returns: the row, ErrNotFound
// (naming what and id) when there is none, or the error, wrapped.
func found[T any](v T, err error, what, id string) (T, error) {
	if errors.Is(err, sql.ErrNoRows) {
		var zero T
		return zero, fmt.Errorf("store: %s %s: %w", what, id, ErrNotFound)
	}
	if err != nil {
		var zero T
		return zero, fmt.Errorf("store: get %s: %w", what, err)
	}
	return v, nil
}
