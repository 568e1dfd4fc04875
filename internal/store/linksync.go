package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// LinkShard is the part of a link index computed from scratch whose
// identifiers fall in [Lo, Hi) ("" Hi: no upper bound), each part in key
// order, ready to replace what is stored there. A rebuild computes the
// index one shard at a time, so its memory is bounded by a shard, not by
// the whole index.
type LinkShard struct {
	Lo, Hi      string
	Identifiers []*Identifier // by id
	// Occurrence returns the n-th of Occurrences occurrences, in
	// (identifier, organisation, report) order. It may reuse its result.
	Occurrences int
	Occurrence  func(n int) *Occurrence
}

// SyncStats counts the rows a sync changed.
type SyncStats struct {
	Inserted, Updated, Deleted int
}

func (s SyncStats) add(o SyncStats) SyncStats {
	return SyncStats{s.Inserted + o.Inserted, s.Updated + o.Updated, s.Deleted + o.Deleted}
}

// LinkSync is the state of a sync of the whole link index spread over
// several calls in one transaction: [Q.SyncLinkShard] for each shard of
// identifiers, [Q.SyncReportLinks] for each range of reports, then
// [Q.FinishLinkSync].
type LinkSync struct {
	// Changed counts the rows written so far.
	Changed SyncStats
	// marks are the identifiers whose public-check assessment must be
	// weighed again (see [Q.MarkTrust]); past 100,000 the sync stops
	// listing them and marks every identifier (a rebuild from empty: one
	// statement).
	marks     []string
	markAll   bool
	unindexed bool // identifierIndexes dropped for a bulk load
}

func (ls *LinkSync) mark(id string) {
	if ls.markAll {
		return
	}
	if len(ls.marks) == 100_000 {
		ls.marks, ls.markAll = nil, true
		return
	}
	ls.marks = append(ls.marks, id)
}

// FinishLinkSync builds the indexes a bulk load dropped and marks the
// identifiers the sync changed for the trust worker.
func (q Q) FinishLinkSync(ctx context.Context, ls *LinkSync) error {
	if ls.unindexed {
		for _, ix := range identifierIndexes {
			if _, err := q.q.ExecContext(ctx, ix.create); err != nil {
				return fmt.Errorf("store: sync links: %w", err)
			}
		}
		ls.unindexed = false
	}
	if ls.markAll {
		return q.MarkAllTrust(ctx)
	}
	return q.MarkTrust(ctx, ls.marks)
}

// keyRange is the condition for col in [lo, hi) and its arguments.
func keyRange(col, lo, hi string) (string, []any) {
	if hi == "" {
		return ` WHERE ` + col + ` >= $1`, []any{lo}
	}
	return ` WHERE ` + col + ` >= $1 AND ` + col + ` < $2`, []any{lo, hi}
}

// SyncLinkShard makes the stored identifiers and occurrences in the
// shard's range equal to sh (inside [DB.Bulk], after [Q.LockLinks]). It
// reads each table's range once in key order, merges it with sh and
// writes only the difference, so a rebuild of an index that was right
// writes nothing, and one into an empty index is a bulk load in key order.
func (q Q) SyncLinkShard(ctx context.Context, ls *LinkSync, sh *LinkShard) error {
	if err := q.syncIdentifiers(ctx, ls, sh); err != nil {
		return err
	}
	return q.syncOccurrences(ctx, ls, sh)
}

// diff merges the stored rows, read in key order by next, with n computed
// ones in key order: cmp(i) compares the i-th computed row's key with the
// current stored row's (negative: the computed row comes first). It
// returns the positions of computed rows to insert and to update (same
// differs) and the keys (delKey) of stored rows to delete. Keys are
// compared in place, never built: a rebuild compares millions.
func diff(n int, cmp func(i int) int, next func() (bool, error), same func(i int) bool, delKey func() string) (ins, upd []int, del []string, err error) {
	i := 0
	for {
		ok, err := next()
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			break
		}
		c := -1
		for i < n {
			if c = cmp(i); c >= 0 {
				break
			}
			ins = append(ins, i)
			i++
		}
		if i < n && c == 0 {
			if !same(i) {
				upd = append(upd, i)
			}
			i++
			continue
		}
		del = append(del, delKey())
	}
	for ; i < n; i++ {
		ins = append(ins, i)
	}
	return ins, upd, del, nil
}

// compare compares a computed key with a stored one read as raw bytes,
// without copying either.
func compare(a string, b sql.RawBytes) int {
	switch {
	case a == string(b):
		return 0
	case a < string(b):
		return -1
	}
	return 1
}

func (q Q) syncIdentifiers(ctx context.Context, ls *LinkSync, sh *LinkShard) error {
	ids := sh.Identifiers
	where, args := keyRange("id", sh.Lo, sh.Hi)
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierCols+` FROM identifiers`+where+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("store: sync identifiers: %w", err)
	}
	// The stored row is compared as stored, in place: its categories as
	// JSON text, not decoded (two million identifiers make that count). A
	// sealed value is deterministic, so an unchanged one compares equal.
	var id, kind, sealed, side, cats sql.RawBytes
	var reports, orgs int
	var first, last int64
	ins, upd, del, err := diff(len(ids), func(i int) int { return compare(ids[i].ID, id) }, func() (bool, error) {
		if !rows.Next() {
			return false, rows.Err()
		}
		return true, rows.Scan(&id, &kind, &sealed, &side, &reports, &orgs, &first, &last, &cats)
	}, func(i int) bool {
		n := ids[i]
		return n.Kind == string(kind) && bytes.Equal(sealed, n.Sealed) && n.Side == string(side) && reports == n.ReportCount && orgs == n.OrgCount &&
			first == n.FirstSeen && last == n.LastSeen && mustJSON(nonNil(n.Categories)) == string(cats)
	}, func() string { return string(id) })
	rows.Close()
	if err != nil {
		return fmt.Errorf("store: sync identifiers: %w", err)
	}
	if err := q.deleteKeys(ctx, "identifiers", []string{"id"}, del); err != nil {
		return err
	}
	for _, i := range upd {
		if err := q.UpdateIdentifier(ctx, ids[i]); err != nil {
			return err
		}
		// Its side may have changed: the check's kept row says whether
		// it is public.
		ls.mark(ids[i].ID)
	}
	// A bulk load drops the secondary indexes once for the whole sync
	// (FinishLinkSync builds them), not once a shard.
	if len(ins) >= 100_000 && !ls.unindexed {
		for _, ix := range identifierIndexes {
			if _, err := q.q.ExecContext(ctx, `DROP INDEX `+ix.name); err != nil {
				return fmt.Errorf("store: sync identifiers: %w", err)
			}
		}
		ls.unindexed = true
	}
	if err := q.copyIdentifiers(ctx, pick(ids, ins)); err != nil {
		return err
	}
	ls.Changed = ls.Changed.add(SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)})
	return nil
}

func pick[T any](all []T, at []int) []T {
	out := make([]T, len(at))
	for k, i := range at {
		out[k] = all[i]
	}
	return out
}

func (q Q) syncOccurrences(ctx context.Context, ls *LinkSync, ix *LinkShard) error {
	where, args := keyRange("identifier_id", ix.Lo, ix.Hi)
	rows, err := q.q.QueryContext(ctx, `SELECT identifier_id, org_id, report_id, role, confidence FROM identifier_occurrences`+where+` ORDER BY identifier_id, org_id, report_id`, args...)
	if err != nil {
		return fmt.Errorf("store: sync occurrences: %w", err)
	}
	var ident, org, report, role sql.RawBytes
	var conf float64
	ins, upd, del, err := diff(ix.Occurrences, func(i int) int {
		o := ix.Occurrence(i)
		if c := compare(o.IdentifierID, ident); c != 0 {
			return c
		}
		if c := compare(o.OrgID, org); c != 0 {
			return c
		}
		return compare(o.ReportID, report)
	}, func() (bool, error) {
		if !rows.Next() {
			return false, rows.Err()
		}
		return true, rows.Scan(&ident, &org, &report, &role, &conf)
	}, func(i int) bool {
		o := ix.Occurrence(i)
		// Confidence is stored as a REAL, single precision on PostgreSQL.
		return o.Role == string(role) && float32(o.Confidence) == float32(conf)
	}, func() string { return string(ident) + "\x00" + string(org) + "\x00" + string(report) })
	rows.Close()
	if err != nil {
		return fmt.Errorf("store: sync occurrences: %w", err)
	}
	if err := q.deleteKeys(ctx, "identifier_occurrences", []string{"identifier_id", "org_id", "report_id"}, del); err != nil {
		return err
	}
	for _, i := range upd {
		o := ix.Occurrence(i)
		if _, err := q.q.ExecContext(ctx, `UPDATE identifier_occurrences SET role = $1, confidence = $2 WHERE identifier_id = $3 AND org_id = $4 AND report_id = $5`,
			o.Role, o.Confidence, o.IdentifierID, o.OrgID, o.ReportID); err != nil {
			return fmt.Errorf("store: sync occurrences: %w", err)
		}
	}
	if err := q.CopyOccurrences(ctx, len(ins), func(n int) *Occurrence { return ix.Occurrence(ins[n]) }); err != nil {
		return err
	}
	// The public check's assessment of an identifier whose reports or
	// roles changed must be weighed again.
	for _, i := range upd {
		ls.mark(ix.Occurrence(i).IdentifierID)
	}
	for _, k := range del {
		id, _, _ := strings.Cut(k, "\x00")
		ls.mark(id)
	}
	for _, i := range ins {
		ls.mark(ix.Occurrence(i).IdentifierID)
	}
	ls.Changed = ls.Changed.add(SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)})
	return nil
}

// SyncReportLinks makes the stored report links with report ids in
// [lo, hi) ("" hi: no upper bound) equal to links (in report id order),
// as SyncLinkShard does for identifiers.
func (q Q) SyncReportLinks(ctx context.Context, ls *LinkSync, lo, hi string, links []*ReportLink) error {
	where, args := keyRange("report_id", lo, hi)
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, cluster_id, identifiers FROM report_links`+where+` ORDER BY report_id`, args...)
	if err != nil {
		return fmt.Errorf("store: sync report links: %w", err)
	}
	var id, cluster, refs sql.RawBytes
	ins, upd, del, err := diff(len(links), func(i int) int { return compare(links[i].ReportID, id) }, func() (bool, error) {
		if !rows.Next() {
			return false, rows.Err()
		}
		return true, rows.Scan(&id, &cluster, &refs)
	}, func(i int) bool {
		return links[i].ClusterID == string(cluster) && EncodeRefs(links[i].Identifiers) == string(refs)
	}, func() string { return string(id) })
	rows.Close()
	if err != nil {
		return fmt.Errorf("store: sync report links: %w", err)
	}
	if err := q.deleteKeys(ctx, "report_links", []string{"report_id"}, del); err != nil {
		return err
	}
	for _, i := range upd {
		if err := q.PutReportLink(ctx, links[i]); err != nil {
			return err
		}
	}
	if err := q.CopyReportLinks(ctx, pick(links, ins)); err != nil {
		return err
	}
	ls.Changed = ls.Changed.add(SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)})
	return nil
}

// deleteKeys deletes rows by key; a key joins its columns with NUL.
func (q Q) deleteKeys(ctx context.Context, table string, cols []string, keys []string) error {
	where := make([]string, len(cols))
	for i, c := range cols {
		where[i] = fmt.Sprintf("%s = $%d", c, i+1)
	}
	text := `DELETE FROM ` + table + ` WHERE ` + strings.Join(where, " AND ")
	for _, k := range keys {
		parts := strings.Split(k, "\x00")
		args := make([]any, len(parts))
		for i, p := range parts {
			args[i] = p
		}
		if _, err := q.q.ExecContext(ctx, text, args...); err != nil {
			return fmt.Errorf("store: delete from %s: %w", table, err)
		}
	}
	return nil
}

// AnalyzeReports refreshes the planner's statistics of the reports and
// their statements on PostgreSQL after a large load (the demo's generated
// reports, a big import). Until autovacuum gets to them — it had not, 15
// minutes after a million reports were loaded on a busy machine — the
// planner took statements.report_id for a column of a few thousand values
// and read a linking batch's statements by scanning every statement
// version: 227 ms to read one report's texts for linking, against 0.2 ms
// after ANALYZE. SQLite's reads here are key look-ups that need none.
func (db *DB) AnalyzeReports(ctx context.Context) error {
	return db.analyze(ctx, "reports", "reports, statements, statement_versions, data_keys, ledger_entries")
}

// AnalyzeAll gathers the planner's statistics of every table on
// PostgreSQL (after a restore, which leaves none); nothing on SQLite.
func (db *DB) AnalyzeAll(ctx context.Context) error {
	return db.analyze(ctx, "every table", "")
}

// AnalyzeLinks refreshes the planner's statistics of the link index on
// PostgreSQL after a large load: until autovacuum gets to it, a planner with
// no statistics took 1.8 ms to plan each public check at a million reports.
// SQLite's queries here are key look-ups that need none.
func (db *DB) AnalyzeLinks(ctx context.Context) error {
	return db.analyze(ctx, "link index", "identifiers, identifier_occurrences, report_links")
}

// TidyAfterBulk vacuums and analyzes, on PostgreSQL, the tables a bulk load
// of reports filled and emptied again (the search index's pending rows, the
// follow-up jobs, the marks for weighing) and analyzes the search index's
// terms. After `vigil demo --reports 1000000` search_pending held no row
// in 980 MB of dead ones, which intake's count of pending rows read through
// on every batch until autovacuum came (it had not, 20 minutes after): intake
// on a million reports went from 89 to 152 reports/s at 16 clients after a
// VACUUM (docs/benchmarks.md, "Follow-up jobs keep up", sixth round).
// Nothing on SQLite.
func (db *DB) TidyAfterBulk(ctx context.Context) error {
	if db.Engine != Postgres {
		return nil
	}
	for _, stmt := range []string{`VACUUM (ANALYZE) search_pending, jobs, trust_pending`, `ANALYZE search_postings`} {
		if _, err := db.w.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: after a bulk load: %s: %w", stmt, err)
		}
	}
	return nil
}

// analyze runs ANALYZE of tables (every table when "") on PostgreSQL,
// naming what in its error; nothing on SQLite.
func (db *DB) analyze(ctx context.Context, what, tables string) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, strings.TrimSpace("ANALYZE "+tables)); err != nil {
		return fmt.Errorf("store: analyze %s: %w", what, err)
	}
	return nil
}
