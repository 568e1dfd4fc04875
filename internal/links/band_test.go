package links_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/links"
)

func TestBand(t *testing.T) {
	for _, tc := range []struct {
		reports int
		want    string
	}{
		{-1, links.BandNone},
		{0, links.BandNone},
		{1, links.BandFew},
		{4, links.BandFew},
		{5, links.BandMany},
		{10000, links.BandMany},
	} {
		if got := links.Band(tc.reports); got != tc.want {
			t.Errorf("Band(%d) = %q, want %q", tc.reports, got, tc.want)
		}
	}
}

// TestCheckAnswerHasNoCount: the public answer has no field that could
// carry an exact count of reports.
func TestCheckAnswerHasNoCount(t *testing.T) {
	b, err := json.Marshal(links.CheckAnswer{Value: "+85512345678", Coarse: links.Coarse{Kind: "phone", Reported: true, Band: links.BandFew, Categories: []string{}}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for k, v := range m {
		if _, isNumber := v.(float64); isNumber || strings.Contains(k, "count") || k == "reports" {
			t.Errorf("the public check answer has %q: %v", k, v)
		}
	}
}
