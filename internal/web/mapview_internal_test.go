package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDrawMarks: at 20,000 reports in one place the circle stays within
// its cap, every circle links to the triage queue filtered to its place,
// and no two labels overlap (close places lose a label, not legibility).
func TestDrawMarks(t *testing.T) {
	ls, err := loadLocales()
	if err != nil {
		t.Fatal(err)
	}
	marks := []mapMark{
		{key: "Shwe Kokko", name: "Shwe Kokko", count: 20000, x: 290, y: 275},
		{key: "KK Park", name: "KK Park", count: 15000, x: 288, y: 280},
		{key: "Myawaddy", name: "Myawaddy", count: 13000, x: 292, y: 270},
		{key: "Bavet", name: "Bavet", count: 1, x: 550, y: 480},
	}
	var sb strings.Builder
	drawMarks(&sb, ls["en"], marks)
	svg := sb.String()
	for _, m := range regexp.MustCompile(`r="([0-9.]+)"`).FindAllStringSubmatch(svg, -1) {
		if r, _ := strconv.ParseFloat(m[1], 64); r > markRadius || r < markMin {
			t.Errorf("circle radius %v outside [%v, %v]", r, markMin, markRadius)
		}
	}
	if n := strings.Count(svg, `<a href="/app/triage?place=`); n != 4 {
		t.Errorf("%d circles link to the triage queue, want 4", n)
	}
	type box struct{ x0, y0, x1, y1 float64 }
	var boxes []box
	for _, m := range regexp.MustCompile(`<text x="([0-9.-]+)" y="([0-9.-]+)"[^>]*>([^<]*)</text>`).FindAllStringSubmatch(svg, -1) {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		w := 7*float64(len([]rune(m[3]))) + 4
		b := box{x, y - 12, x + w, y + 3}
		for _, o := range boxes {
			if b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1 {
				t.Errorf("label %q overlaps another", m[3])
			}
		}
		boxes = append(boxes, b)
	}
	if len(boxes) < 2 {
		t.Errorf("only %d labels placed", len(boxes))
	}
}
