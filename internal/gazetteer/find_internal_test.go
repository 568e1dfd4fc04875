package gazetteer

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// findReference is Find before its filters (pass, casePairs, starts3):
// it asks first and mayStart at every byte that is neither inside a Latin
// word nor a continuation byte.
func (g *Gazetteer) findReference(text string) []Match {
	var out []Match
	for i := 0; i < len(text); {
		c := text[i]
		if c >= 0x80 && c < 0xC0 {
			for i++; i < len(text) && text[i] >= 0x80 && text[i] < 0xC0; i++ {
			}
			continue
		}
		if isASCIIAlnum(c) && i > 0 && isASCIIAlnum(text[i-1]) {
			for i++; i < len(text) && isASCIIAlnum(text[i]); i++ {
			}
			continue
		}
		if !g.trie.first[c] || !g.trie.mayStart(text, i) {
			i++
			continue
		}
		if end, idx := g.trie.longest(text, i); idx >= 0 {
			if !inWord(text, i, end, g.places[idx].NotIn) {
				out = append(out, Match{ID: g.places[idx].ID, Start: i, End: end})
				i = end
				continue
			}
		}
		i++
	}
	return out
}

// TestFindFilters: Find's filters only pass over places where no name
// starts, so it finds what findReference finds, on the default gazetteer
// and on ones whose names are too short for the filters or not UTF-8,
// over texts made of names (cases changed, spaces and hyphens put in)
// and bytes around them, cut anywhere.
func TestFindFilters(t *testing.T) {
	odd, err := New([]Place{
		{ID: "short", Name: "Q", Country: "MM", Kind: KindCity, Aliases: []string{"缅", "ก", "x-y"}},
		{ID: "bytes", Name: "Zz", Country: "MM", Kind: KindCity, Aliases: []string{"\xe0a b", "\xe4", "\x80q", "(p)", "é", "\xe5\xb1"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	latin, err := New([]Place{
		{ID: "one", Name: "Bokor Hill", Country: "KH", Kind: KindCity, Aliases: []string{"西港", "金三角", "ក្រុងព្រះសីហនុ", "K2"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var pieces []string
	for _, p := range Default().places {
		pieces = append(pieces, p.Name)
		pieces = append(pieces, p.Aliases...)
		pieces = append(pieces, p.NotIn...)
	}
	pieces = append(pieces, " ", "-", " - ", "\n", ".", "a", "Z", "9", "_", "中", "国", "ក", "ก", "é", "\xe0", "\x80", "\xff",
		"Q", "缅", "x-y", "x y", "(p)", "\xe0a b", "\xe0A-b", "\xe4", "\x80q", "zZ", "k2", "Bokor hill", "bokor-hill")
	r := rand.New(rand.NewSource(1))
	mutate := func(s string) string {
		b := []byte(s)
		for k := range b {
			switch r.Intn(8) {
			case 0:
				if b[k] >= 'a' && b[k] <= 'z' {
					b[k] -= 'a' - 'A'
				}
			case 1:
				if b[k] == ' ' {
					b[k] = '-'
				}
			}
		}
		s = string(b)
		if r.Intn(4) == 0 && len(s) > 1 {
			k := r.Intn(len(s))
			s = s[:k] + []string{" ", "-", "  "}[r.Intn(3)] + s[k:]
		}
		return s
	}
	n := 0
	for range 20000 {
		var b strings.Builder
		for k := 1 + r.Intn(8); k > 0; k-- {
			b.WriteString(mutate(pieces[r.Intn(len(pieces))]))
		}
		text := b.String()
		if r.Intn(3) == 0 {
			a := r.Intn(len(text))
			text = text[a:]
		}
		for _, g := range []*Gazetteer{Default(), odd, latin} {
			got, want := g.Find(text), g.findReference(text)
			n += len(want)
			if !slices.Equal(got, want) {
				t.Fatalf("Find(%q) = %v, want %v", text, got, want)
			}
		}
	}
	if n < 10000 {
		t.Errorf("only %d matches: the texts do not test much", n)
	}
}
