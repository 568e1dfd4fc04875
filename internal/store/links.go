package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Identifier is a normalised identifier with its aggregates. Its value is
// never stored in plaintext: ID is its blind index (a keyed hash of kind and
// value) and Sealed its value sealed under a key derived from the master
// key (see links).
type Identifier struct {
	ID     string
	Kind   string
	Sealed []byte
	// Side is what the reports say: SideVictim once any report has it as a
	// reporter's or victim's contact, else SideRecruiter once any text marks
	// it as the recruiter's, else "".
	Side        string
	ReportCount int
	OrgCount    int
	FirstSeen   int64
	LastSeen    int64
	Categories  []string
	// Staff is what staff said, read with it and never written with it:
	// SideVictim if any organisation marked it victim-side, else
	// SideRecruiter if any confirmed it as the recruiter's, else "".
	Staff string
}

// The sides of an identifier.
const (
	SideVictim    = "victim"
	SideRecruiter = "recruiter"
)

// Public reports whether the public check may answer for i: recruiter-side
// by its text or by staff, and victim-side by neither. publicWhere says the
// same in SQL, for lists.
func (i *Identifier) Public() bool {
	return i.Side != SideVictim && i.Staff != SideVictim && (i.Side == SideRecruiter || i.Staff == SideRecruiter)
}

// VictimSide reports whether a report or staff say i is a victim's or a
// reporter's contact.
func (i *Identifier) VictimSide() bool { return i.Side == SideVictim || i.Staff == SideVictim }

// staffSide is the Staff column of a read: the largest side any
// organisation gave ('victim' sorts after 'recruiter', so victim wins).
const staffSide = `COALESCE((SELECT MAX(s.side) FROM identifier_sides s WHERE s.identifier_id = identifiers.id), '')`

// publicWhere is Identifier.Public as a condition on identifiers.
const publicWhere = `side <> 'victim' AND ` + staffSide + ` <> 'victim' AND (side = 'recruiter' OR ` + staffSide + ` = 'recruiter')`

// Occurrence is one identifier in one report.
type Occurrence struct {
	IdentifierID string
	ReportID     string
	OrgID        string
	Role         string
	Confidence   float64
}

// LinkRef is one of a report's identifiers with its role there.
type LinkRef struct {
	IdentifierID string
	Role         string
}

// ReportLink is a linked report: its cluster and its identifiers.
type ReportLink struct {
	ReportID    string
	ClusterID   string
	LinkedAt    int64
	Identifiers []LinkRef // in IdentifierID order
}

// EncodeRefs is the stored form of a report's identifiers.
func EncodeRefs(refs []LinkRef) string {
	var b strings.Builder
	for i, r := range refs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(r.IdentifierID)
		b.WriteByte(':')
		b.WriteString(r.Role)
	}
	return b.String()
}

func decodeRefs(s string) []LinkRef {
	if s == "" {
		return nil
	}
	parts := strings.Split(s, " ")
	out := make([]LinkRef, len(parts))
	for i, p := range parts {
		id, role, _ := strings.Cut(p, ":")
		out[i] = LinkRef{IdentifierID: id, Role: role}
	}
	return out
}

// identifierCols are the stored columns of identifiers, key first.
const identifierCols = `id, kind, sealed_value, side, report_count, org_count, first_seen, last_seen, categories`

// identifierRead reads identifierCols and what staff said.
const identifierRead = identifierCols + `, ` + staffSide

func scanIdentifier(row interface{ Scan(...any) error }) (*Identifier, error) {
	var i Identifier
	var cats string
	if err := row.Scan(&i.ID, &i.Kind, &i.Sealed, &i.Side, &i.ReportCount, &i.OrgCount, &i.FirstSeen, &i.LastSeen, &cats, &i.Staff); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cats), &i.Categories); err != nil {
		return nil, fmt.Errorf("identifier %s categories: %w", i.ID, err)
	}
	return &i, nil
}

// linksLockKey is the link index's PostgreSQL advisory lock (7215001 is
// the migrations', ledgerLockKey the sequencer's).
const linksLockKey = 7215003

// LockLinks serialises writers of the link index until the transaction
// ends: on PostgreSQL a transaction-scoped advisory lock (two link jobs
// sharing an identifier must see each other's occurrences to put their
// reports in one cluster); SQLite has one writer anyway.
func (q Q) LockLinks(ctx context.Context) error {
	if q.engine != Postgres || q.linksLocked {
		return nil
	}
	if _, err := q.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, linksLockKey); err != nil {
		return fmt.Errorf("store: lock links: %w", err)
	}
	return nil
}

// PutIdentifiers writes identifiers with their aggregates, inserting the
// new ones, in one statement.
func (q Q) PutIdentifiers(ctx context.Context, ids []*Identifier) error {
	rows := make([][]any, len(ids))
	for k, i := range ids {
		rows[k] = identifierRow(i)
	}
	return q.insertMany(ctx, "identifiers", identifierCols, rows, `ON CONFLICT (id) DO UPDATE SET side = excluded.side, report_count = excluded.report_count,
		org_count = excluded.org_count, first_seen = excluded.first_seen, last_seen = excluded.last_seen, categories = excluded.categories`)
}

func identifierRow(i *Identifier) []any {
	return []any{i.ID, i.Kind, i.Sealed, i.Side, i.ReportCount, i.OrgCount, i.FirstSeen, i.LastSeen, mustJSON(nonNil(i.Categories))}
}

// GetIdentifier returns an identifier by id, without what staff said
// (Staff is left empty). An identifier's id is its blind index, so this is
// also the look-up by kind and value.
func (q Q) GetIdentifier(ctx context.Context, id string) (*Identifier, error) {
	i, err := scanIdentifier(q.q.QueryRowContext(ctx, `SELECT `+identifierCols+`, '' FROM identifiers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: identifier: %w", ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: get identifier: %w", err)
	}
	return i, nil
}

// GetIdentifiers returns identifiers by id, in kind and id order.
func (q Q) GetIdentifiers(ctx context.Context, ids []string) ([]*Identifier, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	query, args := q.identifiersQuery(ids)
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: get identifiers: %w", err)
	}
	defer rows.Close()
	return scanIdentifiers(rows)
}

// identifiersQuery is GetIdentifiers' statement for ids and its arguments.
func (q Q) identifiersQuery(ids []string) (string, []any) {
	in, args := q.inList("id", ids, 1)
	return `SELECT ` + identifierRead + ` FROM identifiers WHERE ` + in + ` ORDER BY kind, id`, args
}

// scanIdentifiers reads the rows of identifiersQuery (database/sql's or
// pgx's).
func scanIdentifiers(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]*Identifier, error) {
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: get identifiers: %w", err)
		}
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: get identifiers: %w", err)
	}
	return out, nil
}

// UpdateIdentifier writes an identifier's columns other than its id.
func (q Q) UpdateIdentifier(ctx context.Context, i *Identifier) error {
	_, err := q.q.ExecContext(ctx, `UPDATE identifiers SET kind = $1, sealed_value = $2, side = $3, report_count = $4, org_count = $5, first_seen = $6, last_seen = $7, categories = $8
		WHERE id = $9`, i.Kind, i.Sealed, i.Side, i.ReportCount, i.OrgCount, i.FirstSeen, i.LastSeen, mustJSON(nonNil(i.Categories)), i.ID)
	if err != nil {
		return fmt.Errorf("store: update identifier %s: %w", i.ID, err)
	}
	return nil
}

// IdentifierSide is what one organisation's staff said of an identifier.
type IdentifierSide struct {
	IdentifierID string
	OrgID        string
	Side         string // SideVictim or SideRecruiter
	SetBy        string // user id
	SetAt        int64
}

// PutIdentifierSide records an organisation's word on an identifier,
// replacing what it said before. It is not derived data: a rebuild keeps
// it.
func (q Q) PutIdentifierSide(ctx context.Context, s *IdentifierSide) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO identifier_sides (identifier_id, org_id, side, set_by, set_at) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (identifier_id, org_id) DO UPDATE SET side = excluded.side, set_by = excluded.set_by, set_at = excluded.set_at`,
		s.IdentifierID, s.OrgID, s.Side, s.SetBy, s.SetAt)
	if err != nil {
		return fmt.Errorf("store: put identifier side: %w", err)
	}
	return q.MarkTrust(ctx, []string{s.IdentifierID})
}

// fillRelink queues a links job for every report, after migration 0008
// emptied the link index, so a running server links them all again by
// itself. "links" is the job kind of server.JobLinks.
func fillRelink(ctx context.Context, q Q) error {
	ids, err := q.strings(ctx, `SELECT id FROM reports ORDER BY id`)
	if err != nil {
		return err
	}
	now := Now()
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(len(ids), start+1000)]
		jobs := make([]*Job, len(chunk))
		for k, id := range chunk {
			jobs[k] = &Job{ID: NewID(), Kind: "links", ReportID: id}
		}
		if err := q.PutJobs(ctx, jobs, now); err != nil {
			return err
		}
	}
	return nil
}

func placeholders(vals []string, from int) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return numbered(len(vals), from), args
}

// occurrenceCols are identifier_occurrences' columns, key first.
var occurrenceCols = []string{"identifier_id", "org_id", "report_id", "role", "confidence"}

func occurrenceRow(o *Occurrence) []any {
	return []any{o.IdentifierID, o.OrgID, o.ReportID, o.Role, o.Confidence}
}

// PutOccurrences records identifiers found in a report; seeing the same
// identifier in the same report again keeps the first.
func (q Q) PutOccurrences(ctx context.Context, occ []*Occurrence) error {
	rows := make([][]any, len(occ))
	for i, o := range occ {
		rows[i] = occurrenceRow(o)
	}
	if err := q.insertMany(ctx, "identifier_occurrences", strings.Join(occurrenceCols, ", "), rows, "ON CONFLICT DO NOTHING"); err != nil {
		return err
	}
	ids := make([]string, len(occ))
	for i, o := range occ {
		ids[i] = o.IdentifierID
	}
	return q.MarkTrust(ctx, ids)
}

// SeenInOrg tells which of the identifiers occur in another report of
// the organisation: one statement, one indexed probe per identifier.
func (q Q) SeenInOrg(ctx context.Context, identifierIDs []string, orgID, exceptReport string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(identifierIDs) == 0 {
		return out, nil
	}
	cols := make([]string, len(identifierIDs))
	for k := range identifierIDs {
		cols[k] = fmt.Sprintf(`CASE WHEN EXISTS (SELECT 1 FROM identifier_occurrences WHERE identifier_id = $%d AND org_id = $1 AND report_id <> $2) THEN 1 ELSE 0 END`, k+3)
	}
	_, args := placeholders(identifierIDs, 3)
	seen := make([]int, len(identifierIDs))
	dest := make([]any, len(seen))
	for k := range seen {
		dest[k] = &seen[k]
	}
	if err := q.q.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", "), append([]any{orgID, exceptReport}, args...)...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("store: seen in organisation: %w", err)
	}
	for k, id := range identifierIDs {
		out[id] = seen[k] != 0
	}
	return out, nil
}

// ClustersSharing returns the clusters of the reports other than reportID
// that have any of the identifiers. Every report sharing an identifier is
// in one cluster, so one other report per identifier is enough: one
// statement, one indexed probe per identifier.
func (q Q) ClustersSharing(ctx context.Context, reportID string, identifierIDs []string) ([]string, error) {
	if len(identifierIDs) == 0 {
		return nil, nil
	}
	cols := make([]string, len(identifierIDs))
	for k := range identifierIDs {
		cols[k] = fmt.Sprintf(`COALESCE((SELECT l.cluster_id FROM report_links l WHERE l.report_id = (SELECT o.report_id FROM identifier_occurrences o WHERE o.identifier_id = $%d AND o.report_id <> $1 LIMIT 1)), '')`, k+2)
	}
	_, args := placeholders(identifierIDs, 2)
	found := make([]string, len(identifierIDs))
	dest := make([]any, len(found))
	for k := range found {
		dest[k] = &found[k]
	}
	if err := q.q.QueryRowContext(ctx, `SELECT `+strings.Join(cols, ", "), append([]any{reportID}, args...)...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("store: clusters sharing identifiers: %w", err)
	}
	var out []string
	for _, c := range found {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// LinkProbe is what linking one report reads of the index before writing
// (ProbeLinks).
type LinkProbe struct {
	// Link is the report's link row, nil before it is linked.
	Link *ReportLink
	// Seen tells which identifiers occur in another report of the
	// report's organisation (as SeenInOrg).
	Seen map[string]bool
	// Clusters are those of the other reports having any of the linking
	// identifiers (as ClustersSharing).
	Clusters []string
}

// maxProbeColumns bounds the columns of ProbeLinks' one row (PostgreSQL
// allows 1,664); a report naming more identifiers is read as before.
const maxProbeColumns = 1000

// ProbeLinks reads in one statement what linking one report reads of the
// index: its link row (GetReportLink), which of ids occur in another
// report of orgID (SeenInOrg) and the clusters of other reports having any
// of linkIDs (ClustersSharing). Linking a new report is a dozen round
// trips on PostgreSQL, and these three were the most of its reads. It
// returns nil, and no error, when there are too many identifiers for one
// row: the caller reads them one statement at a time.
func (q Q) ProbeLinks(ctx context.Context, reportID, orgID string, ids, linkIDs []string) (*LinkProbe, error) {
	pq := q.probeQuery(reportID, orgID, ids, linkIDs)
	if pq == nil {
		return nil, nil
	}
	if err := q.q.QueryRowContext(ctx, pq.query, pq.args...).Scan(pq.dest...); err != nil {
		return nil, fmt.Errorf("store: probe links of %s: %w", reportID, err)
	}
	return pq.probe(), nil
}

// ProbeLinksAndRead is ProbeLinks, then GetIdentifiers of ids (what
// linking a report reads before it writes). The first statement of a
// link transaction on PostgreSQL ([DB.LinkTx]) carries the transaction's
// BEGIN, setting and lock with it, so there the four go in one pipelined
// batch: one round trip where they took three. A nil probe (too many
// identifiers for one statement) is returned as ProbeLinks returns it,
// with the identifiers read all the same.
func (q Q) ProbeLinksAndRead(ctx context.Context, reportID, orgID string, ids, linkIDs []string) (*LinkProbe, []*Identifier, error) {
	pq := q.probeQuery(reportID, orgID, ids, linkIDs)
	lazy, ok := q.q.(*beginOnUse)
	if pq == nil || !ok || lazy.sent || len(ids) == 0 || len(ids) > identifiersPerRead {
		p, err := q.ProbeLinks(ctx, reportID, orgID, ids, linkIDs)
		if err != nil {
			return nil, nil, err
		}
		var idents []*Identifier
		for chunk := range slices.Chunk(ids, identifiersPerRead) {
			got, err := q.GetIdentifiers(ctx, chunk)
			if err != nil {
				return nil, nil, err
			}
			idents = append(idents, got...)
		}
		return p, idents, nil
	}
	read, args := q.identifiersQuery(ids)
	var idents []*Identifier
	err := lazy.withBegin(ctx, func(b *pgx.Batch) {
		b.Queue(pq.query, pq.args...)
		b.Queue(read, args...)
	}, func(br pgx.BatchResults) error {
		if err := br.QueryRow().Scan(pq.dest...); err != nil {
			return fmt.Errorf("store: probe links of %s: %w", reportID, err)
		}
		rows, err := br.Query()
		if err != nil {
			return fmt.Errorf("store: get identifiers: %w", err)
		}
		defer rows.Close()
		idents, err = scanIdentifiers(rows)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return pq.probe(), idents, nil
}

// identifiersPerRead bounds the identifiers ProbeLinksAndRead reads in one
// statement (SQLite's IN list).
const identifiersPerRead = 1000

// probeQuery is ProbeLinks' statement, what it scans into and how the
// probe is made of that: nil when the statement would have too many
// columns.
type probeQuery struct {
	query string
	args  []any
	dest  []any
	probe func() *LinkProbe
}

func (q Q) probeQuery(reportID, orgID string, ids, linkIDs []string) *probeQuery {
	if 3+len(ids)+len(linkIDs) > maxProbeColumns {
		return nil
	}
	cols := make([]string, 0, 3+len(ids)+len(linkIDs))
	cols = append(cols, "l.cluster_id", "l.linked_at", "l.identifiers")
	args := make([]any, 0, 2+len(ids)+len(linkIDs))
	args = append(args, reportID)
	if len(ids) > 0 {
		args = append(args, orgID) // $2: PostgreSQL refuses a parameter no column uses
	}
	for _, id := range ids {
		args = append(args, id)
		cols = append(cols, fmt.Sprintf(`CASE WHEN EXISTS (SELECT 1 FROM identifier_occurrences WHERE identifier_id = $%d AND org_id = $2 AND report_id <> $1) THEN 1 ELSE 0 END`, len(args)))
	}
	for _, id := range linkIDs {
		args = append(args, id)
		cols = append(cols, fmt.Sprintf(`COALESCE((SELECT s.cluster_id FROM report_links s WHERE s.report_id = (SELECT o.report_id FROM identifier_occurrences o WHERE o.identifier_id = $%d AND o.report_id <> $1 LIMIT 1)), '')`, len(args)))
	}
	var cluster, refs sql.NullString
	var linkedAt sql.NullInt64
	seen := make([]int, len(ids))
	found := make([]string, len(linkIDs))
	dest := make([]any, 0, len(cols))
	dest = append(dest, &cluster, &linkedAt, &refs)
	for k := range seen {
		dest = append(dest, &seen[k])
	}
	for k := range found {
		dest = append(dest, &found[k])
	}
	return &probeQuery{
		query: `SELECT ` + strings.Join(cols, ", ") + ` FROM (SELECT 1 AS one) x LEFT JOIN report_links l ON l.report_id = $1`,
		args:  args,
		dest:  dest,
		probe: func() *LinkProbe {
			p := &LinkProbe{Seen: make(map[string]bool, len(ids))}
			if cluster.Valid {
				p.Link = &ReportLink{ReportID: reportID, ClusterID: cluster.String, LinkedAt: linkedAt.Int64, Identifiers: decodeRefs(refs.String)}
			}
			for k, id := range ids {
				p.Seen[id] = seen[k] != 0
			}
			for _, c := range found {
				if c != "" && !slices.Contains(p.Clusters, c) {
					p.Clusters = append(p.Clusters, c)
				}
			}
			return p
		},
	}
}

// OrgProbe asks whether an identifier occurs in a report of an
// organisation other than one (SeenInOrgMany).
type OrgProbe struct{ IdentifierID, OrgID, ExceptReport string }

// SeenInOrgMany is SeenInOrg for many reports at once (a linking batch's):
// it returns the probes that hold, with one statement for every 1,000
// probes and one indexed probe each.
func (q Q) SeenInOrgMany(ctx context.Context, probes []OrgProbe) (map[OrgProbe]bool, error) {
	out := map[OrgProbe]bool{}
	cols := [][]string{make([]string, len(probes)), make([]string, len(probes)), make([]string, len(probes))}
	for k, p := range probes {
		cols[0][k], cols[1][k], cols[2][k] = p.IdentifierID, p.OrgID, p.ExceptReport
	}
	err := q.probeRows(ctx, "p(i, o, r)", cols, `SELECT p.i, p.o, p.r FROM p
		WHERE EXISTS (SELECT 1 FROM identifier_occurrences x WHERE x.identifier_id = p.i AND x.org_id = p.o AND x.report_id <> p.r)`,
		func(rows *sql.Rows) error {
			var p OrgProbe
			if err := rows.Scan(&p.IdentifierID, &p.OrgID, &p.ExceptReport); err != nil {
				return err
			}
			out[p] = true
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: seen in organisations: %w", err)
	}
	return out, nil
}

// ShareProbe asks for another report than ReportID that has an
// identifier (OthersSharing).
type ShareProbe struct{ ReportID, IdentifierID string }

// Sharer is a report found by OthersSharing, with its cluster ("" when it
// has no link row).
type Sharer struct{ ReportID, ClusterID string }

// OthersSharing is what ClustersSharing reads, for many reports at once (a
// linking batch's): for each probe, one report other than ReportID that
// has the identifier (any one: every report sharing an identifier is in
// one cluster), and that report's cluster now. Probes no other report
// answers are left out. One statement for every 1,000 probes.
func (q Q) OthersSharing(ctx context.Context, probes []ShareProbe) (map[ShareProbe]Sharer, error) {
	out := map[ShareProbe]Sharer{}
	cols := [][]string{make([]string, len(probes)), make([]string, len(probes))}
	for k, p := range probes {
		cols[0][k], cols[1][k] = p.ReportID, p.IdentifierID
	}
	err := q.probeRows(ctx, "p(r, i)", cols, `SELECT s.r, s.i, s.other, COALESCE(l.cluster_id, '') FROM
			(SELECT p.r, p.i, (SELECT o.report_id FROM identifier_occurrences o WHERE o.identifier_id = p.i AND o.report_id <> p.r LIMIT 1) AS other FROM p) s
		LEFT JOIN report_links l ON l.report_id = s.other WHERE s.other IS NOT NULL`,
		func(rows *sql.Rows) error {
			var p ShareProbe
			var sh Sharer
			if err := rows.Scan(&p.ReportID, &p.IdentifierID, &sh.ReportID, &sh.ClusterID); err != nil {
				return err
			}
			out[p] = sh
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("store: reports sharing identifiers: %w", err)
	}
	return out, nil
}

// IdentifierOccurrences returns up to limit occurrences of an identifier,
// in key order (organisation, then report).
func (q Q) IdentifierOccurrences(ctx context.Context, identifierID string, limit int) ([]*Occurrence, error) {
	return q.occurrences(ctx, `WHERE identifier_id = $1 ORDER BY org_id, report_id LIMIT $2`, identifierID, limit)
}

// OrgOccurrences returns up to limit occurrences of an identifier in one
// organisation's reports other than exceptReport, newest report first.
func (q Q) OrgOccurrences(ctx context.Context, identifierID, orgID, exceptReport string, limit int) ([]*Occurrence, error) {
	return q.occurrences(ctx, `WHERE identifier_id = $1 AND org_id = $2 AND report_id <> $3 ORDER BY report_id DESC LIMIT $4`, identifierID, orgID, exceptReport, limit)
}

func (q Q) occurrences(ctx context.Context, where string, args ...any) ([]*Occurrence, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT identifier_id, org_id, report_id, role, confidence FROM identifier_occurrences `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: occurrences: %w", err)
	}
	defer rows.Close()
	var out []*Occurrence
	for rows.Next() {
		var o Occurrence
		if err := rows.Scan(&o.IdentifierID, &o.OrgID, &o.ReportID, &o.Role, &o.Confidence); err != nil {
			return nil, fmt.Errorf("store: occurrences: %w", err)
		}
		out = append(out, &o)
	}
	return out, rows.Err()
}

// GetReportLinks returns the link rows of reports (missing ones are left
// out), keyed by report id.
func (q Q) GetReportLinks(ctx context.Context, reportIDs []string) (map[string]*ReportLink, error) {
	out := map[string]*ReportLink{}
	if len(reportIDs) == 0 {
		return out, nil
	}
	in, args := q.inList("report_id", reportIDs, 1)
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, cluster_id, linked_at, identifiers FROM report_links WHERE `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("store: report links: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l ReportLink
		var refs string
		if err := rows.Scan(&l.ReportID, &l.ClusterID, &l.LinkedAt, &refs); err != nil {
			return nil, fmt.Errorf("store: report links: %w", err)
		}
		l.Identifiers = decodeRefs(refs)
		out[l.ReportID] = &l
	}
	return out, rows.Err()
}

// GetReportLink returns a report's link row (ErrNotFound before it is
// linked).
func (q Q) GetReportLink(ctx context.Context, reportID string) (*ReportLink, error) {
	m, err := q.GetReportLinks(ctx, []string{reportID})
	if err != nil {
		return nil, err
	}
	l, ok := m[reportID]
	if !ok {
		return nil, fmt.Errorf("store: report link %s: %w", reportID, ErrNotFound)
	}
	return l, nil
}

// PutReportLink writes a report's link row.
func (q Q) PutReportLink(ctx context.Context, l *ReportLink) error {
	return q.PutReportLinks(ctx, []*ReportLink{l})
}

// PutReportLinks writes reports' link rows, one statement for many.
func (q Q) PutReportLinks(ctx context.Context, ls []*ReportLink) error {
	rows := make([][]any, len(ls))
	for k, l := range ls {
		rows[k] = []any{l.ReportID, l.ClusterID, l.LinkedAt, EncodeRefs(l.Identifiers)}
	}
	return q.insertMany(ctx, "report_links", "report_id, cluster_id, linked_at, identifiers", rows,
		`ON CONFLICT (report_id) DO UPDATE SET cluster_id = excluded.cluster_id, linked_at = excluded.linked_at, identifiers = excluded.identifiers`)
}

// MergeClusters relabels every report of the clusters from to cluster into.
func (q Q) MergeClusters(ctx context.Context, into string, from []string) error {
	if len(from) == 0 {
		return nil
	}
	ph, args := placeholders(from, 2)
	if _, err := q.q.ExecContext(ctx, `UPDATE report_links SET cluster_id = $1 WHERE cluster_id IN (`+ph+`)`, append([]any{into}, args...)...); err != nil {
		return fmt.Errorf("store: merge clusters: %w", err)
	}
	return nil
}

// AllClusters returns report id → cluster id for every linked report.
func (q Q) AllClusters(ctx context.Context) (map[string]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, cluster_id FROM report_links`)
	if err != nil {
		return nil, fmt.Errorf("store: all clusters: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var r, c string
		if err := rows.Scan(&r, &c); err != nil {
			return nil, fmt.Errorf("store: all clusters: %w", err)
		}
		out[r] = c
	}
	return out, rows.Err()
}

// AllIdentifiers returns every identifier (for tests comparing a rebuild
// with incremental linking).
func (q Q) AllIdentifiers(ctx context.Context) ([]*Identifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierRead+` FROM identifiers ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: all identifiers: %w", err)
	}
	defer rows.Close()
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: all identifiers: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// identifierIndexes are the secondary indexes of identifiers, as the
// migrations create them: a link sync that loads many drops them and
// builds them again at the end (FinishLinkSync), which sorts once instead
// of inserting random keys one by one.
// TestRebuildKeepsSchema checks the two stay the same.
var identifierIndexes = []struct{ name, create string }{
	{"identifiers_by_last_seen", `CREATE INDEX identifiers_by_last_seen ON identifiers(last_seen) WHERE side <> 'victim'`},
}

// copyIdentifiers bulk-loads identifiers with their aggregates (inside
// [DB.Bulk]), given in id order.
func (q Q) copyIdentifiers(ctx context.Context, ids []*Identifier) error {
	return q.CopyRows(ctx, "identifiers", strings.Split(identifierCols, ", "), len(ids), func(n int) []any { return identifierRow(ids[n]) })
}

// CopyOccurrences bulk-loads occurrences (inside [DB.Bulk]); row(n) gives
// the n-th. Given in key order they load fastest.
func (q Q) CopyOccurrences(ctx context.Context, n int, row func(n int) *Occurrence) error {
	return q.CopyRows(ctx, "identifier_occurrences", occurrenceCols, n, func(n int) []any { return occurrenceRow(row(n)) })
}

// CopyReportLinks bulk-loads report link rows (inside [DB.Bulk]).
func (q Q) CopyReportLinks(ctx context.Context, links []*ReportLink) error {
	return q.CopyRows(ctx, "report_links", []string{"report_id", "cluster_id", "linked_at", "identifiers"}, len(links), func(n int) []any {
		l := links[n]
		return []any{l.ReportID, l.ClusterID, l.LinkedAt, EncodeRefs(l.Identifiers)}
	})
}

// TopIdentifiers returns the public identifiers (Identifier.Public) seen in
// the most reports whose last sighting is in [from, to).
func (q Q) TopIdentifiers(ctx context.Context, from, to int64, limit int) ([]*Identifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierRead+` FROM identifiers WHERE `+publicWhere+` AND report_count > 1 AND last_seen >= $1 AND last_seen < $2
		AND kind NOT IN ('place', 'domain') ORDER BY report_count DESC, id LIMIT $3`, from, to, limit)
	if err != nil {
		return nil, fmt.Errorf("store: top identifiers: %w", err)
	}
	defer rows.Close()
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: top identifiers: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// PublicIdentifiers returns every public identifier (Identifier.Public),
// in id order, with its staff side: the candidates of the published range
// of the public check.
func (q Q) PublicIdentifiers(ctx context.Context) ([]*Identifier, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+identifierRead+` FROM identifiers WHERE `+publicWhere+` ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: public identifiers: %w", err)
	}
	defer rows.Close()
	var out []*Identifier
	for rows.Next() {
		i, err := scanIdentifier(rows)
		if err != nil {
			return nil, fmt.Errorf("store: public identifiers: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// ScanReportIDs calls fn with every report's id, in id order (the
// primary key's index alone is read).
func (q Q) ScanReportIDs(ctx context.Context, fn func(id []byte) error) error {
	rows, err := q.q.QueryContext(ctx, `SELECT id FROM reports ORDER BY id`)
	if err != nil {
		return fmt.Errorf("store: report ids: %w", err)
	}
	defer rows.Close()
	var id sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("store: report ids: %w", err)
		}
		if err := fn(id); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: report ids: %w", err)
	}
	return nil
}

// SampleReports returns up to n reports of an organisation drawn at
// random (for load generators).
func (q Q) SampleReports(ctx context.Context, orgID string, n int) ([]string, error) {
	return q.strings(ctx, `SELECT id FROM reports WHERE org_id = $1 ORDER BY random() LIMIT $2`, orgID, n)
}

// GetReports returns reports by id (missing ones are left out), keyed by
// id.
func (q Q) GetReports(ctx context.Context, ids []string) (map[string]*Report, error) {
	out := map[string]*Report{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := q.inList("id", ids, 1)
	rows, err := q.q.QueryContext(ctx, `SELECT `+reportCols+` FROM reports WHERE `+in, args...)
	if err != nil {
		return nil, fmt.Errorf("store: get reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: get reports: %w", err)
		}
		out[r.ID] = r
	}
	return out, rows.Err()
}

// CountOwnOccurrences counts the reports of one organisation an
// identifier occurs in: a range of the occurrences' key. Their count in
// every organisation is the identifier's ReportCount.
func (q Q) CountOwnOccurrences(ctx context.Context, identifierID, orgID string) (int, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM identifier_occurrences WHERE identifier_id = $1 AND org_id = $2`, identifierID, orgID).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count occurrences: %w", err)
	}
	return n, nil
}

// CountOccurrences counts the reports an identifier occurs in: those of
// one organisation, and all, reading every occurrence (the tests' check of
// ReportCount; the services use CountOwnOccurrences and ReportCount).
func (q Q) CountOccurrences(ctx context.Context, identifierID, orgID string) (own, all int, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN org_id = $2 THEN 1 ELSE 0 END), 0), COUNT(*) FROM identifier_occurrences WHERE identifier_id = $1`,
		identifierID, orgID).Scan(&own, &all)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count occurrences: %w", err)
	}
	return own, all, nil
}
