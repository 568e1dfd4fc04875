package lure

import (
	"unicode"
	"unicode/utf8"
)

// folded is an ad prepared for matching: lower case, full-width forms folded
// to ASCII, zero-width characters dropped, with a map from each byte of the
// folded text back to the original.
type folded struct {
	s string
	// off[i] is the byte offset in the original text of the rune that
	// produced byte i of s; off[len(s)] is the length of the original.
	off []int32
}

// fold prepares text for matching. Khmer, Thai, Lao and Myanmar digits
// become ASCII digits, so that amounts and phone numbers written in them are
// read. Offsets are kept so that evidence spans
// point into the text exactly as the caller gave it.
func fold(text string) folded {
	b := make([]byte, 0, len(text))
	off := make([]int32, 0, len(text)+1)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			off = append(off, int32(i))
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(text[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			r = ' '
		case 0xFF01 <= r && r <= 0xFF5E: // full-width ASCII
			r -= 0xFEE0
		case r == 0x3000: // ideographic space
			r = ' '
		case 0x17E0 <= r && r <= 0x17E9: // Khmer digits, as in "ប្រាក់ខែ ១៥០០ ដុល្លារ"
			r = '0' + r - 0x17E0
		case 0x0E50 <= r && r <= 0x0E59: // Thai digits
			r = '0' + r - 0x0E50
		case 0x0ED0 <= r && r <= 0x0ED9: // Lao digits
			r = '0' + r - 0x0ED0
		case 0x1040 <= r && r <= 0x1049: // Myanmar digits
			r = '0' + r - 0x1040
		case r == 0x200B || r == 0x200C || r == 0x200D || r == 0xFEFF || r == 0x00AD:
			i += n // zero-width characters and soft hyphens carry nothing
			continue
		}
		r = unicode.ToLower(r)
		start := len(b)
		b = utf8.AppendRune(b, r)
		for range len(b) - start {
			off = append(off, int32(i))
		}
		i += n
	}
	off = append(off, int32(len(text)))
	return folded{s: string(b), off: off}
}

// span returns the evidence span in the original text for folded bytes [i, j).
func (f folded) span(orig string, i, j int) Span {
	s, e := int(f.off[i]), int(f.off[j])
	// j may point inside a rune that expanded when folded; move to its end.
	if j < len(f.s) && f.off[j] == f.off[j-1] {
		_, n := utf8.DecodeRuneInString(orig[e:])
		e += n
	}
	return Span{Start: s, End: e, Text: orig[s:e]}
}

// Rune classes used by the tokeniser and by keyword boundaries.
const (
	classOther   = iota // spaces, punctuation, symbols
	classWord           // letters and digits of scripts written with spaces
	classIdeo           // Han, kana, Hangul: one character is a unit
	classAbugida        // Thai, Lao, Khmer, Myanmar: written without spaces
)

// runeClass returns the tokeniser class of r.
func runeClass(r rune) int {
	if r < 0x80 {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			return classWord
		}
		return classOther
	}
	switch {
	case 0x0E00 <= r && r <= 0x0EFF, // Thai, Lao
		0x1780 <= r && r <= 0x17FF, 0x19E0 <= r && r <= 0x19FF, // Khmer
		0x1000 <= r && r <= 0x109F, 0xAA60 <= r && r <= 0xAA7F: // Myanmar
		return classAbugida
	case 0x3040 <= r && r <= 0x30FF, // kana
		0x3400 <= r && r <= 0x4DBF, 0x4E00 <= r && r <= 0x9FFF, 0xF900 <= r && r <= 0xFAFF,
		0x20000 <= r && r <= 0x3134F, // Han
		0xAC00 <= r && r <= 0xD7AF:   // Hangul
		return classIdeo
	}
	if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
		return classWord
	}
	return classOther
}

// isWordByte reports whether the folded text has a word character (Latin
// letter or digit, or a letter of another spaced script) at byte i. It is
// used for keyword boundaries, so that "tg" does not match in "mortgage".
func isWordAt(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	c := s[i]
	if c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
	}
	// Back up to the start of the rune containing byte i.
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return runeClass(r) == classWord
}

// lastRuneStart returns the index of the first byte of the rune that ends
// just before byte i.
func lastRuneStart(s string, i int) int {
	j := i - 1
	for j > 0 && !utf8.RuneStart(s[j]) {
		j--
	}
	return j
}

// scriptOf guesses the language of an ad from its letters: "zh" for Han,
// "th", "km", "lo", "my" for those scripts, "vi" for Latin with Vietnamese
// letters, and "en" for other Latin text. It only needs folded text.
func scriptOf(s string) string {
	var han, thai, khmer, lao, mya, latin, viet int
	for _, r := range s {
		switch {
		case r < 0x80:
			if 'a' <= r && r <= 'z' {
				latin++
			}
		case 0x0E00 <= r && r <= 0x0E7F:
			thai++
		case 0x0E80 <= r && r <= 0x0EFF:
			lao++
		case 0x1780 <= r && r <= 0x17FF:
			khmer++
		case 0x1000 <= r && r <= 0x109F:
			mya++
		case runeClass(r) == classIdeo:
			han++
		case r == 'đ' || r == 'ư' || r == 'ơ' || r == 'ă' || 0x1EA0 <= r && r <= 0x1EFF:
			viet++
			latin++
		}
	}
	best, lang := latin/3, "en" // a Han character carries about three Latin letters of meaning
	for _, c := range []struct {
		n    int
		lang string
	}{{han, "zh"}, {thai, "th"}, {khmer, "km"}, {lao, "lo"}, {mya, "my"}} {
		if c.n > best {
			best, lang = c.n, c.lang
		}
	}
	if lang == "en" && viet > 0 && viet*20 >= latin {
		lang = "vi"
	}
	return lang
}
