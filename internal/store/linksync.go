package store

import (
	"bytes"
	"context"
	"fmt"
	"strings"
)

// LinkIndex is a link index computed from scratch, each part in key order,
// ready to replace what is stored.
type LinkIndex struct {
	Identifiers []*Identifier // by id
	// Occurrence returns the n-th of Occurrences occurrences, in
	// (identifier, organisation, report) order. It may reuse its result.
	Occurrences int
	Occurrence  func(n int) *Occurrence
	Links       []*ReportLink // by report id
}

// SyncStats counts the rows SyncLinks changed.
type SyncStats struct {
	Inserted, Updated, Deleted int
}

func (s SyncStats) add(o SyncStats) SyncStats {
	return SyncStats{s.Inserted + o.Inserted, s.Updated + o.Updated, s.Deleted + o.Deleted}
}

// SyncLinks makes the stored link index equal to ix (inside [DB.Bulk],
// after [Q.LockLinks]). It reads each table once in key order, merges it
// with ix and writes only the difference, so a rebuild of an index that
// was right writes nothing, and one into an empty index is a bulk load in
// key order.
func (q Q) SyncLinks(ctx context.Context, ix *LinkIndex) (SyncStats, error) {
	var total SyncStats
	st, err := q.syncIdentifiers(ctx, ix.Identifiers)
	if err != nil {
		return total, err
	}
	total = total.add(st)
	if st, err = q.syncOccurrences(ctx, ix); err != nil {
		return total, err
	}
	total = total.add(st)
	st, err = q.syncReportLinks(ctx, ix.Links)
	return total.add(st), err
}

// diff merges stored keys (read in order by next) with n computed ones: it
// returns the positions of computed rows to insert and to update (same
// differs) and the stored keys to delete.
func diff(n int, key func(i int) string, next func() (string, bool, error), same func(i int) bool) (ins, upd []int, del []string, err error) {
	i := 0
	for {
		k, ok, err := next()
		if err != nil {
			return nil, nil, nil, err
		}
		if !ok {
			break
		}
		for i < n && key(i) < k {
			ins = append(ins, i)
			i++
		}
		if i < n && key(i) == k {
			if !same(i) {
				upd = append(upd, i)
			}
			i++
			continue
		}
		del = append(del, k)
	}
	for ; i < n; i++ {
		ins = append(ins, i)
	}
	return ins, upd, del, nil
}

func (q Q) syncIdentifiers(ctx context.Context, ids []*Identifier) (SyncStats, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierCols+` FROM identifiers ORDER BY id`)
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync identifiers: %w", err)
	}
	// The stored row is compared as stored: its categories as JSON text,
	// not decoded (two million identifiers make that count). A sealed value
	// is deterministic, so an unchanged one compares equal.
	var cur Identifier
	var cats string
	ins, upd, del, err := diff(len(ids), func(i int) string { return ids[i].ID }, func() (string, bool, error) {
		if !rows.Next() {
			return "", false, rows.Err()
		}
		if err := rows.Scan(&cur.ID, &cur.Kind, &cur.Sealed, &cur.Side, &cur.ReportCount, &cur.OrgCount, &cur.FirstSeen, &cur.LastSeen, &cats); err != nil {
			return "", false, err
		}
		return cur.ID, true, nil
	}, func(i int) bool {
		n := ids[i]
		return cur.Kind == n.Kind && bytes.Equal(cur.Sealed, n.Sealed) && cur.Side == n.Side && cur.ReportCount == n.ReportCount && cur.OrgCount == n.OrgCount &&
			cur.FirstSeen == n.FirstSeen && cur.LastSeen == n.LastSeen && cats == mustJSON(nonNil(n.Categories))
	})
	rows.Close()
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync identifiers: %w", err)
	}
	if err := q.deleteKeys(ctx, "identifiers", []string{"id"}, del); err != nil {
		return SyncStats{}, err
	}
	changed := make([]string, len(upd))
	for k, i := range upd {
		if err := q.UpdateIdentifier(ctx, ids[i]); err != nil {
			return SyncStats{}, err
		}
		changed[k] = ids[i].ID
	}
	// Its side may have changed: the check's kept row says whether it is
	// public.
	if len(changed) <= 100_000 {
		if err := q.MarkTrust(ctx, changed); err != nil {
			return SyncStats{}, err
		}
	} else if err := q.MarkAllTrust(ctx); err != nil {
		return SyncStats{}, err
	}
	if err := q.CopyIdentifiers(ctx, pick(ids, ins)); err != nil {
		return SyncStats{}, err
	}
	return SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)}, nil
}

func pick[T any](all []T, at []int) []T {
	out := make([]T, len(at))
	for k, i := range at {
		out[k] = all[i]
	}
	return out
}

func occurrenceKey(o *Occurrence) string {
	return o.IdentifierID + "\x00" + o.OrgID + "\x00" + o.ReportID
}

func (q Q) syncOccurrences(ctx context.Context, ix *LinkIndex) (SyncStats, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT identifier_id, org_id, report_id, role, confidence FROM identifier_occurrences ORDER BY identifier_id, org_id, report_id`)
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync occurrences: %w", err)
	}
	var cur Occurrence
	ins, upd, del, err := diff(ix.Occurrences, func(i int) string { return occurrenceKey(ix.Occurrence(i)) }, func() (string, bool, error) {
		if !rows.Next() {
			return "", false, rows.Err()
		}
		if err := rows.Scan(&cur.IdentifierID, &cur.OrgID, &cur.ReportID, &cur.Role, &cur.Confidence); err != nil {
			return "", false, err
		}
		return occurrenceKey(&cur), true, nil
	}, func(i int) bool {
		o := ix.Occurrence(i)
		// Confidence is stored as a REAL, single precision on PostgreSQL.
		return o.Role == cur.Role && float32(o.Confidence) == float32(cur.Confidence)
	})
	rows.Close()
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync occurrences: %w", err)
	}
	if err := q.deleteKeys(ctx, "identifier_occurrences", []string{"identifier_id", "org_id", "report_id"}, del); err != nil {
		return SyncStats{}, err
	}
	for _, i := range upd {
		o := ix.Occurrence(i)
		if _, err := q.q.ExecContext(ctx, `UPDATE identifier_occurrences SET role = $1, confidence = $2 WHERE identifier_id = $3 AND org_id = $4 AND report_id = $5`,
			o.Role, o.Confidence, o.IdentifierID, o.OrgID, o.ReportID); err != nil {
			return SyncStats{}, fmt.Errorf("store: sync occurrences: %w", err)
		}
	}
	if err := q.CopyOccurrences(ctx, len(ins), func(n int) *Occurrence { return ix.Occurrence(ins[n]) }); err != nil {
		return SyncStats{}, err
	}
	// The public check's assessment of an identifier whose reports or
	// roles changed must be weighed again.
	changed := make([]string, 0, len(del)+len(ins)+len(upd))
	for _, i := range upd {
		changed = append(changed, ix.Occurrence(i).IdentifierID)
	}
	for _, k := range del {
		id, _, _ := strings.Cut(k, "\x00")
		changed = append(changed, id)
	}
	for _, i := range ins {
		changed = append(changed, ix.Occurrence(i).IdentifierID)
	}
	mark := q.MarkTrust
	if len(changed) > 100_000 { // a rebuild from empty: one statement
		mark = func(ctx context.Context, _ []string) error { return q.MarkAllTrust(ctx) }
	}
	if err := mark(ctx, changed); err != nil {
		return SyncStats{}, err
	}
	return SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)}, nil
}

func (q Q) syncReportLinks(ctx context.Context, links []*ReportLink) (SyncStats, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, cluster_id, identifiers FROM report_links ORDER BY report_id`)
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync report links: %w", err)
	}
	var id, cluster, refs string
	ins, upd, del, err := diff(len(links), func(i int) string { return links[i].ReportID }, func() (string, bool, error) {
		if !rows.Next() {
			return "", false, rows.Err()
		}
		if err := rows.Scan(&id, &cluster, &refs); err != nil {
			return "", false, err
		}
		return id, true, nil
	}, func(i int) bool { return links[i].ClusterID == cluster && EncodeRefs(links[i].Identifiers) == refs })
	rows.Close()
	if err != nil {
		return SyncStats{}, fmt.Errorf("store: sync report links: %w", err)
	}
	if err := q.deleteKeys(ctx, "report_links", []string{"report_id"}, del); err != nil {
		return SyncStats{}, err
	}
	for _, i := range upd {
		if err := q.PutReportLink(ctx, links[i]); err != nil {
			return SyncStats{}, err
		}
	}
	if err := q.CopyReportLinks(ctx, pick(links, ins)); err != nil {
		return SyncStats{}, err
	}
	return SyncStats{Inserted: len(ins), Updated: len(upd), Deleted: len(del)}, nil
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
