// Package stats answers an organisation's statistics: reports and cases by
// month, victims by nationality, reports by incident type and by place. It
// reads the roll-up the store keeps current as reports and cases are
// written, and is the one place that decides who may read it, so the
// statistics page, the map and the API give the same numbers.
package stats

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// The charts, in the order the statistics page shows them.
const (
	ReportsByMonth = "reports_by_month" // reports by month received (UTC, YYYY-MM)
	CasesByMonth   = "cases_by_month"   // cases by month opened
	Nationality    = "nationality"      // victims by nationality ("unknown" when not given)
	IncidentType   = "incident_type"    // reports by incident type
	Place          = "place"            // reports by place named (gazetteer ID, or the name as typed)
)

// Charts returns the charts in page order.
func Charts() []string {
	return []string{ReportsByMonth, CasesByMonth, Nationality, IncidentType, Place}
}

// dims maps each chart to its dimension in the store's roll-up.
var dims = map[string]string{
	ReportsByMonth: store.DimReportMonth,
	CasesByMonth:   store.DimCaseMonth,
	Nationality:    store.DimNationality,
	IncidentType:   store.DimIncidentType,
	Place:          store.DimPlace,
}

// Bar is one bar of a chart: a key (month, country code, incident type,
// place) and its count.
type Bar struct {
	Key   string `json:"key"`
	Count int64  `json:"count"`
}

// Stats is an organisation's statistics: the bars of every chart. Months
// are in order; every other chart is largest first (ties by key).
type Stats struct {
	Charts map[string][]Bar `json:"charts"`
}

// Service reads the statistics.
type Service struct{ db *store.DB }

// New returns the statistics service.
func New(db *store.DB) *Service { return &Service{db: db} }

// Org returns the statistics of a's organisation, if a may read them. The
// roll-up is a few hundred rows, so it is read fresh on every call.
func (s *Service) Org(ctx context.Context, a auth.Actor) (*Stats, error) {
	if a.OrgID == "" || !auth.Can(a, auth.ReadStats, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	rows, err := s.db.Read().Stats(ctx, a.OrgID)
	if err != nil {
		return nil, fmt.Errorf("stats: org %s: %w", a.OrgID, err)
	}
	byDim := map[string]map[string]int64{}
	for _, r := range rows {
		if byDim[r.Dim] == nil {
			byDim[r.Dim] = map[string]int64{}
		}
		byDim[r.Dim][r.Key] += r.Count
	}
	st := &Stats{Charts: map[string][]Bar{}}
	for chart, dim := range dims {
		st.Charts[chart] = sorted(byDim[dim], strings.HasSuffix(chart, "_by_month"))
	}
	return st, nil
}

// sorted turns counts into bars: by key (months) or by count, largest
// first.
func sorted(m map[string]int64, byKey bool) []Bar {
	out := make([]Bar, 0, len(m))
	for k, n := range m {
		out = append(out, Bar{Key: k, Count: n})
	}
	slices.SortFunc(out, func(a, b Bar) int {
		if !byKey && a.Count != b.Count {
			if a.Count > b.Count {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
