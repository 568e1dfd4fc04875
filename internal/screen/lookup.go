// Looking up the vocabulary tokens similar to a token, and the token
// similarity itself.

package screen

import "slices"

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

// similar is lookupFuzzy, memoised for tokens of the list's vocabulary.
func (ix *Index) similar(sc *scratchBuf, t string, fn func(v int32, sim float32)) float32 {
	v, ok := ix.vocab[t]
	if !ok {
		return ix.lookupFuzzy(sc, t, fn)
	}
	nb := ix.neigh[v].Load()
	if nb == nil {
		nb = &neighbours{}
		nb.best = ix.lookupFuzzy(sc, t, func(v int32, sim float32) {
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
// t itself. The tokens it has tried are stamped in sc.tried (a map here
// was half of the look-up's time against a large list).
func (ix *Index) lookupFuzzy(sc *scratchBuf, t string, fn func(v int32, sim float32)) float32 {
	var best float32
	stamp := sc.nextStamp()
	try := func(v int32, sameKey bool) {
		if sc.tried[v] == stamp {
			return
		}
		sc.tried[v] = stamp
		// Weak words and lengths that cannot reach edgeMin are ruled
		// out from a table, without reading the token.
		m := ix.vmeta[v]
		if m&vmetaWeak != 0 || !lengthsCompatible(len(t), ix.wordLen(v, m)) {
			return
		}
		w := ix.words[v]
		s := ix.tokenSim(t, w, sameKey, ix.tune.edgeMin)
		if s >= ix.tune.edgeMin {
			fn(v, s)
			if w != t && s > best {
				best = s
			}
		}
	}
	if v, ok := ix.vocab[t]; ok {
		sc.tried[v] = stamp
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
		// chaiworasin): tokens sharing many trigrams, counted in
		// sc.grams (zero outside this loop).
		var gbuf [72]uint32
		qg := slices.Compact(trigrams([]string{t}, gbuf[:0]))
		need := max(3, len(qg)*2/5)
		counted := sc.counted[:0]
		for _, g := range qg {
			ps := ix.grams.get(uint64(g))
			if len(ps) > maxGramPostings {
				need-- // too common to count
				continue
			}
			for _, v := range ps {
				if sc.grams[v] == 0 {
					counted = append(counted, v)
				}
				sc.grams[v]++
			}
		}
		need = max(need, 2)
		for _, v := range counted {
			if int(sc.grams[v]) >= need {
				try(v, false)
			}
			sc.grams[v] = 0
		}
		sc.counted = counted[:0]
	}
	return best
}

// wordLen is the length of vocabulary token v, whose vmeta is m.
func (ix *Index) wordLen(v int32, m uint16) int {
	if l := m &^ vmetaWeak; l < vmetaLong {
		return int(l)
	}
	return len(ix.words[v])
}

// vmeta bits: a token's length (vmetaLong when it is that long or longer)
// and whether it is a weak word.
const (
	vmetaWeak = 1 << 15
	vmetaLong = 1<<15 - 1
)

// tokenMeta tabulates each vocabulary token's length and weakness.
func tokenMeta(words []string) []uint16 {
	m := make([]uint16, len(words))
	for v, w := range words {
		m[v] = uint16(min(len(w), vmetaLong))
		if weakWords[w] {
			m[v] |= vmetaWeak
		}
	}
	return m
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

// levSim is 1 minus the edit distance of two tokens over the longer length.
func levSim(a, b string) float64 {
	if len(a) < 64 && len(b) < 64 && isASCII(a) && isASCII(b) {
		if len(a) == 0 || len(b) == 0 {
			return 0
		}
		return 1 - float64(editDistanceASCII(a, b))/float64(max(len(a), len(b)))
	}
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 {
		return 0
	}
	return 1 - float64(editDistanceRunes(ra, rb))/float64(max(len(ra), len(rb)))
}

// editDistanceRunes is the Levenshtein distance of a and b by the table,
// a row at a time.
func editDistanceRunes(a, b []rune) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// editDistanceASCII is the Levenshtein distance of a (1 to 64 bytes) and
// b, computed a column of the table at a time in the bits of a word
// (Myers 1999, as Hyyrö 2003 writes it for the whole of both strings):
// the same distance as the table, in len(b) steps.
func editDistanceASCII(a, b string) int {
	var peq [128]uint64
	for i := 0; i < len(a); i++ {
		peq[a[i]&127] |= 1 << i
	}
	pv, mv := ^uint64(0), uint64(0)
	last := uint64(1) << (len(a) - 1)
	d := len(a)
	for j := 0; j < len(b); j++ {
		eq := peq[b[j]&127]
		xv := eq | mv
		xh := ((eq & pv) + pv) ^ pv | eq
		ph := mv | ^(xh | pv)
		mh := pv & xh
		if ph&last != 0 {
			d++
		} else if mh&last != 0 {
			d--
		}
		ph = ph<<1 | 1
		mh <<= 1
		pv = mh | ^(xv | ph)
		mv = ph & xv
	}
	return d
}
