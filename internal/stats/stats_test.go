package stats

import (
	"slices"
	"testing"
)

func TestSorted(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    map[string]int64
		byKey bool
		want  []Bar
	}{
		{"empty", nil, false, []Bar{}},
		{"months in order", map[string]int64{"2026-03": 1, "2025-12": 7, "2026-01": 2}, true,
			[]Bar{{"2025-12", 7}, {"2026-01", 2}, {"2026-03", 1}}},
		{"largest first, ties by key", map[string]int64{"KH": 2, "VN": 5, "TH": 2, "MM": 1}, false,
			[]Bar{{"VN", 5}, {"KH", 2}, {"TH", 2}, {"MM", 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sorted(tc.in, tc.byKey); !slices.Equal(got, tc.want) {
				t.Errorf("sorted = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestChartsHaveDimensions: every chart reads a dimension of the roll-up.
func TestChartsHaveDimensions(t *testing.T) {
	if len(dims) != len(Charts()) {
		t.Errorf("%d dimensions for %d charts", len(dims), len(Charts()))
	}
	for _, c := range Charts() {
		if dims[c] == "" {
			t.Errorf("chart %s has no dimension", c)
		}
	}
}
