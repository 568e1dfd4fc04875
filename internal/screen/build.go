// Building an index from a list's entries: vocabulary, token weights,
// postings, and the hashed keys (phonetic, one-deletion, trigram, acronym)
// that find similar tokens and names.

package screen

import (
	"hash/maphash"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync/atomic"
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
	df := ix.addEntries(entries, opt)
	df = ix.orderVocabulary(df)
	ix.weigh(df)
	ix.fillPostings(df)
	ix.buildTokenKeys()
	ix.buildAcronyms()
	ix.neigh = make([]atomic.Pointer[neighbours], len(ix.words))
	ix.vmeta = tokenMeta(ix.words)
	ix.nameBits = bits.Len32(uint32(len(ix.nameEntry)))
	return ix
}

// addEntries adds the entries and their names (primary names, and aliases
// unless opt says not), growing the vocabulary. It returns each token's
// document frequency: how many names have it.
func (ix *Index) addEntries(entries []Entry, opt BuildOptions) []int32 {
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
		var sur uint8
		if guessType(text) == TypePerson {
			flags |= namePerson
			sur = uint8(min(n.sur, 32))
		}
		ix.nameEntry = append(ix.nameEntry, int32(ei))
		ix.nameFlags = append(ix.nameFlags, flags)
		ix.nameSur = append(ix.nameSur, sur)
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
	return df
}

// orderVocabulary renumbers the vocabulary in the order of the tokens'
// phonetic keys and copies the tokens into one string in that order, and
// returns df renumbered. A fuzzy look-up reads the tokens that share a key
// with the query's, or nearly: they are then next to each other in memory
// instead of one cache miss each across a vocabulary of a million tokens.
func (ix *Index) orderVocabulary(df []int32) []int32 {
	keys := make([]string, len(ix.words))
	order := make([]int32, len(ix.words))
	size := 0
	for v, w := range ix.words {
		keys[v] = phoneticKey(w)
		order[v] = int32(v)
		size += len(w)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := strings.Compare(keys[a], keys[b]); c != 0 {
			return c
		}
		return strings.Compare(ix.words[a], ix.words[b])
	})
	renum := make([]int32, len(order))
	var arena strings.Builder
	arena.Grow(size)
	for nv, v := range order {
		renum[v] = int32(nv)
		arena.WriteString(ix.words[v])
	}
	all := arena.String()
	words := make([]string, len(order))
	ndf := make([]int32, len(order))
	vocab := make(map[string]int32, len(order))
	off := 0
	for nv, v := range order {
		w := all[off : off+len(ix.words[v])]
		off += len(w)
		words[nv] = w
		ndf[nv] = df[v]
		vocab[w] = int32(nv)
	}
	for i, v := range ix.tokIDs {
		ix.tokIDs[i] = renum[v]
	}
	ix.words, ix.vocab, ix.met = words, vocab, order
	return ndf
}

// weigh sets each token's weight, its inverse document frequency over the
// list's names, and each name's total weight.
func (ix *Index) weigh(df []int32) {
	nNames := len(ix.nameEntry)
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
}

// fillPostings lists, for each token, the names that have it, ascending.
func (ix *Index) fillPostings(df []int32) {
	nNames := len(ix.nameEntry)
	ix.postOff = make([]int32, len(ix.words)+1)
	for v, d := range df {
		ix.postOff[v+1] = ix.postOff[v] + d
	}
	ix.post = make([]int32, ix.postOff[len(ix.words)])
	ix.postW = make([]float32, len(ix.post))
	ix.repeats = make([]uint64, (nNames+63)/64)
	fill := slices.Clone(ix.postOff[:len(ix.words)])
	for n := 0; n < nNames; n++ {
		toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
		for j, v := range toks {
			if slices.Contains(toks[:j], v) {
				ix.repeats[n>>6] |= 1 << (n & 63)
				continue
			}
			ix.post[fill[v]] = int32(n)
			ix.postW[fill[v]] = ix.nameW[n]
			fill[v]++
		}
	}
}

// buildTokenKeys keys each token by what finds it from a similar one: its
// phonetic key and that key's one-letter deletions, its own one-letter
// deletions, and (long tokens) its trigrams.
func (ix *Index) buildTokenKeys() {
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
}

// buildAcronyms keys each name of two or more tokens by its acronyms.
func (ix *Index) buildAcronyms() {
	var acro []keyVal
	for n := 0; n < len(ix.nameEntry); n++ {
		toks := ix.tokIDs[ix.nameOff[n]:ix.nameOff[n+1]]
		if len(toks) < 2 || ix.nameFlags[n]&namePerson != 0 {
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
		if a := legalAcronym(ix.nameText[n]); len(a) > strong.Len() && len(a) <= 8 {
			acro = append(acro, keyVal{ix.hash(a), int32(n)})
			ix.nameFlags[n] |= nameLegalAcronym
		}
	}
	ix.acro = newKeyTable(acro)
}

// legalAcronym is a name's acronym with the initials of its legal form
// (Company, Group, Ltd), which the name's tokens leave out: GLBC ~ Great
// Lakes Business Company, AMIG ~ Ammunition and Metallurgy Industries
// Group. It is "" when the name has no legal form, or when it is not
// ASCII.
func legalAcronym(text string) string {
	var b []byte
	legal := false
	single := 0 // letters of the current run of single letters (S.A.)
	for _, f := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r >= 0x80)
	}) {
		if !isASCII(f) {
			return ""
		}
		if len(f) == 1 {
			// A run of single letters is one word (S.A., C.V.).
			if single == 0 {
				b = append(b, f[0])
			}
			single++
			continue
		}
		single = 0
		switch {
		case legalForms[f]:
			legal = true
		case weakWords[f] || dropWords[f]:
			continue
		}
		b = append(b, f[0])
	}
	if !legal {
		return ""
	}
	return string(b)
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
