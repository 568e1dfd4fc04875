package api_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/server/servertest"
)

// BenchmarkCheckRange serves range buckets from memory through the
// server's whole handler (routing, the public rate limiter, metrics,
// security headers), in parallel, for a published range of 10k and 1M
// synthetic identifiers: no database read per request. It reports
// requests a second and the 99th percentile latency of one request
// (docs/benchmarks.md; target ≥ 50,000 req/s, p99 ≤ 2 ms).
func BenchmarkCheckRange(b *testing.B) {
	srv := servertest.New(b, servertest.Options{NoJobs: true, Config: func(cfg *config.Config) { cfg.PublicRate = 1e9 }})
	h := srv.Handler()
	for _, n := range []int{10_000, 1_000_000} {
		rng := rand.New(rand.NewPCG(uint64(n), 19))
		list := make([]links.ListEntry, n)
		for i := range list {
			list[i] = links.ListEntry{Hash: links.RangeHash("phone", fmt.Sprintf("+855%09d", rng.IntN(1e9))),
				Coarse: links.Coarse{Kind: "phone", Reported: true, Band: links.BandFew, UnverifiedReports: links.BandNone, FirstSeen: "2026-01", LastSeen: "2026-11", Categories: []string{"forced_scamming"}}}
		}
		p, err := links.Build(list)
		if err != nil {
			b.Fatal(err)
		}
		srv.Links.Install(p)
		paths := make([]string, 1<<(4*p.PrefixLength))
		for i := range paths {
			paths[i] = fmt.Sprintf("/api/v1/check/range/%0*x", p.PrefixLength, i)
		}
		b.Run(fmt.Sprintf("identifiers=%d/prefix=%d", n, p.PrefixLength), func(b *testing.B) {
			var mu sync.Mutex
			var lat []time.Duration
			var bytes int64
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				r := rand.New(rand.NewPCG(rand.Uint64(), 0))
				var mine []time.Duration
				var mineBytes int64
				for pb.Next() {
					req := httptest.NewRequest("GET", paths[r.IntN(len(paths))], nil)
					req.RemoteAddr = "192.0.2.1:1234"
					rec := httptest.NewRecorder()
					t0 := time.Now()
					h.ServeHTTP(rec, req)
					mine = append(mine, time.Since(t0))
					if rec.Code != http.StatusOK {
						b.Errorf("status %d: %s", rec.Code, rec.Body)
						return
					}
					mineBytes += int64(rec.Body.Len())
				}
				mu.Lock()
				lat = append(lat, mine...)
				bytes += mineBytes
				mu.Unlock()
			})
			b.StopTimer()
			el := time.Since(start)
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/el.Seconds(), "req/s")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
				b.ReportMetric(float64(bytes)/float64(len(lat)), "bytes/resp")
			}
		})
	}
}
