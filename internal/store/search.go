package store

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-project/vigil/internal/seal"
)

// SearchTerm is one row of the search index: a report has a term. Term is
// a keyed hash (seal.SearchHasher), never the term itself.
type SearchTerm struct {
	Term     []byte
	ReportID string
}

// PutSearchTerms adds rows to the search index as intake writes them: for
// each report one search_pending row holding its hashes concatenated,
// which MergeSearchPending later adds to the terms' posting blocks
// (searches read both meanwhile). A report's 89 terms (on generated data)
// would be 89 blocks to write in the intake transaction; this is one row.
//
// Searches read pending rows whole, so their number is kept bounded: when
// SearchPendingCap or more wait (the merge is behind, under a flood of
// reports), intake merges as many of the oldest as it adds, which costs it
// more and so slows the flood down.
func (q Q) PutSearchTerms(ctx context.Context, ts []SearchTerm) error {
	docs := searchDocs(ts)
	if len(docs) == 0 {
		return nil
	}
	waiting, err := q.CountSearchPending(ctx)
	if err != nil {
		return err
	}
	if waiting >= SearchPendingCap {
		// The merge is behind: this transaction merges as many of the
		// oldest pending rows as it adds. Writing its own rows into the
		// blocks instead would put them ahead of older reports, and every
		// term of those would then be a report older than its last block's
		// newest, each put in place (measured on `vigil demo --reports
		// 100000`: 0.7 ms of CPU a report more than in order).
		if _, err := q.MergeSearchPending(ctx, len(docs)); err != nil {
			return err
		}
	}
	pending := make([][]any, len(docs))
	for i, d := range docs {
		pending[i] = []any{NewID(), d[0], d[1]}
	}
	return q.insertMany(ctx, "search_pending", "id, report_id, terms", pending)
}

// SearchPendingCap is how many search_pending rows may wait before intake
// merges as many as it adds (at 2,000, a search reads about 3 MB
// of pending hashes).
const SearchPendingCap = 2000

// MergeSearchPending adds the rows of at most max search_pending rows,
// oldest report first, to the terms' posting blocks, lists their hashes in
// search_docs, and deletes them from search_pending; it returns how many
// it merged. On PostgreSQL rows another server is merging are passed over,
// and the blocks are written by one transaction at a time (searchLockKey).
func (q Q) MergeSearchPending(ctx context.Context, max int) (int, error) {
	// In the order of their reports, as the blocks take new reports
	// cheapest (appended to a term's last block).
	sel := `SELECT id, report_id, terms FROM search_pending ORDER BY report_id, id LIMIT $1`
	if q.engine == Postgres {
		sel += ` FOR UPDATE SKIP LOCKED`
	}
	rs, err := q.q.QueryContext(ctx, sel, max)
	if err != nil {
		return 0, fmt.Errorf("store: merge search index: %w", err)
	}
	var ids []any
	var terms []SearchTerm
	var docs [][]any
	for rs.Next() {
		var id, report string
		var b []byte
		if err := rs.Scan(&id, &report, &b); err != nil {
			rs.Close()
			return 0, fmt.Errorf("store: merge search index: %w", err)
		}
		ids = append(ids, id)
		docs = append(docs, []any{report, b})
		for t := range hashes(b) {
			terms = append(terms, SearchTerm{Term: t, ReportID: report})
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return 0, fmt.Errorf("store: merge search index: %w", err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	if err := q.addPostings(ctx, terms); err != nil {
		return 0, fmt.Errorf("store: merge search index: %w", err)
	}
	// The merged hashes are listed for erasure.
	if err := q.insertMany(ctx, "search_docs", "report_id, terms", docs); err != nil {
		return 0, fmt.Errorf("store: merge search index: %w", err)
	}
	merged := len(ids)
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		if _, err := q.q.ExecContext(ctx, `DELETE FROM search_pending WHERE id IN (`+numbered(len(chunk), 1)+`)`, chunk...); err != nil {
			return 0, fmt.Errorf("store: merge search index: %w", err)
		}
	}
	return merged, nil
}

// hashes yields the hashes of a search_docs or search_pending row's list.
// A list whose length is not a whole number of hashes yields its whole
// hashes only (lists are written by searchDocs, always whole).
func hashes(b []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := 0; i+seal.SearchTermSize <= len(b); i += seal.SearchTermSize {
			if !yield(b[i : i+seal.SearchTermSize]) {
				return
			}
		}
	}
}

// numbered returns n placeholders "$from, …".
func numbered(n, from int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(from+i)
	}
	return strings.Join(ph, ",")
}

// searchDocs returns the search_docs rows of ts, one for each report,
// holding the report's hashes concatenated in the order given.
func searchDocs(ts []SearchTerm) (docs [][]any) {
	at := map[string]int{}
	for _, t := range ts {
		j, ok := at[t.ReportID]
		if !ok {
			j = len(docs)
			at[t.ReportID] = j
			docs = append(docs, []any{t.ReportID, []byte(nil)})
		}
		docs[j][1] = append(docs[j][1].([]byte), t.Term...)
	}
	return docs
}

// LoadSearchIndex adds n rows to the search index, emptied by
// ClearSearchIndex in the same transaction (meant for [DB.Bulk]), row(i)
// the i-th, given in key order (term, then report id) and after the rows
// of any earlier call, each term's rows in one call: they are packed into
// full posting blocks, each term's rest as its last block, and copied in
// key order (on PostgreSQL by COPY), so each lands at the end of the key's
// B-tree instead of at a random page. The reports' search_docs rows are written
// by PutSearchDocs; AnalyzeSearchIndex follows the last call.
func (q Q) LoadSearchIndex(ctx context.Context, n int, row func(i int) SearchTerm) error {
	blocks, err := loadBlocks(n, row)
	if err == nil {
		err = q.CopyRows(ctx, "search_postings", []string{"term", "k", "lo", "reports"}, len(blocks), func(i int) []any { return blocks[i] })
	}
	if err != nil {
		return fmt.Errorf("store: load search index: %w", err)
	}
	return nil
}

// AnalyzeSearchIndex refreshes the planner's statistics of the search
// index after LoadSearchIndex, on PostgreSQL; nothing on SQLite.
func (q Q) AnalyzeSearchIndex(ctx context.Context) error {
	if q.engine == Postgres {
		if _, err := q.q.ExecContext(ctx, `ANALYZE search_postings`); err != nil {
			return fmt.Errorf("store: load search index: %w", err)
		}
	}
	return nil
}

// PutSearchDocs writes the search_docs rows of a rebuild: for each report,
// the hashes of its rows concatenated (ts holds whole reports).
func (q Q) PutSearchDocs(ctx context.Context, ts []SearchTerm) error {
	docs := searchDocs(ts)
	return q.insertMany(ctx, "search_docs", "report_id, terms", docs)
}

// DeleteSearchTerms removes a report from the search index (when it is
// erased): from the blocks of the terms its search_docs rows list (those
// merged), then those rows and its pending rows.
func (q Q) DeleteSearchTerms(ctx context.Context, reportID string) error {
	// The pending rows first: on PostgreSQL a merge moving one of them
	// holds its lock, so this waits for the merge to commit, and the
	// search_docs rows it wrote are then read below.
	if _, err := q.q.ExecContext(ctx, `DELETE FROM search_pending WHERE report_id = $1`, reportID); err != nil {
		return fmt.Errorf("store: delete search terms: %w", err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT terms FROM search_docs WHERE report_id = $1`, reportID)
	if err != nil {
		return fmt.Errorf("store: delete search terms: %w", err)
	}
	var blobs [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return fmt.Errorf("store: delete search terms: %w", err)
		}
		blobs = append(blobs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: delete search terms: %w", err)
	}
	seen := map[string]bool{}
	var terms [][]byte
	for _, b := range blobs {
		if len(b)%seal.SearchTermSize != 0 {
			return fmt.Errorf("store: delete search terms of %s: a list of %d bytes is not of %d-byte hashes", reportID, len(b), seal.SearchTermSize)
		}
		for t := range hashes(b) {
			if !seen[string(t)] {
				seen[string(t)] = true
				terms = append(terms, t)
			}
		}
	}
	if err := q.removePostings(ctx, terms, reportID); err != nil {
		return fmt.Errorf("store: delete search terms: %w", err)
	}
	if _, err := q.q.ExecContext(ctx, `DELETE FROM search_docs WHERE report_id = $1`, reportID); err != nil {
		return fmt.Errorf("store: delete search terms: %w", err)
	}
	return nil
}

// ClearSearchIndex empties the search index, a rebuild's first step in its
// transaction (see LoadSearchIndex, which must follow in the same
// transaction). It takes the write lock: on SQLite the transaction's
// (searches read the old rows until the rebuild commits), on PostgreSQL
// TRUNCATE's lock on the tables (searches and intake wait for the commit).
// Both leave the key's B-tree empty, with no deleted entry left in it, so
// the rows the rebuild adds in key order all go to its rightmost page and
// fill its pages: after a DELETE on PostgreSQL, the dead entries of the
// rows deleted were spread over the key's range, every page split was a
// split in the middle, and the key at a million reports was 11 GB at 51 %
// leaf density instead of about 6.
func (q Q) ClearSearchIndex(ctx context.Context) error {
	stmts := []string{`DELETE FROM search_postings`, `DELETE FROM search_docs`, `DELETE FROM search_pending`}
	if q.engine == Postgres {
		stmts = []string{`TRUNCATE search_postings, search_docs, search_pending`}
	}
	for _, stmt := range stmts {
		if _, err := q.q.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("store: clear search index: %w", err)
		}
	}
	return nil
}

// CountSearchTerms returns how many (term, report) pairs the search index
// has, those still pending included.
func (q Q) CountSearchTerms(ctx context.Context) (int, error) {
	var n, pending int
	err := q.q.QueryRowContext(ctx, `SELECT (SELECT COALESCE(SUM(LENGTH(reports)), 0) FROM search_postings), (SELECT COALESCE(SUM(LENGTH(terms)), 0) FROM search_pending)`).Scan(&n, &pending)
	if err != nil {
		return 0, fmt.Errorf("store: count search terms: %w", err)
	}
	return n/idSize + pending/seal.SearchTermSize, nil
}

// CountSearchPending returns how many search_pending rows wait for
// MergeSearchPending.
func (q Q) CountSearchPending(ctx context.Context) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_pending`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count search pending: %w", err)
	}
	return n, nil
}

// termDrivingCap bounds how far SearchReports counts a term's reports to
// choose the rarest term.
const termDrivingCap = 2000

// SearchWindow is how many of the rarest term's reports SearchReports
// examines at most by default, when that term is common and the query has
// others:
// two common words no report has together would otherwise have every
// report of one probed for the other (at a million reports 260,000
// probes, 220 ms on SQLite).
const SearchWindow = 10000

// SearchReports returns the reports that have every one of terms, newest
// first, with ids before before ("" for no bound), at most limit. It walks
// the rarest term's reports newest first and probes the others, so it
// reads about limit rows when the terms go together, whatever their
// frequency. When the rarest term is common, the walk stops after window
// of its reports (0: SearchWindow): then stoppedAt is the oldest report it
// examined (continue before it), else "".
//
// Reports whose rows are still pending (search_pending, not yet merged)
// are found too: they are read whole, so the window does not bound them,
// and the merge keeps them few.
func (q Q) SearchReports(ctx context.Context, terms [][]byte, before string, limit, window int) (ids []string, stoppedAt string, err error) {
	if len(terms) == 0 || limit <= 0 {
		return nil, "", nil
	}
	ids, stoppedAt, err = q.searchMerged(ctx, terms, before, limit, window)
	if err != nil {
		return nil, "", err
	}
	pending, err := q.pendingMatches(ctx, terms, before, nil)
	if err != nil || len(pending) == 0 {
		return ids, stoppedAt, err
	}
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	for _, id := range pending {
		// Past where the window stopped, the next page finds it.
		if !seen[id] && (stoppedAt == "" || id >= stoppedAt) {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	if len(ids) >= limit {
		ids, stoppedAt = ids[:limit], ""
	}
	return ids, stoppedAt, nil
}

// searchMerged is SearchReports on the posting blocks alone.
func (q Q) searchMerged(ctx context.Context, terms [][]byte, before string, limit, window int) (ids []string, stoppedAt string, err error) {
	if window <= 0 {
		window = SearchWindow
	}
	var bound *rid
	if before != "" {
		r, err := reportKey(before)
		if err != nil {
			return nil, "", err
		}
		bound = &r
	}
	drive, common := 0, false
	if len(terms) > 1 {
		best := -1
		for i, t := range terms {
			n, err := q.termReportsUpTo(ctx, t, termDrivingCap)
			if err != nil {
				return nil, "", fmt.Errorf("store: search: %w", err)
			}
			if n == 0 {
				return nil, "", nil
			}
			if best < 0 || n < best {
				best, drive = n, i
			}
		}
		common = best >= min(termDrivingCap, window)
	}
	others := q.probers(slices.Delete(slices.Clone(terms), drive, drive+1))
	examined := 0
	var last rid
	err = q.walk(ctx, terms[drive], bound, func(r rid) (bool, error) {
		if common && examined == window {
			stoppedAt = last.String()
			return false, nil
		}
		examined++
		last = r
		ok, err := others.hasAll(ctx, r)
		if err != nil {
			return false, err
		}
		if ok {
			ids = append(ids, r.String())
		}
		return len(ids) < limit, nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("store: search: %w", err)
	}
	return ids, stoppedAt, nil
}

// ReportsWithTerms returns which of reportIDs have every one of terms.
func (q Q) ReportsWithTerms(ctx context.Context, terms [][]byte, reportIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(terms) == 0 || len(reportIDs) == 0 {
		return out, nil
	}
	if err := q.withTerms(ctx, terms, reportIDs, out); err != nil {
		return nil, err
	}
	pending, err := q.pendingMatches(ctx, terms, "", reportIDs)
	if err != nil {
		return nil, err
	}
	for _, id := range pending {
		out[id] = true
	}
	return out, nil
}

// withTerms sets out[id] for those of reportIDs whose merged rows have
// every one of terms.
func (q Q) withTerms(ctx context.Context, terms [][]byte, reportIDs []string, out map[string]bool) error {
	rs := make([]rid, 0, len(reportIDs))
	for _, id := range reportIDs {
		r, err := reportKey(id)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	// Newest first, as the probers read best.
	slices.SortFunc(rs, func(a, b rid) int { return ridCompare(b, a) })
	ps := q.probers(terms)
	for _, r := range rs {
		ok, err := ps.hasAll(ctx, r)
		if err != nil {
			return fmt.Errorf("store: search: %w", err)
		}
		if ok {
			out[r.String()] = true
		}
	}
	return nil
}

// pendingMatches returns the reports with pending rows (search_pending)
// that have every one of terms, in those rows or, for the rest, in the
// posting blocks (a statement added to a report already merged): those with
// ids before before ("" for no bound), or, when within is not nil, those
// of within.
func (q Q) pendingMatches(ctx context.Context, terms [][]byte, before string, within []string) ([]string, error) {
	sel := `SELECT report_id, terms FROM search_pending`
	var args []any
	switch {
	case within != nil:
		var ph string
		ph, args = placeholders(within, 1)
		sel += ` WHERE report_id IN (` + ph + `)`
	case before != "":
		sel += ` WHERE report_id < $1`
		args = []any{before}
	}
	rs, err := q.q.QueryContext(ctx, sel, args...)
	if err != nil {
		return nil, fmt.Errorf("store: search pending: %w", err)
	}
	// found[report][i]: the report's pending rows have terms[i].
	found := map[string]map[int]bool{}
	for rs.Next() {
		var report string
		var b []byte
		if err := rs.Scan(&report, &b); err != nil {
			rs.Close()
			return nil, fmt.Errorf("store: search pending: %w", err)
		}
		for h := range hashes(b) {
			for i, t := range terms {
				if bytes.Equal(h, t) {
					if found[report] == nil {
						found[report] = map[int]bool{}
					}
					found[report][i] = true
				}
			}
		}
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("store: search pending: %w", err)
	}
	var out []string
	// Reports with some of the terms pending and the rest perhaps merged
	// (a statement added to a report already merged): one query for all.
	var partly []string
	for report, have := range found {
		switch {
		case len(have) == len(terms):
			out = append(out, report)
		case len(have) > 0:
			partly = append(partly, report)
		}
	}
	if len(partly) > 0 {
		merged := map[string]bool{}
		// The terms not pending: every one is then either.
		for _, report := range partly {
			var rest [][]byte
			for i, t := range terms {
				if !found[report][i] {
					rest = append(rest, t)
				}
			}
			if err := q.withTerms(ctx, rest, []string{report}, merged); err != nil {
				return nil, err
			}
			if merged[report] {
				out = append(out, report)
			}
		}
	}
	return out, nil
}

// ReportsByIdentifiers returns the reports of organisation orgID in which
// the link index found any of identifierIDs, newest first, with ids before
// before ("" for no bound), at most limit.
func (q Q) ReportsByIdentifiers(ctx context.Context, orgID string, identifierIDs []string, before string, limit int) ([]string, error) {
	if len(identifierIDs) == 0 || limit <= 0 {
		return nil, nil
	}
	ph, args := placeholders(identifierIDs, 2)
	args = append([]any{orgID}, args...)
	cond := ""
	if before != "" {
		args = append(args, before)
		cond = ` AND report_id < $` + strconv.Itoa(len(args))
	}
	out, err := q.strings(ctx, `SELECT DISTINCT report_id FROM identifier_occurrences WHERE org_id = $1 AND identifier_id IN (`+ph+`)`+cond+
		` ORDER BY report_id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: search identifiers: %w", err)
	}
	return out, nil
}

// ReportsWithIdentifiers returns which of reportIDs the link index found
// any of identifierIDs in.
func (q Q) ReportsWithIdentifiers(ctx context.Context, identifierIDs, reportIDs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(identifierIDs) == 0 || len(reportIDs) == 0 {
		return out, nil
	}
	ph, args := placeholders(identifierIDs, 1)
	rph, rargs := placeholders(reportIDs, len(args)+1)
	ids, err := q.strings(ctx, `SELECT DISTINCT report_id FROM identifier_occurrences WHERE identifier_id IN (`+ph+`) AND report_id IN (`+rph+`)`, append(args, rargs...)...)
	if err != nil {
		return nil, fmt.Errorf("store: search identifiers: %w", err)
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// IDsInRange returns the ids of organisation orgID's reports (table
// "reports") or cases ("cases") in [lo, hi), newest first, before before
// ("" for no bound), at most limit: the ids that start with a prefix, given
// as the prefix and the prefix followed by a character above every id
// character.
func (q Q) IDsInRange(ctx context.Context, table, orgID, lo, hi, before string, limit int) ([]string, error) {
	if table != "reports" && table != "cases" {
		return nil, fmt.Errorf("store: ids in range: no table %q", table)
	}
	args := []any{orgID, lo, hi}
	cond := ""
	if before != "" {
		args = append(args, before)
		cond = ` AND id < $4`
	}
	out, err := q.strings(ctx, `SELECT id FROM `+table+` WHERE org_id = $1 AND id >= $2 AND id < $3`+cond+` ORDER BY id DESC LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, fmt.Errorf("store: ids in range: %w", err)
	}
	return out, nil
}

// ReferredCases returns the ids of the cases referred to organisation
// orgID, with the ids of their reports.
func (q Q) ReferredCases(ctx context.Context, orgID string) (map[string][]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT r.case_id, cr.report_id FROM referrals r JOIN case_reports cr ON cr.case_id = r.case_id WHERE r.to_org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: referred cases: %w", err)
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var c, r string
		if err := rows.Scan(&c, &r); err != nil {
			return nil, fmt.Errorf("store: referred cases: %w", err)
		}
		out[c] = append(out[c], r)
	}
	return out, rows.Err()
}

// DeleteErasedSearchTerms removes the rows of every erased report that
// still has some.
func (q Q) DeleteErasedSearchTerms(ctx context.Context) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM search_pending WHERE report_id IN (SELECT id FROM reports WHERE erased_at <> 0)`); err != nil {
		return fmt.Errorf("store: delete erased search terms: %w", err)
	}
	ids, err := q.strings(ctx, `SELECT DISTINCT d.report_id FROM search_docs d JOIN reports r ON r.id = d.report_id WHERE r.erased_at <> 0`)
	if err != nil {
		return fmt.Errorf("store: delete erased search terms: %w", err)
	}
	for _, id := range ids {
		if err := q.DeleteSearchTerms(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
