package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

const caseCols = `id, org_id, title, status, urgency, assignee_id, due_at, created_by, created_at, updated_at, version`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	var c Case
	var assignee sql.NullString
	if err := row.Scan(&c.ID, &c.OrgID, &c.Title, &c.Status, &c.Urgency, &assignee, &c.DueAt, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt, &c.Version); err != nil {
		return nil, err
	}
	c.AssigneeID = assignee.String
	return &c, nil
}

// PutCase inserts a case and counts it in the statistics roll-up.
func (q Q) PutCase(ctx context.Context, c *Case) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO cases (`+caseCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		c.ID, c.OrgID, c.Title, c.Status, c.Urgency, nullString(c.AssigneeID), c.DueAt, c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.Version)
	if err != nil {
		return fmt.Errorf("store: put case: %w", err)
	}
	n := statCounts{}
	n.addCase(c.OrgID, c.CreatedAt)
	return q.addStats(ctx, n)
}

// GetCase returns the case with id.
func (q Q) GetCase(ctx context.Context, id string) (*Case, error) {
	v, err := scanCase(q.q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM cases WHERE id = $1`, id))
	return found(v, err, "case", id)
}

// UpdateCase writes c if its stored version is still prevVersion, and
// ErrConflict otherwise. c.Version must already be prevVersion+1.
func (q Q) UpdateCase(ctx context.Context, c *Case, prevVersion int) error {
	res, err := q.q.ExecContext(ctx, `UPDATE cases SET title = $1, status = $2, urgency = $3, assignee_id = $4, due_at = $5, updated_at = $6, version = $7 WHERE id = $8 AND version = $9`,
		c.Title, c.Status, c.Urgency, nullString(c.AssigneeID), c.DueAt, c.UpdatedAt, c.Version, c.ID, prevVersion)
	if err != nil {
		return fmt.Errorf("store: update case: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update case: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: case %s version %d: %w", c.ID, prevVersion, ErrConflict)
	}
	return nil
}

// AddCaseReport links a report to a case; linking twice is not an error.
func (q Q) AddCaseReport(ctx context.Context, caseID, reportID string, at int64) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO case_reports (case_id, report_id, added_at) VALUES ($1,$2,$3) ON CONFLICT DO NOTHING`, caseID, reportID, at)
	if err != nil {
		return fmt.Errorf("store: add report to case: %w", err)
	}
	return q.markTrustOfReports(ctx, reportID)
}

// CaseReportIDs returns the ids of a case's reports.
func (q Q) CaseReportIDs(ctx context.Context, caseID string) ([]string, error) {
	return q.strings(ctx, `SELECT report_id FROM case_reports WHERE case_id = $1 ORDER BY report_id`, caseID)
}

// ReportCaseIDs returns the ids of the cases a report belongs to.
func (q Q) ReportCaseIDs(ctx context.Context, reportID string) ([]string, error) {
	return q.strings(ctx, `SELECT case_id FROM case_reports WHERE report_id = $1 ORDER BY case_id`, reportID)
}

// CaseIDsOfReports returns, for each of the reports, the IDs of the cases
// it is in (ordered), in one query: a list page's reports at once.
func (q Q) CaseIDsOfReports(ctx context.Context, reportIDs []string) (map[string][]string, error) {
	out := make(map[string][]string, len(reportIDs))
	if len(reportIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(reportIDs))
	ph := make([]string, len(reportIDs))
	for i, id := range reportIDs {
		args[i] = id
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT report_id, case_id FROM case_reports WHERE report_id IN (`+strings.Join(ph, ",")+`) ORDER BY report_id, case_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: case ids of reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r, c string
		if err := rows.Scan(&r, &c); err != nil {
			return nil, fmt.Errorf("store: case ids of reports: %w", err)
		}
		out[r] = append(out[r], c)
	}
	return out, rows.Err()
}

func (q Q) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

const referralCols = `id, case_id, from_org_id, to_org_id, shared, note, partner_title, status, response, responded_by, created_by, created_at, responded_at, version`

func scanReferral(row interface{ Scan(...any) error }) (*Referral, error) {
	var r Referral
	var shared string
	if err := row.Scan(&r.ID, &r.CaseID, &r.FromOrgID, &r.ToOrgID, &shared, &r.Note, &r.PartnerTitle, &r.Status, &r.Response, &r.RespondedBy, &r.CreatedBy, &r.CreatedAt, &r.RespondedAt, &r.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(shared), &r.Shared); err != nil {
		return nil, fmt.Errorf("referral %s shared: %w", r.ID, err)
	}
	return &r, nil
}

// PutReferral inserts a referral.
func (q Q) PutReferral(ctx context.Context, r *Referral) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO referrals (`+referralCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
		r.ID, r.CaseID, r.FromOrgID, r.ToOrgID, mustJSON(nonNil(r.Shared)), r.Note, r.PartnerTitle, r.Status, r.Response, r.RespondedBy, r.CreatedBy, r.CreatedAt, r.RespondedAt, r.Version)
	if err != nil {
		return fmt.Errorf("store: put referral: %w", err)
	}
	return nil
}

// GetReferral returns the referral with id.
func (q Q) GetReferral(ctx context.Context, id string) (*Referral, error) {
	v, err := scanReferral(q.q.QueryRowContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE id = $1`, id))
	return found(v, err, "referral", id)
}

// ListReferrals returns the referrals of a case (caseID) or to an
// organisation (toOrgID), oldest first.
func (q Q) ListReferrals(ctx context.Context, caseID, toOrgID string) ([]*Referral, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+referralCols+` FROM referrals WHERE ($1 = '' OR case_id = $1) AND ($2 = '' OR to_org_id = $2) ORDER BY id`, caseID, toOrgID)
	if err != nil {
		return nil, fmt.Errorf("store: list referrals: %w", err)
	}
	defer rows.Close()
	var out []*Referral
	for rows.Next() {
		r, err := scanReferral(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list referrals: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateReferral writes r if its stored version is still prevVersion.
func (q Q) UpdateReferral(ctx context.Context, r *Referral, prevVersion int) error {
	res, err := q.q.ExecContext(ctx, `UPDATE referrals SET status = $1, response = $2, responded_by = $3, responded_at = $4, version = $5 WHERE id = $6 AND version = $7`,
		r.Status, r.Response, r.RespondedBy, r.RespondedAt, r.Version, r.ID, prevVersion)
	if err != nil {
		return fmt.Errorf("store: update referral: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update referral: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("store: referral %s version %d: %w", r.ID, prevVersion, ErrConflict)
	}
	return nil
}

// ErrPlaintextReason means an audit event was to be stored with its reason
// in plaintext: reasons are stored sealed only (AuditEvent.SealedReason).
var ErrPlaintextReason = errors.New("store: an audit reason must be sealed before it is stored")

// PutAuditEvent appends an audit event. An event whose Reason is set is
// refused ([ErrPlaintextReason]): the reason is stored sealed only.
func (q Q) PutAuditEvent(ctx context.Context, e *AuditEvent) error {
	row, err := auditRow(e)
	if err != nil {
		return err
	}
	if _, err := q.q.ExecContext(ctx, `INSERT INTO audit_events (`+auditCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`, row...); err != nil {
		return fmt.Errorf("store: put audit event: %w", err)
	}
	return nil
}

const auditCols = `id, at, actor_id, actor_org_id, org_id, action, resource_type, resource_id, reason, reason_sealed, detail`

// auditRow is e's values in auditCols' order. An event without an
// organisation is filed under the actor's. The plaintext reason column is
// always written empty.
func auditRow(e *AuditEvent) ([]any, error) {
	if e.Reason != "" {
		return nil, fmt.Errorf("store: audit event %s (%s): %w", e.ID, e.Action, ErrPlaintextReason)
	}
	org := e.OrgID
	if org == "" {
		org = e.ActorOrgID
	}
	return []any{e.ID, e.At, e.ActorID, e.ActorOrgID, org, e.Action, e.ResourceType, e.ResourceID, "", e.SealedReason, e.Detail}, nil
}

// auditOrgQueries find the organisation that owns a resource, by resource
// type (the types audit events name).
var auditOrgQueries = map[string]string{
	"report":        `SELECT org_id FROM reports WHERE id = $1`,
	"case":          `SELECT org_id FROM cases WHERE id = $1`,
	"referral":      `SELECT from_org_id FROM referrals WHERE id = $1`,
	"screening_hit": `SELECT r.org_id FROM screening_hits h JOIN reports r ON r.id = h.report_id WHERE h.id = $1`,
	"user":          `SELECT org_id FROM users WHERE id = $1`,
	"token":         `SELECT u.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1`,
	"organisation":  `SELECT id FROM organisations WHERE id = $1`,
}

// AuditOrg returns the organisation that owns the resource an audit event
// names; ErrNotFound for an unknown type or a missing resource.
func (q Q) AuditOrg(ctx context.Context, resourceType, resourceID string) (string, error) {
	query, ok := auditOrgQueries[resourceType]
	if !ok {
		return "", fmt.Errorf("store: audit organisation of %s: %w", resourceType, ErrNotFound)
	}
	var org string
	err := q.q.QueryRowContext(ctx, query, resourceID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: audit organisation of %s %s: %w", resourceType, resourceID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: audit organisation: %w", err)
	}
	return org, nil
}

// AuditFilter narrows ListAuditEvents.
type AuditFilter struct {
	// OrgID keeps the organisation's trail: events on its resources and
	// events by its members.
	OrgID string
	// Instance keeps the instance's events: those on organisations
	// themselves and those that belong to no organisation.
	Instance     bool
	ResourceType string
	ResourceID   string
	Action       string
	// ActorID keeps the events by one account.
	ActorID string
	// AtFrom and AtTo keep events at or after AtFrom and before AtTo
	// (Unix microseconds); zero does not bound.
	AtFrom, AtTo int64
	// Before keeps the events older than this event id (the next page);
	// After those newer than it, the Limit nearest to it (the page
	// before). Either way the list is newest first.
	Before, After string
	Limit         int
}

// ListAuditEvents returns audit events newest first.
func (q Q) ListAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if f.AtTo == 0 {
		f.AtTo = math.MaxInt64
	}
	order := "DESC"
	if f.After != "" {
		order = "ASC"
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_events
		WHERE ($1 = '' OR org_id = $1 OR actor_org_id = $1) AND ($2 = 0 OR resource_type = 'organisation' OR org_id = '')
		AND ($3 = '' OR resource_type = $3) AND ($4 = '' OR resource_id = $4) AND ($5 = '' OR action = $5) AND ($6 = '' OR id < $6)
		AND ($8 = '' OR actor_id = $8) AND at >= $9 AND at < $10 AND ($11 = '' OR id > $11)
		ORDER BY id `+order+` LIMIT $7`, f.OrgID, b2i(f.Instance), f.ResourceType, f.ResourceID, f.Action, f.Before, limit, f.ActorID, f.AtFrom, f.AtTo, f.After)
	if err != nil {
		return nil, fmt.Errorf("store: list audit events: %w", err)
	}
	defer rows.Close()
	var out []*AuditEvent
	for rows.Next() {
		var e AuditEvent
		if err := rows.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorOrgID, &e.OrgID, &e.Action, &e.ResourceType, &e.ResourceID, &e.Reason, &e.SealedReason, &e.Detail); err != nil {
			return nil, fmt.Errorf("store: list audit events: %w", err)
		}
		out = append(out, &e)
	}
	if f.After != "" {
		slices.Reverse(out)
	}
	return out, rows.Err()
}

// PutLedgerEntry queues a ledger entry (LeafIndex is ignored: new entries
// are pending).
func (q Q) PutLedgerEntry(ctx context.Context, e *LedgerEntry) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO ledger_entries (id, kind, record_id, version, entry, leaf_index, received_at) VALUES ($1,$2,$3,$4,$5,NULL,$6)`,
		e.ID, e.Kind, e.RecordID, e.Version, e.Entry, e.ReceivedAt)
	if err != nil {
		return fmt.Errorf("store: put ledger entry: %w", err)
	}
	return nil
}

// LeafIndexes returns, for each record ID, the leaf index of each version's
// statement entry (integrated entries only).
func (q Q) LeafIndexes(ctx context.Context, recordIDs []string) (map[string]map[int]int64, error) {
	out := map[string]map[int]int64{}
	if len(recordIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(recordIDs))
	ph := make([]string, len(recordIDs))
	for i, id := range recordIDs {
		args[i] = id
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT record_id, version, leaf_index FROM ledger_entries WHERE kind = 'statement' AND leaf_index IS NOT NULL AND record_id IN (`+strings.Join(ph, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: leaf indexes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var v int
		var idx int64
		if err := rows.Scan(&id, &v, &idx); err != nil {
			return nil, fmt.Errorf("store: leaf indexes: %w", err)
		}
		if out[id] == nil {
			out[id] = map[int]int64{}
		}
		out[id][v] = idx
	}
	return out, rows.Err()
}

// SealPlaintextReasons seals the audit reasons stored in plaintext (by a
// version before migration 0011), a batch per transaction: sealFn returns
// the sealed form of an event's reason. It returns how many it sealed.
// When it sealed any, a SQLite file is vacuumed and its WAL emptied, so no
// free page or old frame keeps the plaintext; on PostgreSQL the old row
// versions wait for the autovacuum (they are not in a pg_dump).
func (db *DB) SealPlaintextReasons(ctx context.Context, sealFn func(eventID, reason string) []byte) (int, error) {
	const batch = 500
	n := 0
	for {
		done := 0
		err := db.Tx(ctx, func(q Q) error {
			rows, err := q.q.QueryContext(ctx, `SELECT id, reason FROM audit_events WHERE reason <> '' ORDER BY id LIMIT $1`, batch)
			if err != nil {
				return fmt.Errorf("store: plaintext audit reasons: %w", err)
			}
			type plain struct{ id, reason string }
			var ps []plain
			for rows.Next() {
				var p plain
				if err := rows.Scan(&p.id, &p.reason); err != nil {
					rows.Close()
					return fmt.Errorf("store: plaintext audit reasons: %w", err)
				}
				ps = append(ps, p)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: plaintext audit reasons: %w", err)
			}
			for _, p := range ps {
				if _, err := q.q.ExecContext(ctx, `UPDATE audit_events SET reason = '', reason_sealed = $1 WHERE id = $2 AND reason = $3`,
					sealFn(p.id, p.reason), p.id, p.reason); err != nil {
					return fmt.Errorf("store: seal the reason of audit event %s: %w", p.id, err)
				}
			}
			done = len(ps)
			return nil
		})
		if err != nil {
			return n, err
		}
		n += done
		if done < batch {
			break
		}
	}
	if n > 0 && db.Engine == SQLite {
		if err := db.vacuum(ctx, db.w); err != nil {
			return n, fmt.Errorf("store: after sealing audit reasons: %w", err)
		}
	}
	return n, nil
}
