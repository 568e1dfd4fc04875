package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestResolvePlaces resolves reports whose places hold names only: one
// whose derived rows a version that resolved names itself keyed by ID, one
// whose rows were keyed by name (a migration's fill under this version),
// and one naming a place no resolver knows. Afterwards the place filter and
// the statistics agree with the resolved places; a second run with the same
// resolver version does nothing, one with a new version resolves again.
func TestResolvePlaces(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		old := seedReport(t, ctx, db, o.ID, func(r *store.Report) { r.Places = []store.PlaceRef{{Name: "Bavet", PlaceID: "bavet", Country: "KH"}} })
		if err := db.SetPlacesJSON(ctx, old.ID, `[{"name":"Bavet"}]`); err != nil {
			t.Fatal(err)
		}
		byName := seedReport(t, ctx, db, o.ID, func(r *store.Report) { r.Places = []store.PlaceRef{{Name: "បាវិត"}, {Name: "Camp 9"}} })
		seedReport(t, ctx, db, o.ID, func(r *store.Report) { r.Places = []store.PlaceRef{{Name: "Camp 9"}} })

		calls := 0
		resolve := func(p store.PlaceRef) store.PlaceRef {
			calls++
			if p.Name == "Bavet" || p.Name == "បាវិត" {
				p.PlaceID, p.Country = "bavet", "KH"
			}
			return p
		}
		n, err := db.ResolvePlaces(ctx, "v1", resolve)
		if err != nil || n != 2 {
			t.Fatalf("ResolvePlaces = %d, %v; want 2 reports changed", n, err)
		}
		got, err := db.Read().GetReport(ctx, byName.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := []store.PlaceRef{{Name: "បាវិត", PlaceID: "bavet", Country: "KH"}, {Name: "Camp 9"}}; !reflect.DeepEqual(got.Places, want) {
			t.Errorf("places = %+v; want %+v", got.Places, want)
		}
		for _, tt := range []struct {
			f    store.ReportFilter
			want int
		}{
			{store.ReportFilter{OrgID: o.ID, PlaceKey: "bavet"}, 2},
			{store.ReportFilter{OrgID: o.ID, PlaceKey: "Bavet"}, 0},
			{store.ReportFilter{OrgID: o.ID, PlaceKey: "camp 9", PlaceText: "camp 9"}, 2},
		} {
			if n, err := db.Read().CountReportsUpTo(ctx, tt.f, 10); err != nil || n != tt.want {
				t.Errorf("%+v counts %d, %v; want %d", tt.f, n, err, tt.want)
			}
		}
		rolled, err := db.Read().Stats(ctx, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		recounted, err := db.Read().RecountStats(ctx, o.ID)
		if err != nil || !reflect.DeepEqual(rolled, recounted) {
			t.Errorf("roll-up %v; recount %v, %v", rolled, recounted, err)
		}
		var places []store.Stat
		for _, s := range rolled {
			if s.Dim == store.DimPlace {
				places = append(places, s)
			}
		}
		if want := []store.Stat{{Dim: store.DimPlace, Key: "Camp 9", Count: 2}, {Dim: store.DimPlace, Key: "bavet", Count: 2}}; !reflect.DeepEqual(places, want) {
			t.Errorf("place counts = %v; want %v", places, want)
		}
		calls = 0
		if n, err := db.ResolvePlaces(ctx, "v1", resolve); err != nil || n != 0 || calls != 0 {
			t.Errorf("ResolvePlaces again with the same version = %d, %v after %d resolutions; want 0, nil, none", n, err, calls)
		}
		// A new resolver version (a gazetteer that learnt "Camp 9") resolves
		// again.
		n, err = db.ResolvePlaces(ctx, "v2", func(p store.PlaceRef) store.PlaceRef {
			if p.Name == "Camp 9" {
				p.PlaceID, p.Country = "camp-9", "MM"
			}
			return resolve(p)
		})
		if err != nil || n != 2 {
			t.Fatalf("ResolvePlaces with a new version = %d, %v; want 2 reports changed", n, err)
		}
		if n, err := db.Read().CountReportsUpTo(ctx, store.ReportFilter{OrgID: o.ID, PlaceKey: "camp-9"}, 10); err != nil || n != 2 {
			t.Errorf("reports at camp-9 after the new version = %d, %v; want 2", n, err)
		}
		rolled, _ = db.Read().Stats(ctx, o.ID)
		if recounted, err := db.Read().RecountStats(ctx, o.ID); err != nil || !reflect.DeepEqual(rolled, recounted) {
			t.Errorf("after the new version: roll-up %v; recount %v, %v", rolled, recounted, err)
		}
	})
}

// TestResolvePlacesCutShort: a run cut short after it changed reports but
// before it recounted leaves the places resolved and the derived rows
// stale; the next run recounts although it has nothing left to change.
func TestResolvePlacesCutShort(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		r := seedReport(t, ctx, db, o.ID, func(r *store.Report) { r.Places = []store.PlaceRef{{Name: "Bavet"}} })
		if err := db.SetPlacesJSON(ctx, r.ID, `[{"name":"Bavet","place_id":"bavet","country":"KH"}]`); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPlacesRecountPending(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.ResolvePlaces(ctx, "v1", func(p store.PlaceRef) store.PlaceRef { return p })
		if err != nil || n != 0 {
			t.Fatalf("ResolvePlaces = %d, %v; want nothing left to change", n, err)
		}
		if n, err := db.Read().CountReportsUpTo(ctx, store.ReportFilter{OrgID: o.ID, PlaceKey: "bavet"}, 10); err != nil || n != 1 {
			t.Errorf("reports at bavet = %d, %v; want 1 (recounted)", n, err)
		}
		rolled, _ := db.Read().Stats(ctx, o.ID)
		if recounted, err := db.Read().RecountStats(ctx, o.ID); err != nil || !reflect.DeepEqual(rolled, recounted) {
			t.Errorf("roll-up %v; recount %v, %v", rolled, recounted, err)
		}
	})
}
