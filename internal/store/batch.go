package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// maxParams keeps one statement under both engines' bind-parameter limits
// (SQLite 32766, PostgreSQL 65535).
const maxParams = 30000

// insertMany inserts rows into table with one multi-row INSERT per chunk:
// one round trip for many rows, which group commit depends on. suffix, if
// not empty, ends each statement (e.g. "ON CONFLICT DO NOTHING"). On
// PostgreSQL the rows go as one array a column when their types allow
// (insertArrays).
func (q Q) insertMany(ctx context.Context, table, cols string, rows [][]any, suffix ...string) error {
	if len(rows) == 0 {
		return nil
	}
	if q.engine == Postgres {
		if arrays, types, ok := columnArrays(rows); ok {
			return q.insertArrays(ctx, table, cols, arrays, types, suffix)
		}
	}
	width := len(rows[0])
	per := max(1, maxParams/width)
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(len(rows), start+per)]
		var b strings.Builder
		b.WriteString("INSERT INTO " + table + " (" + cols + ") VALUES ")
		args := make([]any, 0, len(chunk)*width)
		for i, row := range chunk {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for j := range row {
				if j > 0 {
					b.WriteByte(',')
				}
				if q.engine == SQLite {
					// SQLite looks a numbered parameter up in a list of
					// all of them: thousands of $N make parsing quadratic.
					b.WriteByte('?')
				} else {
					b.WriteByte('$')
					b.WriteString(strconv.Itoa(len(args) + j + 1))
				}
			}
			b.WriteByte(')')
			args = append(args, row...)
		}
		for _, s := range suffix {
			b.WriteString(" " + s)
		}
		if err := q.exec(ctx, table, b.String(), args...); err != nil {
			return insertError(table, err)
		}
	}
	return nil
}

// insertError is an insert's error, ErrConflict for a duplicate key.
func insertError(table string, err error) error {
	if isUnique(err) {
		return fmt.Errorf("store: insert into %s: %w", table, ErrConflict)
	}
	return fmt.Errorf("store: insert into %s: %w", table, err)
}

// insertArrays is insertMany on PostgreSQL with the rows passed as one
// array a column (INSERT … SELECT * FROM unnest(…)): one statement
// whatever the number of rows, whose text does not change with it, so the
// driver prepares it once rather than once for every batch size, and the
// server parses a handful of parameters rather than thousands.
func (q Q) insertArrays(ctx context.Context, table, cols string, arrays []any, types []string, suffix []string) error {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + cols + ") SELECT * FROM unnest(")
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+1) + "::" + t + "[]")
	}
	b.WriteByte(')')
	for _, s := range suffix {
		b.WriteString(" " + s)
	}
	if err := q.exec(ctx, table, b.String(), arrays...); err != nil {
		return insertError(table, err)
	}
	return nil
}

// columnArrays returns rows as one typed slice a column with the
// PostgreSQL type of its elements; false when a column holds a value of
// another type than string, []byte, int, int64 or float64, or of two
// types (then insertMany writes VALUES rows).
func columnArrays(rows [][]any) ([]any, []string, bool) {
	width := len(rows[0])
	arrays := make([]any, width)
	types := make([]string, width)
	for j := range width {
		var ok bool
		switch rows[0][j].(type) {
		case string:
			arrays[j], ok = column[string](rows, j)
			types[j] = "text"
		case []byte:
			arrays[j], ok = column[[]byte](rows, j)
			types[j] = "bytea"
		case float64:
			arrays[j], ok = column[float64](rows, j)
			types[j] = "float8"
		case int, int64:
			a := make([]int64, len(rows))
			ok = true
			for i, r := range rows {
				switch v := r[j].(type) {
				case int:
					a[i] = int64(v)
				case int64:
					a[i] = v
				default:
					ok = false
				}
			}
			arrays[j], types[j] = a, "bigint"
		}
		if !ok {
			return nil, nil, false
		}
	}
	return arrays, types, true
}

// column is column j of rows as a []T; false when a value is not a T.
func column[T any](rows [][]any, j int) ([]T, bool) {
	a := make([]T, len(rows))
	for i, r := range rows {
		v, ok := r[j].(T)
		if !ok {
			return nil, false
		}
		a[i] = v
	}
	return a, true
}

// Intake is everything one submitted report writes; PutIntake writes many
// of them with one statement per table.
type Intake struct {
	Report     *Report
	DataKey    []byte
	Statements []*Statement
	Versions   []*StatementVersion
	Entries    []*LedgerEntry
	Audit      []*AuditEvent
	// Jobs are follow-ups (linking, screening, lure scoring), queued in the
	// same transaction so a crash loses none.
	Jobs []*Job
	// Search are the report's rows of the search index (keyed hashes of
	// its terms), written in the same transaction.
	Search []SearchTerm
}

// PutIntake stores a batch of submissions, and adds them to the statistics
// roll-up and the incident-type index in the same transaction.
func (q Q) PutIntake(ctx context.Context, batch []*Intake) error {
	var reports, keys, stmts, versions, entries, audits, jobs [][]any
	var search []SearchTerm
	for _, in := range batch {
		r := in.Report
		reports = append(reports, []any{r.ID, r.OrgID, r.TrackingCode, r.SecretHash, r.Channel, r.Language, r.Country,
			mustJSON(nonNil(r.IncidentTypes)), mustJSON(nonNil(r.Victims)), mustJSON(nonNil(r.Places)), mustJSON(nonNil(r.Subjects)), b2i(r.Urgent), r.Status,
			r.Sealed, r.ErasedAt, r.CreatedBy, r.ReceivedAt, r.UpdatedAt, r.ContactedAt})
		keys = append(keys, []any{r.ID, in.DataKey, r.ReceivedAt})
		for _, s := range in.Statements {
			stmts = append(stmts, []any{s.ID, s.ReportID, s.Kind, nullString(s.RecantsID), s.Language, s.Source, s.TakenBy, s.Circumstances, s.CreatedBy, s.CreatedAt, s.Channel})
		}
		for _, v := range in.Versions {
			versions = append(versions, []any{v.StatementID, v.Version, v.Text, v.Salt, v.CreatedBy, v.CreatedAt})
		}
		for _, e := range in.Entries {
			entries = append(entries, []any{e.ID, e.Kind, e.RecordID, e.Version, e.Entry, e.ReceivedAt})
		}
		for _, j := range in.Jobs {
			jobs = append(jobs, []any{j.ID, j.Kind, j.ReportID, r.ReceivedAt})
		}
		for _, e := range in.Audit {
			row, err := auditRow(e)
			if err != nil {
				return err
			}
			audits = append(audits, row)
		}
		search = append(search, in.Search...)
	}
	steps := []struct {
		table, cols string
		rows        [][]any
	}{
		{"reports", reportCols, reports},
		{"data_keys", "report_id, wrapped, created_at", keys},
		{"statements", statementCols, stmts},
		{"statement_versions", "statement_id, version, text, salt, created_by, created_at", versions},
		{"ledger_entries", "id, kind, record_id, version, entry, received_at", entries},
		{"audit_events", auditCols, audits},
		{"jobs", "id, kind, report_id, run_after", jobs},
	}
	for _, s := range steps {
		if err := q.insertMany(ctx, s.table, s.cols, s.rows); err != nil {
			return err
		}
	}
	if err := q.PutSearchTerms(ctx, search); err != nil {
		return err
	}
	rs := make([]*Report, len(batch))
	for i, in := range batch {
		rs[i] = in.Report
	}
	return q.indexReports(ctx, rs)
}

// probeRows runs query, which reads the probe table named table (see
// probeTable) made of cols, for every 1,000 of its rows, and calls scan
// for each row the query returns.
func (q Q) probeRows(ctx context.Context, table string, cols [][]string, query string, scan func(*sql.Rows) error) error {
	const chunk = 1000
	n := 0
	if len(cols) > 0 {
		n = len(cols[0])
	}
	for start := 0; start < n; start += chunk {
		part := make([][]string, len(cols))
		for i, c := range cols {
			part[i] = c[start:min(n, start+chunk)]
		}
		with, args := q.probeTable(table, part, 1)
		if err := q.scanRows(ctx, "WITH "+with+" "+query, args, scan); err != nil {
			return err
		}
	}
	return nil
}

// scanRows runs query and calls scan for each row.
func (q Q) scanRows(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// inList returns the condition "col IN (…)" for vals, its parameters
// numbered from from, and its arguments. On PostgreSQL it is
// "col = ANY($from::text[])": one array parameter, and a statement text
// that does not change with len(vals), so the driver prepares it once.
func (q Q) inList(col string, vals []string, from int) (string, []any) {
	if q.engine == Postgres {
		return col + " = ANY($" + strconv.Itoa(from) + "::text[])", []any{vals}
	}
	ph, args := placeholders(vals, from)
	return col + " IN (" + ph + ")", args
}

// marks returns n comma-separated "?" parameters (SQLite).
func marks(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// probeTable returns a common table expression ("table AS (…)", table
// being its name and column list, "p(a, b)") of text columns whose k-th row
// holds cols[i][k], and its arguments: one array a column on PostgreSQL
// (unnest: one parameter each, however many rows, numbered from from), a
// VALUES row of "?" a row on SQLite.
func (q Q) probeTable(table string, cols [][]string, from int) (string, []any) {
	if q.engine == Postgres {
		arrays := make([]string, len(cols))
		args := make([]any, len(cols))
		for i, c := range cols {
			arrays[i] = "$" + strconv.Itoa(from+i) + "::text[]"
			args[i] = c
		}
		return table + " AS (SELECT * FROM unnest(" + strings.Join(arrays, ", ") + "))", args
	}
	n := 0
	if len(cols) > 0 {
		n = len(cols[0])
	}
	if n == 0 {
		return table + " AS (SELECT " + strings.TrimSuffix(strings.Repeat("NULL,", len(cols)), ",") + " WHERE 0)", nil
	}
	row := "(" + marks(len(cols)) + ")"
	rows := make([]string, n)
	args := make([]any, 0, n*len(cols))
	for k := range n {
		rows[k] = row
		for _, c := range cols {
			args = append(args, c[k])
		}
	}
	return table + " AS (VALUES " + strings.Join(rows, ",") + ")", args
}
