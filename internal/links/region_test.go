package links_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestRegionFromPlace: a report with no country reads national phone
// numbers in the country of its first gazetteer place, so 012 345 678 in a
// Chinese report placed in 西港 (Sihanoukville) is +855 12 345 678, and the
// two reports naming it are linked, incrementally and by a rebuild alike.
func TestRegionFromPlace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db) // its organisations have no country
		first := w.file("", &intake.Submission{Language: "en", Country: "KH", Narrative: "The recruiter called from +855 12 345 678."})
		second := w.file("", &intake.Submission{Language: "zh", Narrative: "招聘的人用电话 012 345 678 联系我，说工作在西港。", Places: []intake.PlaceIn{{Name: "西港"}}})
		// Without a country or a known place, the same text reads no number.
		third := w.file("", &intake.Submission{Language: "zh", Narrative: "招聘的人用电话 012 345 678 联系我。", Places: []intake.PlaceIn{{Name: "某个园区"}}})

		h, ok := extract.Query("+855 12 345 678", "")
		if !ok {
			t.Fatal("extract.Query does not read +855 12 345 678")
		}
		if n, err := w.links.ReportsFor(ctx, string(h.Kind), h.Value); err != nil || n != 2 {
			t.Errorf("reports naming %s %s = %d, %v; want 2", h.Kind, h.Value, n, err)
		}
		clusters, err := w.links.Clusters(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if clusters[second] != first || clusters[third] != third {
			t.Errorf("clusters = %v; want the report placed in 西港 joined to %s, the unplaced one alone", clusters, first)
		}
		before := snapshot(t, db, w.ids)
		if _, err := w.links.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		if after := snapshot(t, db, w.ids); !reflect.DeepEqual(before, after) {
			t.Errorf("a rebuild changed the index:\nbefore %+v\nafter  %+v", before, after)
		}
	})
}
