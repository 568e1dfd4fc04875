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

// scratchBuf holds per-query buffers, some sized to the index.
type scratchBuf struct {
	// gather's: the postings read, and the names found with their
	// pre-scores, ascending by name (see gather).
	read, tmp []posting
	found     []posting
	merged    []posting // addAcronyms's, the next found
	units     []gatherUnit
	cands     []cand   // search's
	ranked    []ranked // likewise
	sink      uint32   // what touch read
	deferred  []deferredUnit
	vw        []float32 // per token: weight of a deferred token; zero outside a query
	dv        []int32   // the distinct deferred tokens
	hits      []uint8   // per found name: how many deferred tokens it has
	hitW      []float32 // per found name: the weight of the first
	isFound   []uint64  // per name, a bit: found; zero outside addDeferred
	rankBase  []int32   // per 64 names, the place in found of the first found
	vslot     []int32   // per token, prepared.slot; zero outside a query
	vs        []int32   // prepared's buffers, kept for the next query
	ves       [][]qedge
	block     []qedge
	cand      []int32 // addDeferred's: the postings of a deferred token that may be found names

	// lookupFuzzy's: the stamp of the look-up that last tried each
	// vocabulary token, and trigram counts (zero outside a look-up) with
	// the tokens counted.
	tried   []uint32
	stamp   uint32
	grams   []uint16
	counted []int32
}

// posting is a name with a weight: a token's weight in the query while
// gather reads postings, the sum of those of its tokens after; and the
// name's own weight (nameW).
type posting struct {
	n     int32
	w, nw float32
}

// nextStamp returns a stamp for a new look-up, no token tried with it.
func (sc *scratchBuf) nextStamp() uint32 {
	sc.stamp++
	if sc.stamp == 0 {
		clear(sc.tried)
		sc.stamp = 1
	}
	return sc.stamp
}

func (ix *Index) getScratch() *scratchBuf {
	if s, ok := ix.scratch.Get().(*scratchBuf); ok {
		return s
	}
	return &scratchBuf{
		vw:       make([]float32, len(ix.words)),
		isFound:  make([]uint64, len(ix.repeats)),
		rankBase: make([]int32, len(ix.repeats)),
		vslot:    make([]int32, len(ix.words)),
		tried:    make([]uint32, len(ix.words)),
		grams:    make([]uint16, len(ix.words)),
	}
}

// result is a scored name.
type result struct {
	name  int32
	score float64
}

// cand is a name search may score fully, with its pre-score.
type cand struct {
	n   int32
	pre float32
}

// ranked is a scored name of an entry, with the entry's ID once results
// are ranked.
type ranked struct {
	result
	entry int32
	id    string
}

// Search returns the entries of the index that match q, best first, at most
// limit of them and none below minScore.
func (ix *Index) Search(q Query, limit int, minScore float64) []Match {
	sc := ix.getScratch()
	defer ix.scratch.Put(sc)
	p := ix.prepare(sc, q)
	defer p.release(sc)
	if len(p.norm.toks) == 0 {
		return nil
	}
	res := ix.search(p, sc, limit, minScore)
	out := make([]Match, len(res))
	for i, r := range res {
		out[i] = ix.match(p, r)
	}
	return out
}

func (ix *Index) search(p *prepared, sc *scratchBuf, limit int, minScore float64) []result {
	if limit <= 0 {
		limit = 10
	}
	ix.gather(p, sc)
	// Keep the best-looking candidates by a cheap pre-score.
	// A min-heap of the best K by pre-score (ties to the lower name).
	k := ix.tune.cands
	cs := sc.cands[:0]
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
	for _, f := range sc.found {
		n := f.n
		c := cand{n, f.w / float32(math.Sqrt(float64(p.wqSum*max(f.nw, 0.01))))}
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
	sc.cands = cs
	sc.sink = ix.touch(p, cs)
	// Score fully; keep each entry's best name: the higher score, of
	// equals the lower name. An entry whose best is below minScore has
	// no name at it, so those are left out first.
	rs := sc.ranked[:0]
	for _, c := range cs {
		s, _ := ix.scoreName(p, c.n, false)
		if s <= 0 {
			continue
		}
		e := ix.nameEntry[c.n]
		if s = ix.adjust(p, e, s, nil); s >= minScore {
			rs = append(rs, ranked{result: result{c.n, s}, entry: e})
		}
	}
	sc.ranked = rs
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.name, b.name)
	})
	kept := rs[:0]
	for _, r := range rs {
		if !slices.ContainsFunc(kept, func(k ranked) bool { return k.entry == r.entry }) {
			kept = append(kept, r)
		}
	}
	rs = kept
	// Ties go to the lower entry ID, so the order does not depend on the
	// order the entries were loaded in. Only the results returned, and
	// those tied with the last of them, need their IDs read.
	end := min(len(rs), limit)
	for end > 0 && end < len(rs) && rs[end].score == rs[end-1].score {
		end++
	}
	rs = rs[:end]
	for i := range rs {
		rs[i].id = ix.entries[rs[i].entry].id
	}
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]result, min(len(rs), limit))
	for i := range out {
		out[i] = rs[i].result
	}
	return out
}

// gather accumulates pre-scores of the names that share a token with the
// query: rare tokens first, and common tokens only for names already found
// once the postings read pass a budget.
func (ix *Index) gather(p *prepared, sc *scratchBuf) {
	// Most similar first (in steps, so near-equals go by size), then the
	// rarest: the budget goes to the tokens that identify a name.
	mk := func(v int32, w, sim float32) gatherUnit {
		size := ix.postOff[v+1] - ix.postOff[v]
		step := int(sim * 20)
		return gatherUnit{v, w, size, uint64(1<<16-step)<<32 | uint64(uint32(size)), ix.rank(v)}
	}
	units := sc.units[:0]
	for k, v := range p.vs {
		es := p.ves[k]
		var w, sim float32
		for _, e := range es {
			var qw float32
			for m := e.qmask; m != 0; m &= m - 1 {
				qw += p.wq[bits.TrailingZeros32(m)]
			}
			w = max(w, qw*e.sim)
			sim = max(sim, e.sim)
		}
		units = append(units, mk(v, w, sim))
	}
	for _, s := range p.splits {
		w := p.wq[s.qi] / 2
		units = append(units, mk(s.left, w, splitSim))
		units = append(units, mk(s.right, w, splitSim))
	}
	sc.units = units
	slices.SortFunc(units, func(a, b gatherUnit) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.rank, b.rank)
	})
	read := 0
	deferred := sc.deferred[:0]
	sc.read = sc.read[:0]
	for _, u := range units {
		if ix.weight[u.v] <= weakWeight && len(units) > 1 {
			continue // particles never bring candidates of their own
		}
		if read > 0 && read+int(u.size) > postBudget {
			deferred = append(deferred, deferredUnit{u.v, u.w})
			continue
		}
		read += int(u.size)
		lo, hi := ix.postOff[u.v], ix.postOff[u.v+1]
		for j, n := range ix.post[lo:hi] {
			sc.read = append(sc.read, posting{n, u.w, ix.postW[lo+int32(j)]})
		}
	}
	// The names found, each with the sum of its tokens' weights, added in
	// the order the tokens were read. They are kept as a list sorted by
	// name rather than in an array over all names: at a million names
	// such an array is megabytes, and adding to it one cache miss a
	// posting.
	sc.found = ix.sumByName(sc, sc.read, sc.found[:0])
	if len(deferred) > 0 {
		ix.addDeferred(deferred, sc)
	}
	sc.deferred = deferred
	// Query tokens that may be acronyms of names (IRISL, BIF-USA).
	sc.read = sc.read[:0]
	for i, t := range p.norm.toks {
		if i >= 32 || len(t) < 2 || len(t) > 8 || p.norm.weak[i] || (len(t) < 3 && !p.acronym) {
			continue
		}
		for _, n := range ix.acro.get(ix.hash(t)) {
			sc.read = append(sc.read, posting{n, p.wq[i] * acronymSim, ix.nameW[n]})
		}
	}
	if len(sc.read) > 0 {
		ix.addAcronyms(sc)
	}
}

// foundIn copies to out the names of ps whose bit is set in found, and
// returns how many. Most postings are not found names, but which are is a
// coin toss to the processor: eight are tested at once and passed over
// together when none is found; otherwise each is copied and the count
// moved on by its bit, without a branch. out must be as long as ps.
func foundIn(ps []int32, found []uint64, out []int32) int {
	bit := func(n int32) uint64 { return found[uint32(n)>>6] >> (uint32(n) & 63) & 1 }
	out = out[:len(ps)]
	k, i := 0, 0
	for ; i+8 <= len(ps); i += 8 {
		q := ps[i : i+8 : i+8]
		var any uint64
		for _, n := range q {
			any |= bit(n)
		}
		if any == 0 {
			continue
		}
		for _, n := range q {
			out[k] = n
			k += int(bit(n))
		}
	}
	for _, n := range ps[i:] {
		out[k] = n
		k += int(bit(n))
	}
	return k
}

// touch reads, for each candidate, what scoring it will read, in passes
// of loads that do not wait on each other: the candidates are names
// scattered over arrays of a million and more, and read one after the
// other each of those loads would wait for memory in turn. It returns a
// sum of what it read, so the loads are not left out.
func (ix *Index) touch(p *prepared, cs []cand) uint32 {
	var x uint32
	for _, c := range cs {
		x += uint32(ix.nameOff[c.n]) + uint32(ix.nameEntry[c.n]) + uint32(ix.nameFlags[c.n]) + math.Float32bits(ix.nameW[c.n])
	}
	for _, c := range cs {
		x += uint32(ix.tokIDs[ix.nameOff[c.n]]) + uint32(len(ix.entries[ix.nameEntry[c.n]].typ))
	}
	for _, c := range cs {
		for _, v := range ix.tokIDs[ix.nameOff[c.n]:ix.nameOff[c.n+1]] {
			x += uint32(p.slot[v]) + math.Float32bits(ix.weight[v])
		}
	}
	return x
}

// gatherUnit is a vocabulary token gather may read the postings of, with
// its weight in the query, its number of postings, and the order to read
// in (see gather), worked out once: the similarity's step, inverted, over
// the size; then the rank.
type gatherUnit struct {
	v    int32
	w    float32
	size int32
	key  uint64
	rank int32
}

// sumByName sorts ps by name, keeping the order of each name's postings,
// and appends to out each name once with the sum of its weights.
func (ix *Index) sumByName(sc *scratchBuf, ps []posting, out []posting) []posting {
	// One token's postings, or several that do not interleave, are in
	// order already.
	if !slices.IsSortedFunc(ps, func(a, b posting) int { return cmp.Compare(a.n, b.n) }) {
		ps = ix.sortPostings(sc, ps)
	}
	for i := 0; i < len(ps); {
		n, nw := ps[i].n, ps[i].nw
		var w float32
		for ; i < len(ps) && ps[i].n == n; i++ {
			w += ps[i].w
		}
		out = append(out, posting{n, w, nw})
	}
	return out
}

// sortPostings sorts ps by name, stably (a radix sort: the names read are
// thousands, their IDs up to millions), and returns the sorted slice,
// ps's storage or sc.tmp's.
func (ix *Index) sortPostings(sc *scratchBuf, ps []posting) []posting {
	if len(ps) <= 32 {
		slices.SortStableFunc(ps, func(a, b posting) int { return cmp.Compare(a.n, b.n) })
		return ps
	}
	const digit = 11
	if cap(sc.tmp) < len(ps) {
		sc.tmp = make([]posting, len(ps), 2*len(ps))
	}
	tmp := sc.tmp[:len(ps)]
	var count [1<<digit + 1]int32
	for shift := 0; shift < ix.nameBits; shift += digit {
		clear(count[:])
		for _, p := range ps {
			count[uint32(p.n)>>shift&(1<<digit-1)+1]++
		}
		for i := 1; i < len(count); i++ {
			count[i] += count[i-1]
		}
		for _, p := range ps {
			d := uint32(p.n) >> shift & (1<<digit - 1)
			tmp[count[d]] = p
			count[d]++
		}
		ps, tmp = tmp, ps
	}
	return ps
}

// addAcronyms adds the acronym postings in sc.read to sc.found, as names
// already found or new ones.
func (ix *Index) addAcronyms(sc *scratchBuf) {
	ps := ix.sortPostings(sc, sc.read)
	out := sc.merged[:0]
	f := sc.found
	i := 0
	for j := 0; j < len(ps); {
		n, nw := ps[j].n, ps[j].nw
		for ; i < len(f) && f[i].n < n; i++ {
			out = append(out, f[i])
		}
		var w float32
		if i < len(f) && f[i].n == n {
			w = f[i].w
			i++
		}
		for ; j < len(ps) && ps[j].n == n; j++ {
			w += ps[j].w
		}
		out = append(out, posting{n, w, nw})
	}
	out = append(out, f[i:]...)
	sc.found, sc.merged = out, f
}

// deferredUnit is a common token gather did not read the postings of,
// with its weight in the query.
type deferredUnit struct {
	v int32
	w float32
}

// addDeferred adds the weight of the deferred common tokens to the names
// already found (sc.found) that have them; it finds no new names. Each
// such name gets, as it would from its own tokens, the weight of every
// deferred token it has, once per occurrence: the deferred tokens'
// postings are read against the found names (both sorted), and a name
// with two of them, or a token twice, adds its tokens' weights in its own
// order.
func (ix *Index) addDeferred(deferred []deferredUnit, sc *scratchBuf) {
	sc.dv = sc.dv[:0]
	for _, u := range deferred {
		if sc.vw[u.v] == 0 {
			sc.dv = append(sc.dv, u.v)
		}
		sc.vw[u.v] = max(sc.vw[u.v], u.w)
	}
	f := sc.found
	sc.hits = slices.Grow(sc.hits[:0], len(f))[:len(f)]
	clear(sc.hits)
	sc.hitW = slices.Grow(sc.hitW[:0], len(f))[:len(f)]
	// A bitmap of the found names: the deferred postings, tens of
	// thousands, are tested against it (foundIn); a hit's place in the sorted list is counted from it:
	// the place of the first found name of its 64 (rankBase) and the
	// bits below it.
	for i, x := range f {
		w := x.n >> 6
		if sc.isFound[w] == 0 {
			sc.rankBase[w] = int32(i)
		}
		sc.isFound[w] |= 1 << (x.n & 63)
	}
	for _, v := range sc.dv {
		ps := ix.post[ix.postOff[v]:ix.postOff[v+1]]
		sc.cand = slices.Grow(sc.cand[:0], len(ps))[:len(ps)]
		k := foundIn(ps, sc.isFound, sc.cand)
		for _, n := range sc.cand[:k] {
			w, b := uint32(n)>>6, uint32(n)&63
			i := sc.rankBase[w] + int32(bits.OnesCount64(sc.isFound[w]&(1<<b-1)))
			if sc.hits[i] == 0 {
				sc.hitW[i] = sc.vw[v]
			}
			sc.hits[i] = min(sc.hits[i]+1, 2)
		}
	}
	for _, x := range f {
		sc.isFound[x.n>>6] = 0
	}
	for i, h := range sc.hits {
		switch {
		case h == 0:
		case h == 1 && ix.repeats[f[i].n>>6]&(1<<(f[i].n&63)) == 0:
			f[i].w += sc.hitW[i]
		default:
			n := f[i].n
			for _, v := range ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]] {
				f[i].w += sc.vw[v]
			}
		}
	}
	for _, v := range sc.dv {
		sc.vw[v] = 0
	}
}
