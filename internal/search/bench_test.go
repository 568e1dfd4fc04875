package search_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/store"
)

// benchReports is the size of the benchmark's data set
// (VIGIL_SEARCH_BENCH_REPORTS, default 20,000).
func benchReports() int {
	if n, err := strconv.Atoi(os.Getenv("VIGIL_SEARCH_BENCH_REPORTS")); err == nil && n > 0 {
		return n
	}
	return 20000
}

// load files n generated reports (the demo generator: five languages,
// recruiter networks sharing phones and handles) for home in bulk, with or
// without the search index, and returns the time per report.
func (w *world) load(b *testing.B, n int, index bool) time.Duration {
	b.Helper()
	ctx := context.Background()
	if !index {
		w.in.Index = nil
		defer func() { w.in.Index = w.search }()
	}
	g := demo.NewGenerator(uint64(n), n, time.Now().AddDate(-1, 0, 0), time.Now())
	start := time.Now()
	for done := 0; done < n; {
		items := make([]intake.BulkItem, 0, 500)
		for ; len(items) < 500 && done < n; done++ {
			sub, at := g.Next()
			items = append(items, intake.BulkItem{OrgID: w.orgs["home"], At: at, Sub: sub})
		}
		if _, err := w.in.SubmitBulk(ctx, items); err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start) / time.Duration(n)
}

// BenchmarkSearch measures search latency (p50, p99 over the run) at
// benchReports reports on both engines, for a common word, a rare
// conjunction, Thai and Chinese text, an ID prefix and a tracking code.
// It also reports the intake cost of the index: bulk intake per report
// with and without it.
func BenchmarkSearch(b *testing.B) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			w := newWorld(b, e)
			n := benchReports()
			// Intake without the index is timed on a tenth of n before the
			// indexed reports and again after them, so the comparison is
			// not only against a smaller database.
			before := w.load(b, n/10, false)
			// With the index, the merge loop runs as in a server.
			mctx, stop := context.WithCancel(context.Background())
			merging := make(chan struct{})
			go func() {
				defer close(merging)
				w.search.RunMerge(mctx, 100*time.Millisecond)
			}()
			with := w.load(b, n, true)
			stop()
			<-merging
			after := w.load(b, n/10, false)
			rows, _ := w.db.Read().CountSearchTerms(context.Background())
			// What the merge loop had not moved yet is merged now.
			start := time.Now()
			if err := w.search.MergeAll(context.Background()); err != nil {
				b.Fatal(err)
			}
			merge := time.Since(start) / time.Duration(n)
			b.Logf("%s, %d reports: bulk intake %v/report with the index; without it %v/report before them and %v/report after them (%d reports each); merging what was still pending %v/report afterwards; %.1f index rows/report",
				e, n, with, before, after, n/10, merge, float64(rows)/float64(n))
			ctx := context.Background()
			inv := w.actors["investigator@home"]
			first, err := w.search.Search(ctx, inv, "telegram", 20, "")
			if err != nil || len(first.Results) == 0 {
				b.Fatalf("no results: %v", err)
			}
			for _, q := range []struct{ name, q string }{
				{"common-word", "telegram"},
				{"two-words", "passport salary"},
				{"thai", "ปอยเปต"},
				{"chinese", "柬埔寨"},
				{"id-prefix", first.Results[0].ID[:8]},
				{"no-match", "zzqqxx"},
			} {
				b.Run(q.name, func(b *testing.B) {
					var lat []time.Duration
					for b.Loop() {
						s := time.Now()
						if _, err := w.search.Search(ctx, inv, q.q, 20, ""); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(s))
					}
					slices.Sort(lat)
					b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
					b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				})
			}
		})
	}
}
