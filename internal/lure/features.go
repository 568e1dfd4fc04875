package lure

import (
	"math"
	"slices"
	"strings"
	"unicode/utf8"
)

// FeatureSet names the features a model is trained on.
type FeatureSet string

// The feature sets a model can use.
const (
	// FeaturesFull is Vigil's model: word unigrams and bigrams, character
	// 1- to 3-grams for scripts written without spaces, character 4-grams
	// inside Latin words, short "key: value" lines, the indicator flags and
	// the pay band.
	FeaturesFull FeatureSet = "full"
	// FeaturesBagOfWords is the baseline: word unigrams only, each Han,
	// Thai or Khmer character counted as a word, nothing else.
	FeaturesBagOfWords FeatureSet = "bow"
)

func (fs FeatureSet) valid() bool { _, ok := flagsOf(fs); return ok }

// Hash namespaces keep the different kinds of feature apart.
const (
	nsWord = iota + 1
	nsWord2
	nsChar1
	nsChar2
	nsChar3
	nsSub4
	nsIndicator
	nsPay
	nsKey
	nsKeyValue
)

const (
	fnvOffset64 = 14695981039346656037
	fnvPrime64  = 1099511628211
)

// mix64 is the finaliser of SplitMix64: it spreads the bits of a combined hash.
func mix64(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// hashString hashes s in namespace ns with FNV-1a.
func hashString(ns uint64, s string) uint64 {
	h := uint64(fnvOffset64) ^ ns
	h *= fnvPrime64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if '0' <= c && c <= '9' {
			c = '0' // numbers matter by their shape, not their value
		}
		h ^= uint64(c)
		h *= fnvPrime64
	}
	return h
}

// vector is a sparse feature vector: sorted distinct indices and their values.
type vector struct {
	idx []uint32
	val []float32
}

// featureFlags says which feature families a feature set uses.
type featureFlags struct {
	words, bigrams, char1, char2, char3, sub4, fields, indicators, pay bool
	extraWeight                                                        float32
}

// flagsOf returns the families of a feature set.
func flagsOf(set FeatureSet) (featureFlags, bool) {
	switch set {
	case FeaturesFull:
		return featureFlags{words: true, bigrams: true, char1: true, char2: true, char3: true, sub4: true,
			fields: true, indicators: true, pay: true, extraWeight: 0.1}, true
	case FeaturesBagOfWords:
		return featureFlags{words: true, char1: true}, true
	}
	return featureFlags{}, false
}

// Feature families, each scaled to unit length on its own so that the many
// character n-grams do not drown the words.
const (
	famWord = iota
	famBigram
	famChar
	famSub
	famField
	nFamilies
)

// featurizer turns folded text into a feature vector. It keeps scratch
// buffers, so one featurizer must not be used by two goroutines at once.
type featurizer struct {
	set  FeatureSet
	fl   featureFlags
	mask uint64
	buf  [nFamilies][]uint32
	fam  int // the family add appends to
	seen struct {
		keys, stamp []uint32
		gen         uint32
	}
}

func newFeaturizer(set FeatureSet, bits int) *featurizer {
	fl, _ := flagsOf(set)
	return &featurizer{set: set, fl: fl, mask: 1<<bits - 1}
}

func (fz *featurizer) add(h uint64) {
	fz.buf[fz.fam] = append(fz.buf[fz.fam], uint32(mix64(h)&fz.mask))
}

// hashes fills the families' buffers with the hashed features of folded
// text s (unsorted, with repeats): the text's, and its fields' when the
// feature set has them.
func (fz *featurizer) hashes(s string) {
	for i := range fz.buf {
		fz.buf[i] = fz.buf[i][:0]
	}
	fz.text(s)
	if fz.fl.fields {
		fz.fam = famField
		fz.fields(s)
	}
}

// vectorize builds the features of folded text s, given the indicator codes
// found in it and the monthly pay in US dollars (0 when none was found).
// Text features are binary, each family scaled to unit length; each
// indicator and the pay band add one feature of value 1.
func (fz *featurizer) vectorize(s string, codes []string, payUSD float64) vector {
	fz.hashes(s)
	total := 0
	for i := range fz.buf {
		slices.Sort(fz.buf[i])
		fz.buf[i] = slices.Compact(fz.buf[i])
		total += len(fz.buf[i])
	}
	v := vector{idx: make([]uint32, 0, total+len(codes)+1), val: make([]float32, 0, total+len(codes)+1)}
	for _, b := range fz.buf {
		if len(b) == 0 {
			continue
		}
		w := float32(1 / math.Sqrt(float64(len(b))))
		for _, i := range b {
			v.idx = append(v.idx, i)
			v.val = append(v.val, w)
		}
	}
	var extra []uint32
	if fz.fl.indicators {
		for _, c := range codes {
			extra = append(extra, uint32(mix64(hashString(nsIndicator, c))&fz.mask))
		}
	}
	if fz.fl.pay && payUSD > 0 {
		band := int(math.Floor(math.Log2(payUSD)))
		extra = append(extra, uint32(mix64(hashString(nsPay, string(rune('a'+min(max(band, 0), 25)))))&fz.mask))
	}
	if len(extra) > 0 || nonZeroFamilies(fz.buf) > 1 {
		// merge: families may share a bucket after hashing
		ew := fz.fl.extraWeight
		if ew == 0 {
			ew = 1
		}
		for _, i := range extra {
			v.idx = append(v.idx, i)
			v.val = append(v.val, ew)
		}
		v = v.merged()
	}
	return v
}

func nonZeroFamilies(b [nFamilies][]uint32) int {
	n := 0
	for _, x := range b {
		if len(x) > 0 {
			n++
		}
	}
	return n
}

// merged sorts v by index and adds up the values of equal indices.
func (v vector) merged() vector {
	p := make([]int, len(v.idx))
	for i := range p {
		p[i] = i
	}
	slices.SortFunc(p, func(a, b int) int { return int(v.idx[a]) - int(v.idx[b]) })
	out := vector{idx: make([]uint32, 0, len(p)), val: make([]float32, 0, len(p))}
	for _, k := range p {
		if n := len(out.idx); n > 0 && out.idx[n-1] == v.idx[k] {
			out.val[n-1] += v.val[k]
			continue
		}
		out.idx = append(out.idx, v.idx[k])
		out.val = append(out.val, v.val[k])
	}
	return out
}

// score returns the raw score of folded text s under weights w and bias b:
// the same sum as the dot product of vectorize's vector, without building
// and sorting it. Scoring uses it; training needs the vectors.
func (fz *featurizer) score(s string, codes []string, payUSD float64, w []float32, b float64) float64 {
	fz.hashes(s)
	z := b
	for f := range fz.buf {
		n, sum := fz.distinctSum(fz.buf[f], w)
		if n > 0 {
			z += sum * float64(float32(1/math.Sqrt(float64(n))))
		}
	}
	ew := float64(fz.fl.extraWeight)
	if ew == 0 {
		ew = 1
	}
	if fz.fl.indicators {
		for _, c := range codes {
			z += float64(w[uint32(mix64(hashString(nsIndicator, c))&fz.mask)]) * ew
		}
	}
	if fz.fl.pay && payUSD > 0 {
		band := int(math.Floor(math.Log2(payUSD)))
		z += float64(w[uint32(mix64(hashString(nsPay, string(rune('a'+min(max(band, 0), 25)))))&fz.mask)]) * ew
	}
	return z
}

// distinctSum returns the number of distinct indices in idx and the sum of
// their weights, using an open-addressing set stamped with a generation so
// that it needs no clearing.
func (fz *featurizer) distinctSum(idx []uint32, w []float32) (int, float64) {
	size := 1024
	for size < 2*len(idx) {
		size *= 2
	}
	if len(fz.seen.keys) < size {
		fz.seen.keys = make([]uint32, size)
		fz.seen.stamp = make([]uint32, size)
		fz.seen.gen = 0
	}
	fz.seen.gen++
	if fz.seen.gen == 0 { // wrapped: clear
		clear(fz.seen.stamp)
		fz.seen.gen = 1
	}
	keys, stamp, gen := fz.seen.keys, fz.seen.stamp, fz.seen.gen
	mask := uint32(len(keys) - 1)
	n := 0
	var sum float64
	for _, i := range idx {
		h := (i * 0x9e3779b1) & mask
		for {
			if stamp[h] != gen {
				stamp[h], keys[h] = gen, i
				n++
				sum += float64(w[i])
				break
			}
			if keys[h] == i {
				break
			}
			h = (h + 1) & mask
		}
	}
	return n, sum
}

// text appends the hashed text features of s to fz.buf.
func (fz *featurizer) text(s string) {
	fl := fz.fl
	var prevWord uint64 // hash of the previous word, 0 at the start of a phrase
	// ring of the last three character starts in an ideographic/abugida run
	var c0, c1 int = -1, -1
	for i := 0; i < len(s); {
		r, n := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[i:])
		}
		switch runeClass(r) {
		case classWord:
			j := i + n
			for j < len(s) {
				r2, m := rune(s[j]), 1
				if r2 >= utf8.RuneSelf {
					r2, m = utf8.DecodeRuneInString(s[j:])
				}
				if runeClass(r2) != classWord {
					break
				}
				j += m
			}
			w := s[i:j]
			h := hashString(nsWord, w)
			fz.fam = famWord
			if fl.words {
				fz.add(h)
			}
			if fl.bigrams && prevWord != 0 {
				fz.fam = famBigram
				fz.add(prevWord*31 ^ h ^ nsWord2)
			}
			if fl.sub4 {
				fz.fam = famSub
				if len(w) >= 5 && len(w) <= 24 && isASCII(w) && !hasDigit(w) {
					// character 4-grams with word boundaries, for spelling
					// variants and joined words ("experienceRequired")
					fz.add4(w)
				}
			}
			prevWord = h
			c0, c1 = -1, -1
			i = j
		case classIdeo, classAbugida:
			fz.fam = famChar
			if fl.char1 {
				fz.fam = famWord // a character is a word in the bag of words
				fz.add(hashString(nsChar1, s[i:i+n]))
				fz.fam = famChar
			}
			if fl.char2 && c1 >= 0 {
				fz.add(hashString(nsChar2, s[c1:i+n]))
			}
			if fl.char3 && c0 >= 0 {
				fz.add(hashString(nsChar3, s[c0:i+n]))
			}
			c0, c1 = c1, i
			prevWord = 0
			i += n
		default:
			switch r {
			case ' ', '-', '/', '\'', '&', '.', ',', '_', 0xB7:
				// words on either side still make a bigram
			default:
				prevWord = 0
			}
			c0, c1 = -1, -1
			i += n
		}
	}
}

// fields adds a feature for each short "key: value" line (job boards and
// pasted ads are full of them: "Salary: ...", "公司规模: 10-49人") and one
// for the key with its whole value when the value is short, so that
// categorical fields count as categories.
func (fz *featurizer) fields(s string) {
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		k := strings.Index(line, ": ")
		if k <= 0 || k > 24 {
			continue
		}
		key := line[:k]
		fz.add(hashString(nsKey, key))
		if v := strings.TrimSpace(line[k+2:]); len(v) <= 40 {
			h := uint64(fnvOffset64) ^ nsKeyValue
			for i := 0; i < len(line); i++ { // digits kept: "10-49人" is a category
				h ^= uint64(line[i])
				h *= fnvPrime64
			}
			fz.add(h)
		}
	}
}

// add4 adds the character 4-grams of "<" + w + ">".
func (fz *featurizer) add4(w string) {
	n := len(w) + 2
	at := func(k int) byte {
		switch k {
		case 0:
			return '<'
		case n - 1:
			return '>'
		}
		return w[k-1]
	}
	for k := 0; k+4 <= n; k++ {
		h := uint64(fnvOffset64) ^ nsSub4
		h *= fnvPrime64
		for t := k; t < k+4; t++ {
			h ^= uint64(at(t))
			h *= fnvPrime64
		}
		fz.add(h)
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if '0' <= s[i] && s[i] <= '9' {
			return true
		}
	}
	return false
}
