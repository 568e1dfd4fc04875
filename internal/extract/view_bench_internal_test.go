package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// BenchmarkViewSteps measures the two obfuscation steps of the view on
// their own, over the development corpus as one text, to set beside
// BenchmarkText: what they add to extraction.
// Run: go test ./internal/extract -run '^$' -bench BenchmarkViewSteps -cpu 1
func BenchmarkViewSteps(b *testing.B) {
	f, err := os.Open("testdata/corpus.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var e struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			b.Fatal(err)
		}
		texts = append(texts, e.Text)
	}
	joined := strings.Join(texts, "\n\n")
	b.SetBytes(int64(len(joined)))
	for _, step := range []struct {
		name string
		fn   func(string) (string, *spanMap)
	}{{"confusables", foldConfusables}, {"digits", spellDigits}} {
		b.Run(step.name, func(b *testing.B) {
			b.SetBytes(int64(len(joined)))
			for b.Loop() {
				step.fn(joined)
			}
		})
	}
}
