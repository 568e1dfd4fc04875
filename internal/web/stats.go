package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/store"
)

// Charts lists the statistics, in page order.
var Charts = []string{"reports_by_month", "cases_by_month", "nationality", "incident_type", "place"}

// bar is one bar of a chart: a key (month, country code, type, place ID),
// its label and its count.
type bar struct {
	Key, Label string
	Count      int64
}

// stats is an organisation's statistics: the bars of each chart.
type stats struct {
	Charts map[string][]bar
}

// chartDims maps each chart to its dimension in the store's roll-up.
var chartDims = map[string]string{
	"reports_by_month": store.DimReportMonth,
	"cases_by_month":   store.DimCaseMonth,
	"nationality":      store.DimNationality,
	"incident_type":    store.DimIncidentType,
	"place":            store.DimPlace,
}

// orgStats reads an organisation's statistics from the roll-up the store
// keeps up to date as reports and cases are written: a few hundred rows,
// so they are read fresh on every request rather than cached.
func (s *site) orgStats(ctx context.Context, orgID string) (*stats, error) {
	rows, err := s.d.DB.Read().Stats(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byDim := map[string]map[string]int64{}
	for _, r := range rows {
		if byDim[r.Dim] == nil {
			byDim[r.Dim] = map[string]int64{}
		}
		byDim[r.Dim][r.Key] += r.Count
	}
	st := &stats{Charts: map[string][]bar{}}
	for chart, dim := range chartDims {
		st.Charts[chart] = sorted(byDim[dim], strings.HasSuffix(chart, "_by_month"))
	}
	return st, nil
}

// sorted turns counts into bars: by key (months) or by count, largest first.
func sorted(m map[string]int64, byKey bool) []bar {
	out := make([]bar, 0, len(m))
	for k, n := range m {
		out = append(out, bar{Key: k, Label: k, Count: n})
	}
	slices.SortFunc(out, func(a, b bar) int {
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

// label gives each bar its label in the reader's language.
func label(l *Locale, chart string, bars []bar) []bar {
	out := slices.Clone(bars)
	for i := range out {
		b := &out[i]
		switch chart {
		case "reports_by_month", "cases_by_month":
			if t, err := time.Parse("2006-01", b.Key); err == nil {
				b.Label = l.T("month."+strconv.Itoa(int(t.Month()))) + " " + strconv.Itoa(t.Year())
			}
		case "nationality":
			b.Label = l.TOr("country.", b.Key)
		case "incident_type":
			b.Label = l.TOr("incident.", b.Key)
		case "place":
			if p, ok := gazetteer.Default().Lookup(b.Key); ok {
				b.Label = p.Name
			}
		}
	}
	return out
}

// barChart draws bars as an SVG of horizontal bars. It uses presentation
// attributes only: the Content-Security-Policy allows no style attributes.
func barChart(l *Locale, title string, bars []bar) string {
	const width, labelW, rowH = 640, 200, 24
	var top int64 = 1
	for _, b := range bars {
		top = max(top, b.Count)
	}
	h := rowH*len(bars) + 8
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, h, html.EscapeString(title))
	for i, b := range bars {
		y := i*rowH + 4
		w := int(float64(width-labelW-70) * float64(b.Count) / float64(top))
		fmt.Fprintf(&sb, `<text x="%d" y="%d" text-anchor="end" font-size="13" fill="#1b1b1b">%s</text>`, labelW-8, y+16, html.EscapeString(truncate(b.Label, 28)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1f5f8b"></rect>`, labelW, y+2, max(w, 1), rowH-6)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" font-size="13" fill="#1b1b1b">%s</text>`, labelW+max(w, 1)+6, y+16, html.EscapeString(l.Num(b.Count)))
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// chartView is one chart on the statistics page.
type chartView struct {
	Name, Title string
	SVG         string
	Bars        []bar
}

func (s *site) statsPage(w http.ResponseWriter, q *req) error {
	if !auth.Can(q.actor, auth.ReadStats, auth.Resource{OrgID: q.actor.OrgID}) {
		return errForbidden
	}
	st, err := s.orgStats(q.ctx(), q.actor.OrgID)
	if err != nil {
		return err
	}
	var cs []chartView
	for _, c := range Charts {
		title := q.L.T("stats." + c)
		bars := label(q.L, c, st.Charts[c])
		cs = append(cs, chartView{Name: c, Title: title, Bars: bars, SVG: barChart(q.L, title, bars)})
	}
	v := s.newView(q, "stats.title")
	v.Data = cs
	s.render(w, q, http.StatusOK, "stats", v)
	return nil
}

func (s *site) statsCSV(w http.ResponseWriter, q *req) error {
	if !auth.Can(q.actor, auth.ReadStats, auth.Resource{OrgID: q.actor.OrgID}) {
		return errForbidden
	}
	chart, ok := strings.CutSuffix(q.r.PathValue("chart"), ".csv")
	if !ok || !slices.Contains(Charts, chart) {
		return errNotFound
	}
	st, err := s.orgStats(q.ctx(), q.actor.OrgID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+chart+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"key", "label", "count"})
	for _, b := range label(s.locales["en"], chart, st.Charts[chart]) {
		cw.Write([]string{b.Key, b.Label, strconv.FormatInt(b.Count, 10)})
	}
	cw.Flush()
	return cw.Error()
}
