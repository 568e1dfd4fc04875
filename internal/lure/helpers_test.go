package lure_test

import (
	"os"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

// sharedRows reads ../shared/data/lure/train.csv. Without it the test is
// skipped, except under CI=true, where it fails: the targets must be
// checked there.
func sharedRows(t testing.TB) []lure.Example {
	t.Helper()
	rows, err := readCSVFile(trainCSV)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the shared data is missing: %v", err)
		}
		t.Skipf("shared data not available: %v", err)
	}
	return rows
}

// fixture reads a CSV file in testdata.
func fixture(t testing.TB, name string) []lure.Example {
	t.Helper()
	rows, err := readCSVFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

var (
	scorerOnce sync.Once
	scorer     *lure.Scorer
	scorerErr  error
)

// newScorer returns a Scorer with the embedded model, built once for the
// test binary.
func newScorer(t testing.TB) *lure.Scorer {
	t.Helper()
	scorerOnce.Do(func() { scorer, scorerErr = lure.New() })
	if scorerErr != nil {
		t.Fatal(scorerErr)
	}
	return scorer
}
