// Aligning the query with one name, token by token, into the name's
// score.

package screen

import (
	"cmp"
	"math"
	"math/bits"
	"slices"
	"strings"
)

// edge links query tokens to name tokens (bit masks) with a similarity.
type edge struct {
	q, c uint32
	s    float32
	kind uint8
}

// scoreName scores the alignment of the query with name n: each query
// token is matched to at most one name token (or two joined), greedily by
// similarity; the score is the geometric mean of the weighted share of the
// query and of the name that is matched. With explain it also returns the
// edges it chose.
func (ix *Index) scoreName(p *prepared, n int32, explain bool) (float64, []edge) {
	toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
	if len(toks) > 32 {
		toks = toks[:32]
	}
	var buf [48]edge
	edges := ix.nameEdges(p, n, toks, buf[:0])
	if len(edges) == 0 {
		return 0, nil
	}
	a := aligner{ix: ix, p: p, n: n, toks: toks, qn: min(len(p.norm.toks), 32), explain: explain}
	if s := ix.nameSur[n]; s != 0 && p.sur != 0 {
		a.sur = 1<<s - 1
	}
	a.greedy(edges)
	// Then what the looked-up edges cannot see, each step on the tokens
	// the steps before left unmatched.
	a.initials()
	if !a.complete() {
		a.leftovers()
	}
	if !a.complete() {
		a.innerAcronyms()
	}
	if !a.complete() {
		a.joinedSplit()
	}
	if a.mq == 0 {
		return 0, nil
	}
	return ix.coverage(p, n, a.mq, a.mc), a.chosen
}

// nameEdges appends to edges every way the query was found to meet the
// name's tokens toks: the vocabulary tokens the query links to, a query
// token that is two of the name's tokens joined, and a one-token query
// that is the name's acronym. They come sorted, most similar first and, of
// equals, the edge covering more tokens first.
func (ix *Index) nameEdges(p *prepared, n int32, toks []int32, edges []edge) []edge {
	person := ix.nameFlags[n]&namePerson != 0
	for j, v := range toks {
		for _, e := range p.edges(v) {
			if person && e.kind == kindStruct && e.qmask&(e.qmask-1) != 0 {
				continue // the query's initials: a person's name is no acronym
			}
			edges = append(edges, edge{e.qmask, 1 << j, e.sim, e.kind})
		}
	}
	for _, s := range p.splits {
		l, r := -1, -1
		for j, v := range toks {
			if v == s.left && l < 0 {
				l = j
			} else if v == s.right && r < 0 {
				r = j
			}
		}
		if l >= 0 && r >= 0 {
			edges = append(edges, edge{1 << s.qi, 1<<l | 1<<r, splitSim, kindStruct})
		}
	}
	if p.acronym && len(toks) >= 2 && !person {
		var a strings.Builder
		var mask uint32
		for j, v := range toks {
			if w := ix.words[v]; !weakWords[w] {
				a.WriteByte(w[0])
				mask |= 1 << j
			}
		}
		if q := p.norm.toks[0]; a.String() == q || (len(q) >= 3 && strings.HasPrefix(a.String(), q)) {
			if len(q) < a.Len() {
				// A prefix (IDRO ~ Industrial Development and Renovation
				// Organization of Iran): the tokens it spells, not the tail.
				mask = 0
				for j, k := 0, 0; k < len(q); j++ {
					mask |= 1 << j
					if !weakWords[ix.words[toks[j]]] {
						k++
					}
				}
			}
			edges = append(edges, edge{1, mask, acronymSim, kindStruct})
		} else {
			a.Reset()
			for _, v := range toks {
				a.WriteByte(ix.words[v][0])
			}
			if a.String() == p.norm.toks[0] {
				edges = append(edges, edge{1, 1<<len(toks) - 1, acronymSim, kindStruct})
			} else if ix.nameFlags[n]&nameLegalAcronym != 0 && legalAcronym(ix.nameText[n]) == p.norm.toks[0] {
				edges = append(edges, edge{1, mask, acronymSim, kindStruct})
			}
		}
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := cmp.Compare(b.s, a.s); c != 0 {
			return c
		}
		return cmp.Compare(bits.OnesCount32(b.q)+bits.OnesCount32(b.c), bits.OnesCount32(a.q)+bits.OnesCount32(a.c))
	})
	return edges
}

// aligner is one query's alignment with one name as scoreName builds it:
// which tokens are matched on each side, and the weight matched.
type aligner struct {
	ix   *Index
	p    *prepared
	n    int32   // the name
	sur  uint32  // the name's surname tokens, a mask (none unless both are persons' names)
	toks []int32 // the name's tokens (at most 32)
	qn   int     // the query's tokens considered (at most 32)

	usedQ, usedC uint32  // query and name tokens matched
	mq, mc       float32 // weight matched of the query and of the name
	explain      bool
	chosen       []edge // with explain, the edges taken
}

// word is the name's token j.
func (a *aligner) word(j int) string { return a.ix.words[a.toks[j]] }

// complete reports whether every token of the query or of the name is
// matched: nothing is then left to pair.
func (a *aligner) complete() bool {
	return a.usedQ == 1<<a.qn-1 || a.usedC == 1<<len(a.toks)-1
}

// take matches the tokens of e, crediting each side gq and gc of the
// edge's similarity (sharpened if fuzzy) times the tokens' weight.
func (a *aligner) take(e edge, gq, gc float32) {
	a.usedQ |= e.q
	a.usedC |= e.c
	es := e.s
	if e.kind == kindFuzzy {
		es = a.ix.sharpen(e.s)
	}
	if a.sur != 0 && a.p.sur != 0 && (e.q&(1<<a.p.sur-1) != 0) != (e.c&a.sur != 0) {
		es *= crossX // a surname matched to a given name, or the other way
	}
	for m := e.q; m != 0; m &= m - 1 {
		a.mq += gq * es * a.p.wq[bits.TrailingZeros32(m)]
	}
	for m := e.c; m != 0; m &= m - 1 {
		a.mc += gc * es * a.ix.weight[a.toks[bits.TrailingZeros32(m)]]
	}
	if a.explain {
		a.chosen = append(a.chosen, e)
	}
}

// greedy takes the sorted edges, best first, that touch no token already
// matched.
func (a *aligner) greedy(edges []edge) {
	for _, e := range edges {
		if e.q&a.usedQ == 0 && e.c&a.usedC == 0 {
			a.take(e, 1, 1)
		}
	}
}

// initials matches an initial to an unmatched token with that first
// letter: "J" ~ "John", either way round; the initial covers only part of
// the full token. The same initial on both sides (W&G ~ W and G) is
// matched first, and covers both.
func (a *aligner) initials() {
	qt := a.p.norm.toks
	for i := range a.qn {
		if a.usedQ&(1<<i) != 0 || len(qt[i]) != 1 {
			continue
		}
		for j := range a.toks {
			if a.usedC&(1<<j) == 0 && a.word(j) == qt[i] {
				a.take(edge{1 << i, 1 << j, initialSim, kindStruct}, 1, 1)
				break
			}
		}
	}
	for i := range a.qn {
		if a.usedQ&(1<<i) != 0 {
			continue
		}
		for j := range a.toks {
			if a.usedC&(1<<j) != 0 {
				continue
			}
			w := a.word(j)
			if len(qt[i]) == 1 && len(w) > 1 && w[0] == qt[i][0] {
				a.take(edge{1 << i, 1 << j, initialSim, kindStruct}, 1, initialGive)
				break
			}
			if len(w) == 1 && len(qt[i]) > 1 && qt[i][0] == w[0] {
				a.take(edge{1 << i, 1 << j, initialSim, kindStruct}, initialGive, 1)
				break
			}
		}
	}
}

// leftovers pairs tokens left over on both sides that resemble each
// other, though not enough to have been looked up (alexandr ~ alyaksandr).
func (a *aligner) leftovers() {
	qt := a.p.norm.toks
	for i := range a.qn {
		if a.usedQ&(1<<i) != 0 || len(qt[i]) < 3 || a.p.norm.weak[i] {
			continue
		}
		bj, bs := -1, a.ix.tune.leftMin
		for j, v := range a.toks {
			w := a.ix.words[v]
			if a.usedC&(1<<j) != 0 || len(w) < 3 || weakWords[w] {
				continue
			}
			if s := a.p.leftSim(a.ix, i, v); s >= bs {
				bj, bs = j, s
			}
		}
		if bj >= 0 {
			a.take(edge{1 << i, 1 << bj, bs, kindFuzzy}, 1, 1)
		}
	}
}

// innerAcronyms matches an acronym inside a longer name (HASSAN DTO ~
// HASSAN DRUG TRAFFICKING ORGANIZATION), either way round.
func (a *aligner) innerAcronyms() {
	qt := a.p.norm.toks
	// A person's name is no acronym, nor are its tokens one.
	person := a.ix.nameFlags[a.n]&namePerson != 0
	for i := range a.qn {
		if person {
			break
		}
		if a.usedQ&(1<<i) == 0 && len(qt[i]) >= 2 && len(qt[i]) <= 6 && !a.p.norm.weak[i] {
			if m := acronymRun(qt[i], len(a.toks), a.usedC, a.word); m != 0 {
				a.take(edge{1 << i, m, acronymSim, kindStruct}, 1, 1)
			}
		}
	}
	for j := range a.toks {
		if a.p.person {
			break
		}
		if w := a.word(j); a.usedC&(1<<j) == 0 && len(w) >= 2 && len(w) <= 6 && !weakWords[w] {
			if m := acronymRun(w, a.qn, a.usedQ, func(i int) string { return qt[i] }); m != 0 {
				a.take(edge{m, 1 << j, acronymSim, kindStruct}, 1, 1)
			}
		}
	}
}

// joinedSplit matches an unmatched token against two or three adjacent
// unmatched tokens of the other side written together (mohammedreza ~
// mohammad reza, nassereddine ~ nasr al din).
func (a *aligner) joinedSplit() {
	qt := a.p.norm.toks
	var buf [64]byte
	for i := range a.qn {
		if a.usedQ&(1<<i) != 0 || len(qt[i]) < 4 {
			continue
		}
		if m, sim := bestJoin(qt[i], len(a.toks), a.usedC, a.word, buf[:0]); m != 0 {
			a.take(edge{1 << i, m, sim, kindFuzzy}, 1, 1)
		}
	}
	for j := range a.toks {
		w := a.word(j)
		if a.usedC&(1<<j) != 0 || len(w) < 4 {
			continue
		}
		if m, sim := bestJoin(w, a.qn, a.usedQ, func(i int) string { return qt[i] }, buf[:0]); m != 0 {
			a.take(edge{m, 1 << j, sim, kindFuzzy}, 1, 1)
		}
	}
}

// coverage combines the weight matched of the query (mq) and of name n
// (mc) into the name's score: a weighted geometric mean of the two shares,
// lowered for a weak alias.
func (ix *Index) coverage(p *prepared, n int32, mq, mc float32) float64 {
	covQ := float64(mq / p.wqSum)
	covC := float64(mc / ix.nameW[n])
	var s float64
	if ix.tune.expQ == 0.5 {
		s = math.Sqrt(min(covQ, 1) * min(covC, 1))
	} else {
		s = math.Pow(min(covQ, 1), ix.tune.expQ) * math.Pow(min(covC, 1), 1-ix.tune.expQ)
	}
	if ix.nameFlags[n]&nameWeak != 0 {
		s *= weakAliasX
	}
	return s
}

// joinMin is the similarity from which a token matches adjacent tokens
// written together.
const joinMin = 0.85

// bestJoin finds the run of two or three adjacent tokens, none in used,
// whose concatenation is most similar to t. It returns the run as a mask
// (0 for none) and the similarity.
func bestJoin(t string, n int, used uint32, tok func(int) string, buf []byte) (uint32, float32) {
	var best float64
	var mask uint32
	for j := 0; j+1 < n; j++ {
		b := buf[:0]
		var m uint32
		if first := tok(j); first == "" || first[0] != t[0] {
			continue // joined words keep their first letter
		}
		for k := j; k < n && k < j+3; k++ {
			if used&(1<<k) != 0 {
				break
			}
			b = append(b, tok(k)...)
			m |= 1 << k
			if k == j || !lengthsCompatible(len(t), len(b)) {
				continue
			}
			if s := jaroWinkler([]byte(t), b); s >= joinMin && s > best {
				best, mask = s, m
			}
		}
	}
	return mask, float32(min(best, 0.98))
}

// acronymRun finds a run of adjacent tokens, none in used, whose initials
// spell a; it returns the run as a mask, or 0.
func acronymRun(a string, n int, used uint32, tok func(int) string) uint32 {
	for j := 0; j+len(a) <= n; j++ {
		var m uint32
		k := 0
		for ; k < len(a); k++ {
			t := tok(j + k)
			if used&(1<<(j+k)) != 0 || t == "" || t[0] != a[k] {
				break
			}
			m |= 1 << (j + k)
		}
		if k == len(a) {
			return m
		}
	}
	return 0
}
