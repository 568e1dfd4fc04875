package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// ReportSignal is what the public check weighs of one report naming an
// identifier (links.Check): when and how it came, who entered it, and
// whether staff found it credible. It holds nothing sealed.
type ReportSignal struct {
	ReportID      string
	OrgID         string
	Channel       string
	Language      string
	CreatedBy     string // "" for a report from the public
	ReceivedAt    int64
	IncidentTypes []string
	// Verified says staff triaged the report as credible: it is in a case,
	// or staff marked it verified (report_verifications).
	Verified bool
}

// IdentifierSignals returns the newest limit reports naming an identifier,
// newest first, with their signals. The reports read are bounded by
// limit however often the identifier was seen: the newest are picked from
// the occurrences' key before any report is read (joined first, SQLite read
// every report naming an identifier and sorted them: 11 ms a weighing at
// 1M reports, 0.7 ms now). The key itself orders an identifier's
// occurrences by organisation first, so all of them are read and sorted;
// an index in report order made weighing faster and linking, which holds
// SQLite's writer, slower at 2.5M reports, and was not kept
// (docs/benchmarks.md, "Two and a half million reports").
func (q Q) IdentifierSignals(ctx context.Context, identifierID string, limit int) ([]*ReportSignal, error) {
	// SQLite prefers the unique key for r.id = …; the covering index
	// reports_signals is one probe where the key is two (migration 0029).
	hint := ""
	if q.engine == SQLite {
		hint = " INDEXED BY reports_signals"
	}
	rows, err := q.hotQuery(ctx, `SELECT '', `+signalCols+`
		FROM (SELECT report_id FROM identifier_occurrences WHERE identifier_id = $1 ORDER BY report_id DESC LIMIT $2) o
		JOIN reports r`+hint+` ON r.id = o.report_id ORDER BY r.id DESC`, identifierID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: identifier signals: %w", err)
	}
	out := map[string][]*ReportSignal{}
	if err := scanSignals(rows, out); err != nil {
		return nil, err
	}
	return out[""], nil
}

// signalCols are a report's signals as IdentifierSignals reads them (r is
// the report), in scanSignals' order after the identifier.
const signalCols = `r.id, r.org_id, r.channel, r.language, r.created_by, r.received_at, r.incident_types,
		CASE WHEN EXISTS (SELECT 1 FROM case_reports c WHERE c.report_id = r.id) OR EXISTS (SELECT 1 FROM report_verifications v WHERE v.report_id = r.id) THEN 1 ELSE 0 END`

// scanSignals reads rows of an identifier's ID and signalCols into out,
// by identifier, in the rows' order, and closes rows.
func scanSignals(rows *sql.Rows, out map[string][]*ReportSignal) error {
	defer rows.Close()
	for rows.Next() {
		var s ReportSignal
		var identifierID, types string
		var verified int
		if err := rows.Scan(&identifierID, &s.ReportID, &s.OrgID, &s.Channel, &s.Language, &s.CreatedBy, &s.ReceivedAt, &types, &verified); err != nil {
			return fmt.Errorf("store: identifier signals: %w", err)
		}
		if err := json.Unmarshal([]byte(types), &s.IncidentTypes); err != nil {
			return fmt.Errorf("store: report %s incident_types: %w", s.ReportID, err)
		}
		s.Verified = verified != 0
		out[identifierID] = append(out[identifierID], &s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: identifier signals: %w", err)
	}
	return nil
}

// IdentifiersSignals is IdentifierSignals of many identifiers, by
// identifier (one absent from the map is named by no report). On
// PostgreSQL it is one statement (a lateral join picks each identifier's
// newest limit occurrences), where a statement an identifier cost the
// trust worker a round trip each: under intake at 700 reports/s it fell
// behind by 26,000 identifiers in 30 s. SQLite has no round trip to save
// and reads them one by one through its kept statement.
func (q Q) IdentifiersSignals(ctx context.Context, identifierIDs []string, limit int) (map[string][]*ReportSignal, error) {
	out := make(map[string][]*ReportSignal, len(identifierIDs))
	if len(identifierIDs) == 0 {
		return out, nil
	}
	if q.engine == SQLite {
		for _, id := range identifierIDs {
			rs, err := q.IdentifierSignals(ctx, id, limit)
			if err != nil {
				return nil, err
			}
			if len(rs) > 0 {
				out[id] = rs
			}
		}
		return out, nil
	}
	// An identifier named twice would have its reports read twice.
	unique := slices.Compact(slices.Sorted(slices.Values(identifierIDs)))
	rows, err := q.q.QueryContext(ctx, `SELECT i.id, `+signalCols+`
		FROM unnest($1::text[]) AS i(id)
		CROSS JOIN LATERAL (SELECT report_id FROM identifier_occurrences WHERE identifier_id = i.id ORDER BY report_id DESC LIMIT $2) o
		JOIN reports r ON r.id = o.report_id ORDER BY i.id, r.id DESC`, unique, limit)
	if err != nil {
		return nil, fmt.Errorf("store: identifiers' signals: %w", err)
	}
	if err := scanSignals(rows, out); err != nil {
		return nil, err
	}
	return out, nil
}

// CheckMarks tells whether any organisation registered an identifier as a
// protected (legitimate) contact, and whether any marked it wrongly
// reported: one statement.
func (q Q) CheckMarks(ctx context.Context, identifierID string) (protected, disputed bool, err error) {
	var p, d int
	err = q.q.QueryRowContext(ctx, `SELECT
		CASE WHEN EXISTS (SELECT 1 FROM protected_identifiers WHERE identifier_id = $1) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM identifier_disputes WHERE identifier_id = $1) THEN 1 ELSE 0 END`, identifierID).Scan(&p, &d)
	if err != nil {
		return false, false, fmt.Errorf("store: check marks: %w", err)
	}
	return p != 0, d != 0, nil
}

// ReportVerification is a staff member's word that a report is credible.
type ReportVerification struct {
	ReportID   string
	OrgID      string
	VerifiedBy string
	VerifiedAt int64
}

// PutReportVerification marks a report verified (again: the newest word
// stays).
func (q Q) PutReportVerification(ctx context.Context, v *ReportVerification) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO report_verifications (report_id, org_id, verified_by, verified_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (report_id) DO UPDATE SET verified_by = excluded.verified_by, verified_at = excluded.verified_at`,
		v.ReportID, v.OrgID, v.VerifiedBy, v.VerifiedAt)
	if err != nil {
		return fmt.Errorf("store: put report verification: %w", err)
	}
	return q.markTrustOfReports(ctx, v.ReportID)
}

// DeleteReportVerification takes a report's verified mark back (nothing
// when it has none).
func (q Q) DeleteReportVerification(ctx context.Context, reportID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM report_verifications WHERE report_id = $1`, reportID); err != nil {
		return fmt.Errorf("store: delete report verification: %w", err)
	}
	return q.markTrustOfReports(ctx, reportID)
}

// GetReportVerification returns a report's verified mark (ErrNotFound
// when it has none).
func (q Q) GetReportVerification(ctx context.Context, reportID string) (*ReportVerification, error) {
	var v ReportVerification
	err := q.q.QueryRowContext(ctx, `SELECT report_id, org_id, verified_by, verified_at FROM report_verifications WHERE report_id = $1`, reportID).
		Scan(&v.ReportID, &v.OrgID, &v.VerifiedBy, &v.VerifiedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: report verification %s: %w", reportID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get report verification: %w", err)
	}
	return &v, nil
}

// ProtectedIdentifier is an organisation's own or a partner's contact,
// registered as legitimate. Its value is sealed like an identifier's.
type ProtectedIdentifier struct {
	ID           string
	OrgID        string
	IdentifierID string // the blind index of kind and value (identifiers.id)
	Kind         string
	Sealed       []byte
	Country      string
	Note         string
	CreatedBy    string
	CreatedAt    int64
}

const protectedCols = `id, org_id, identifier_id, kind, sealed_value, country, note, created_by, created_at`

func scanProtected(row interface{ Scan(...any) error }) (*ProtectedIdentifier, error) {
	var p ProtectedIdentifier
	if err := row.Scan(&p.ID, &p.OrgID, &p.IdentifierID, &p.Kind, &p.Sealed, &p.Country, &p.Note, &p.CreatedBy, &p.CreatedAt); err != nil {
		return nil, err
	}
	return &p, nil
}

// PutProtectedIdentifier registers a protected identifier; ErrConflict
// when the organisation registered the same one before.
func (q Q) PutProtectedIdentifier(ctx context.Context, p *ProtectedIdentifier) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO protected_identifiers (`+protectedCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
		p.ID, p.OrgID, p.IdentifierID, p.Kind, p.Sealed, p.Country, p.Note, p.CreatedBy, p.CreatedAt)
	if isUnique(err) {
		return fmt.Errorf("store: protected identifier: %w", ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("store: put protected identifier: %w", err)
	}
	return q.MarkTrust(ctx, []string{p.IdentifierID})
}

// ListProtectedIdentifiers returns an organisation's protected
// identifiers, oldest first.
func (q Q) ListProtectedIdentifiers(ctx context.Context, orgID string) ([]*ProtectedIdentifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: list protected identifiers: %w", err)
	}
	defer rows.Close()
	var out []*ProtectedIdentifier
	for rows.Next() {
		p, err := scanProtected(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list protected identifiers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// GetProtectedIdentifier returns a protected identifier by its id.
func (q Q) GetProtectedIdentifier(ctx context.Context, id string) (*ProtectedIdentifier, error) {
	p, err := scanProtected(q.q.QueryRowContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: protected identifier %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get protected identifier: %w", err)
	}
	return p, nil
}

// DeleteProtectedIdentifier removes a protected identifier.
func (q Q) DeleteProtectedIdentifier(ctx context.Context, id string) error {
	var identifierID string
	err := q.q.QueryRowContext(ctx, `DELETE FROM protected_identifiers WHERE id = $1 RETURNING identifier_id`, id).Scan(&identifierID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: delete protected identifier: %w", err)
	}
	return q.MarkTrust(ctx, []string{identifierID})
}

// PutIdentifierDispute records an organisation's word that an identifier
// was wrongly reported.
func (q Q) PutIdentifierDispute(ctx context.Context, identifierID, orgID, by string, at int64) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO identifier_disputes (identifier_id, org_id, set_by, set_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT (identifier_id, org_id) DO UPDATE SET set_by = excluded.set_by, set_at = excluded.set_at`, identifierID, orgID, by, at)
	if err != nil {
		return fmt.Errorf("store: put identifier dispute: %w", err)
	}
	return q.MarkTrust(ctx, []string{identifierID})
}

// DeleteIdentifierDispute takes an organisation's word back.
func (q Q) DeleteIdentifierDispute(ctx context.Context, identifierID, orgID string) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM identifier_disputes WHERE identifier_id = $1 AND org_id = $2`, identifierID, orgID); err != nil {
		return fmt.Errorf("store: delete identifier dispute: %w", err)
	}
	return q.MarkTrust(ctx, []string{identifierID})
}

// AllProtectedIdentifiers returns every organisation's protected
// identifiers, in id order (for the published range of the public check).
func (q Q) AllProtectedIdentifiers(ctx context.Context) ([]*ProtectedIdentifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+protectedCols+` FROM protected_identifiers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all protected identifiers: %w", err)
	}
	defer rows.Close()
	var out []*ProtectedIdentifier
	for rows.Next() {
		p, err := scanProtected(rows)
		if err != nil {
			return nil, fmt.Errorf("store: all protected identifiers: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Trust is the public check's assessment of an identifier (links.assess),
// kept so that a check reads one row (migration 0029). It holds nothing
// sealed: counts, months and categories of the reports naming it.
type Trust struct {
	IdentifierID string
	// Verified counts verified reports among the newest weighed.
	Verified    int
	First, Last int64 // of the verified reports
	Categories  []string
	// Sources counts independent sources of the unverified reports.
	Sources int
	Shown   bool // the unverified reports may be shown
	Held    bool // a burst of anonymous reports is held for staff
	// Public, Protected and Disputed are the rest of what the check reads:
	// the identifier is public (Identifier.Public), protected by an
	// organisation, marked wrongly reported by one.
	Public, Protected, Disputed bool
	// ChangedAt is when the row was written.
	ChangedAt int64
}

// TrustMark is an identifier whose Trust must be weighed again, with the
// token of the mark: ClearTrustMarks deletes the mark only if no change
// marked it again since it was read.
type TrustMark struct {
	IdentifierID string
	Token        string
}

// MarkTrust marks identifiers for the trust worker (links.RunTrust), in
// the transaction of the change that calls for it, so the check stops
// reading their rows at the same moment the change shows.
func (q Q) MarkTrust(ctx context.Context, identifierIDs []string) error {
	if len(identifierIDs) == 0 {
		return nil
	}
	q.marks.note(identifierIDs, false)
	token := NewID()
	seen := make(map[string]bool, len(identifierIDs))
	rows := make([][]any, 0, len(identifierIDs))
	for _, id := range identifierIDs {
		if !seen[id] {
			seen[id] = true
			rows = append(rows, []any{id, token})
		}
	}
	if err := q.insertMany(ctx, "trust_pending", "identifier_id, token", rows, "ON CONFLICT (identifier_id) DO UPDATE SET token = excluded.token"); err != nil {
		return fmt.Errorf("store: mark trust: %w", err)
	}
	return nil
}

// markTrustOfReports marks the identifiers a report names (as its link row
// lists them; a report not linked yet names none in the index).
func (q Q) markTrustOfReports(ctx context.Context, reportIDs ...string) error {
	links, err := q.GetReportLinks(ctx, reportIDs)
	if err != nil {
		return err
	}
	var ids []string
	for _, l := range links {
		for _, r := range l.Identifiers {
			ids = append(ids, r.IdentifierID)
		}
	}
	return q.MarkTrust(ctx, ids)
}

// MarkAllTrust marks every identifier (after the link index is rebuilt).
func (q Q) MarkAllTrust(ctx context.Context) error {
	q.marks.note(nil, true)
	// "WHERE true": SQLite would read ON CONFLICT as the SELECT's join
	// constraint without it.
	if _, err := q.q.ExecContext(ctx, `INSERT INTO trust_pending (identifier_id, token) SELECT id, $1 FROM identifiers WHERE true
		ON CONFLICT (identifier_id) DO UPDATE SET token = excluded.token`, NewID()); err != nil {
		return fmt.Errorf("store: mark all trust: %w", err)
	}
	if q.engine == Postgres {
		// The table may have gone from empty to millions of rows: plans
		// made from its old statistics read it whole (see SaveTrust).
		// ANALYZE counts this transaction's own rows.
		if _, err := q.q.ExecContext(ctx, `ANALYZE trust_pending`); err != nil {
			return fmt.Errorf("store: mark all trust: analyze: %w", err)
		}
	}
	return nil
}

// PendingTrust returns up to limit marked identifiers, in id order.
func (q Q) PendingTrust(ctx context.Context, limit int) ([]TrustMark, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT identifier_id, token FROM trust_pending ORDER BY identifier_id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending trust: %w", err)
	}
	defer rows.Close()
	var out []TrustMark
	for rows.Next() {
		var m TrustMark
		if err := rows.Scan(&m.IdentifierID, &m.Token); err != nil {
			return nil, fmt.Errorf("store: pending trust: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CountPendingTrust counts the marked identifiers (for metrics).
func (q Q) CountPendingTrust(ctx context.Context) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM trust_pending`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count pending trust: %w", err)
	}
	return n, nil
}

// SaveTrust writes the rows weighed for marks and clears the marks not
// renewed meanwhile. One call is one transaction's work.
func (q Q) SaveTrust(ctx context.Context, ts []*Trust, marks []TrustMark) error {
	rows := make([][]any, len(ts))
	for i, t := range ts {
		cats, err := json.Marshal(t.Categories)
		if err != nil {
			return fmt.Errorf("store: save trust: %w", err)
		}
		if t.Categories == nil {
			cats = []byte("[]")
		}
		rows[i] = []any{t.IdentifierID, int64(t.Verified), t.First, t.Last, string(cats), int64(t.Sources), boolInt(t.Shown), boolInt(t.Held),
			boolInt(t.Public), boolInt(t.Protected), boolInt(t.Disputed), t.ChangedAt}
	}
	if err := q.insertMany(ctx, "identifier_trust", "identifier_id, verified, first_seen, last_seen, categories, sources, shown, held, public, protected, disputed, changed_at", rows,
		`ON CONFLICT (identifier_id) DO UPDATE SET verified = excluded.verified, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
		categories = excluded.categories, sources = excluded.sources, shown = excluded.shown, held = excluded.held,
		public = excluded.public, protected = excluded.protected, disputed = excluded.disputed, changed_at = excluded.changed_at`); err != nil {
		return fmt.Errorf("store: save trust: %w", err)
	}
	// The marks go in chunks, not one statement each: on PostgreSQL a
	// statement a mark was 3,634 round trips of 1.3 ms in a 15 s intake run.
	//
	// On PostgreSQL a mark another transaction holds is passed over: that
	// transaction is marking the identifier again (linking, under the link
	// lock), so the mark will not be the one weighed here and stays, or it
	// is undone and the mark is weighed once more. Waiting for it made
	// linking wait in turn for the marks this transaction had already
	// locked, with the link lock held.
	//
	// The PostgreSQL form names the marks' identifiers as an array on both
	// sides (= ANY), so that its plan reads trust_pending by key whatever
	// the planner believes of the table's size. Written as a join (IN and
	// a join to m), statistics taken while the table was empty and then
	// stale after a rebuild marked 2.1M identifiers gave a plan that read
	// the whole table once for each of its rows: the first save after
	// `vigil demo --reports 1000000` ran for more than 15 minutes, holding
	// the row locks every later save waited for.
	del := `DELETE FROM trust_pending WHERE (identifier_id, token) IN (SELECT i, t FROM m)`
	if q.engine == Postgres {
		del = clearTrustPostgres
	}
	for len(marks) > 0 {
		chunk := marks[:min(len(marks), 500)]
		marks = marks[len(chunk):]
		ids, tokens := make([]string, len(chunk)), make([]string, len(chunk))
		for i, m := range chunk {
			ids[i], tokens[i] = m.IdentifierID, m.Token
		}
		with, args := q.probeTable("m(i, t)", [][]string{ids, tokens}, 1)
		if _, err := q.q.ExecContext(ctx, `WITH `+with+` `+del, args...); err != nil {
			return fmt.Errorf("store: save trust: %w", err)
		}
	}
	return nil
}

// clearTrustPostgres clears the marks m(i, t) on PostgreSQL (SaveTrust);
// TestClearTrustPlan reads its plan under statistics of an empty table.
const clearTrustPostgres = `DELETE FROM trust_pending WHERE identifier_id = ANY(ARRAY(
			SELECT p.identifier_id FROM trust_pending p JOIN m ON p.identifier_id = m.i AND p.token = m.t
			WHERE p.identifier_id = ANY($1::text[]) FOR UPDATE OF p SKIP LOCKED))`

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

const trustCols = `t.identifier_id, t.verified, t.first_seen, t.last_seen, t.categories, t.sources, t.shown, t.held, t.public, t.protected, t.disputed, t.changed_at`

// keptScan scans trustCols of a LEFT JOIN (all NULL when there is no row)
// and the pending mark after them.
type keptScan struct {
	id, cats        sql.NullString
	ver, src, sh, h sql.NullInt64
	pub, prot, disp sql.NullInt64
	first, last, ch sql.NullInt64
	pending         int
}

func (k *keptScan) dest() []any {
	return []any{&k.id, &k.ver, &k.first, &k.last, &k.cats, &k.src, &k.sh, &k.h, &k.pub, &k.prot, &k.disp, &k.ch, &k.pending}
}

// trust is the kept row if there is one and it is not marked, else nil.
func (k *keptScan) trust() (*Trust, error) {
	if !k.id.Valid || k.pending != 0 {
		return nil, nil
	}
	t := &Trust{IdentifierID: k.id.String, Verified: int(k.ver.Int64), First: k.first.Int64, Last: k.last.Int64, Sources: int(k.src.Int64),
		Shown: k.sh.Int64 != 0, Held: k.h.Int64 != 0, Public: k.pub.Int64 != 0, Protected: k.prot.Int64 != 0, Disputed: k.disp.Int64 != 0, ChangedAt: k.ch.Int64}
	if err := json.Unmarshal([]byte(k.cats.String), &t.Categories); err != nil {
		return nil, fmt.Errorf("identifier %s trust categories: %w", t.IdentifierID, err)
	}
	return t, nil
}

// pendingCol is 1 when the identifier is marked for weighing.
const pendingCol = `CASE WHEN EXISTS (SELECT 1 FROM trust_pending p WHERE p.identifier_id = t.identifier_id) THEN 1 ELSE 0 END`

// KeptCheck is the public check's read of an identifier: its kept row
// when that is current (kept true, t its row), or no row and no mark
// (kept true, t nil: the identifier is neither indexed nor protected,
// since indexing or protecting one marks it in the same transaction); else
// kept false, and the caller reads CheckState and weighs. One statement,
// two key look-ups.
func (q Q) KeptCheck(ctx context.Context, identifierID string) (t *Trust, kept bool, err error) {
	// The mark is probed by the queried id, row or no row: one probe
	// serves for "row marked" and "marked before any row".
	var k keptScan
	err = q.hotRow(ctx, `SELECT `+trustCols+`, `+keptMark+`
		FROM (SELECT CAST($1 AS TEXT) AS id) k LEFT JOIN identifier_trust t ON t.identifier_id = k.id`, identifierID).Scan(k.dest()...)
	if err != nil {
		return nil, false, fmt.Errorf("store: kept check: %w", err)
	}
	ans, err := k.kept()
	if err != nil {
		return nil, false, fmt.Errorf("store: kept check: %w", err)
	}
	return ans.Trust, ans.Kept, nil
}

// keptMark is 1 when the queried identifier k.id is marked for weighing.
const keptMark = `CASE WHEN EXISTS (SELECT 1 FROM trust_pending m WHERE m.identifier_id = k.id) THEN 1 ELSE 0 END`

// kept is KeptCheck's answer from a scanned row: not answered while
// marked, else the row (nil when there is none).
func (k *keptScan) kept() (Kept, error) {
	if k.pending != 0 {
		return Kept{}, nil
	}
	t, err := k.trust()
	if err != nil {
		return Kept{}, err
	}
	return Kept{Trust: t, Kept: true}, nil
}

// Kept is one identifier's answer of KeptChecks: as KeptCheck's.
type Kept struct {
	Trust *Trust
	Kept  bool
}

// KeptChecks is KeptCheck for many identifiers in one statement: out[i]
// answers identifierIDs[i] (repeats allowed). On PostgreSQL the text is
// fixed (one array), so pgx prepares it once a connection.
func (q Q) KeptChecks(ctx context.Context, identifierIDs []string) ([]Kept, error) {
	out := make([]Kept, len(identifierIDs))
	if len(identifierIDs) == 0 {
		return out, nil
	}
	at := make(map[string][]int, len(identifierIDs))
	uniq := make([]string, 0, len(identifierIDs))
	for i, id := range identifierIDs {
		if _, seen := at[id]; !seen {
			uniq = append(uniq, id)
		}
		at[id] = append(at[id], i)
	}
	probe, args := q.probeTable("k(id)", [][]string{uniq}, 1)
	// Not through hotQuery: on SQLite the text changes with the count.
	rows, err := q.q.QueryContext(ctx, `WITH `+probe+` SELECT k.id, `+trustCols+`, `+keptMark+`
		FROM k LEFT JOIN identifier_trust t ON t.identifier_id = k.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: kept checks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k keptScan
		if err := rows.Scan(append([]any{&id}, k.dest()...)...); err != nil {
			return nil, fmt.Errorf("store: kept checks: %w", err)
		}
		ans, err := k.kept()
		if err != nil {
			return nil, fmt.Errorf("store: kept checks: %w", err)
		}
		for _, i := range at[id] {
			out[i] = ans
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: kept checks: %w", err)
	}
	return out, nil
}

// TrustMarks tells which of identifiers any organisation protected, and
// which any marked wrongly reported.
func (q Q) TrustMarks(ctx context.Context, identifierIDs []string) (protected, disputed map[string]bool, err error) {
	protected, disputed = map[string]bool{}, map[string]bool{}
	if len(identifierIDs) == 0 {
		return protected, disputed, nil
	}
	for table, out := range map[string]map[string]bool{"protected_identifiers": protected, "identifier_disputes": disputed} {
		in, args := q.inList("identifier_id", identifierIDs, 1)
		ids, err := q.strings(ctx, `SELECT DISTINCT identifier_id FROM `+table+` WHERE `+in, args...)
		if err != nil {
			return nil, nil, fmt.Errorf("store: trust marks: %w", err)
		}
		for _, id := range ids {
			out[id] = true
		}
	}
	return protected, disputed, nil
}

// CheckState is what the public check reads of an identifier, in one
// statement: whether it is indexed and whose side it is on (Side and Staff
// of an Identifier with only those and ID set; nil when not indexed), its
// marks, and its Trust row when that is current (no row, or a row marked
// for weighing again, is nil: the caller weighs the reports itself).
func (q Q) CheckState(ctx context.Context, identifierID string) (i *Identifier, protected, disputed bool, t *Trust, err error) {
	var p, d int
	var k keptScan
	var side, staff sql.NullString
	err = q.hotRow(ctx, `SELECT identifiers.side, COALESCE((SELECT MAX(s.side) FROM identifier_sides s WHERE s.identifier_id = k.id), ''),
		`+trustCols+`, `+pendingCol+`,
		CASE WHEN EXISTS (SELECT 1 FROM protected_identifiers WHERE identifier_id = k.id) THEN 1 ELSE 0 END,
		CASE WHEN EXISTS (SELECT 1 FROM identifier_disputes WHERE identifier_id = k.id) THEN 1 ELSE 0 END
		FROM (SELECT CAST($1 AS TEXT) AS id) k LEFT JOIN identifiers ON identifiers.id = k.id LEFT JOIN identifier_trust t ON t.identifier_id = k.id`,
		identifierID).Scan(append(append([]any{&side, &staff}, k.dest()...), &p, &d)...)
	if err != nil {
		return nil, false, false, nil, fmt.Errorf("store: check state: %w", err)
	}
	if side.Valid {
		i = &Identifier{ID: identifierID, Side: side.String, Staff: staff.String}
	}
	if t, err = k.trust(); err != nil {
		return nil, false, false, nil, fmt.Errorf("store: check state: %w", err)
	}
	return i, p != 0, d != 0, t, nil
}

// RangeRow is an identifier as the published range of the public check
// reads it (links.Publish): the identifier, its kept assessment when that
// is current (nil when missing or marked), and its marks.
type RangeRow struct {
	Identifier
	Trust               *Trust
	Protected, Disputed bool
}

// RangeRows calls fn for identifiers other than places, in no order: with
// since 0, every public one; else every one whose kept assessment was
// written after since (public or not: one that is no longer public leaves
// the range).
func (q Q) RangeRows(ctx context.Context, since int64, fn func(r *RangeRow) error) error {
	if since > 0 {
		return q.rangeRows(ctx, fn, `SELECT `+rangeCols+` FROM identifier_trust t JOIN identifiers ON identifiers.id = t.identifier_id
			WHERE t.changed_at > $1 AND identifiers.kind <> 'place'`, since)
	}
	return q.rangeRows(ctx, fn, `SELECT `+rangeCols+` FROM identifiers LEFT JOIN identifier_trust t ON t.identifier_id = identifiers.id
		WHERE identifiers.kind <> 'place' AND `+publicWhere)
}

// PendingRangeRows calls fn for up to limit identifiers other than places
// that are marked for weighing (their Trust is nil).
func (q Q) PendingRangeRows(ctx context.Context, limit int, fn func(r *RangeRow) error) error {
	return q.rangeRows(ctx, fn, pendingRangeQuery, limit)
}

// pendingRangeQuery reads the marked identifiers from the marks: a CROSS
// JOIN fixes that order on SQLite, whose planner otherwise scanned every
// identifier and looked each up among the marks — 380–440 ms at 2.1M
// identifiers with nothing marked, most of a build of the published range
// from its changes (docs/benchmarks.md). PostgreSQL plans it as any join.
const pendingRangeQuery = `SELECT ` + rangeCols + ` FROM trust_pending m CROSS JOIN identifiers
	LEFT JOIN identifier_trust t ON t.identifier_id = identifiers.id
	WHERE identifiers.id = m.identifier_id AND identifiers.kind <> 'place' LIMIT $1`

// rangeCols are what a RangeRow reads, of identifiers and identifier_trust t.
const rangeCols = `identifiers.id, identifiers.kind, identifiers.sealed_value, identifiers.side, ` + staffSide + `, ` + trustCols + `, ` + pendingCol + `,
	CASE WHEN EXISTS (SELECT 1 FROM protected_identifiers x WHERE x.identifier_id = identifiers.id) THEN 1 ELSE 0 END,
	CASE WHEN EXISTS (SELECT 1 FROM identifier_disputes d WHERE d.identifier_id = identifiers.id) THEN 1 ELSE 0 END`

func (q Q) rangeRows(ctx context.Context, fn func(r *RangeRow) error, query string, args ...any) error {
	rows, err := q.hotQuery(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: range rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r RangeRow
		var k keptScan
		var p, d int
		if err := rows.Scan(append([]any{&r.ID, &r.Kind, &r.Sealed, &r.Side, &r.Staff}, append(k.dest(), &p, &d)...)...); err != nil {
			return fmt.Errorf("store: range rows: %w", err)
		}
		r.Protected, r.Disputed = p != 0, d != 0
		if r.Trust, err = k.trust(); err != nil {
			return fmt.Errorf("store: range rows: %w", err)
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}
