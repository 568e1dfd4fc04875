package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The dimensions of the statistics roll-up (table report_stats).
const (
	// DimReportMonth counts reports by the month (UTC, "2006-01") received.
	DimReportMonth = "report_month"
	// DimCaseMonth counts cases by the month (UTC) opened.
	DimCaseMonth = "case_month"
	// DimNationality counts victims by nationality ("unknown" when not
	// given).
	DimNationality = "nationality"
	// DimIncidentType counts reports by incident type.
	DimIncidentType = "incident_type"
	// DimPlace counts reports by place named: the gazetteer ID, or the name
	// as typed when the gazetteer does not know it; a report counts once per
	// place however many of its names it uses.
	DimPlace = "place"
)

// Stat is one count of the statistics roll-up: how many reports (victims,
// cases) of an organisation have Key in dimension Dim.
type Stat struct {
	Dim, Key string
	Count    int64
}

// statKey names one row of report_stats.
type statKey struct{ org, dim, key string }

// statCounts accumulates roll-up increments in memory so that a batch
// writes each row once.
type statCounts map[statKey]int64

// addReport counts r in every dimension of the roll-up.
func (c statCounts) addReport(r *Report) {
	c[statKey{r.OrgID, DimReportMonth, month(r.ReceivedAt)}]++
	for _, t := range r.IncidentTypes {
		c[statKey{r.OrgID, DimIncidentType, t}]++
	}
	for _, v := range r.Victims {
		n := v.Nationality
		if n == "" {
			n = "unknown"
		}
		c[statKey{r.OrgID, DimNationality, n}]++
	}
	var places []string
	for _, p := range r.Places {
		places = append(places, p.Key())
	}
	slices.Sort(places)
	for _, p := range slices.Compact(places) {
		c[statKey{r.OrgID, DimPlace, p}]++
	}
}

// addCase counts a case opened at createdAt.
func (c statCounts) addCase(orgID string, createdAt int64) {
	c[statKey{orgID, DimCaseMonth, month(createdAt)}]++
}

// rows returns the counts as report_stats rows sorted by primary key: two
// transactions that upsert rows in the same order cannot deadlock on
// PostgreSQL's row locks.
func (c statCounts) rows() [][]any {
	keys := make([]statKey, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b statKey) int {
		return cmp.Or(strings.Compare(a.org, b.org), strings.Compare(a.dim, b.dim), strings.Compare(a.key, b.key))
	})
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{k.org, k.dim, k.key, c[k]}
	}
	return rows
}

// month is the UTC month of a stored time, as "2006-01".
func month(us int64) string { return time.UnixMicro(us).UTC().Format("2006-01") }

const incidentTypeCols = "report_id, org_id, status, incident_type, urgent, language"

const upsertStats = `ON CONFLICT (org_id, dim, key) DO UPDATE SET count = report_stats.count + excluded.count`

// addStats adds counts to the roll-up: multi-row upserts, rows in key order
// (also across statements).
func (q Q) addStats(ctx context.Context, c statCounts) error {
	if err := q.insertSmall(ctx, "report_stats", "org_id, dim, key, count", c.rows(), upsertStats); err != nil {
		return fmt.Errorf("store: statistics: %w", err)
	}
	return nil
}

// incidentTypeRows returns the report_incident_types rows of reports: one
// per report and distinct incident type.
func incidentTypeRows(reports []*Report) [][]any {
	var rows [][]any
	for _, r := range reports {
		types := slices.Clone(r.IncidentTypes)
		slices.Sort(types)
		for _, t := range slices.Compact(types) {
			rows = append(rows, []any{r.ID, r.OrgID, r.Status, t, b2i(r.Urgent), r.Language})
		}
	}
	return rows
}

// indexReports writes what is derived from newly stored reports in the same
// transaction: their counts in the statistics roll-up and their rows in the
// incident-type and place indexes of the triage queue. Every path that inserts reports
// calls it (PutIntake, PutReport; PutCase counts cases). Nothing else changes
// what is counted: reports and cases are never deleted, erasure drops only
// the sealed part, and status is not a dimension (SetReportStatus updates
// the copy in report_incident_types).
func (q Q) indexReports(ctx context.Context, reports []*Report) error {
	c := statCounts{}
	for _, r := range reports {
		c.addReport(r)
	}
	if err := q.addStats(ctx, c); err != nil {
		return err
	}
	if err := q.insertSmall(ctx, "report_incident_types", incidentTypeCols, incidentTypeRows(reports)); err != nil {
		return err
	}
	return q.insertSmall(ctx, "report_places", placeCols, placeRows(reports))
}

// rowsPerStatement bounds the rows of one INSERT into report_stats or
// report_incident_types: SQLite looks up each $N parameter by name in a
// list, so parsing a statement costs the square of its parameters.
const rowsPerStatement = 50

// insertSmall is insertMany in statements of at most rowsPerStatement rows,
// in the order given.
func (q Q) insertSmall(ctx context.Context, table, cols string, rows [][]any, suffix ...string) error {
	for start := 0; start < len(rows); start += rowsPerStatement {
		if err := q.insertMany(ctx, table, cols, rows[start:min(len(rows), start+rowsPerStatement)], suffix...); err != nil {
			return err
		}
	}
	return nil
}

// Stats returns an organisation's statistics from the roll-up, sorted by
// dimension and key.
func (q Q) Stats(ctx context.Context, orgID string) ([]Stat, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT dim, key, count FROM report_stats WHERE org_id = $1 ORDER BY dim, key`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: statistics: %w", err)
	}
	defer rows.Close()
	var out []Stat
	for rows.Next() {
		var s Stat
		if err := rows.Scan(&s.Dim, &s.Key, &s.Count); err != nil {
			return nil, fmt.Errorf("store: statistics: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: statistics: %w", err)
	}
	return out, nil
}

// RecountStats counts an organisation's statistics from its reports and
// cases, reading every one of them: what Stats must equal. It is for tests
// and checks; pages read Stats.
func (q Q) RecountStats(ctx context.Context, orgID string) ([]Stat, error) {
	c, err := q.recount(ctx, orgID, nil)
	if err != nil {
		return nil, err
	}
	out := make([]Stat, 0, len(c))
	for _, row := range c.rows() {
		out = append(out, Stat{Dim: row[1].(string), Key: row[2].(string), Count: row[3].(int64)})
	}
	slices.SortFunc(out, func(a, b Stat) int { return cmp.Or(strings.Compare(a.Dim, b.Dim), strings.Compare(a.Key, b.Key)) })
	return out, nil
}

// recountPage is how many reports recount holds in memory at once.
const recountPage = 5000

// recount reads the reports and cases of orgID (of every organisation when
// orgID is empty) and returns their statistics. It reads the reports a page
// at a time, in id order, and calls page (if not nil) with each page.
func (q Q) recount(ctx context.Context, orgID string, page func([]*Report) error) (statCounts, error) {
	c := statCounts{}
	after := ""
	for {
		where, args := " WHERE id > $1", []any{after}
		if orgID != "" {
			where, args = " WHERE org_id = $2 AND id > $1", []any{after, orgID}
		}
		var reports []*Report
		err := q.each(ctx, `SELECT id, org_id, status, urgent, language, received_at, incident_types, victims, places FROM reports`+where+` ORDER BY id LIMIT `+strconv.Itoa(recountPage), args, func(scan func(...any) error) error {
			r := &Report{}
			var urgent int
			var types, victims, places string
			if err := scan(&r.ID, &r.OrgID, &r.Status, &urgent, &r.Language, &r.ReceivedAt, &types, &victims, &places); err != nil {
				return err
			}
			r.Urgent = urgent != 0
			for _, f := range []struct {
				raw string
				v   any
			}{{types, &r.IncidentTypes}, {victims, &r.Victims}, {places, &r.Places}} {
				if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
					return fmt.Errorf("report %s: %w", r.ID, err)
				}
			}
			reports = append(reports, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("store: recount statistics: %w", err)
		}
		for _, r := range reports {
			c.addReport(r)
		}
		if page != nil && len(reports) > 0 {
			if err := page(reports); err != nil {
				return nil, err
			}
		}
		if len(reports) < recountPage {
			break
		}
		after = reports[len(reports)-1].ID
	}
	where, args := "", []any{}
	if orgID != "" {
		where, args = " WHERE org_id = $1", []any{orgID}
	}
	err := q.each(ctx, `SELECT org_id, created_at FROM cases`+where, args, func(scan func(...any) error) error {
		var org string
		var at int64
		if err := scan(&org, &at); err != nil {
			return err
		}
		c.addCase(org, at)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: recount statistics: %w", err)
	}
	return c, nil
}

// each runs query and calls fn with the scanner of every row.
func (q Q) each(ctx context.Context, query string, args []any, fn func(scan func(...any) error) error) error {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fillStats fills the statistics roll-up and the incident-type index from
// the reports and cases already stored; migration 0007 runs it after
// creating their tables, in the same transaction. It is Go rather than SQL
// because the two engines spell JSON functions differently. Places are
// counted by PlaceRef.Key as stored: reports written before intake resolved
// places are counted by name until DB.ResolvePlaces recounts them.
func fillStats(ctx context.Context, q Q) error {
	c, err := q.recount(ctx, "", func(reports []*Report) error {
		return q.insertSmall(ctx, "report_incident_types", incidentTypeCols, incidentTypeRows(reports))
	})
	if err != nil {
		return err
	}
	return q.addStats(ctx, c)
}
