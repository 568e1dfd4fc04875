package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// BenchmarkTriageQueue measures what the triage page asks of the database
// with VIGIL_BENCH_REPORTS (default 20000) received reports in one
// organisation, one in fifty with someone still held: the exact count, the
// first page and a page deep in the queue (still-held first, 100 rows), and
// a count with a place filter.
//
//	VIGIL_BENCH_REPORTS=200000 go test ./internal/store -run '^$' -bench TriageQueue -benchtime 20x
func BenchmarkTriageQueue(b *testing.B) {
	n := 20000
	if s := os.Getenv("VIGIL_BENCH_REPORTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e)+"/"+strconv.Itoa(n), func(b *testing.B) {
			ctx := context.Background()
			db := storetest.Open(b, e)
			o := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "ngo", CreatedAt: store.Now()}
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutOrganisation(ctx, o) }); err != nil {
				b.Fatal(err)
			}
			places := []string{"Bavet", "Shwe Kokko", "KK Park", "Sihanoukville", "a village near the border"}
			var deep store.Key
			for start := 0; start < n; start += 5000 {
				var rs []*store.Report
				for i := start; i < min(n, start+5000); i++ {
					id := store.NewID()
					rs = append(rs, &store.Report{ID: id, OrgID: o.ID, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web",
						Language: []string{"km", "zh", "th", "vi", "en"}[i%5], IncidentTypes: []string{"confinement"},
						Places: []store.PlaceRef{{Name: places[i%len(places)]}}, Urgent: i%50 == 0, Status: "received",
						ReceivedAt: store.Now(), UpdatedAt: store.Now()})
					if i == n/2 {
						deep = store.Key{ID: id}
					}
				}
				if err := db.BulkReports(ctx, rs); err != nil {
					b.Fatal(err)
				}
			}
			f := store.ReportFilter{OrgID: o.ID, Status: "received", UrgentFirst: true, Limit: 100}
			b.Run("count", func(b *testing.B) {
				for b.Loop() {
					if c, err := db.Read().CountReportsUpTo(ctx, f, 1_000_000); err != nil || c != n {
						b.Fatal(c, err)
					}
				}
			})
			b.Run("count place text", func(b *testing.B) {
				g := f
				g.PlaceText = "kokko"
				for b.Loop() {
					if _, err := db.Read().CountReportsUpTo(ctx, g, 1_000_000); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("first page", func(b *testing.B) {
				for b.Loop() {
					if rs, err := db.Read().ListReports(ctx, f); err != nil || len(rs) != 100 {
						b.Fatal(len(rs), err)
					}
				}
			})
			b.Run("deep page", func(b *testing.B) {
				g := f
				g.From = &deep
				for b.Loop() {
					if rs, err := db.Read().ListReports(ctx, g); err != nil || len(rs) != 100 {
						b.Fatal(len(rs), err)
					}
				}
			})
			b.Run("deep page back", func(b *testing.B) {
				g := f
				g.From, g.Back = &deep, true
				for b.Loop() {
					if rs, err := db.Read().ListReports(ctx, g); err != nil || len(rs) != 100 {
						b.Fatal(len(rs), err)
					}
				}
			})
		})
	}
}
