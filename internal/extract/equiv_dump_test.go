package extract_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/gazetteer"
)

// TestDumpForEquivalence writes Text's answers, as JSON lines, for every
// corpus text, the fuzz seeds, the blow-up shapes at several sizes and
// thousands of seeded cuts and splices of them, in several option sets, to
// the file VIGIL_EXTRACT_DUMP names. Run it on two versions of the code and
// compare the files byte for byte: a change meant to keep the output must
// give the same file. Without the variable it dumps every tenth text in
// three option sets twice and requires the same bytes: Text's answers do
// not hang on map order, pooled scratch or an earlier call.
func TestDumpForEquivalence(t *testing.T) {
	path := os.Getenv("VIGIL_EXTRACT_DUMP")
	texts := equivTexts(t)
	small, err := gazetteer.New(gazetteer.Default().All()[:16])
	if err != nil {
		t.Fatal(err)
	}
	optSets := []extract.Options{
		{Region: "KH"}, {Region: ""}, {Region: "TH"}, {Region: "cn"}, {Region: "US"},
		{Region: "VN"}, {Region: "ID"}, {Region: "PH"}, {Region: "KH", NoPlaces: true},
		{Region: "KH", Places: small},
	}
	if path == "" {
		var some []string
		for i := 0; i < len(texts); i += 10 {
			some = append(some, texts[i])
		}
		var first, second bytes.Buffer
		dumpAnswers(t, &first, some, optSets[:3])
		dumpAnswers(t, &second, some, optSets[:3])
		if !bytes.Equal(first.Bytes(), second.Bytes()) {
			t.Errorf("the same %d texts gave different answers the second time", len(some))
		}
		return
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	n := dumpAnswers(t, w, texts, optSets)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d texts, %d calls", len(texts), n)
}

// dumpAnswers writes Text's answer for each text in each option set to w,
// a line each, and returns how many it wrote: the texts over 4 KB in the
// first two option sets and a third of them in the rest.
func dumpAnswers(t *testing.T, w io.Writer, texts []string, optSets []extract.Options) int {
	t.Helper()
	n := 0
	for oi, o := range optSets {
		for ti, text := range texts {
			if oi >= 2 && ti%3 != 0 && len(text) > 4096 {
				continue
			}
			b, err := json.Marshal(extract.Text(text, o))
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(w, "%d %d %s\n", oi, ti, b)
			n++
		}
	}
	return n
}

// equivTexts returns the texts TestDumpForEquivalence feeds Text, the
// same list each run.
func equivTexts(t *testing.T) []string {
	var corpus []string
	files, _ := filepath.Glob("testdata/*.jsonl")
	for _, p := range files {
		for _, e := range loadCorpus(t, p) {
			corpus = append(corpus, e.Text)
		}
	}
	joined := strings.Join(corpus, "\n\n")
	patterns := blowUpPatterns(t)
	fragments := []string{
		"zero", "one two three", "nine", "ศูนย์", "ប្រាំ", "零一二", "double", "triple", "nol", "satu",
		"+0", "+1", "+55", "+855 ", "0 1 2 . 3", "1-2-3", "１２３", "ａ。ｂ", "＠", "．", "rе", "аa", "О9",
		"@ g m a i l . c o m", " at ", " dot ", "[.]", "(dot)", "[at]", "t dot me/", "t . me / ", "wa.me/",
		"\xff", "\xe0\xa4", "\n", "\n\n", "  ", "\u200b", "<b>", "&#64;", "0️⃣", "⑨", "𝐚", "ä", "hxxp://",
		"WhatsApp: ", "Line: ", "微信：", "Telegram @", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "012 345 678", "081-234-5678", "13812345678", "\t",
	}
	var texts []string
	texts = append(texts, corpus...)
	texts = append(texts, fuzzSeeds...)
	texts = append(texts, joined)
	for _, p := range patterns {
		for _, size := range []int{1, 7, 3000, 5000, 40000} {
			if size < 100 {
				texts = append(texts, strings.Repeat(p, size))
			} else {
				texts = append(texts, strings.Repeat(p, max(1, size/len(p))))
			}
		}
	}
	rng := rand.New(rand.NewPCG(16, 4))
	for range 8000 { // cuts at any byte
		src := joined
		if rng.IntN(2) == 0 {
			src = corpus[rng.IntN(len(corpus))]
		}
		a := rng.IntN(len(src) + 1)
		l := rng.IntN(min(len(src)-a, 1+rng.IntN(6000)) + 1)
		texts = append(texts, src[a:a+l])
	}
	for range 8000 { // splices of cuts, shapes and fragments
		var b strings.Builder
		for k := 1 + rng.IntN(8); k > 0; k-- {
			switch rng.IntN(4) {
			case 0:
				c := corpus[rng.IntN(len(corpus))]
				a := rng.IntN(len(c) + 1)
				b.WriteString(c[a : a+rng.IntN(len(c)-a+1)])
			case 1:
				b.WriteString(strings.Repeat(patterns[rng.IntN(len(patterns))], 1+rng.IntN(4)))
			default:
				b.WriteString(fragments[rng.IntN(len(fragments))])
				if rng.IntN(2) == 0 {
					b.WriteByte(" 0123456789abc@.-\n"[rng.IntN(18)])
				}
			}
		}
		texts = append(texts, b.String())
	}
	return texts
}

// blowUpPatterns reads the patterns of TestNoQuadraticBlowUp from its
// source, so that the dump follows the list as it grows.
func blowUpPatterns(t *testing.T) []string {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "adversarial_test.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	ast.Inspect(file, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || as.Lhs[0].(*ast.Ident).Name != "patterns" {
			return true
		}
		for _, e := range as.Rhs[0].(*ast.CompositeLit).Elts {
			s, err := strconv.Unquote(e.(*ast.BasicLit).Value)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return false
	})
	if len(out) == 0 {
		t.Fatal("no patterns in adversarial_test.go")
	}
	return out
}
