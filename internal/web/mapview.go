package web

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/gazetteer"
)

// countriesJSON is Natural Earth's 1:110m countries as TopoJSON, from the
// world-atlas package (see static/vendor/README.md).
//
//go:embed geo/countries-110m.json
var countriesJSON []byte

// The map shows mainland South-East Asia.
const (
	mapLonMin, mapLonMax = 92.0, 110.5
	mapLatMin, mapLatMax = 5.0, 24.5
	mapWidth             = 720.0
)

var mapK = mapWidth / ((mapLonMax - mapLonMin) * math.Cos(15*math.Pi/180))

// project maps a longitude and latitude to SVG coordinates
// (equirectangular, scaled for 15° N).
func project(lon, lat float64) (x, y float64) {
	return (lon - mapLonMin) * mapK * math.Cos(15*math.Pi/180), (mapLatMax - lat) * mapK
}

func mapHeight() float64 { _, y := project(0, mapLatMin); return y }

// topology is the part of a TopoJSON document the map reads.
type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			Arcs       json.RawMessage `json:"arcs"`
			ID         string          `json:"id"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
	Arcs [][][2]float64 `json:"arcs"`
}

// decodeArcs turns quantised, delta-encoded arcs into longitude/latitude.
func (t *topology) decodeArcs() [][][2]float64 {
	out := make([][][2]float64, len(t.Arcs))
	for i, arc := range t.Arcs {
		pts := make([][2]float64, len(arc))
		var x, y float64
		for j, p := range arc {
			if t.Transform != nil {
				x, y = x+p[0], y+p[1]
				pts[j] = [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
			} else {
				pts[j] = p
			}
		}
		out[i] = pts
	}
	return out
}

// ring joins arcs (a negative index ~i is arc i reversed) into one ring.
func ring(arcs [][][2]float64, idx []int) [][2]float64 {
	var pts [][2]float64
	for _, i := range idx {
		var a [][2]float64
		if i < 0 {
			src := arcs[^i]
			a = make([][2]float64, len(src))
			for j := range src {
				a[j] = src[len(src)-1-j]
			}
		} else {
			a = arcs[i]
		}
		if len(pts) > 0 && len(a) > 0 {
			a = a[1:] // shared point
		}
		pts = append(pts, a...)
	}
	return pts
}

// basemap draws the countries near the map's frame as SVG paths, once.
var basemap = sync.OnceValues(func() (string, error) {
	var t topology
	if err := json.Unmarshal(countriesJSON, &t); err != nil {
		return "", fmt.Errorf("web: countries: %w", err)
	}
	arcs := t.decodeArcs()
	var sb strings.Builder
	for _, g := range t.Objects["countries"].Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				return "", err
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return "", err
			}
		default:
			continue
		}
		var d strings.Builder
		near := false
		for _, p := range polys {
			for _, r := range p {
				pts := ring(arcs, r)
				for i, pt := range pts {
					if pt[0] > mapLonMin-5 && pt[0] < mapLonMax+5 && pt[1] > mapLatMin-5 && pt[1] < mapLatMax+5 {
						near = true
					}
					x, y := project(pt[0], pt[1])
					if i == 0 {
						fmt.Fprintf(&d, "M%.1f %.1f", x, y)
					} else {
						fmt.Fprintf(&d, "L%.1f %.1f", x, y)
					}
				}
				d.WriteString("Z")
			}
		}
		if !near {
			continue
		}
		fmt.Fprintf(&sb, `<path class="land" d="%s" fill="#e8e4d8" stroke="#8a8578" stroke-width="0.8"><title>%s</title></path>`, d.String(), html.EscapeString(g.Properties.Name))
	}
	return sb.String(), nil
})

// mapPlace is one place on the map with its report count.
type mapPlace struct {
	Name, Country string
	Count         int64
	Known         bool
}

func (s *site) mapPage(w http.ResponseWriter, q *req) error {
	st, err := s.orgStats(q)
	if err != nil {
		return err
	}
	base, err := basemap()
	if err != nil {
		return err
	}
	var places []mapPlace
	var sb strings.Builder
	h := mapHeight()
	fmt.Fprintf(&sb, `<svg class="map" viewBox="0 0 %.0f %.0f" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, mapWidth, h, html.EscapeString(q.L.T("map.title")))
	fmt.Fprintf(&sb, `<rect x="0" y="0" width="%.0f" height="%.0f" fill="#cfe3ef"></rect>`, mapWidth, h)
	sb.WriteString(base)
	var marks []mapMark
	for _, b := range st.Charts["place"] {
		p, ok := gazetteer.Default().Lookup(b.Key)
		mp := mapPlace{Name: b.Key, Count: b.Count, Known: ok}
		if ok {
			mp.Name, mp.Country = p.Name, p.Country
			x, y := project(p.Lon, p.Lat)
			marks = append(marks, mapMark{key: b.Key, name: p.Name, count: b.Count, x: x, y: y})
		}
		places = append(places, mp)
	}
	drawMarks(&sb, q.L, marks)
	sb.WriteString(`</svg>`)
	v := s.newView(q, "map.title")
	v.Data = struct {
		SVG    string
		Places []mapPlace
	}{sb.String(), places}
	s.render(w, q, http.StatusOK, "map", v)
	return nil
}

// mapMark is a place drawn on the map.
type mapMark struct {
	key, name string
	count     int64
	x, y, r   float64
}

// The circles: area proportional to the count, the largest markRadius px
// (about a twentieth of the map's width, so no circle covers a region
// whatever the numbers), the smallest markMin px so one report stays
// visible.
const (
	markRadius = 36.0
	markMin    = 3.0
)

// drawMarks draws each place as a circle whose area is proportional to its
// count (capped), largest first so small ones stay on top and clickable,
// each a link to the triage queue filtered to that place; then labels
// where they fit: each label tries right, left, above and below its circle
// and is left out (the circle's tooltip still names it) where every spot
// overlaps a label already placed or leaves the map.
func drawMarks(sb *strings.Builder, l *Locale, marks []mapMark) {
	var most int64
	for _, m := range marks {
		most = max(most, m.count)
	}
	for i := range marks {
		marks[i].r = markMin + (markRadius-markMin)*math.Sqrt(float64(marks[i].count)/float64(max(most, 1)))
	}
	sort.SliceStable(marks, func(i, j int) bool { return marks[i].count > marks[j].count })
	for _, m := range marks {
		fmt.Fprintf(sb, `<a href="/app/triage?place=%s"><circle cx="%.1f" cy="%.1f" r="%.1f" fill="#b3261e" fill-opacity="0.55" stroke="#6d0f0a"><title>%s: %s</title></circle></a>`,
			html.EscapeString(url.QueryEscape(m.key)), m.x, m.y, m.r, html.EscapeString(m.name), html.EscapeString(l.Num(m.count)))
	}
	type box struct{ x0, y0, x1, y1 float64 }
	var placed []box
	h := mapHeight()
	for _, m := range marks {
		text := m.name + " (" + l.Num(m.count) + ")"
		w, ht := 7*float64(utf8.RuneCountInString(text))+4, 15.0
		for _, at := range [][2]float64{{m.x + m.r + 2, m.y + 4}, {m.x - m.r - 2 - w, m.y + 4}, {m.x - w/2, m.y - m.r - 4}, {m.x - w/2, m.y + m.r + ht}} {
			b := box{at[0], at[1] - ht + 3, at[0] + w, at[1] + 3}
			if b.x0 < 0 || b.y0 < 0 || b.x1 > mapWidth || b.y1 > h || slices.ContainsFunc(placed, func(o box) bool {
				return b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1
			}) {
				continue
			}
			placed = append(placed, b)
			fmt.Fprintf(sb, `<text x="%.1f" y="%.1f" font-size="12" fill="#1b1b1b" stroke="#ffffff" stroke-width="3" paint-order="stroke">%s</text>`,
				at[0], at[1], html.EscapeString(text))
			break
		}
	}
}
