package ingest_test

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/ingest"
	"github.com/vigil-project/vigil/internal/store"
)

// writeSheet writes a generated hotline spreadsheet of n rows in the
// columns of testdata/cases.csv (read with testdata/cases.yaml).
func writeSheet(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write([]string{"Case ID", "Date received", "What happened", "Type", "Victim name", "Age", "Sex", "Nationality", "Still held", "Location", "Recruiter contact"})
	rng := rand.New(rand.NewPCG(17, 1))
	types := []string{"Trafficked for scam work", "Held for ransom", "Deceptive recruitment", "Trafficked for scam work;Passport taken"}
	places := []string{"Shwe Kokko", "Sihanoukville", "Myawaddy", "Bavet", "Poipet"}
	nats := []string{"KE", "VN", "PH", "Kenya", "ID", "MM"}
	for i := range n {
		day := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(1800))
		phone := fmt.Sprintf("+66 8%d %03d %04d", rng.IntN(10), rng.IntN(1000), rng.IntN(10000))
		narr := fmt.Sprintf("Case %d: recruited through an online advert for a customer service job paying %d USD a month, taken to %s and forced to run online scams; the recruiter used %s and the passport was taken on arrival.",
			i, 800+rng.IntN(1500), places[rng.IntN(len(places))], phone)
		w.Write([]string{"HT-" + strconv.Itoa(100000+i), day.Format("02/01/2006"), narr, types[rng.IntN(len(types))], fmt.Sprintf("Person %d", i),
			strconv.Itoa(16 + rng.IntN(40)), []string{"M", "F"}[rng.IntN(2)], nats[rng.IntN(len(nats))], []string{"yes", "no"}[rng.IntN(2)],
			places[rng.IntN(len(places))], phone})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// TestWriteBenchSheet writes the generated spreadsheet of
// docs/benchmarks.md ("Spreadsheet import") to $VIGIL_IMPORT_SHEET, with
// $VIGIL_IMPORT_ROWS rows (default 100,000); skipped without it.
func TestWriteBenchSheet(t *testing.T) {
	path := os.Getenv("VIGIL_IMPORT_SHEET")
	if path == "" {
		t.Skip("set VIGIL_IMPORT_SHEET to write the benchmark spreadsheet")
	}
	n := 100_000
	if s := os.Getenv("VIGIL_IMPORT_ROWS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if err := writeSheet(path, n); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkImportCSV imports a generated 2,000-row spreadsheet into a
// fresh SQLite database per iteration.
func BenchmarkImportCSV(b *testing.B) {
	const rows = 2000
	path := filepath.Join(b.TempDir(), "sheet.csv")
	if err := writeSheet(path, rows); err != nil {
		b.Fatal(err)
	}
	m := mapping(b, "cases.yaml")
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b, store.SQLite)
		b.StartTimer()
		p := prepare(b, "csv", path, m)
		res, err := w.svc.Import(context.Background(), w.actor, p, ingest.Options{})
		if err != nil || res.Created != rows {
			b.Fatalf("%+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
