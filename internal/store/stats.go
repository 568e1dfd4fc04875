package store

import (
	"context"
	"fmt"
)

// Group is one group of a statistics query: a value and how many rows
// have it.
type Group struct {
	Value string
	Count int64
}

// dayMicros is one day in Unix microseconds, written into the SQL so both
// engines see the same constant expression in SELECT and GROUP BY.
const dayMicros = "86400000000"

// statsColumns are the report columns ReportGroups may group by; JSON
// columns are grouped by their text and split by the caller, which keeps the
// SQL the same on both engines.
var statsColumns = map[string]bool{"incident_types": true, "victims": true, "places": true, "language": true, "status": true}

// ReportGroups counts an organisation's reports by the value of column.
func (q Q) ReportGroups(ctx context.Context, orgID, column string) ([]Group, error) {
	if !statsColumns[column] {
		return nil, fmt.Errorf("store: report groups: column %q not allowed", column)
	}
	return q.groups(ctx, `SELECT `+column+`, COUNT(*) FROM reports WHERE org_id = $1 GROUP BY `+column, orgID)
}

// ReportDays counts an organisation's reports by day received (the value
// is the day number since 1970-01-01 UTC).
func (q Q) ReportDays(ctx context.Context, orgID string) ([]Group, error) {
	return q.groups(ctx, `SELECT CAST(received_at / `+dayMicros+` AS TEXT), COUNT(*) FROM reports WHERE org_id = $1 GROUP BY received_at / `+dayMicros, orgID)
}

// CaseDays counts an organisation's cases by day opened.
func (q Q) CaseDays(ctx context.Context, orgID string) ([]Group, error) {
	return q.groups(ctx, `SELECT CAST(created_at / `+dayMicros+` AS TEXT), COUNT(*) FROM cases WHERE org_id = $1 GROUP BY created_at / `+dayMicros, orgID)
}

func (q Q) groups(ctx context.Context, query string, args ...any) ([]Group, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: statistics: %w", err)
	}
	defer rows.Close()
	var out []Group
	for rows.Next() {
		var g Group
		if err := rows.Scan(&g.Value, &g.Count); err != nil {
			return nil, fmt.Errorf("store: statistics: %w", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: statistics: %w", err)
	}
	return out, nil
}
