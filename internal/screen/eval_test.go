package screen_test

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/vigil-project/vigil/internal/screen"
)

// sdnDir is the OFAC SDN snapshot shared with the repository (see
// ../shared/data/README.md), relative to this package.
const sdnDir = "../../../shared/data/watchlists/ofac-sdn"

// sdnData returns the snapshot's folder, skipping the test when it is
// missing — except under CI, where that is a failure.
func sdnData(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(sdnDir, "sdn.csv")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("SDN snapshot missing in CI: %v", err)
		}
		t.Skipf("SDN snapshot not found at %s: %v", sdnDir, err)
	}
	return sdnDir
}

func loadSDN(t testing.TB) []screen.Entry {
	t.Helper()
	es, err := screen.Parse(screen.FormatOFACCSV, sdnData(t))
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// aliasQuery is one alias of alt.csv whose entry is in sdn.csv.
type aliasQuery struct {
	id, name string
}

func aliasQueries(t testing.TB, es []screen.Entry) []aliasQuery {
	t.Helper()
	ids := map[string]bool{}
	for _, e := range es {
		ids[e.ID] = true
	}
	f, err := os.Open(filepath.Join(sdnData(t), "alt.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var qs []aliasQuery
	for _, rec := range recs {
		if len(rec) < 4 || !ids[strings.TrimSpace(rec[0])] {
			continue
		}
		qs = append(qs, aliasQuery{strings.TrimSpace(rec[0]), strings.TrimSpace(rec[3])})
	}
	return qs
}

// baseline is the naive token-overlap matcher the issue compares against:
// lower-case alphanumeric tokens, candidates sharing a token, ranked by
// Jaccard overlap.
type baseline struct {
	ids  []string
	toks []map[string]bool
	inv  map[string][]int
}

func baseTokens(s string) map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		m[t] = true
	}
	return m
}

func newBaseline(es []screen.Entry) *baseline {
	b := &baseline{inv: map[string][]int{}}
	for i, e := range es {
		b.ids = append(b.ids, e.ID)
		tk := baseTokens(e.Name)
		b.toks = append(b.toks, tk)
		for t := range tk {
			b.inv[t] = append(b.inv[t], i)
		}
	}
	return b
}

func (b *baseline) search(name string, k int) []string {
	q := baseTokens(name)
	score := map[int]float64{}
	for t := range q {
		for _, i := range b.inv[t] {
			score[i] = 0
		}
	}
	type sc struct {
		i int
		s float64
	}
	var out []sc
	for i := range score {
		inter := 0
		for t := range q {
			if b.toks[i][t] {
				inter++
			}
		}
		out = append(out, sc{i, float64(inter) / float64(len(q)+len(b.toks[i])-inter)})
	}
	slices.SortFunc(out, func(a, b sc) int {
		if a.s != b.s {
			if a.s > b.s {
				return -1
			}
			return 1
		}
		return a.i - b.i
	})
	var ids []string
	for _, o := range out[:min(k, len(out))] {
		ids = append(ids, b.ids[o.i])
	}
	return ids
}

// aliasHalf is 0 for the tuning half of the alias queries (entries whose
// ent_num is even) and 1 for the held-out half (odd): a fixed split, the
// same as vigil screen --eval-alt prints.
func aliasHalf(id string) int {
	if n := len(id); n > 0 && (id[n-1]-'0')%2 == 1 {
		return 1
	}
	return 0
}

// rankStats counts how often the expected entry is first and in the top 5.
type rankStats struct{ n, r1, r5 int }

func (s *rankStats) add(want string, got []string) {
	s.n++
	for i, id := range got {
		if id == want {
			if i == 0 {
				s.r1++
			}
			if i < 5 {
				s.r5++
			}
			return
		}
	}
}

func (s rankStats) rates() (float64, float64) {
	if s.n == 0 {
		return 0, 0
	}
	return float64(s.r1) / float64(s.n), float64(s.r5) / float64(s.n)
}

// TestQualitySDNAliases measures rank-1 and top-5 accuracy of every alias in
// alt.csv (whose entry is in sdn.csv) against the primary names only, for
// our matcher and the naive baseline, and asserts the targets we reach.
func TestQualitySDNAliases(t *testing.T) {
	es := loadSDN(t)
	qs := aliasQueries(t, es)
	ix := screen.Build("sdn", es, screen.BuildOptions{PrimaryOnly: true})
	base := newBaseline(es)
	var ours, naive rankStats
	var half [2]rankStats // tuning (even ent_num), held-out (odd)
	var misses []string
	// Why the held-out half's queries are not first: another entry has
	// the alias's tokens as its name (no name matcher can tell them
	// apart), or the wanted entry is not among the first 100.
	var dupName, beyond100 int
	names := map[string]string{}
	byTokens := map[string]int{}
	for _, e := range es {
		names[e.ID] = e.Name
		byTokens[sortedTokens(screen.Normalize(e.Name))]++
	}
	start := time.Now()
	for _, q := range qs {
		ms := ix.Search(screen.Query{Name: q.name}, 5, 0)
		var ids []string
		for _, m := range ms {
			ids = append(ids, m.ID)
		}
		ours.add(q.id, ids)
		h := aliasHalf(q.id)
		half[h].add(q.id, ids)
		if len(ids) > 0 && ids[0] == q.id {
			naive.add(q.id, base.search(q.name, 5))
			continue
		}
		if h == 1 {
			if byTokens[sortedTokens(screen.Normalize(q.name))] > 0 && sortedTokens(screen.Normalize(q.name)) != sortedTokens(screen.Normalize(names[q.id])) {
				dupName++
			} else if !slices.ContainsFunc(ix.Search(screen.Query{Name: q.name}, 100, 0), func(m screen.Match) bool { return m.ID == q.id }) {
				beyond100++
			}
		} else if len(misses) < 60 && testing.Verbose() {
			// Misses are printed from the tuning half only.
			got := "-"
			if len(ms) > 0 {
				got = ms[0].Name + " — " + ms[0].Why
			}
			misses = append(misses, q.name+" → want "+q.id+" "+names[q.id]+", got "+got)
		}
		naive.add(q.id, base.search(q.name, 5))
	}
	el := time.Since(start)
	r1, r5 := ours.rates()
	b1, b5 := naive.rates()
	t1, t5 := half[0].rates()
	h1, h5 := half[1].rates()
	t.Logf("SDN aliases → primary names: %d queries", ours.n)
	t.Logf("  vigil:    rank-1 %.3f  top-5 %.3f", r1, r5)
	t.Logf("  baseline: rank-1 %.3f  top-5 %.3f (token overlap, Jaccard)", b1, b5)
	t.Logf("  vigil, tuning half (even ent_num, %d queries): rank-1 %.3f  top-5 %.3f", half[0].n, t1, t5)
	t.Logf("  vigil, held-out half (odd ent_num, %d queries): rank-1 %.3f  top-5 %.3f", half[1].n, h1, h5)
	t.Logf("  held-out queries not first: %d; of them another entry is named with the alias's tokens: %d; wanted entry beyond rank 100: %d",
		half[1].n-half[1].r1, dupName, beyond100)
	t.Logf("  (%v including the baseline)", el)
	for _, m := range misses {
		t.Log("  miss:", m)
	}
	// The targets are 0.60 and 0.75; we reach the first, not the
	// second (see docs/benchmarks-screen.md). The floors below are what we
	// reach, to catch regressions.
	if r1 < 0.63 || r5 < 0.73 {
		t.Errorf("rank-1 %.3f, top-5 %.3f: want at least 0.63 and 0.73", r1, r5)
	}
	if r1 <= b1 || r5 <= b5 {
		t.Errorf("rank-1 %.3f, top-5 %.3f do not beat the baseline's %.3f, %.3f", r1, r5, b1, b5)
	}
}
