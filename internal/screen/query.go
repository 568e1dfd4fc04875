// Preparing a query against an index: its tokens, their weights, and the
// vocabulary tokens each one links to.

package screen

import "strings"

// qedge links a vocabulary token to query tokens (a bit mask) with a
// similarity.
type qedge struct {
	qmask uint32
	sim   float32
	kind  uint8
}

// Edge kinds: a fuzzy edge's similarity is sharpened before it counts; a
// structural one (acronym, split, initial) counts as it is.
const (
	kindFuzzy uint8 = iota
	kindStruct
)

// qsplit is a query token that is two vocabulary tokens joined.
type qsplit struct {
	qi          int
	left, right int32
}

// joinedPrefixes are written joined to the name that follows them.
var joinedPrefixes = []string{"al", "el", "ul", "abdul", "abdel", "abu", "bin", "ibn"}

// prepared is a query normalised against one index.
type prepared struct {
	q       Query
	norm    normName
	typ     string
	guess   string // the type the name's shape suggests, when typ is ""
	dob     dateSpan
	hasDOB  bool
	country string
	wq      []float32
	wqSum   float32
	// The vocabulary tokens the query links to, in the order first
	// linked, with their edges (ves[k] are vs[k]'s); slot[v] is one more
	// than v's place in vs, zero when v is not linked (sc.vslot, which
	// release clears). An array over the vocabulary, not a map: a
	// query links to hundreds of tokens, and scoring looks up each
	// candidate name's tokens.
	vs     []int32
	ves    [][]qedge
	slot   []int32
	block  []qedge // where a token's first edge is cut from
	splits []qsplit
	// left memoises leftover token similarities: query token i and
	// vocabulary token v at key i<<32|v.
	left    map[uint64]float32
	acronym bool // single-token query that may be an acronym
	person  bool // the query is a person's name, by type or shape
	sur     int  // the query's surname tokens (normName.sur), a person's
}

func (ix *Index) prepare(sc *scratchBuf, q Query) *prepared {
	p := &prepared{q: q, norm: normalize(q.Name), typ: NormalizeType(q.Type),
		vs: sc.vs[:0], ves: sc.ves[:0], slot: sc.vslot, block: sc.block[:0]}
	if p.typ == "" {
		p.guess = guessType(q.Name)
	}
	if q.BirthDate != "" {
		if d := ParseDate(q.BirthDate); d != "" {
			p.dob, p.hasDOB = span(d)
		}
	}
	if q.Country != "" {
		p.country = countryOrName(q.Country)
	}
	toks := p.norm.toks
	p.wq = make([]float32, len(toks))
	for i, t := range toks {
		switch {
		case p.norm.weak[i]:
			p.wq[i] = weakWeight
		default:
			if v, ok := ix.vocab[t]; ok {
				p.wq[i] = ix.weight[v]
			} else {
				p.wq[i] = 1
			}
		}
	}
	add := func(v int32, mask uint32, sim float32) { p.link(v, mask, sim, kindFuzzy) }
	for i, t := range toks {
		if i >= 32 {
			break
		}
		if p.norm.weak[i] {
			if v, ok := ix.vocab[t]; ok {
				add(v, 1<<i, 1)
			}
			continue
		}
		if len(t) < 2 {
			continue // an initial: matched while scoring
		}
		best := ix.similar(sc, t, func(v int32, sim float32) { add(v, 1<<i, sim) })
		if _, ok := ix.vocab[t]; !ok {
			// An article or kinship word written joined to the name
			// (alharamayn ~ al haramain, abdulrahman ~ abdul rahman).
			for _, pre := range joinedPrefixes {
				if len(t) >= len(pre)+4 && strings.HasPrefix(t, pre) {
					b := ix.lookupFuzzy(sc, t[len(pre):], func(v int32, sim float32) { add(v, 1<<i, sim*0.98) })
					best = max(best, b)
				}
			}
			// The article as it is said before the name (addunya ~ al
			// dunya, arrahman ~ al rahman).
			if len(t) >= 6 && t[0] == 'a' && t[1] == t[2] && sunLetter(t[1]) {
				b := ix.lookupFuzzy(sc, t[2:], func(v int32, sim float32) { add(v, 1<<i, sim*0.98) })
				best = max(best, b)
			}
		}
		if _, ok := ix.vocab[t]; !ok && best > 0 {
			// A token the list does not have: weigh it like the list's
			// token it resembles, not as a rare one.
			p.wq[i] = max(p.wq[i]*(1-best)+best*ix.bestWeight(p, 1<<i), minWeight)
		}
		// Two query tokens joined (xiao ming ~ xiaoming).
		if i+1 < len(toks) && i+1 < 32 && !p.norm.weak[i+1] && len(toks[i+1]) >= 2 {
			j := t + toks[i+1]
			if v, ok := ix.vocab[j]; ok {
				add(v, 1<<i|1<<(i+1), 1)
			}
		}
		// One query token split in two (xiaoming ~ xiao ming).
		if len(t) >= 5 {
			for k := 2; k <= len(t)-2; k++ {
				l, ok1 := ix.vocab[t[:k]]
				r, ok2 := ix.vocab[t[k:]]
				if ok1 && ok2 {
					p.splits = append(p.splits, qsplit{i, l, r})
				}
			}
		}
	}
	// The query's initials as a token of the list (BNC ~ Banco Nacional de
	// Cuba is handled the other way, below).
	p.person = p.typ == TypePerson || p.guess == TypePerson
	if p.person {
		p.sur = min(p.norm.sur, 32)
	}
	if strong := strongCount(p.norm); strong >= 3 && !p.person {
		var b strings.Builder
		var mask uint32
		for i, t := range toks {
			if !p.norm.weak[i] && i < 32 {
				b.WriteByte(t[0])
				mask |= 1 << i
			}
		}
		if v, ok := ix.vocab[b.String()]; ok {
			p.link(v, mask, queryAcronymSim, kindStruct)
		}
	} else if len(toks) == 1 && len(toks[0]) >= 2 && len(toks[0]) <= 8 {
		p.acronym = true
	}
	for _, w := range p.wq {
		p.wqSum += w
	}
	return p
}

// leftSim is the memoised similarity of query token i and vocabulary
// token v.
func (p *prepared) leftSim(ix *Index, i int, v int32) float32 {
	k := uint64(i)<<32 | uint64(uint32(v))
	if s, ok := p.left[k]; ok {
		return s
	}
	if p.left == nil {
		p.left = make(map[uint64]float32)
	}
	var s float32
	if w := ix.words[v]; lengthsCompatible(len(p.norm.toks[i]), len(w)) {
		s = ix.tokenSim(p.norm.toks[i], w, false, ix.tune.leftMin)
	}
	p.left[k] = s
	return s
}

func strongCount(n normName) int {
	c := 0
	for _, w := range n.weak {
		if !w {
			c++
		}
	}
	return c
}

// link adds an edge from vocabulary token v to the query tokens in mask,
// or raises the similarity of the one it has to them.
func (p *prepared) link(v int32, mask uint32, sim float32, kind uint8) {
	k := p.slot[v] - 1
	if k < 0 {
		// Most tokens link to one query token: their edges are cut from
		// a shared block (capped, so a second edge copies out) rather
		// than allocated one by one.
		if len(p.block) == cap(p.block) {
			p.block = make([]qedge, 0, max(64, 2*cap(p.block)))
		}
		p.block = append(p.block, qedge{mask, sim, kind})
		p.vs = append(p.vs, v)
		p.ves = append(p.ves, p.block[len(p.block)-1:len(p.block):len(p.block)])
		p.slot[v] = int32(len(p.vs))
		return
	}
	es := p.ves[k]
	for i, e := range es {
		if e.qmask == mask {
			if sim > e.sim {
				es[i].sim = sim
				es[i].kind = kind
			}
			return
		}
	}
	p.ves[k] = append(es, qedge{mask, sim, kind})
}

// edges returns the edges of vocabulary token v, none when the query does
// not link to it.
func (p *prepared) edges(v int32) []qedge {
	if k := p.slot[v]; k != 0 {
		return p.ves[k-1]
	}
	return nil
}

// release clears the query's slots and gives its buffers back to sc for
// the next query.
func (p *prepared) release(sc *scratchBuf) {
	for _, v := range p.vs {
		p.slot[v] = 0
	}
	clear(p.ves)
	sc.vs, sc.ves, sc.block = p.vs[:0], p.ves[:0], p.block[:0]
}

// bestWeight returns the weight of the most similar vocabulary token linked
// to the query tokens in mask; of equally similar ones, the first met in
// the list (rank), so a score does not depend on the order they were
// linked in.
func (ix *Index) bestWeight(p *prepared, mask uint32) float32 {
	var best float32
	bestV := int32(-1)
	for k, v := range p.vs {
		for _, e := range p.ves[k] {
			if e.qmask == mask && (e.sim > best || e.sim == best && best > 0 && ix.rank(v) < ix.rank(bestV)) {
				best, bestV = e.sim, v
			}
		}
	}
	if bestV < 0 {
		return 0
	}
	return ix.weight[bestV]
}

// entityWords mark a name as an organisation's.
var entityWords = setOf(
	"co", "company", "corp", "corporation", "inc", "ltd", "limited", "llc", "plc", "sa", "gmbh", "ag",
	"jsc", "ojsc", "cjsc", "pjsc", "ooo", "oao", "zao", "pte", "bhd", "group", "holding", "holdings",
	"bank", "trading", "trust", "foundation", "organization", "organisation", "association", "society",
	"ministry", "committee", "council", "institute", "university", "agency", "industries", "industry",
	"international", "enterprise", "enterprises", "establishment", "factory", "airlines", "shipping",
	"services", "company", "casino", "resort", "fund", "charity", "charitable", "front", "army", "brigade",
	"movement", "party", "network", "cartel", "organizacion", "sociedad", "compania", "empresa", "grupo",
)

// guessType returns the type a name's shape suggests: an organisation's
// word (Ltd, Bank, Foundation …) makes it an entity; "LAST, First" with no
// such word a person. It returns "" when the shape says nothing.
func guessType(name string) string {
	low := strings.ToLower(name)
	for _, f := range strings.FieldsFunc(low, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) {
		if entityWords[f] {
			return TypeEntity
		}
	}
	if last, first, ok := strings.Cut(name, ","); ok && strings.TrimSpace(last) != "" {
		if f := strings.Fields(first); len(f) >= 1 && len(f) <= 4 && !strings.Contains(first, ",") {
			return TypePerson
		}
	}
	for _, r := range name {
		if r >= 0x4E00 && r <= 0x9FFF {
			// Chinese: 2–4 characters without a company word is a person.
			if n := len([]rune(strings.TrimSpace(name))); n >= 2 && n <= 4 {
				return TypePerson
			}
			break
		}
	}
	return ""
}
