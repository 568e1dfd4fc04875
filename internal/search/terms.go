package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Fields of the index: a term is hashed with the field it was found in, so
// a word of the testimony and the same word in a subject's name are
// different rows.
const (
	FieldText    = "t"
	FieldSubject = "s"
)

// Limits on terms.
const (
	// maxWord is the longest word indexed, in characters; longer runs of
	// letters (base64, hashes) are not words anyone types.
	maxWord = 40
	// minWord is the shortest word indexed: single letters match nearly
	// everything.
	minWord = 2
)

// script is how a run of characters is cut into terms.
type script int

const (
	sepScript   script = iota // spaces, punctuation: not indexed
	wordScript                // Latin (English, Vietnamese, Indonesian), Cyrillic, …: words between separators
	hanScript                 // Chinese (and Japanese kana): one- and two-character terms
	thaiScript                // Thai: two-character terms
	khmerScript               // Khmer: two-character terms
)

// scriptOf classifies a character. Marks belong to the run they follow
// (the Thai and Khmer vowel signs are in their scripts' blocks).
func scriptOf(r rune) script {
	switch {
	case unicode.Is(unicode.Thai, r):
		return thaiScript
	case unicode.Is(unicode.Khmer, r):
		return khmerScript
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
		return hanScript
	case unicode.IsLetter(r), unicode.IsDigit(r), unicode.IsMark(r):
		return wordScript
	}
	return sepScript
}

// invisible are the characters removed before anything else: zero-width
// spaces and joiners (Khmer and Thai writers put U+200B between words
// where a typed query has none) and the soft hyphen.
var invisible = runes.In(&unicode.RangeTable{R16: []unicode.Range16{
	{Lo: 0x00AD, Hi: 0x00AD, Stride: 1},
	{Lo: 0x200B, Hi: 0x200D, Stride: 1},
	{Lo: 0x2060, Hi: 0x2060, Stride: 1},
	{Lo: 0xFEFF, Hi: 0xFEFF, Stride: 1},
}})

// normalise puts text in the one form both the index and a query see:
// invisible characters removed, compatibility forms folded (full-width
// Latin, half-width kana, ligatures) by NFKC, and case folded.
func normalise(s string) string {
	if isASCII(s) {
		// NFKC and NFC leave ASCII as it is, it has no invisible
		// characters, and case folding it is lowering it.
		return strings.ToLower(s)
	}
	s = strings.ToValidUTF8(s, " ")
	t := transform.Chain(runes.Remove(invisible), norm.NFKC, cases.Fold(), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return ""
	}
	return out
}

// stripMarks removes diacritics: "nguyễn" → "nguyen", "đà" → "da". It
// is applied to words only, never to Thai or Khmer, whose marks are
// letters.
func stripMarks(w string) string {
	if isASCII(w) {
		return w
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, w)
	if err != nil {
		return w
	}
	return letterFolds.Replace(out)
}

// letterFolds are the letters without a decomposition that a reader takes
// for a plain Latin letter with a mark. A Replacer is safe for concurrent
// use and never changes.
var letterFolds = strings.NewReplacer("đ", "d", "ð", "d", "ı", "i")

// isASCII reports whether s is ASCII only: most words of English and
// Indonesian testimony, for which normalising and stripping marks change
// nothing but case.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// run is a maximal stretch of text in one script.
type run struct {
	script script
	text   []rune
}

// runs cuts normalised text into runs of one script. Separators end a run
// and are dropped.
func runs(s string) []run {
	var out []run
	var cur run
	flush := func() {
		if len(cur.text) > 0 && cur.script != sepScript {
			out = append(out, cur)
		}
		cur = run{}
	}
	for _, r := range s {
		sc := scriptOf(r)
		if sc == wordScript && unicode.IsMark(r) && cur.script != sepScript && len(cur.text) > 0 {
			sc = cur.script // a mark continues the run it follows
		}
		if sc != cur.script {
			flush()
			cur.script = sc
		}
		if sc != sepScript {
			cur.text = append(cur.text, r)
		}
	}
	flush()
	return out
}

// Terms returns the distinct normalised terms of a text, as they are
// indexed:
//
//   - Words (English, Indonesian, Vietnamese and every other script that
//     puts spaces between words): each word of minWord to maxWord
//     characters, case-folded, and also without its diacritics when it has
//     any, so "Nguyễn" is found by "nguyễn" and by "nguyen".
//   - Chinese (and Japanese kana): every character and every overlapping
//     pair of characters. Chinese has no spaces and most words are two
//     characters; a typed word of two or more characters is looked up by
//     its pairs, a single character by itself.
//   - Thai and Khmer: every overlapping pair of characters (code points,
//     after NFC, with zero-width spaces removed). Neither script puts
//     spaces between words, and no word-segmentation library for them is
//     published as a pure-Go module (the ones that exist wrap ICU or
//     libthai through cgo, which the single static binary cannot take), so
//     the index uses n-grams, and pairs rather than triples because a
//     typed query must produce only n-grams the text has: any run of two
//     or more characters typed from the text does, while many common words
//     (Thai "ไป", Khmer "ទៅ") are two code points long and would have no
//     triple at all. A query must have all its pairs, which keeps false
//     matches rare for words of three characters or more. A run of one
//     character is indexed as itself.
func Terms(text string) []string {
	var ts termSet
	add := ts.add
	for _, r := range runs(normalise(text)) {
		switch r.script {
		case wordScript:
			if n := len(r.text); n < minWord || n > maxWord {
				continue
			}
			w := string(r.text)
			add(w)
			if s := stripMarks(w); s != w {
				add(s)
			}
		case hanScript:
			for i := range r.text {
				add(string(r.text[i : i+1]))
				if i+1 < len(r.text) {
					add(string(r.text[i : i+2]))
				}
			}
		case thaiScript, khmerScript:
			ngrams(r.text, add)
		}
	}
	return ts.out
}

// termSet collects terms once each, in the order first added.
type termSet struct {
	seen map[string]bool
	out  []string
}

func (t *termSet) add(term string) {
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	if !t.seen[term] {
		t.seen[term] = true
		t.out = append(t.out, term)
	}
}

// ngrams adds every overlapping pair of a run, or the run itself when it
// is one character.
func ngrams(text []rune, add func(string)) {
	if len(text) == 1 {
		add(string(text))
		return
	}
	for i := 0; i+1 < len(text); i++ {
		add(string(text[i : i+2]))
	}
}

// queryTerms returns the terms a query must match, normalised as Terms
// normalises text: a word is looked up as typed (with its diacritics, if
// it has any, else as typed without), a Chinese run of two or more
// characters by its pairs and of one by itself, a Thai or Khmer run by its
// pairs. Every term it returns is one Terms returns for the same string,
// so a text always matches a query that is a copy of it.
func queryTerms(q string) []string {
	var ts termSet
	add := ts.add
	for _, r := range runs(normalise(q)) {
		switch r.script {
		case wordScript:
			if n := len(r.text); n >= minWord && n <= maxWord {
				add(string(r.text))
			}
		case hanScript:
			if len(r.text) == 1 {
				add(string(r.text))
				continue
			}
			for i := 0; i+1 < len(r.text); i++ {
				add(string(r.text[i : i+2]))
			}
		case thaiScript, khmerScript:
			ngrams(r.text, add)
		}
	}
	return ts.out
}

// validTerm reports whether t could be a term (for tests and the fuzzer).
func validTerm(t string) bool {
	return t != "" && utf8.ValidString(t) && utf8.RuneCountInString(t) <= maxWord
}
