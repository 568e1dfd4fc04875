// Searching: gathering candidate names by the postings of the query's
// tokens, keeping the best by a cheap pre-score, and scoring those fully.

package screen

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// scratchBuf holds per-query buffers sized to the index.
type scratchBuf struct {
	acc     []float32 // per name; zero outside a query
	touched []int32
	vw      []float32 // per token: weight of a deferred token; zero outside a query
}

func (ix *Index) getScratch() *scratchBuf {
	if s, ok := ix.scratch.Get().(*scratchBuf); ok {
		return s
	}
	return &scratchBuf{acc: make([]float32, len(ix.nameEntry)), vw: make([]float32, len(ix.words))}
}

// result is a scored name.
type result struct {
	name  int32
	score float64
}

// Search returns the entries of the index that match q, best first, at most
// limit of them and none below minScore.
func (ix *Index) Search(q Query, limit int, minScore float64) []Match {
	p := ix.prepare(q)
	if len(p.norm.toks) == 0 {
		return nil
	}
	res := ix.search(p, limit, minScore)
	out := make([]Match, len(res))
	for i, r := range res {
		out[i] = ix.match(p, r)
	}
	return out
}

func (ix *Index) search(p *prepared, limit int, minScore float64) []result {
	if limit <= 0 {
		limit = 10
	}
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)
	ix.gather(p, sc)
	// Keep the best-looking candidates by a cheap pre-score.
	type cand struct {
		n   int32
		pre float32
	}
	// A min-heap of the best K by pre-score (ties to the lower name).
	k := ix.tune.cands
	cs := make([]cand, 0, k)
	worse := func(a, b cand) bool { return a.pre < b.pre || (a.pre == b.pre && a.n > b.n) }
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(cs) {
				return
			}
			m := l
			if r := l + 1; r < len(cs) && worse(cs[r], cs[l]) {
				m = r
			}
			if !worse(cs[m], cs[i]) {
				return
			}
			cs[i], cs[m] = cs[m], cs[i]
			i = m
		}
	}
	for _, n := range sc.touched {
		a := sc.acc[n]
		sc.acc[n] = 0
		c := cand{n, a / float32(math.Sqrt(float64(p.wqSum*max(ix.nameW[n], 0.01))))}
		if len(cs) < k {
			cs = append(cs, c)
			for i := len(cs) - 1; i > 0; {
				up := (i - 1) / 2
				if !worse(cs[i], cs[up]) {
					break
				}
				cs[i], cs[up] = cs[up], cs[i]
				i = up
			}
		} else if worse(cs[0], c) {
			cs[0] = c
			down(0)
		}
	}
	sc.touched = sc.touched[:0]
	// Score fully; keep each entry's best name.
	best := make(map[int32]result, len(cs))
	for _, c := range cs {
		s, _ := ix.scoreName(p, c.n, false)
		if s <= 0 {
			continue
		}
		e := ix.nameEntry[c.n]
		s = ix.adjust(p, e, s, nil)
		if r, ok := best[e]; !ok || s > r.score || (s == r.score && c.n < r.name) {
			best[e] = result{c.n, s}
		}
	}
	out := make([]result, 0, len(best))
	for _, r := range best {
		if r.score >= minScore {
			out = append(out, r)
		}
	}
	// Ties go to the lower entry ID, so the order does not depend on the
	// order the entries were loaded in.
	slices.SortFunc(out, func(a, b result) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(ix.entries[ix.nameEntry[a.name]].id, ix.entries[ix.nameEntry[b.name]].id)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// gather accumulates pre-scores of the names that share a token with the
// query: rare tokens first, and common tokens only for names already found
// once the postings read pass a budget.
func (ix *Index) gather(p *prepared, sc *scratchBuf) {
	type unit struct {
		v    int32
		w    float32
		sim  float32
		size int32
	}
	units := make([]unit, 0, len(p.vedges))
	for v, es := range p.vedges {
		var w, sim float32
		for _, e := range es {
			var qw float32
			for m := e.qmask; m != 0; m &= m - 1 {
				qw += p.wq[bits.TrailingZeros32(m)]
			}
			w = max(w, qw*e.sim)
			sim = max(sim, e.sim)
		}
		units = append(units, unit{v, w, sim, ix.postOff[v+1] - ix.postOff[v]})
	}
	for _, s := range p.splits {
		w := p.wq[s.qi] / 2
		units = append(units, unit{s.left, w, splitSim, ix.postOff[s.left+1] - ix.postOff[s.left]})
		units = append(units, unit{s.right, w, splitSim, ix.postOff[s.right+1] - ix.postOff[s.right]})
	}
	// Most similar first (in steps, so near-equals go by size), then the
	// rarest: the budget goes to the tokens that identify a name.
	step := func(s float32) int { return int(s * 20) }
	slices.SortFunc(units, func(a, b unit) int {
		if c := cmp.Compare(step(b.sim), step(a.sim)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.size, b.size); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	read := 0
	var deferred []unit
	for _, u := range units {
		if ix.weight[u.v] <= weakWeight && len(units) > 1 {
			continue // particles never bring candidates of their own
		}
		if read > 0 && read+int(u.size) > postBudget {
			deferred = append(deferred, u)
			continue
		}
		read += int(u.size)
		for _, n := range ix.post[ix.postOff[u.v]:ix.postOff[u.v+1]] {
			if sc.acc[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.acc[n] += u.w
		}
	}
	if len(deferred) > 0 {
		// Common tokens only add to the names already found.
		for _, u := range deferred {
			sc.vw[u.v] = max(sc.vw[u.v], u.w)
		}
		for _, n := range sc.touched {
			for _, v := range ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]] {
				sc.acc[n] += sc.vw[v]
			}
		}
		for _, u := range deferred {
			sc.vw[u.v] = 0
		}
	}
	// Query tokens that may be acronyms of names (IRISL, BIF-USA).
	for i, t := range p.norm.toks {
		if i >= 32 || len(t) < 2 || len(t) > 8 || p.norm.weak[i] || (len(t) < 3 && !p.acronym) {
			continue
		}
		for _, n := range ix.acro.get(ix.hash(t)) {
			if sc.acc[n] == 0 {
				sc.touched = append(sc.touched, n)
			}
			sc.acc[n] += p.wq[i] * acronymSim
		}
	}
}
