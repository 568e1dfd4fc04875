package lure_test

import (
	"context"
	"os"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

// benchAds returns ads to score: the held-out real ads when the shared data
// is there (long job-board ads, about 1.8 kB each), else the fixtures.
func benchAds(b *testing.B) (string, []lure.Example) {
	if rows, err := readCSVFile(trainCSV); err == nil {
		return "heldout", lure.Select(rows, lure.SplitTest)
	}
	var all []lure.Example
	for _, f := range []string{"testdata/compound_ads.csv", "testdata/legit_ads_region.csv"} {
		rows, err := readCSVFile(f)
		if err != nil {
			b.Fatal(err)
		}
		all = append(all, rows...)
	}
	return "fixtures", all
}

// BenchmarkScore measures scoring on one goroutine; run it with -cpu 1 for
// the one-core figure. It reports ads/s (wall clock), ads/cpu-s (process CPU
// time, which includes the garbage collector) and bytes/ad.
func BenchmarkScore(b *testing.B) {
	s, err := lure.New()
	if err != nil {
		b.Fatal(err)
	}
	name, ads := benchAds(b)
	var bytes int
	for _, a := range ads {
		bytes += len(a.Text)
	}
	ctx := context.Background()
	b.Run(name, func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		cpu0 := cpuTime()
		for b.Loop() {
			if _, err := s.Score(ctx, ads[n%len(ads)].Text, "en"); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ads/s")
		// On a shared machine wall time overstates the cost; CPU time of
		// the process (one goroutine, plus a little GC) does not.
		if cpu := cpuTime() - cpu0; cpu > 0 {
			b.ReportMetric(float64(n)/cpu.Seconds(), "ads/cpu-s")
		}
		b.ReportMetric(float64(bytes)/float64(len(ads)), "bytes/ad")
	})
}

// BenchmarkNew measures parsing the embedded model and building a Scorer:
// the cost paid once when a command or the server first needs one.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := lure.New(); err != nil {
			b.Fatal(err)
		}
	}
}

func readCSVFile(path string) ([]lure.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return lure.ReadCSV(f)
}

// trainCSV is the shared labelled data, relative to this package.
const trainCSV = "../../../shared/data/lure/train.csv"
