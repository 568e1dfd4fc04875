package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Key is a position in a list ordered newest first: a keyset cursor. For a
// list ordered still-held first (ReportFilter.UrgentFirst) it also holds the
// row's urgency, the first part of that order.
type Key struct {
	Urgent bool
	ID     string
}

// ReportFilter narrows ListReports and CountReportsUpTo. Zero fields do not
// filter.
type ReportFilter struct {
	OrgID        string
	Status       string
	Language     string
	IncidentType string
	Urgent       *bool
	CaseID       string
	// PlaceKey keeps reports naming a place whose PlaceRef.Key is this (a
	// gazetteer ID), PlaceText those naming a place whose case-folded name
	// contains this (see FoldPlace); given both, either matches.
	PlaceKey  string
	PlaceText string
	// ReceivedFrom and ReceivedTo keep reports received in [from, to), in
	// Unix microseconds; zero does not bound.
	ReceivedFrom, ReceivedTo int64
	// UrgentFirst orders reports with someone still held first: by urgency,
	// then id, both descending. Otherwise the order is id descending.
	UrgentFirst bool
	// From is the keyset cursor: only reports after it in the order, or with
	// Back only those before it (the Limit nearest it, still returned in the
	// list's order).
	From *Key
	Back bool
	// Before is the API's cursor: From with only an id.
	Before string
	Limit  int
}

// FoldPlace is a place name as report_places.folded holds it and as
// ReportFilter.PlaceText is compared with it.
func FoldPlace(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

// likeContains is a LIKE pattern (ESCAPE '\') matching text anywhere.
func likeContains(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(text) + "%"
}

// where accumulates the conditions of a list query and their arguments.
type where struct {
	conds []string
	args  []any
}

// add adds a condition whose ?s stand for the values, in order.
func (w *where) add(cond string, vs ...any) {
	var b strings.Builder
	for _, c := range cond {
		if c == '?' {
			b.WriteString(w.arg(vs[0]))
			vs = vs[1:]
			continue
		}
		b.WriteRune(c)
	}
	w.conds = append(w.conds, b.String())
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// arg appends a value and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

// reportQuery builds the FROM and WHERE of a report list, without the
// cursor. t is the alias the order's columns come from: with an incident
// type the query reads report_incident_types, which holds copies of the
// other filters' columns so that its index (organisation, status, type,
// urgency, id, language) serves the filters and the order without scanning.
func reportQuery(f ReportFilter) (from, t, id string, w *where) {
	w = &where{}
	t, from, id = "r", `reports r`, "r.id"
	if f.IncidentType != "" {
		t, from, id = "t", `report_incident_types t JOIN reports r ON r.id = t.report_id`, "t.report_id"
	}
	if f.OrgID != "" {
		w.add(t+".org_id = ?", f.OrgID)
	}
	if f.Status != "" {
		w.add(t+".status = ?", f.Status)
	}
	if f.Language != "" {
		w.add(t+".language = ?", f.Language)
	}
	if f.IncidentType != "" {
		w.add("t.incident_type = ?", f.IncidentType)
	}
	if f.Urgent != nil {
		w.add(t+".urgent = ?", b2i(*f.Urgent))
	}
	if f.CaseID != "" {
		w.add(id+" IN (SELECT report_id FROM case_reports WHERE case_id = ?)", f.CaseID)
	}
	if f.ReceivedFrom != 0 {
		w.add("r.received_at >= ?", f.ReceivedFrom)
	}
	if f.ReceivedTo != 0 {
		w.add("r.received_at < ?", f.ReceivedTo)
	}
	if f.PlaceKey != "" || f.PlaceText != "" {
		// A probe per candidate row of report_places' primary key (report
		// id first): the same plan on both engines whatever their statistics
		// say (an IN over the organisation's places took PostgreSQL, on a
		// table not yet analysed, most of a second for 2,000 reports).
		var or []string
		if f.PlaceKey != "" {
			or = append(or, `p.place_key = `+w.arg(f.PlaceKey))
		}
		if f.PlaceText != "" {
			or = append(or, `p.folded LIKE `+w.arg(likeContains(f.PlaceText))+` ESCAPE '\'`)
		}
		w.conds = append(w.conds, `EXISTS (SELECT 1 FROM report_places p WHERE p.report_id = `+id+` AND (`+strings.Join(or, " OR ")+`))`)
	}
	return from, t, id, w
}

// ListReports returns a page of reports in the order f asks for, at most
// f.Limit (default 50) of them.
func (q Q) ListReports(ctx context.Context, f ReportFilter) ([]*Report, error) {
	from, t, id, w := reportQuery(f)
	key := f.From
	if key == nil && f.Before != "" {
		key = &Key{ID: f.Before}
	}
	cmp, dir := "<", "DESC"
	if f.Back {
		cmp, dir = ">", "ASC"
	}
	order := id + ` ` + dir
	if f.UrgentFirst {
		order = t + `.urgent ` + dir + `, ` + order
	}
	if key != nil {
		if f.UrgentFirst {
			w.conds = append(w.conds, `(`+t+`.urgent, `+id+`) `+cmp+` (`+w.arg(b2i(key.Urgent))+`, `+w.arg(key.ID)+`)`)
		} else {
			w.add(id+" "+cmp+" ?", key.ID)
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	query := `SELECT r.` + strings.ReplaceAll(reportCols, ", ", ", r.") + ` FROM ` + from + w.sql() + ` ORDER BY ` + order + ` LIMIT ` + w.arg(limit)
	rows, err := q.q.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: list reports: %w", err)
	}
	defer rows.Close()
	var out []*Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list reports: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list reports: %w", err)
	}
	if f.Back {
		slices.Reverse(out)
	}
	return out, nil
}

// CountReportsUpTo counts the reports f keeps (its cursor and limit aside),
// but stops at upTo+1: a result above upTo means "more than upTo". The
// bound keeps the count's cost bounded whatever the filter.
func (q Q) CountReportsUpTo(ctx context.Context, f ReportFilter, upTo int) (int, error) {
	from, _, _, w := reportQuery(f)
	return q.countUpTo(ctx, `SELECT 1 FROM `+from+w.sql(), w, upTo, "reports")
}

func (q Q) countUpTo(ctx context.Context, inner string, w *where, upTo int, what string) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+inner+` LIMIT `+w.arg(upTo+1)+`) c`, w.args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count %s: %w", what, err)
	}
	return n, nil
}

// placeRows returns the report_places rows of reports: one per report and
// distinct folded name.
func placeRows(reports []*Report) [][]any {
	var rows [][]any
	for _, r := range reports {
		seen := map[string]bool{}
		for _, p := range r.Places {
			f := FoldPlace(p.Name)
			if f == "" || seen[f] {
				continue
			}
			seen[f] = true
			rows = append(rows, []any{r.ID, r.OrgID, p.Key(), f})
		}
	}
	return rows
}

const placeCols = "report_id, org_id, place_key, folded"

// fillReportPlaces fills report_places from the reports already stored; the
// migration that creates it runs it in its transaction.
func fillReportPlaces(ctx context.Context, q Q) error {
	_, err := q.recount(ctx, "", func(reports []*Report) error {
		return q.insertSmall(ctx, "report_places", placeCols, placeRows(reports))
	})
	return err
}

// CaseFilter narrows ListCases and CountCasesUpTo. Zero fields do not
// filter.
type CaseFilter struct {
	OrgID string
	// ReferredTo lists only cases referred to this organisation.
	ReferredTo string
	Status     string
	AssigneeID string
	Urgency    string
	// OverdueAt keeps cases due before this time (Unix µs) and neither
	// resolved nor closed: overdue then.
	OverdueAt int64
	// From is the keyset cursor (only cases with a smaller id, or with Back
	// a larger one, the Limit nearest it, returned newest first).
	From string
	Back bool
	// Before is the API's cursor: From.
	Before string
	Limit  int
}

func caseQuery(f CaseFilter) *where {
	w := &where{}
	if f.OrgID != "" {
		w.add("org_id = ?", f.OrgID)
	}
	if f.ReferredTo != "" {
		w.add("id IN (SELECT case_id FROM referrals WHERE to_org_id = ?)", f.ReferredTo)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.AssigneeID != "" {
		w.add("assignee_id = ?", f.AssigneeID)
	}
	if f.Urgency != "" {
		w.add("urgency = ?", f.Urgency)
	}
	if f.OverdueAt != 0 {
		w.add("due_at > 0 AND due_at < ? AND status NOT IN ('resolved', 'closed')", f.OverdueAt)
	}
	return w
}

// ListCases returns a page of cases newest first.
func (q Q) ListCases(ctx context.Context, f CaseFilter) ([]*Case, error) {
	w := caseQuery(f)
	from := f.From
	if from == "" {
		from = f.Before
	}
	cmp, dir := "<", "DESC"
	if f.Back {
		cmp, dir = ">", "ASC"
	}
	if from != "" {
		w.add("id "+cmp+" ?", from)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	query := `SELECT ` + caseCols + ` FROM cases` + w.sql() + ` ORDER BY id ` + dir + ` LIMIT ` + w.arg(limit)
	rows, err := q.q.QueryContext(ctx, query, w.args...)
	if err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list cases: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list cases: %w", err)
	}
	if f.Back {
		slices.Reverse(out)
	}
	return out, nil
}

// CountCasesUpTo counts the cases f keeps (its cursor and limit aside), up
// to upTo+1 (see CountReportsUpTo).
func (q Q) CountCasesUpTo(ctx context.Context, f CaseFilter, upTo int) (int, error) {
	w := caseQuery(f)
	return q.countUpTo(ctx, `SELECT 1 FROM cases`+w.sql(), w, upTo, "cases")
}
