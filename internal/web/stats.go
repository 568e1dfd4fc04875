package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
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

// stats is an organisation's statistics at one time.
type stats struct {
	At     time.Time
	Charts map[string][]bar
}

// statsCache keeps each organisation's statistics for a minute: they are
// aggregates over every report and need not be fresher.
type statsCache struct {
	mu sync.Mutex
	// byOrg holds the last computed stats per organisation.
	byOrg map[string]*stats
}

// StatsTTL is how long statistics are reused.
const StatsTTL = time.Minute

func (s *site) orgStats(ctx context.Context, orgID string) (*stats, error) {
	s.stats.mu.Lock()
	st := s.stats.byOrg[orgID]
	s.stats.mu.Unlock()
	if st != nil && time.Since(st.At) < StatsTTL {
		return st, nil
	}
	st, err := computeStats(ctx, s.d.DB.Read(), orgID)
	if err != nil {
		return nil, err
	}
	s.stats.mu.Lock()
	if s.stats.byOrg == nil {
		s.stats.byOrg = map[string]*stats{}
	}
	s.stats.byOrg[orgID] = st
	s.stats.mu.Unlock()
	return st, nil
}

func computeStats(ctx context.Context, q store.Q, orgID string) (*stats, error) {
	st := &stats{At: time.Now(), Charts: map[string][]bar{}}
	months := func(days []store.Group) []bar {
		m := map[string]int64{}
		for _, g := range days {
			d, _ := strconv.ParseInt(g.Value, 10, 64)
			m[time.Unix(d*86400, 0).UTC().Format("2006-01")] += g.Count
		}
		return sorted(m, true)
	}
	days, err := q.ReportDays(ctx, orgID)
	if err != nil {
		return nil, err
	}
	st.Charts["reports_by_month"] = months(days)
	if days, err = q.CaseDays(ctx, orgID); err != nil {
		return nil, err
	}
	st.Charts["cases_by_month"] = months(days)

	spread := func(column string, keys func(raw string) ([]string, error)) ([]bar, error) {
		gs, err := q.ReportGroups(ctx, orgID, column)
		if err != nil {
			return nil, err
		}
		m := map[string]int64{}
		for _, g := range gs {
			ks, err := keys(g.Value)
			if err != nil {
				return nil, fmt.Errorf("web: statistics %s: %w", column, err)
			}
			for _, k := range ks {
				m[k] += g.Count
			}
		}
		return sorted(m, false), nil
	}
	if st.Charts["incident_type"], err = spread("incident_types", func(raw string) ([]string, error) {
		var ts []string
		return ts, json.Unmarshal([]byte(raw), &ts)
	}); err != nil {
		return nil, err
	}
	if st.Charts["nationality"], err = spread("victims", func(raw string) ([]string, error) {
		var vs []store.Victim
		if err := json.Unmarshal([]byte(raw), &vs); err != nil {
			return nil, err
		}
		var out []string
		for _, v := range vs {
			n := v.Nationality
			if n == "" {
				n = "unknown"
			}
			out = append(out, n)
		}
		return out, nil
	}); err != nil {
		return nil, err
	}
	if st.Charts["place"], err = spread("places", func(raw string) ([]string, error) {
		var ps []store.PlaceRef
		if err := json.Unmarshal([]byte(raw), &ps); err != nil {
			return nil, err
		}
		var out []string
		for _, p := range ps {
			out = append(out, placeKey(p.Name))
		}
		slices.Sort(out)
		return slices.Compact(out), nil
	}); err != nil {
		return nil, err
	}
	return st, nil
}

// placeKey is a place's gazetteer ID, or its name as typed when the
// gazetteer does not know it.
func placeKey(name string) string {
	if p, ok := gazetteer.Default().Lookup(name); ok {
		return p.ID
	}
	return strings.TrimSpace(name)
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
