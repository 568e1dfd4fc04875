package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Moving a SQLite database to PostgreSQL. Both engines hold the same
// schema (the same migrations, BLOB written BYTEA), so a move is a copy of
// every table's rows: nothing in a row depends on the engine (IDs are
// text, times integers, sealed fields opaque bytes, the ledger's tiles
// bytes). What differs is only how fast a large copy goes, so the copy
// drops the destination's keys, indexes and foreign keys, loads every
// table with COPY, and builds them again at the end, all in one
// transaction: a failed or interrupted move leaves no row behind, and the
// rebuilt keys and foreign keys check every row that was loaded.

// MoveTable is one table a move copied.
type MoveTable struct {
	Name string
	Rows int64
}

// MoveResult says what [DB.MoveTo] copied, and how long each stage took.
type MoveResult struct {
	Tables []MoveTable
	Rows   int64
	// Copy is the rows' copy; Build the keys, indexes and foreign keys
	// built again; Check the planner's statistics and the counts compared.
	Copy, Build, Check time.Duration
	// Skipped are the source's tables that are not part of Vigil's schema
	// (left behind, e.g. `vigil bench ceiling`'s scratch table).
	Skipped []string
}

// moveColumn is a destination column and its PostgreSQL type.
type moveColumn struct {
	name, typ string
}

// scratchTables are tables a SQLite file may hold that are not Vigil's
// data: left behind by a move without a word.
var scratchTables = map[string]bool{"bench_ceiling": true}

// MoveTo copies every row of db, a SQLite database at the current schema,
// into dst, an empty PostgreSQL database, which it migrates first. It
// checks that each table holds as many rows in dst as in db afterwards.
// progress is told how it goes. db must not change meanwhile: move a
// stopped server's database, or a backup's.
func (db *DB) MoveTo(ctx context.Context, dst *DB, progress MoveProgress) (*MoveResult, error) {
	if db.Engine != SQLite || dst.Engine != Postgres {
		return nil, fmt.Errorf("store: move: from SQLite to PostgreSQL only, not %s to %s", db.Engine, dst.Engine)
	}
	if progress.Rows == nil {
		progress.Rows = func(string, int64) {}
	}
	if progress.Stage == nil {
		progress.Stage = func(string) {}
	}
	if err := db.CheckSchema(ctx); err != nil {
		return nil, fmt.Errorf("store: move: the SQLite database: %w", err)
	}
	empty, err := dst.Empty(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: move: %w", err)
	}
	if !empty {
		return nil, errors.New("store: move: the PostgreSQL database is not empty: move only into a new database (createdb), never over data")
	}
	// From here on dst holds what the move made, and nothing else: a move
	// that fails drops it again, so that it can be tried once more.
	res, err := db.moveInto(ctx, dst, progress)
	if err != nil {
		if derr := dst.dropSchema(context.WithoutCancel(ctx)); derr != nil {
			err = errors.Join(err, fmt.Errorf("store: move: and then dropping what it had made: %w", derr))
		}
		return nil, err
	}
	return res, nil
}

// MoveProgress hears how a move goes; nil fields are not called.
type MoveProgress struct {
	// Rows is told of rows copied as they go: the table, and the rows
	// since the last call.
	Rows func(table string, rows int64)
	// Stage is told when a stage after the copy begins: "build" (the
	// keys, indexes and foreign keys), then "check" (statistics and
	// counts).
	Stage func(stage string)
}

// moveInto is MoveTo once dst is known to be empty.
func (db *DB) moveInto(ctx context.Context, dst *DB, progress MoveProgress) (*MoveResult, error) {
	if _, err := dst.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("store: move: create the schema: %w", err)
	}
	tables, err := dst.moveTables(ctx)
	if err != nil {
		return nil, err
	}
	res := &MoveResult{}
	if res.Skipped, err = db.moveCheckSource(ctx, tables); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(tables))
	for name := range tables {
		names = append(names, name)
	}
	slices.Sort(names)
	start := time.Now()
	err = dst.pgTx(ctx, `BEGIN`, pgBulk, func(q Q) error {
		rebuild, err := q.dropKeys(ctx)
		if err != nil {
			return err
		}
		// Migrations may have written rows of their own (the source has
		// them too): the tables start empty.
		if _, err := q.q.ExecContext(ctx, `TRUNCATE `+strings.Join(names, ", ")); err != nil {
			return fmt.Errorf("store: move: empty the new tables: %w", err)
		}
		for _, name := range names {
			n, err := q.moveTable(ctx, db, name, tables[name], progress.Rows)
			if err != nil {
				return err
			}
			res.Tables = append(res.Tables, MoveTable{Name: name, Rows: n})
			res.Rows += n
		}
		res.Copy = time.Since(start)
		progress.Stage("build")
		start = time.Now()
		for _, stmt := range rebuild {
			if _, err := q.q.ExecContext(ctx, stmt.sql); err != nil {
				return fmt.Errorf("store: move: %s: %w", stmt.what, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Build = time.Since(start)
	progress.Stage("check")
	start = time.Now()
	if err := dst.AnalyzeAll(ctx); err != nil {
		return nil, fmt.Errorf("store: move: %w", err)
	}
	for _, t := range res.Tables {
		var have, want int64
		if err := dst.w.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&have); err != nil {
			return nil, fmt.Errorf("store: move: count %s: %w", t.Name, err)
		}
		if err := db.r.QueryRowContext(ctx, `SELECT count(*) FROM `+t.Name).Scan(&want); err != nil {
			return nil, fmt.Errorf("store: move: count %s in SQLite: %w", t.Name, err)
		}
		if have != want || have != t.Rows {
			return nil, fmt.Errorf("store: move: table %s holds %d rows in PostgreSQL, %d in SQLite (%d copied)", t.Name, have, want, t.Rows)
		}
	}
	res.Check = time.Since(start)
	return res, nil
}

// dropSchema drops every table of the current schema: what a failed move
// had made in a database that was empty before it.
func (db *DB) dropSchema(ctx context.Context) error {
	rows, err := db.w.QueryContext(ctx, `SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		names = append(names, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	_, err = db.w.ExecContext(ctx, `DROP TABLE `+strings.Join(names, ", ")+` CASCADE`)
	return err
}

// moveTables lists the destination's tables (but schema_version, which
// Migrate wrote) with their columns in order.
func (db *DB) moveTables(ctx context.Context) (map[string][]moveColumn, error) {
	rows, err := db.w.QueryContext(ctx, `
		SELECT c.table_name, c.column_name, c.data_type
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name <> 'schema_version'
		ORDER BY c.table_name, c.ordinal_position`)
	if err != nil {
		return nil, fmt.Errorf("store: move: list the tables: %w", err)
	}
	defer rows.Close()
	tables := map[string][]moveColumn{}
	for rows.Next() {
		var table string
		var c moveColumn
		if err := rows.Scan(&table, &c.name, &c.typ); err != nil {
			return nil, fmt.Errorf("store: move: list the tables: %w", err)
		}
		tables[table] = append(tables[table], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: move: list the tables: %w", err)
	}
	return tables, nil
}

// moveCheckSource checks that db (SQLite) has every table of tables with
// the same columns, and returns its tables that are not Vigil's (but the
// scratch ones).
func (db *DB) moveCheckSource(ctx context.Context, tables map[string][]moveColumn) (skipped []string, err error) {
	rows, err := db.r.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version' ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: move: list SQLite's tables: %w", err)
	}
	var have []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: move: list SQLite's tables: %w", err)
		}
		have = append(have, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: move: list SQLite's tables: %w", err)
	}
	for _, name := range have {
		if _, ok := tables[name]; !ok {
			if !scratchTables[name] {
				skipped = append(skipped, name)
			}
		}
	}
	for name, cols := range tables {
		if !slices.Contains(have, name) {
			return nil, fmt.Errorf("store: move: the SQLite database has no table %s", name)
		}
		src, err := db.r.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY name`, name)
		if err != nil {
			return nil, fmt.Errorf("store: move: columns of %s: %w", name, err)
		}
		var got []string
		for src.Next() {
			var c string
			if err := src.Scan(&c); err != nil {
				src.Close()
				return nil, fmt.Errorf("store: move: columns of %s: %w", name, err)
			}
			got = append(got, c)
		}
		src.Close()
		want := make([]string, len(cols))
		for i, c := range cols {
			want[i] = c.name
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			return nil, fmt.Errorf("store: move: table %s has columns %s in SQLite, %s in PostgreSQL", name, strings.Join(got, ", "), strings.Join(want, ", "))
		}
	}
	return skipped, nil
}

// moveStmt is a statement that builds a key, index or foreign key again.
type moveStmt struct {
	what, sql string
}

// dropKeys drops the schema's foreign keys, primary and unique keys and
// indexes, and returns the statements that build them again: keys first,
// then indexes, then the foreign keys that refer to the keys.
func (q Q) dropKeys(ctx context.Context) ([]moveStmt, error) {
	var keys, fks, drops []moveStmt
	rows, err := q.q.QueryContext(ctx, `
		SELECT c.conrelid::regclass::text, quote_ident(c.conname), c.contype, pg_get_constraintdef(c.oid)
		FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
		WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f') AND c.conrelid <> 'schema_version'::regclass
		ORDER BY c.contype, 1, 2`)
	if err != nil {
		return nil, fmt.Errorf("store: move: list the keys: %w", err)
	}
	for rows.Next() {
		var table, name, kind, def string
		if err := rows.Scan(&table, &name, &kind, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: move: list the keys: %w", err)
		}
		drop := moveStmt{"drop " + name, `ALTER TABLE ` + table + ` DROP CONSTRAINT ` + name}
		add := moveStmt{"key " + name + " of " + table, `ALTER TABLE ` + table + ` ADD CONSTRAINT ` + name + ` ` + def}
		if kind == "f" {
			fks = append(fks, add)
		} else {
			keys = append(keys, add)
		}
		// Sorted so that foreign keys ('f') are dropped before the keys
		// they refer to.
		drops = append(drops, drop)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: move: list the keys: %w", err)
	}
	rows, err = q.q.QueryContext(ctx, `
		SELECT quote_ident(ci.relname), pg_get_indexdef(ix.indexrelid)
		FROM pg_index ix
		JOIN pg_class ci ON ci.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname <> 'schema_version'
		  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.contype IN ('p', 'u', 'x'))
		ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("store: move: list the indexes: %w", err)
	}
	var indexes []moveStmt
	for rows.Next() {
		var name, def string
		if err := rows.Scan(&name, &def); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: move: list the indexes: %w", err)
		}
		drops = append(drops, moveStmt{"drop " + name, `DROP INDEX ` + name})
		indexes = append(indexes, moveStmt{"index " + name, def})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: move: list the indexes: %w", err)
	}
	for _, d := range drops {
		if _, err := q.q.ExecContext(ctx, d.sql); err != nil {
			return nil, fmt.Errorf("store: move: %s: %w", d.what, err)
		}
	}
	return slices.Concat(keys, indexes, fks), nil
}

// moveTable copies table from src into q's PostgreSQL transaction with
// COPY, converting each value to its column's type, and returns the rows
// copied.
func (q Q) moveTable(ctx context.Context, src *DB, table string, cols []moveColumn, progress func(string, int64)) (int64, error) {
	names, quoted := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		names[i], quoted[i] = c.name, `"`+c.name+`"`
	}
	rows, err := src.r.QueryContext(ctx, `SELECT `+strings.Join(quoted, ", ")+` FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("store: move: read %s: %w", table, err)
	}
	defer rows.Close()
	s := &moveSource{rows: rows, table: table, cols: cols, progress: progress,
		vals: make([]any, len(cols)), ptrs: make([]any, len(cols)), out: make([]any, len(cols))}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	var n int64
	err = q.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T", dc)
		}
		n, err = c.Conn().CopyFrom(ctx, pgx.Identifier{table}, names, s)
		return err
	})
	progress(table, s.n-s.told)
	if err != nil {
		if s.bad != nil {
			return 0, s.bad
		}
		return 0, fmt.Errorf("store: move: copy %s (after %d rows): %w", table, s.n, err)
	}
	return n, nil
}

// moveSource is a [pgx.CopyFromSource] over a SQLite table's rows.
type moveSource struct {
	rows     *sql.Rows
	table    string
	cols     []moveColumn
	vals     []any
	ptrs     []any
	out      []any
	n, told  int64
	bad      error
	progress func(string, int64)
}

func (s *moveSource) Next() bool {
	if !s.rows.Next() {
		return false
	}
	s.n++
	if s.n-s.told >= 10_000 {
		s.progress(s.table, s.n-s.told)
		s.told = s.n
	}
	return true
}

func (s *moveSource) Values() ([]any, error) {
	if err := s.rows.Scan(s.ptrs...); err != nil {
		return nil, s.fail(fmt.Errorf("store: move: read %s, row %d: %w", s.table, s.n, err))
	}
	for i, c := range s.cols {
		v, err := moveValue(s.vals[i], c.typ)
		if err != nil {
			return nil, s.fail(fmt.Errorf("store: move: table %s, %s, column %s: %w", s.table, s.row(), c.name, err))
		}
		s.out[i] = v
	}
	return s.out, nil
}

// row names the current row: by its id where the table has one (what an
// operator can look up), else by its place in the read.
func (s *moveSource) row() string {
	for i, c := range s.cols {
		if id, ok := s.vals[i].(string); ok && c.name == "id" {
			return fmt.Sprintf("row id %q", id)
		}
	}
	return fmt.Sprintf("row %d", s.n)
}

func (s *moveSource) fail(err error) error {
	s.bad = err
	return err
}

func (s *moveSource) Err() error {
	if err := s.rows.Err(); err != nil {
		return fmt.Errorf("store: move: read %s: %w", s.table, err)
	}
	return nil
}

// moveValue converts a value SQLite returned to what a PostgreSQL column of
// type typ takes. SQLite's type affinity already stored each value as its
// declared type says (an INTEGER column's text that looks like a number is
// an integer); what is left is the storage classes a column may still hold.
func moveValue(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "bytea":
		switch v := v.(type) {
		case []byte:
			return v, nil
		case string:
			return []byte(v), nil
		}
	case "text":
		var s string
		switch v := v.(type) {
		case string:
			s = v
		case []byte:
			s = string(v)
		default:
			return nil, fmt.Errorf("a %T value where PostgreSQL wants text", v)
		}
		// PostgreSQL's text is UTF-8 without NUL; SQLite keeps any bytes.
		if strings.IndexByte(s, 0) >= 0 {
			return nil, errors.New("a NUL byte, which PostgreSQL's text cannot hold")
		}
		if !utf8.ValidString(s) {
			return nil, errors.New("bytes that are not UTF-8, which PostgreSQL's text cannot hold")
		}
		return s, nil
	case "integer", "bigint", "smallint":
		switch v := v.(type) {
		case int64:
			return v, nil
		case float64:
			if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
				return int64(v), nil
			}
		}
	case "real", "double precision":
		switch v := v.(type) {
		case float64:
			return v, nil
		case int64:
			return float64(v), nil
		}
	default:
		return nil, fmt.Errorf("PostgreSQL type %s is not one a move knows", typ)
	}
	return nil, fmt.Errorf("a %T value where PostgreSQL wants %s", v, typ)
}
