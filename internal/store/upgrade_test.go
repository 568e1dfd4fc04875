package store_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestUpgradeEveryVersion builds a database at every earlier schema
// version with the real migrations, puts rows in every table that exists
// at that version, and upgrades it to the current schema, on both engines:
// every migration applies over data, the schema is current after, and no
// row of a table that still exists is lost. The rows are generated from the
// schema itself (column types and foreign keys, read from SQLite's
// catalogue at that version), so a new migration is covered without a new
// fixture; values that a later migration parses are given in rowValues.
// What old data means to the services (ledger audit, data keys, link
// index, tracking) is checked by cmd/vigil's TestUpgrade on databases made
// by earlier releases.
func TestUpgradeEveryVersion(t *testing.T) {
	ctx := context.Background()
	current := store.MigrationCount()
	pg, err := store.Open(ctx, storetest.DSN(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	start := time.Now()
	for n := 1; n < current; n++ {
		t.Run(fmt.Sprintf("v%02d", n), func(t *testing.T) {
			lite, err := store.Open(ctx, storetest.DSN(t, store.SQLite))
			if err != nil {
				t.Fatal(err)
			}
			defer lite.Close()
			if err := lite.MigrateTo(ctx, n); err != nil {
				t.Fatal(err)
			}
			plan, err := rowPlan(ctx, lite)
			if err != nil {
				t.Fatal(err)
			}
			if err := resetPostgres(ctx, pg); err != nil {
				t.Fatal(err)
			}
			if err := pg.MigrateTo(ctx, n); err != nil {
				t.Fatal(err)
			}
			for _, db := range []*store.DB{lite, pg} {
				if err := fill(ctx, db, plan); err != nil {
					t.Fatalf("%s at version %d: %v", db.Engine, n, err)
				}
				before, err := counts(ctx, db, plan)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatalf("%s: upgrade from version %d with rows in every table: %v", db.Engine, n, err)
				}
				if err := db.CheckSchema(ctx); err != nil {
					t.Fatalf("%s: after the upgrade from %d: %v", db.Engine, n, err)
				}
				after, err := counts(ctx, db, plan)
				if err != nil {
					t.Fatal(err)
				}
				for table, b := range before {
					if a, ok := after[table]; ok && a < b && n >= droppedBy[table] {
						t.Errorf("%s: upgrade from %d: %s had %d rows, has %d", db.Engine, n, table, b, a)
					}
				}
			}
		})
	}
	t.Logf("%d versions upgraded on both engines in %v", current-1, time.Since(start).Round(time.Millisecond))
}

// droppedBy names the tables a migration empties by design, with its
// version: the link index is derived data, and 0010 (sealed identifiers)
// drops it, since plaintext identifiers cannot be sealed in SQL; a links
// job per report rebuilds it. 0030 (posting blocks) moves search_docs'
// rows to search_pending, whose merge writes them again.
var droppedBy = map[string]int{"identifiers": 10, "identifier_occurrences": 10, "report_links": 10, "search_docs": 30}

// tableRows is what fill puts in one table.
type tableRows struct {
	table   string
	columns []string
	rows    [][]any
}

// rowsPerTable is how many rows each table gets.
const rowsPerTable = 3

// rowValues gives the value of columns whose content a migration or an
// index reads (JSON, a kind or status a migration matches on); every other
// column gets a value made from its type. Keyed "table.column"; the value
// may use %d for the row number.
var rowValues = map[string]string{
	"reports.incident_types": `["forced_labour"]`,
	"reports.victims":        `[]`,
	"reports.places":         `[]`,
	"reports.status":         "new",
}

// rowPlan reads the tables of a SQLite database (which has the same schema
// as a PostgreSQL one migrated as far) and makes rowsPerTable rows for each,
// parents before children, foreign keys pointing at the parents' rows.
func rowPlan(ctx context.Context, db *store.DB) ([]tableRows, error) {
	trows, err := db.QueryStrings(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version' ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var tables []string
	for _, r := range trows {
		tables = append(tables, r[0])
	}
	type col struct {
		name, typ string
		// dflt is the column's default as SQL text ('[]' for a JSON
		// array).
		dflt     string
		fkTable  string
		fkColumn string
	}
	cols := map[string][]col{}
	for _, t := range tables {
		rows, err := db.QueryStrings(ctx, `SELECT name, type, dflt_value FROM pragma_table_info($1)`, t)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			cols[t] = append(cols[t], col{name: r[0], typ: strings.ToUpper(r[1]), dflt: r[2]})
		}
		fks, err := db.QueryStrings(ctx, `SELECT "table", "from", "to" FROM pragma_foreign_key_list($1)`, t)
		if err != nil {
			return nil, err
		}
		for _, fk := range fks {
			for i := range cols[t] {
				if cols[t][i].name == fk[1] {
					cols[t][i].fkTable, cols[t][i].fkColumn = fk[0], fk[2]
				}
			}
		}
	}
	// value is the value of table.column in row i: a foreign key takes
	// the referenced row's value.
	var value func(table, column string, i int) any
	value = func(table, column string, i int) any {
		for _, c := range cols[table] {
			if c.name != column {
				continue
			}
			if c.fkTable != "" && (c.fkTable != table || c.fkColumn != column) {
				// A row of a table that refers to itself (a recanting
				// statement) refers to itself.
				return value(c.fkTable, c.fkColumn, i)
			}
			if v, ok := rowValues[table+"."+column]; ok {
				if strings.Contains(v, "%d") {
					return fmt.Sprintf(v, i)
				}
				return v
			}
			switch {
			case c.dflt == "'[]'" || c.dflt == "'{}'":
				// A JSON column: its default, which every reader parses.
				return strings.Trim(c.dflt, "'")
			case strings.Contains(c.typ, "INT"):
				return int64(1000*len(column) + i + 1)
			case strings.Contains(c.typ, "REAL"):
				return float64(i) + 0.5
			case strings.Contains(c.typ, "BLOB"):
				return []byte(fmt.Sprintf("%s.%s.%d", table, column, i))
			}
			return fmt.Sprintf("%s-%s-%d", table, column, i)
		}
		return nil
	}
	// Parents first.
	var order []string
	seen := map[string]bool{}
	var visit func(t string)
	visit = func(t string) {
		if seen[t] {
			return
		}
		seen[t] = true
		for _, c := range cols[t] {
			if c.fkTable != "" && c.fkTable != t {
				visit(c.fkTable)
			}
		}
		order = append(order, t)
	}
	for _, t := range tables {
		visit(t)
	}
	var plan []tableRows
	for _, t := range order {
		tr := tableRows{table: t}
		for _, c := range cols[t] {
			tr.columns = append(tr.columns, c.name)
		}
		for i := range rowsPerTable {
			row := make([]any, len(tr.columns))
			for j, c := range tr.columns {
				row[j] = value(t, c, i)
			}
			tr.rows = append(tr.rows, row)
		}
		plan = append(plan, tr)
	}
	return plan, nil
}

// fill inserts the plan's rows.
func fill(ctx context.Context, db *store.DB, plan []tableRows) error {
	return db.Tx(ctx, func(q store.Q) error {
		for _, tr := range plan {
			ph := make([]string, len(tr.columns))
			quoted := make([]string, len(tr.columns))
			for i, c := range tr.columns {
				ph[i] = fmt.Sprintf("$%d", i+1)
				quoted[i] = `"` + c + `"`
			}
			stmt := fmt.Sprintf(`INSERT INTO %s (%s) VALUES (%s)`, tr.table, strings.Join(quoted, ", "), strings.Join(ph, ", "))
			for _, row := range tr.rows {
				if err := q.Exec(ctx, stmt, row...); err != nil {
					return fmt.Errorf("insert into %s: %w", tr.table, err)
				}
			}
		}
		return nil
	})
}

// counts returns the number of rows of each table of the plan that exists.
func counts(ctx context.Context, db *store.DB, plan []tableRows) (map[string]int, error) {
	out := map[string]int{}
	for _, tr := range plan {
		rows, err := db.QueryStrings(ctx, `SELECT count(*) FROM `+tr.table)
		if err != nil {
			if missing(err) {
				continue
			}
			return nil, fmt.Errorf("count %s: %w", tr.table, err)
		}
		n, err := strconv.Atoi(rows[0][0])
		if err != nil {
			return nil, err
		}
		out[tr.table] = n
	}
	return out, nil
}

// missing reports whether err is about a table that no longer exists.
func missing(err error) bool {
	s := err.Error()
	return strings.Contains(s, "no such table") || strings.Contains(s, "does not exist")
}

// resetPostgres drops every table of the database's schema.
func resetPostgres(ctx context.Context, db *store.DB) error {
	return db.Tx(ctx, func(q store.Q) error {
		return q.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public`)
	})
}
