package extract_test

import (
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/extract"
)

// BenchmarkText measures throughput over the labelled corpus — chat
// messages, job ads and reports in six languages, dense with identifiers —
// as one long text ("joined") and as one call per snippet ("snippets").
// Run: go test ./internal/extract -run '^$' -bench BenchmarkText -benchtime 2s
func BenchmarkText(b *testing.B) {
	corpus := loadCorpus(b, devCorpus)
	texts := make([]string, len(corpus))
	size := 0
	for i, e := range corpus {
		texts[i] = e.Text
		size += len(e.Text)
	}
	joined := strings.Join(texts, "\n\n")
	opts := extract.Options{Region: "KH"}
	extract.Text(joined, opts) // build the shared tables outside the timing

	b.Run("joined", func(b *testing.B) {
		b.SetBytes(int64(len(joined)))
		for b.Loop() {
			extract.Text(joined, opts)
		}
	})
	b.Run("snippets", func(b *testing.B) {
		b.SetBytes(int64(size))
		for b.Loop() {
			for _, t := range texts {
				extract.Text(t, opts)
			}
		}
	})
}
