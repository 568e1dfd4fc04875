package screen_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/screen"
)

// jwScan is the reference the issue compares against: a scan of every
// listed name with Jaro–Winkler, in the manner of moov-io/watchman (which
// could not be fetched here, so this is not watchman itself). Names are
// normalised like ours; a name scores the better of Jaro–Winkler on the
// names as written and with their tokens sorted.
type jwScan struct {
	ids          []string
	names, sortd []string
}

func sortedTokens(s string) string {
	f := strings.Fields(s)
	sort.Strings(f)
	return strings.Join(f, " ")
}

func newJWScan(es []screen.Entry) *jwScan {
	s := &jwScan{}
	for _, e := range es {
		n := screen.Normalize(e.Name)
		s.ids = append(s.ids, e.ID)
		s.names = append(s.names, n)
		s.sortd = append(s.sortd, sortedTokens(n))
	}
	return s
}

func (s *jwScan) search(q string, k int) []string {
	n := screen.Normalize(q)
	sn := sortedTokens(n)
	type sc struct {
		i int
		s float64
	}
	best := make([]sc, 0, k+1)
	for i := range s.names {
		v := max(jw(n, s.names[i]), jw(sn, s.sortd[i]))
		if len(best) < k || v > best[len(best)-1].s {
			best = append(best, sc{i, v})
			slices.SortStableFunc(best, func(a, b sc) int {
				switch {
				case a.s > b.s:
					return -1
				case a.s < b.s:
					return 1
				}
				return 0
			})
			if len(best) > k {
				best = best[:k]
			}
		}
	}
	var ids []string
	for _, b := range best {
		ids = append(ids, s.ids[b.i])
	}
	return ids
}

// jw is a plain Jaro–Winkler similarity over bytes.
func jw(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	w := max(len(b)/2-1, 0)
	ma := make([]bool, len(a))
	mb := make([]bool, len(b))
	m := 0
	for i := range len(a) {
		for j := max(0, i-w); j < min(len(b), i+w+1); j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := range len(a) {
		if !ma[i] {
			continue
		}
		for !mb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	f := float64(m)
	d := (f/float64(len(a)) + f/float64(len(b)) + (f-float64(t)/2)/f) / 3
	l := 0
	for l < 4 && l < len(a) && a[l] == b[l] {
		l++
	}
	return d + float64(l)*0.1*(1-d)
}

// TestQualityJWScan measures the Jaro–Winkler scan on every 16th alias
// query of TestQualitySDNAliases (primary names only), and our matcher on
// the same queries.
func TestQualityJWScan(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: a full scan per query")
	}
	es := loadSDN(t)
	qs := aliasQueries(t, es)
	scan := newJWScan(es)
	ix := screen.Build("sdn", es, screen.BuildOptions{PrimaryOnly: true})
	var sj, ours rankStats
	for i := 0; i < len(qs); i += 16 {
		sj.add(qs[i].id, scan.search(qs[i].name, 5))
		var ids []string
		for _, m := range ix.Search(screen.Query{Name: qs[i].name}, 5, 0) {
			ids = append(ids, m.ID)
		}
		ours.add(qs[i].id, ids)
	}
	s1, s5 := sj.rates()
	o1, o5 := ours.rates()
	t.Logf("%d queries: Jaro–Winkler scan rank-1 %.3f top-5 %.3f; vigil rank-1 %.3f top-5 %.3f", sj.n, s1, s5, o1, o5)
	if o1 <= s1 || o5 <= s5 {
		t.Errorf("vigil (%.3f, %.3f) does not beat the scan (%.3f, %.3f)", o1, o5, s1, s5)
	}
	// Cross-script: the scan sees the same romanised names.
	demo, _ := screen.DemoEntries()
	scans := map[string]*jwScan{"sdn": scan, "demo": newJWScan(demo)}
	var cs rankStats
	for _, c := range readCrossScript(t) {
		cs.add(c.id, scans[c.list].search(c.query, 5))
	}
	c1, c5 := cs.rates()
	t.Logf("cross-script %d queries: Jaro–Winkler scan rank-1 %.2f top-5 %.2f", cs.n, c1, c5)
}

// BenchmarkScanJWSDN is the Jaro–Winkler scan's speed on the SDN
// snapshot's primary names, for comparison with BenchmarkScreenSDN.
func BenchmarkScanJWSDN(b *testing.B) {
	es := loadSDN(b)
	names := sdnQueries(b, es)
	scan := newJWScan(es)
	b.ResetTimer()
	cpu := cpuTime()
	i := 0
	for b.Loop() {
		scan.search(names[i%len(names)], 10)
		i++
	}
	reportRate(b, cpuTime()-cpu)
}
