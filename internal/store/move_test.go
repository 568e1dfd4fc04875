package store_test

import (
	"context"
	"database/sql"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/server/servertest"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestMoveTo moves a SQLite database that the product filled (the demo's
// organisations, accounts, cases, notes and ledger, and generated reports
// linked, weighed and indexed for search) into a new PostgreSQL database,
// and checks that every table holds the same rows there and that the
// schema is the one a migration makes: the keys, indexes and foreign keys
// dropped for the copy are all back.
func TestMoveTo(t *testing.T) {
	ctx := context.Background()
	src, srcDSN := storetest.OpenDSN(t, store.SQLite)
	srv := servertest.New(t, servertest.Options{DB: src})
	servertest.Demo(t, srv)
	if _, err := demo.Bulk(ctx, srv, demo.BulkOptions{Reports: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	// What a migration makes, to compare the moved schema with.
	_, freshDSN := storetest.OpenDSN(t, store.Postgres)

	dstDSN := storetest.DSN(t, store.Postgres)
	dst, err := store.Open(ctx, dstDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	var told int64
	var stages []string
	res, err := src.MoveTo(ctx, dst, store.MoveProgress{Rows: func(_ string, n int64) { told += n }, Stage: func(s string) { stages = append(stages, s) }})
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if told != res.Rows {
		t.Errorf("progress told of %d rows, the move copied %d", told, res.Rows)
	}
	if !slices.Equal(stages, []string{"build", "check"}) {
		t.Errorf("stages %v", stages)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("skipped %v", res.Skipped)
	}
	copied := map[string]int64{}
	for _, tb := range res.Tables {
		copied[tb.Name] = tb.Rows
	}
	// The tables that matter hold rows, so the comparison below compares
	// something.
	for _, name := range []string{"organisations", "users", "reports", "statements", "data_keys", "cases",
		"ledger_entries", "ledger_tiles", "ledger_state", "identifiers", "identifier_occurrences", "search_postings", "watchlist_entries"} {
		if copied[name] == 0 {
			t.Errorf("the move copied no row of %s", name)
		}
	}
	sqliteDB := rawOpen(t, "sqlite", "file:"+strings.TrimPrefix(srcDSN, "sqlite:"))
	pgDB := rawOpen(t, "pgx", dstDSN)
	for _, tb := range res.Tables {
		want, have := rowsOf(t, sqliteDB, tb.Name), rowsOf(t, pgDB, tb.Name)
		if !slices.Equal(want, have) {
			t.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL, and they differ; first of each: %.200q / %.200q",
				tb.Name, len(want), len(have), first(want), first(have))
		}
	}
	fresh := rawOpen(t, "pgx", freshDSN)
	if want, have := schemaOf(t, fresh), schemaOf(t, pgDB); !slices.Equal(want, have) {
		t.Errorf("the moved schema differs from a migrated one:\nmigrated: %s\nmoved:    %s", strings.Join(want, "\n  "), strings.Join(have, "\n  "))
	}

	// A second move into the same database is refused and changes
	// nothing.
	if _, err := src.MoveTo(ctx, dst, store.MoveProgress{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a move into a database that holds one: %v", err)
	}
	if n := len(rowsOf(t, pgDB, "reports")); int64(n) != copied["reports"] {
		t.Errorf("after the refused move PostgreSQL holds %d reports, want %d", n, copied["reports"])
	}
}

// TestMoveEveryTable moves a SQLite database with rows in every table
// (generated from the schema, as TestUpgradeEveryVersion makes them: every
// column type, foreign keys between the rows) and checks that each table
// holds the same rows in PostgreSQL. Then a row PostgreSQL refuses (a text
// with a NUL byte, which SQLite keeps) fails the move with the table, row
// and column named, and leaves the PostgreSQL database as empty as it was,
// so that the move can be tried again once the row is mended.
func TestMoveEveryTable(t *testing.T) {
	ctx := context.Background()
	src, srcDSN := storetest.OpenDSN(t, store.SQLite)
	plan, err := rowPlan(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if err := fill(ctx, src, plan); err != nil {
		t.Fatal(err)
	}
	raw := rawOpen(t, "sqlite", "file:"+strings.TrimPrefix(srcDSN, "sqlite:"))
	if _, err := raw.Exec(`CREATE TABLE bench_ceiling (id TEXT PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes_by_hand (line TEXT)`); err != nil {
		t.Fatal(err)
	}
	dstDSN := storetest.DSN(t, store.Postgres)
	dst, err := store.Open(ctx, dstDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	res, err := src.MoveTo(ctx, dst, store.MoveProgress{})
	if err != nil {
		t.Fatalf("move: %v", err)
	}
	if !slices.Equal(res.Skipped, []string{"notes_by_hand"}) {
		t.Errorf("skipped %v, want the table that is not Vigil's (and not the scratch table)", res.Skipped)
	}
	if len(res.Tables) != len(plan) {
		t.Errorf("moved %d tables, the schema has %d", len(res.Tables), len(plan))
	}
	pgDB := rawOpen(t, "pgx", dstDSN)
	for _, tb := range res.Tables {
		want, have := rowsOf(t, raw, tb.Name), rowsOf(t, pgDB, tb.Name)
		if len(want) < 3 || !slices.Equal(want, have) {
			t.Errorf("table %s: %d rows in SQLite, %d in PostgreSQL; first of each: %.300q / %.300q",
				tb.Name, len(want), len(have), first(want), first(have))
		}
	}

	// A text PostgreSQL cannot hold.
	var id, name string
	if err := raw.QueryRow(`SELECT id, name FROM organisations ORDER BY id LIMIT 1`).Scan(&id, &name); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`UPDATE organisations SET name = ? WHERE id = ?`, "bad\x00name", id); err != nil {
		t.Fatal(err)
	}
	again, err := store.Open(ctx, storetest.DSN(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	_, err = src.MoveTo(ctx, again, store.MoveProgress{})
	if err == nil || !strings.Contains(err.Error(), "table organisations, row id ") || !strings.Contains(err.Error(), "column name: a NUL byte") {
		t.Fatalf("move of a text with a NUL byte: %v, want an error naming the table, row and column", err)
	}
	t.Logf("refused: %v", err)
	if empty, err := again.Empty(ctx); err != nil || !empty {
		t.Fatalf("after the failed move the database is empty: %v, %v; want true", empty, err)
	}
	if _, err := raw.Exec(`UPDATE organisations SET name = ? WHERE id = ?`, name, id); err != nil {
		t.Fatal(err)
	}
	if _, err := src.MoveTo(ctx, again, store.MoveProgress{}); err != nil {
		t.Fatalf("the move again, the row mended: %v", err)
	}

	// Only SQLite to PostgreSQL.
	if _, err := again.MoveTo(ctx, src, store.MoveProgress{}); err == nil {
		t.Error("a move from PostgreSQL to SQLite was not refused")
	}
}

func rawOpen(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// rowsOf returns table's rows, each written out with its columns in
// the order of their names, sorted: the same on both engines for the same
// data. A REAL is compared at PostgreSQL's precision for it (float4).
func rowsOf(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.Query(`SELECT * FROM ` + table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(cols[a], cols[b]) })
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var out []string
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, i := range order {
			b.WriteString(cols[i] + "=")
			switch v := vals[i].(type) {
			case nil:
				b.WriteString("NULL")
			case []byte:
				b.WriteString(hex.EncodeToString(v))
			case string:
				b.WriteString(hex.EncodeToString([]byte(v)))
			case int64:
				b.WriteString(strconv.FormatInt(v, 10))
			case int32:
				b.WriteString(strconv.FormatInt(int64(v), 10))
			case float64:
				b.WriteString(strconv.FormatFloat(float64(float32(v)), 'g', -1, 32))
			case float32:
				b.WriteString(strconv.FormatFloat(float64(v), 'g', -1, 32))
			default:
				t.Fatalf("table %s, column %s: a %T", table, cols[i], v)
			}
			b.WriteString(" ")
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// schemaOf lists a PostgreSQL database's indexes and constraints.
func schemaOf(t *testing.T, db *sql.DB) []string {
	t.Helper()
	rows, err := db.Query(`
		SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = current_schema()
		UNION ALL
		SELECT 'constraint ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
		FROM pg_constraint WHERE connamespace = current_schema()::regnamespace`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	if len(out) < 50 {
		t.Fatalf("only %d indexes and constraints: %v", len(out), out)
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
