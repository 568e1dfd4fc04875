package listexport_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"runtime/metrics"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/listexport"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/stats"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
	"github.com/vigil-project/vigil/internal/web"
)

// BenchmarkExportTriage exports the whole triage queue of
// VIGIL_BENCH_REPORTS reports (default 10,000; docs/benchmarks.md has
// 100,000) as CSV and as XLSX on both engines, and reports the peak Go
// heap while it runs (sampled every 5 ms) beside the file's size.
func BenchmarkExportTriage(b *testing.B) {
	n := 10000
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
			for start := 0; start < n; start += 1000 {
				var batch []*store.Intake
				for i := start; i < min(n, start+1000); i++ {
					id := store.NewID()
					r := &store.Report{ID: id, OrgID: o.ID, TrackingCode: "VG-" + id, SecretHash: []byte{1}, Channel: "web",
						Language: []string{"km", "zh", "th", "vi", "en"}[i%5], IncidentTypes: []string{"confinement", "violence"},
						Places: []store.PlaceRef{{Name: places[i%len(places)]}}, Victims: []store.Victim{{Nationality: "KH", StillHeld: i%50 == 0}},
						Urgent: i%50 == 0, Status: "received", ReceivedAt: store.Now(), UpdatedAt: store.Now()}
					batch = append(batch, &store.Intake{Report: r, DataKey: []byte("bench")})
				}
				if err := db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, batch) }); err != nil {
					b.Fatal(err)
				}
			}
			keys, err := seal.New(bytes.Repeat([]byte{9}, seal.KeySize))
			if err != nil {
				b.Fatal(err)
			}
			log := slog.New(slog.DiscardHandler)
			in := intake.New(db, keys, nil, nil, log)
			cats, err := web.Catalogues()
			if err != nil {
				b.Fatal(err)
			}
			svc := listexport.New(db, in, casework.New(db, keys, in, log), stats.New(db), nil, cats)
			a := auth.Actor{UserID: store.NewID(), OrgID: o.ID, Role: auth.Coordinator}
			for _, format := range listexport.Formats() {
				b.Run(format, func(b *testing.B) {
					var size int64
					peak := watchHeap(b)
					for b.Loop() {
						ex, err := svc.Start(ctx, a, listexport.Request{List: listexport.Triage, Format: format, Lang: "km"})
						if err != nil {
							b.Fatal(err)
						}
						cw := &countWriter{}
						if err := ex.Write(ctx, cw); err != nil {
							b.Fatal(err)
						}
						size = cw.n
					}
					b.ReportMetric(float64(peak()), "peak-heap-MB")
					b.ReportMetric(float64(size)/1e6, "file-MB")
				})
			}
		})
	}
}

// watchHeap samples the Go heap every 5 ms until the benchmark ends and
// returns a function giving the peak seen, in MB.
func watchHeap(b *testing.B) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := int64(s[0].Value.Uint64()); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	b.Cleanup(func() { close(stop); <-done })
	return func() int64 { return peak.Load() >> 20 }
}

// countWriter counts what is written to it.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

var _ io.Writer = (*countWriter)(nil)
