package screen

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Query is a name to screen, with what else is known of its bearer.
type Query struct {
	Name string `json:"name"`
	// Type is "person", "company" (or "entity"), "vessel", "aircraft" or
	// "" when not known.
	Type string `json:"type,omitempty"`
	// BirthDate is an ISO 8601 date, possibly partial ("1964").
	BirthDate string `json:"birth_date,omitempty"`
	// Country is an ISO 3166-1 code or an English country name.
	Country string `json:"country,omitempty"`
}

// Match is one list entry that matches a query.
type Match struct {
	List string `json:"list"`
	ID   string `json:"id"`
	// Name is the entry's primary name.
	Name string `json:"name"`
	// Matched is the entry's name (primary or alias) that matched best,
	// when it is not the primary name.
	Matched  string   `json:"matched,omitempty"`
	Type     string   `json:"type,omitempty"`
	Programs []string `json:"programs,omitempty"`
	// Score is in [0, 1]; at or above ReviewThreshold a match becomes a
	// screening hit.
	Score float64 `json:"score"`
	// Why explains the score.
	Why string `json:"why"`
	// EntryHash is the digest of the entry's content (see Entry.Hash).
	EntryHash string `json:"-"`
}

// Scoring constants.
const (
	// ReviewThreshold is the score from which a match becomes a screening
	// hit for an investigator to review. It was chosen on the negative set
	// (names that are on no list): 0.55 % of them reach it, against 0.91 %
	// at 0.82 and 0.30 % at 0.86; see docs/benchmarks-screen.md.
	ReviewThreshold = 0.84
	// DefaultMinScore is the lowest score Screen returns unless told
	// otherwise.
	DefaultMinScore = 0.60

	edgeMin     = 0.80 // token similarity below which tokens do not match
	acronymSim  = 0.85 // an acronym matching the initials of a name
	splitSim    = 0.98 // a token matching two joined tokens (xiaoming ~ xiao ming)
	initialSim  = 0.90 // an initial matching a token with that first letter
	initialGive = 0.50 // how much of the full token an initial covers
	weakWeight  = 0.10 // weight of particles (al, bin, van …)
	minWeight   = 0.15 // lowest weight of a common token
	weakAliasX  = 0.95 // factor on a match through a weak alias
	candidates  = 96   // names fully scored per query
	// postBudget bounds the postings read to find candidates; the tokens
	// beyond it only add to names already found (see gather).
	postBudget = 5000
)

// ientry is an entry as the index keeps it.
type ientry struct {
	id, name  string
	typ       string
	programs  []string
	dobs      []dateSpan
	countries []string
	hash      string
}

// keyTable maps hashed keys to lists of int32, sorted for binary search.
type keyTable struct {
	keys []uint64
	off  []int32
	vals []int32
}

type keyVal struct {
	k uint64
	v int32
}

func newKeyTable(kv []keyVal) keyTable {
	slices.SortFunc(kv, func(a, b keyVal) int {
		if c := cmp.Compare(a.k, b.k); c != 0 {
			return c
		}
		return cmp.Compare(a.v, b.v)
	})
	kv = slices.Compact(kv)
	var t keyTable
	t.vals = make([]int32, len(kv))
	for i, p := range kv {
		if i == 0 || p.k != kv[i-1].k {
			t.keys = append(t.keys, p.k)
			t.off = append(t.off, int32(i))
		}
		t.vals[i] = p.v
	}
	t.off = append(t.off, int32(len(kv)))
	return t
}

func (t *keyTable) get(k uint64) []int32 {
	i, ok := slices.BinarySearch(t.keys, k)
	if !ok {
		return nil
	}
	return t.vals[t.off[i]:t.off[i+1]]
}

// Index is an in-memory index of one list for screening, safe for
// concurrent use. It does not change once built, but for a memo of each
// vocabulary token's similar tokens, filled on first use with atomic stores.
type Index struct {
	list    string
	entries []ientry

	// Names: every primary name and alias, as token IDs.
	nameEntry []int32
	nameFlags []uint8
	nameText  []string
	nameOff   []int32 // into tokIDs; len(names)+1
	tokIDs    []int32
	nameW     []float32 // sum of the name's token weights

	// Vocabulary.
	vocab   map[string]int32
	words   []string
	weight  []float32
	postOff []int32 // into post; len(words)+1
	post    []int32 // name IDs per token, ascending

	phon    keyTable // phonetic key → token IDs
	phonDel keyTable // phonetic key with one letter deleted → token IDs
	del     keyTable // token with one letter deleted → token IDs
	grams   keyTable // trigram of a token (6 letters or more) → token IDs
	acro    keyTable // acronym of a name → name IDs

	seed    maphash.Seed
	scratch sync.Pool
	tune    tuning
	sharp   []float32 // sharpen, tabulated
	// neigh memoises lookupFuzzy for the list's own tokens, filled on
	// first use: neigh[v] is nil until then.
	neigh []atomic.Pointer[neighbours]
}

// neighbours are the tokens similar to one token, as lookupFuzzy finds
// them.
type neighbours struct {
	v    []int32
	sim  []float32
	best float32
}

// tuning holds the scorer's parameters (fixed in production; varied by
// the evaluation tests).
type tuning struct {
	sharpen      float64 // a token similarity s counts as ((s-simLow)/(1-simLow))^sharpen
	simLow       float64 // similarity that counts as nothing
	leftMin      float32 // similarity from which leftover tokens match while scoring
	expQ         float64 // exponent of the query's coverage; the name's gets 1-expQ
	idfPow       float64 // token weight = idf^idfPow
	cands        int     // names fully scored per query
	edgeMin      float32 // token similarity below which tokens do not match
	levBlend     float64 // share of edit-distance similarity in token similarity
	guessPenalty float64 // lowers entries whose type the query's shape contradicts
}

var defaultTuning = tuning{sharpen: 1.3, simLow: 0.6, leftMin: 0.7, expQ: 0.6, idfPow: 1, cands: candidates, edgeMin: edgeMin, levBlend: 0.3, guessPenalty: 0.05}

// sharpen maps a fuzzy token similarity to what it counts for: near-misses
// count far less than exact matches.
func (ix *Index) sharpen(s float32) float32 {
	if s >= 1 {
		return 1
	}
	if s <= 0 {
		return 0
	}
	return ix.sharp[int(s*sharpSteps)]
}

const sharpSteps = 1000

// sharpTable tabulates sharpen for the tuning t.
func sharpTable(t tuning) []float32 {
	tab := make([]float32, sharpSteps+1)
	for i := range tab {
		s := float64(i) / sharpSteps
		if s > t.simLow {
			tab[i] = float32(math.Pow((s-t.simLow)/(1-t.simLow), t.sharpen))
		}
	}
	return tab
}

const (
	namePrimary = 1 << iota
	nameWeak
)

// BuildOptions tune Build.
type BuildOptions struct {
	// PrimaryOnly indexes primary names only, ignoring the list's aliases.
	PrimaryOnly bool
}

// Build indexes the entries of list.
func Build(list string, entries []Entry, opt BuildOptions) *Index {
	ix := &Index{
		list:  list,
		vocab: make(map[string]int32),
		seed:  maphash.MakeSeed(),
		tune:  defaultTuning,
	}
	ix.sharp = sharpTable(ix.tune)
	ix.entries = make([]ientry, len(entries))
	ix.nameOff = append(ix.nameOff, 0)
	var df []int32
	seen := map[int32]bool{}
	addName := func(ei int, text string, flags uint8) {
		n := normalize(text)
		if len(n.toks) == 0 {
			return
		}
		clear(seen)
		for _, t := range n.toks {
			id, ok := ix.vocab[t]
			if !ok {
				id = int32(len(ix.words))
				ix.vocab[t] = id
				ix.words = append(ix.words, t)
				df = append(df, 0)
			}
			ix.tokIDs = append(ix.tokIDs, id)
			if !seen[id] {
				seen[id] = true
				df[id]++
			}
		}
		ix.nameEntry = append(ix.nameEntry, int32(ei))
		ix.nameFlags = append(ix.nameFlags, flags)
		ix.nameText = append(ix.nameText, text)
		ix.nameOff = append(ix.nameOff, int32(len(ix.tokIDs)))
	}
	for i := range entries {
		e := &entries[i]
		ie := ientry{id: e.ID, name: e.Name, typ: NormalizeType(e.Type), programs: e.Programs, hash: e.Hash()}
		for _, d := range e.BirthDates {
			if s, ok := span(d); ok {
				ie.dobs = append(ie.dobs, s)
			}
		}
		for _, c := range e.Countries {
			if c = countryOrName(c); c != "" {
				ie.countries = append(ie.countries, c)
			}
		}
		ix.entries[i] = ie
		addName(i, e.Name, namePrimary)
		if !opt.PrimaryOnly {
			for _, a := range e.Aliases {
				var f uint8
				if a.Weak {
					f = nameWeak
				}
				addName(i, a.Name, f)
			}
		}
	}
	nNames := len(ix.nameEntry)
	// Weights: inverse document frequency over the list's names.
	ix.weight = make([]float32, len(ix.words))
	logN := math.Log(float64(nNames) + 1)
	for v, w := range ix.words {
		ix.weight[v] = tokenWeight(w, int(df[v]), logN, nNames, ix.tune.idfPow)
	}
	ix.nameW = make([]float32, nNames)
	for n := 0; n < nNames; n++ {
		var s float32
		for _, v := range ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]] {
			s += ix.weight[v]
		}
		ix.nameW[n] = s
	}
	// Postings.
	ix.postOff = make([]int32, len(ix.words)+1)
	for v, d := range df {
		ix.postOff[v+1] = ix.postOff[v] + d
	}
	ix.post = make([]int32, ix.postOff[len(ix.words)])
	fill := slices.Clone(ix.postOff[:len(ix.words)])
	for n := 0; n < nNames; n++ {
		toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
		for j, v := range toks {
			if slices.Contains(toks[:j], v) {
				continue
			}
			ix.post[fill[v]] = int32(n)
			fill[v]++
		}
	}
	// Phonetic keys and their one-letter deletions.
	var phon, pdel, del []keyVal
	for v, w := range ix.words {
		if weakWords[w] || len(w) < 2 {
			continue
		}
		k := phoneticKey(w)
		phon = append(phon, keyVal{ix.hash(k), int32(v)})
		if len(k) >= 3 {
			for i := range len(k) {
				pdel = append(pdel, keyVal{ix.hash(k[:i] + k[i+1:]), int32(v)})
			}
		}
		if len(w) >= 4 && isASCII(w) {
			for i := range len(w) {
				del = append(del, keyVal{ix.hash(w[:i] + w[i+1:]), int32(v)})
			}
		}
	}
	ix.phon = newKeyTable(phon)
	ix.phonDel = newKeyTable(pdel)
	ix.del = newKeyTable(del)
	var grams []keyVal
	for v, w := range ix.words {
		if len(w) >= 6 && isASCII(w) {
			for _, g := range trigrams([]string{w}, nil) {
				grams = append(grams, keyVal{uint64(g), int32(v)})
			}
		}
	}
	ix.grams = newKeyTable(grams)
	// Acronyms of names with two or more tokens.
	var acro []keyVal
	for n := 0; n < nNames; n++ {
		toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
		if len(toks) < 2 {
			continue
		}
		var all, strong strings.Builder
		for _, v := range toks {
			w := ix.words[v]
			all.WriteByte(w[0])
			if !weakWords[w] {
				strong.WriteByte(w[0])
			}
		}
		if a := strong.String(); len(a) >= 2 {
			acro = append(acro, keyVal{ix.hash(a), int32(n)})
			// Acronyms often leave out the tail (IDRO ~ Industrial
			// Development and Renovation Organization of Iran).
			for k := 3; k < len(a) && k <= 6; k++ {
				acro = append(acro, keyVal{ix.hash(a[:k]), int32(n)})
			}
		}
		if all.Len() != strong.Len() {
			acro = append(acro, keyVal{ix.hash(all.String()), int32(n)})
		}
	}
	ix.acro = newKeyTable(acro)
	ix.neigh = make([]atomic.Pointer[neighbours], len(ix.words))
	return ix
}

func tokenWeight(w string, df int, logN float64, n int, pow float64) float32 {
	if weakWords[w] {
		return weakWeight
	}
	if n == 0 {
		return 1
	}
	x := math.Log(1+float64(n)/float64(max(df, 1))) / logN
	if pow != 1 {
		x = math.Pow(x, pow)
	}
	return float32(min(1, max(minWeight, x)))
}

func (ix *Index) hash(s string) uint64 { return maphash.String(ix.seed, s) }

func (ix *Index) hashBytes(b []byte) uint64 { return maphash.Bytes(ix.seed, b) }

// Len returns the number of entries in the index.
func (ix *Index) Len() int { return len(ix.entries) }

// Names returns the number of names (primary names and aliases) indexed.
func (ix *Index) Names() int { return len(ix.nameEntry) }

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
	vedges  map[int32][]qedge
	splits  []qsplit
	// left memoises leftover token similarities: query token i and
	// vocabulary token v at key i<<32|v.
	left    map[uint64]float32
	acronym bool // single-token query that may be an acronym
}

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

func (ix *Index) prepare(q Query) *prepared {
	p := &prepared{q: q, norm: normalize(q.Name), typ: NormalizeType(q.Type), vedges: make(map[int32][]qedge)}
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
	addKind := func(v int32, mask uint32, sim float32, kind uint8) {
		for k, e := range p.vedges[v] {
			if e.qmask == mask {
				if sim > e.sim {
					p.vedges[v][k].sim = sim
					p.vedges[v][k].kind = kind
				}
				return
			}
		}
		p.vedges[v] = append(p.vedges[v], qedge{mask, sim, kind})
	}
	add := func(v int32, mask uint32, sim float32) { addKind(v, mask, sim, kindFuzzy) }
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
		best := ix.similar(t, func(v int32, sim float32) { add(v, 1<<i, sim) })
		if _, ok := ix.vocab[t]; !ok {
			// An article or kinship word written joined to the name
			// (alharamayn ~ al haramain, abdulrahman ~ abdul rahman).
			for _, pre := range joinedPrefixes {
				if len(t) >= len(pre)+4 && strings.HasPrefix(t, pre) {
					b := ix.lookupFuzzy(t[len(pre):], func(v int32, sim float32) { add(v, 1<<i, sim*0.98) })
					best = max(best, b)
				}
			}
		}
		if _, ok := ix.vocab[t]; !ok && best > 0 {
			// A token the list does not have: weigh it like the list's
			// token it resembles, not as a rare one.
			p.wq[i] = max(p.wq[i]*(1-best)+best*ix.bestWeight(p.vedges, 1<<i), minWeight)
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
	if strong := strongCount(p.norm); strong >= 3 {
		var b strings.Builder
		var mask uint32
		for i, t := range toks {
			if !p.norm.weak[i] && i < 32 {
				b.WriteByte(t[0])
				mask |= 1 << i
			}
		}
		if v, ok := ix.vocab[b.String()]; ok {
			addKind(v, mask, acronymSim, kindStruct)
		}
	} else if len(toks) == 1 && len(toks[0]) >= 2 && len(toks[0]) <= 8 {
		p.acronym = true
	}
	for _, w := range p.wq {
		p.wqSum += w
	}
	return p
}

// trigrams returns the sorted trigrams of tokens, each padded with a space
// on both sides.
func trigrams(toks []string, buf []uint32) []uint32 {
	g := buf[:0]
	for _, t := range toks {
		b := make([]byte, 0, len(t)+2)
		b = append(b, ' ')
		b = append(b, t...)
		b = append(b, ' ')
		for i := 0; i+3 <= len(b); i++ {
			g = append(g, uint32(b[i])<<16|uint32(b[i+1])<<8|uint32(b[i+2]))
		}
	}
	slices.Sort(g)
	return g
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

// bestWeight returns the weight of the most similar vocabulary token linked
// to the query tokens in mask.
func (ix *Index) bestWeight(vedges map[int32][]qedge, mask uint32) float32 {
	var best, w float32
	for v, es := range vedges {
		for _, e := range es {
			if e.qmask == mask && e.sim > best {
				best, w = e.sim, ix.weight[v]
			}
		}
	}
	return w
}

// similar is lookupFuzzy, memoised for tokens of the list's vocabulary.
func (ix *Index) similar(t string, fn func(v int32, sim float32)) float32 {
	v, ok := ix.vocab[t]
	if !ok {
		return ix.lookupFuzzy(t, fn)
	}
	nb := ix.neigh[v].Load()
	if nb == nil {
		nb = &neighbours{}
		nb.best = ix.lookupFuzzy(t, func(v int32, sim float32) {
			nb.v = append(nb.v, v)
			nb.sim = append(nb.sim, sim)
		})
		ix.neigh[v].Store(nb)
	}
	for i, u := range nb.v {
		fn(u, nb.sim[i])
	}
	return nb.best
}

// lookupFuzzy calls fn for every vocabulary token similar to t (exactly,
// by phonetic key, or by a phonetic key one letter apart) with its
// similarity, and returns the best similarity found for a token other than
// t itself.
func (ix *Index) lookupFuzzy(t string, fn func(v int32, sim float32)) float32 {
	var best float32
	visited := make(map[int32]bool, 64)
	try := func(v int32, sameKey bool) {
		if visited[v] {
			return
		}
		visited[v] = true
		w := ix.words[v]
		if weakWords[w] || !lengthsCompatible(len(t), len(w)) {
			return
		}
		s := ix.tokenSim(t, w, sameKey, ix.tune.edgeMin)
		if s >= ix.tune.edgeMin {
			fn(v, s)
			if w != t && s > best {
				best = s
			}
		}
	}
	if v, ok := ix.vocab[t]; ok {
		visited[v] = true
		fn(v, 1)
	}
	k := phoneticKey(t)
	for _, v := range ix.phon.get(ix.hash(k)) {
		try(v, true)
	}
	if len(t) >= 4 && len(t) <= 64 && isASCII(t) {
		// One edit apart in spelling (fagih ~ faqih).
		for _, v := range ix.del.get(ix.hash(t)) {
			try(v, false)
		}
		var buf [64]byte
		for i := range len(t) {
			d := append(append(buf[:0], t[:i]...), t[i+1:]...)
			if v, ok := ix.vocab[string(d)]; ok {
				try(v, false)
			}
			for _, v := range ix.del.get(ix.hashBytes(d)) {
				try(v, false)
			}
		}
	}
	if len(k) >= 3 {
		for _, v := range ix.phonDel.get(ix.hash(k)) {
			try(v, false)
		}
	}
	if len(k) >= 4 {
		// Keys one letter apart either way, or with one letter
		// substituted; short keys are left out, their neighbourhoods
		// are too large.
		var buf [48]byte
		for i := range len(k) {
			d := ix.hashBytes(append(append(buf[:0], k[:i]...), k[i+1:]...))
			for _, v := range ix.phon.get(d) {
				try(v, false)
			}
			for _, v := range ix.phonDel.get(d) {
				try(v, false)
			}
		}
	}
	if best < 0.9 && len(t) >= 6 && isASCII(t) {
		// Long tokens more than one edit apart (chaivorasilp ~
		// chaiworasin): tokens sharing many trigrams.
		qg := slices.Compact(trigrams([]string{t}, nil))
		need := max(3, len(qg)*2/5)
		counts := make(map[int32]int, 64)
		for _, g := range qg {
			ps := ix.grams.get(uint64(g))
			if len(ps) > maxGramPostings {
				need-- // too common to count
				continue
			}
			for _, v := range ps {
				counts[v]++
			}
		}
		for v, c := range counts {
			if c >= max(need, 2) {
				try(v, false)
			}
		}
	}
	return best
}

// lengthsCompatible reports whether tokens of these lengths can reach
// edgeMin at all: the edit-distance part of the similarity is at most the
// ratio of the lengths.
func lengthsCompatible(a, b int) bool {
	if a > b {
		a, b = b, a
	}
	return a*5 >= b*3 || b-a <= 2
}

// maxGramPostings skips trigrams shared by more tokens than this.
const maxGramPostings = 4000

// tokenSim is the similarity of two different tokens: Jaro–Winkler, raised
// when they share a phonetic key.
func (ix *Index) tokenSim(a, b string, sameKey bool, floor float32) float32 {
	if a == b {
		return 1
	}
	s := jaroWinkler(a, b)
	if x := ix.tune.levBlend; x > 0 {
		// The edit-distance part is at most the ratio of the lengths:
		// skip computing it when even that cannot reach the floor.
		ratio := float64(min(len(a), len(b))) / float64(max(len(a), len(b)))
		if up := (1-x)*s + x*ratio; up < float64(floor) && !(sameKey && 0.6+0.4*up >= float64(floor)) {
			return float32(up)
		}
		s = (1-x)*s + x*levSim(a, b)
	}
	if sameKey && min(len(a), len(b)) >= 4 && max(len(a), len(b))-min(len(a), len(b)) <= 1 {
		s = max(s, 0.6+0.4*s)
	}
	return float32(min(s, 0.99))
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
	edges := ix.nameEdges(p, toks, buf[:0])
	if len(edges) == 0 {
		return 0, nil
	}
	a := aligner{ix: ix, p: p, toks: toks, qn: min(len(p.norm.toks), 32), explain: explain}
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
func (ix *Index) nameEdges(p *prepared, toks []int32, edges []edge) []edge {
	for j, v := range toks {
		for _, e := range p.vedges[v] {
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
	if p.acronym && len(toks) >= 2 {
		var a strings.Builder
		var mask uint32
		for j, v := range toks {
			if w := ix.words[v]; !weakWords[w] {
				a.WriteByte(w[0])
				mask |= 1 << j
			}
		}
		if q := p.norm.toks[0]; a.String() == q || (len(q) >= 3 && strings.HasPrefix(a.String(), q)) {
			edges = append(edges, edge{1, mask, acronymSim, kindStruct})
		} else {
			a.Reset()
			for _, v := range toks {
				a.WriteByte(ix.words[v][0])
			}
			if a.String() == p.norm.toks[0] {
				edges = append(edges, edge{1, 1<<len(toks) - 1, acronymSim, kindStruct})
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
// the full token.
func (a *aligner) initials() {
	qt := a.p.norm.toks
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
	for i := range a.qn {
		if a.usedQ&(1<<i) == 0 && len(qt[i]) >= 2 && len(qt[i]) <= 6 {
			if m := acronymRun(qt[i], len(a.toks), a.usedC, a.word); m != 0 {
				a.take(edge{1 << i, m, acronymSim, kindStruct}, 1, 1)
			}
		}
	}
	for j := range a.toks {
		if w := a.word(j); a.usedC&(1<<j) == 0 && len(w) >= 2 && len(w) <= 6 {
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

// adjust raises or lowers a name score by what else is known: entity type,
// date of birth and country. It appends its reasons to why when why is not
// nil.
func (ix *Index) adjust(p *prepared, ei int32, s float64, why *[]string) float64 {
	e := &ix.entries[ei]
	note := func(f string, a ...any) {
		if why != nil {
			*why = append(*why, fmt.Sprintf(f, a...))
		}
	}
	if p.typ != "" && e.typ != "" {
		if p.typ == e.typ {
			s += 0.02
			note("type %s matches (+0.02)", e.typ)
		} else {
			s -= 0.15
			note("type %s, not %s (−0.15)", e.typ, p.typ)
		}
	}
	if p.guess != "" && e.typ != "" && p.guess != e.typ && ix.tune.guessPenalty > 0 {
		s -= ix.tune.guessPenalty
		note("the name looks like a %s's, the entry's type is %s (−%.2f)", p.guess, e.typ, ix.tune.guessPenalty)
	}
	if p.hasDOB && len(e.dobs) > 0 {
		adj, msg := dobAdjust(p.dob, e.dobs)
		s += adj
		note("%s", msg)
	}
	if p.country != "" && len(e.countries) > 0 {
		if slices.Contains(e.countries, p.country) {
			s += 0.03
			note("country %s matches (+0.03)", p.country)
		} else {
			s -= 0.04
			note("country %s not among %s (−0.04)", p.country, strings.Join(e.countries, ", "))
		}
	}
	return min(1, max(0, s))
}

// dobAdjust compares a date of birth with an entry's.
func dobAdjust(q dateSpan, dobs []dateSpan) (float64, string) {
	exact := q.from == q.to
	best, gap := -1, int32(math.MaxInt32)
	for _, d := range dobs {
		if q.from <= d.to && d.from <= q.to {
			if exact && d.from == d.to && d.from == q.from {
				return 0.08, fmt.Sprintf("date of birth %s matches (+0.08)", fmtSpan(d))
			}
			best = 1
			continue
		}
		// Years apart.
		g := min(absI32(q.from/10000-d.to/10000), absI32(d.from/10000-q.to/10000))
		gap = min(gap, g)
	}
	if best == 1 {
		return 0.04, "date of birth consistent (+0.04)"
	}
	if gap <= 1 {
		return 0, "date of birth within a year (±0)"
	}
	return -0.15, fmt.Sprintf("date of birth differs by %d years (−0.15)", gap)
}

func absI32(x int32) int32 {
	if x < 0 {
		return -x
	}
	return x
}

func fmtSpan(d dateSpan) string {
	return fmt.Sprintf("%04d-%02d-%02d", d.from/10000, d.from/100%100, d.from%100)
}

// match builds the Match for a result, with its explanation.
func (ix *Index) match(p *prepared, r result) Match {
	ei := ix.nameEntry[r.name]
	e := &ix.entries[ei]
	s, edges := ix.scoreName(p, r.name, true)
	var why []string
	why = append(why, ix.explain(p, r.name, s, edges))
	final := ix.adjust(p, ei, s, &why)
	m := Match{
		List:      ix.list,
		ID:        e.id,
		Name:      e.name,
		Type:      e.typ,
		Programs:  e.programs,
		Score:     math.Round(final*1000) / 1000,
		Why:       strings.Join(why, "; "),
		EntryHash: e.hash,
	}
	if ix.nameFlags[r.name]&namePrimary == 0 {
		m.Matched = ix.nameText[r.name]
	}
	return m
}

func (ix *Index) explain(p *prepared, n int32, s float64, edges []edge) string {
	toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
	var b strings.Builder
	kind := "name"
	if ix.nameFlags[n]&namePrimary == 0 {
		kind = "alias"
	}
	fmt.Fprintf(&b, "%s %q: ", kind, ix.nameText[n])
	slices.SortFunc(edges, func(a, b edge) int { return cmp.Compare(bits.TrailingZeros32(a.q), bits.TrailingZeros32(b.q)) })
	for i, e := range edges {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(maskWords(p.norm.toks, e.q))
		b.WriteString("=")
		var cw []string
		for m := e.c; m != 0; m &= m - 1 {
			cw = append(cw, ix.words[toks[bits.TrailingZeros32(m)]])
		}
		b.WriteString(strings.Join(cw, "+"))
		fmt.Fprintf(&b, " %.2f", e.s)
	}
	var miss []string
	var used uint32
	for _, e := range edges {
		used |= e.q
	}
	for i, t := range p.norm.toks {
		if i < 32 && used&(1<<i) == 0 {
			miss = append(miss, t)
		}
	}
	if len(miss) > 0 {
		fmt.Fprintf(&b, "; unmatched %s", strings.Join(miss, " "))
	}
	fmt.Fprintf(&b, "; name score %.2f", s)
	if ix.nameFlags[n]&nameWeak != 0 {
		b.WriteString(" (weak alias ×0.95)")
	}
	if len(p.norm.scripts) > 0 {
		fmt.Fprintf(&b, "; query romanised from %s as %q", strings.Join(p.norm.scripts, ", "), strings.Join(p.norm.toks, " "))
	}
	return b.String()
}

func maskWords(toks []string, m uint32) string {
	var w []string
	for ; m != 0; m &= m - 1 {
		if i := bits.TrailingZeros32(m); i < len(toks) {
			w = append(w, toks[i])
		}
	}
	return strings.Join(w, "+")
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

// levSim is 1 minus the edit distance of two tokens over the longer length.
func levSim(a, b string) float64 {
	if len(a) < 64 && len(b) < 64 && isASCII(a) && isASCII(b) {
		if len(a) == 0 || len(b) == 0 {
			return 0
		}
		var p, c [64]int
		prev, cur := p[:len(b)+1], c[:len(b)+1]
		for j := range prev {
			prev[j] = j
		}
		for i := 1; i <= len(a); i++ {
			cur[0] = i
			for j := 1; j <= len(b); j++ {
				d := 1
				if a[i-1] == b[j-1] {
					d = 0
				}
				cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+d)
			}
			prev, cur = cur, prev
		}
		return 1 - float64(prev[len(b)])/float64(max(len(a), len(b)))
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return 1 - float64(prev[len(rb)])/float64(max(len(ra), len(rb)))
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
