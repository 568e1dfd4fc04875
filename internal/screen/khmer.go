package screen

import "strings"

// Khmer romanisation.
//
// The tables follow CLDR's Khmer-Latin transform (common/transforms/
// Khmer-Latin.xml, variant UNGEGN, marked provisional in CLDR): every
// consonant belongs to the a-series or the o-series, and the series decides
// how the following vowel is read (ា is "a" after ក but "ea" after ភ). We
// simplified and corrected it as follows, to produce the spellings Cambodian
// names have in passports and on sanctions lists (ទ្រី ភាព → "tri pheap" for
// Try Pheap):
//   - diacritics are folded (CLDR's ŏ ĕ ô â œ become o e o a oe);
//   - the o-series reading of ា is "ea" as in the UNGEGN table CLDR cites
//     (CLDR's provisional rule gives "a");
//   - CLDR keeps an inherent vowel after every consonant; we give one only
//     to a syllable without a written vowel, and read a consonant that
//     follows a vowel as a final with its final value (ខ → k, ញ → nh, ព → p,
//     ស → s …);
//   - in a cluster the subscript sets the series unless it is a sonorant
//     (ង ញ ណ ន ម យ រ ល វ), in which case the base consonant does — CLDR
//     always lets the subscript decide;
//   - muusikatoan (៉) and triisap (៊) switch the series; toandakhiat (៍)
//     silences its consonant; bantoc, robat and the other signs are
//     dropped; a consonant cluster at the end of a word keeps only its
//     first consonant (ចន្ទ → chan).

// khCons is one Khmer consonant: its initial value, final value and series
// ('a' or 'o').
type khCons struct {
	initial, final string
	series         byte
	sonorant       bool
}

var khConsonants = map[rune]khCons{
	'ក': {"k", "k", 'a', false}, 'ខ': {"kh", "k", 'a', false}, 'គ': {"k", "k", 'o', false},
	'ឃ': {"kh", "k", 'o', false}, 'ង': {"ng", "ng", 'o', true}, 'ច': {"ch", "ch", 'a', false},
	'ឆ': {"chh", "ch", 'a', false}, 'ជ': {"ch", "ch", 'o', false}, 'ឈ': {"chh", "ch", 'o', false},
	'ញ': {"nh", "nh", 'o', true}, 'ដ': {"d", "t", 'a', false}, 'ឋ': {"th", "t", 'a', false},
	'ឌ': {"d", "t", 'o', false}, 'ឍ': {"th", "t", 'o', false}, 'ណ': {"n", "n", 'a', true},
	'ត': {"t", "t", 'a', false}, 'ថ': {"th", "t", 'a', false}, 'ទ': {"t", "t", 'o', false},
	'ធ': {"th", "t", 'o', false}, 'ន': {"n", "n", 'o', true}, 'ប': {"b", "p", 'a', false},
	'ផ': {"ph", "p", 'a', false}, 'ព': {"p", "p", 'o', false}, 'ភ': {"ph", "p", 'o', false},
	'ម': {"m", "m", 'o', true}, 'យ': {"y", "y", 'o', true}, 'រ': {"r", "r", 'o', true},
	'ល': {"l", "l", 'o', true}, 'វ': {"v", "v", 'o', true}, 'ឝ': {"s", "s", 'a', false},
	'ឞ': {"s", "s", 'a', false}, 'ស': {"s", "s", 'a', false}, 'ហ': {"h", "h", 'a', false},
	'ឡ': {"l", "l", 'a', false}, 'អ': {"", "", 'a', false},
}

// khVowels gives each dependent vowel's reading after an a-series and an
// o-series consonant.
var khVowels = map[rune][2]string{
	'ា': {"a", "ea"}, 'ិ': {"e", "i"}, 'ី': {"ei", "i"}, 'ឹ': {"oe", "oe"}, 'ឺ': {"oe", "oe"},
	'ុ': {"o", "u"}, 'ូ': {"o", "u"}, 'ួ': {"uo", "uo"}, 'ើ': {"aeu", "eu"}, 'ឿ': {"oea", "oea"},
	'ៀ': {"ie", "ie"}, 'េ': {"e", "e"}, 'ែ': {"e", "e"}, 'ៃ': {"ai", "ey"}, 'ោ': {"ao", "ou"},
	'ៅ': {"au", "ou"},
}

// khVowelSign gives the readings of a vowel followed by nikahit (ំ) or
// reahmuk (ះ); the zero rune stands for the inherent vowel.
var khVowelSign = map[[2]rune][2]string{
	{0, 'ំ'}: {"am", "um"}, {0, 'ះ'}: {"ah", "eah"},
	{'ុ', 'ំ'}: {"om", "um"}, {'ា', 'ំ'}: {"am", "oam"}, {'ិ', 'ះ'}: {"eh", "ih"},
	{'ុ', 'ះ'}: {"oh", "uh"}, {'េ', 'ះ'}: {"eh", "eh"}, {'ោ', 'ះ'}: {"aoh", "oah"},
}

var khIndependent = map[rune]string{
	'ឣ': "a", 'ឤ': "a", 'ឥ': "e", 'ឦ': "ei", 'ឧ': "o", 'ឨ': "ou", 'ឩ': "ou", 'ឪ': "au",
	'ឫ': "roe", 'ឬ': "roe", 'ឭ': "loe", 'ឮ': "loe", 'ឯ': "e", 'ឰ': "ai", 'ឱ': "ao", 'ឲ': "ao",
	'ឳ': "au",
}

const (
	khCoeng        = '្'
	khMuusikatoan  = '៉'
	khTriisap      = '៊'
	khToandakhiat  = '៍'
	khNikahit      = 'ំ'
	khReahmuk      = 'ះ'
	khDigitZero    = '០'
	khDigitNine    = '៩'
	khInherentAQ   = '឴'
	khInherentAA   = '឵'
	khYuukaleapint = 'ៈ'
)

// khSyl is one syllable being built.
type khSyl struct {
	onset  strings.Builder
	series byte
	vowel  rune   // dependent vowel, 0 for none
	indep  string // independent vowel
	sign   rune   // nikahit or reahmuk
	final  string
	// hasFinal is set once a final consonant is read.
	hasFinal bool
	started  bool
}

func (s *khSyl) hasNucleus() bool { return s.vowel != 0 || s.indep != "" || s.sign != 0 }

func (s *khSyl) write(b *strings.Builder) {
	if !s.started {
		return
	}
	b.WriteString(s.onset.String())
	ser := 0
	if s.series == 'o' {
		ser = 1
	}
	switch {
	case s.indep != "":
		b.WriteString(s.indep)
	case s.sign != 0:
		if v, ok := khVowelSign[[2]rune{s.vowel, s.sign}]; ok {
			b.WriteString(v[ser])
		} else {
			if v, ok := khVowels[s.vowel]; ok {
				b.WriteString(v[ser])
			}
			if s.sign == khNikahit {
				b.WriteString("m")
			} else {
				b.WriteString("h")
			}
		}
	case s.vowel != 0:
		b.WriteString(khVowels[s.vowel][ser])
	default:
		if s.series == 'o' {
			b.WriteString("o")
		} else {
			b.WriteString("a")
		}
	}
	b.WriteString(s.final)
}

// khMark reports whether r is a sign that neither starts nor ends a
// syllable and is dropped.
func khMark(r rune) bool {
	switch r {
	case '់', '៌', '៎', '៏', '័', '៑', '៓', '៝', khInherentAQ, khInherentAA, khYuukaleapint:
		return true
	}
	return false
}

// romanizeKhmer romanises a run of Khmer text (one or more words without
// spaces between syllables).
func romanizeKhmer(run []rune) string {
	var b strings.Builder
	var cur khSyl
	n := len(run)
	// next returns the index of the first rune at or after i that is not a
	// dropped mark.
	next := func(i int) int {
		for i < n && khMark(run[i]) {
			i++
		}
		return i
	}
	// bindsToConsonant reports whether the consonant at i starts a
	// syllable of its own: a vowel, sign, shifter or subscript follows it.
	bindsToConsonant := func(i int) bool {
		j := next(i + 1)
		if j >= n {
			return false
		}
		r := run[j]
		if _, ok := khVowels[r]; ok {
			return true
		}
		switch r {
		case khNikahit, khReahmuk, khMuusikatoan, khTriisap:
			return true
		case khCoeng:
			// A subscript followed by a vowel starts a syllable; one at the
			// end of a word is a final cluster (ចន្ទ).
			k := next(j + 2)
			if k >= n {
				return false
			}
			if _, ok := khConsonants[run[k]]; ok {
				return false
			}
			return true
		}
		return false
	}
	// isFinalAt reports whether the consonant at i would close a syllable
	// with nothing after it but marks, subscripts or the end of the word.
	isFinalAt := func(i int) bool {
		j := next(i + 1)
		for j < n && run[j] == khCoeng {
			j = next(j + 2)
		}
		return j >= n
	}
	emit := func() {
		cur.write(&b)
		cur = khSyl{}
	}
	for i := 0; i < n; i++ {
		r := run[i]
		if c, ok := khConsonants[r]; ok {
			if j := next(i + 1); j < n && run[j] == khToandakhiat {
				i = j // silenced consonant
				continue
			}
			canClose := cur.started && !cur.hasFinal && !bindsToConsonant(i)
			if canClose && cur.hasNucleus() {
				// A consonant after a vowel is a final, unless it is
				// followed by another consonant that ends the word, in
				// which case it starts a syllable with an inherent vowel
				// (សុវណ្ណ → so-vann).
				j := next(i + 1)
				if j < n {
					if _, ok := khConsonants[run[j]]; ok && isFinalAt(j) {
						canClose = false
					}
				}
			}
			if canClose {
				cur.final, cur.hasFinal = c.final, true
				j := next(i + 1)
				if j+1 < n && run[j] == khCoeng {
					if sub, ok := khConsonants[run[j+1]]; ok && next(j+2) < n {
						// A subscript under a final opens the next
						// syllable (ឧត្តម → ot-tam).
						emit()
						cur.started = true
						cur.onset.WriteString(sub.initial)
						cur.series = sub.series
						i = j + 1
						continue
					}
				}
				// Skip a word-final cluster's subscripts.
				for j := next(i + 1); j+1 < n && run[j] == khCoeng; j = next(i + 1) {
					i = j + 1
				}
				continue
			}
			emit()
			cur.started = true
			cur.onset.WriteString(c.initial)
			cur.series = c.series
			continue
		}
		if v, ok := khIndependent[r]; ok {
			emit()
			cur.started = true
			cur.indep = v
			continue
		}
		if _, ok := khVowels[r]; ok {
			if !cur.started || cur.hasNucleus() || cur.hasFinal {
				emit()
				cur.started = true
				cur.series = 'a'
			}
			cur.vowel = r
			continue
		}
		switch {
		case r == khCoeng:
			if i+1 < n {
				if c, ok := khConsonants[run[i+1]]; ok {
					if cur.started && !cur.hasNucleus() && !cur.hasFinal {
						cur.onset.WriteString(c.initial)
						if !c.sonorant {
							cur.series = c.series
						}
					}
					i++
				}
			}
		case r == khMuusikatoan:
			cur.series = 'a'
		case r == khTriisap:
			cur.series = 'o'
		case r == khNikahit || r == khReahmuk:
			if !cur.started {
				cur.started, cur.series = true, 'a'
			}
			cur.sign = r
		case r >= khDigitZero && r <= khDigitNine:
			emit()
			b.WriteByte(byte('0' + r - khDigitZero))
		case r >= '៰' && r <= '៹':
			// Lunar date digits: ignore.
		}
	}
	emit()
	return b.String()
}
