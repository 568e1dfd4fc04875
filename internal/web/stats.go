package web

import (
	"encoding/csv"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/stats"
)

// Charts lists the statistics, in page order.
var Charts = stats.Charts()

// bar is one bar of a chart: a key (month, country code, type, place ID),
// its label and its count.
type bar struct {
	Key, Label string
	Count      int64
}

// orgStats reads the statistics of the actor's organisation through the
// statistics service, which decides who may read them (as for the API).
func (s *site) orgStats(q *req) (*stats.Stats, error) {
	if s.d.Stats == nil {
		return nil, errNotFound
	}
	return s.d.Stats.Org(q.ctx(), q.actor)
}

// label gives each bar its label in the reader's language.
func label(l *Locale, chart string, bars []stats.Bar) []bar {
	out := make([]bar, len(bars))
	for i, sb := range bars {
		out[i] = bar{Key: sb.Key, Label: sb.Key, Count: sb.Count}
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
	st, err := s.orgStats(q)
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
	st, err := s.orgStats(q)
	if err != nil {
		return err
	}
	chart, ok := strings.CutSuffix(q.r.PathValue("chart"), ".csv")
	if !ok || !slices.Contains(Charts, chart) {
		return errNotFound
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
