package extract

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxAccentToken bounds the token foldAccents looks at on each side of an
// accented letter.
const maxAccentToken = 64

// foldAccents reads ASCII addresses, hosts and handles that carry marks to
// slip past a filter ("rec̈ruiter.lin@gm̃ail.com", "sţaff.hiring@gmaıl.com",
// "hrd.asiajaya@ya̾hoo.co.id"): in a token — a run without spaces or
// brackets — that has an '@', '.' or '_' between ASCII letters and whose
// other characters are ASCII letters, digits, combining marks, Latin
// letters that decompose to an ASCII letter and a mark, or the dotless ı,
// the marks are dropped and the letters folded. Words of Vietnamese and
// other languages written with marks have none of '@', '.' and '_' and
// stay as written, so labels ("gọi", "số") still read.
func foldAccents(s string) (string, *spanMap) { return foldAccentsAt(s, nil) }

// foldAccentsAt is foldAccents; stops, if not nil, are the offsets of s at
// which its scan would stop to look further (leadStops.accent), read in
// place of the scan.
func foldAccentsAt(s string, stops *stopList) (string, *spanMap) {
	var w *rewriter
	next := func(i int) int {
		if stops != nil {
			return stops.next(i, len(s))
		}
		return nextLeadIn(accentLeads, s, i)
	}
	for i := next(0); i < len(s); i = next(i) {
		if !accentSecond(s, i) {
			i++ // nextLeadIn passes over the rest of the character
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if _, ok := accentFold(r); !ok {
			i += n
			continue
		}
		b, e, ok := tokenBounds(s, i)
		if !ok || w != nil && b < w.copied || !addressMarks(s[b:e]) || !addressToken(s[b:e]) {
			i = max(e, i+n)
			continue
		}
		if w == nil {
			w = &rewriter{src: s}
		}
		for j := b; j < e; {
			r, n := utf8.DecodeRuneInString(s[j:])
			if r >= utf8.RuneSelf {
				f, _ := accentFold(r)
				w.replace(j, j+n, f)
			}
			j += n
		}
		i = e
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// accentFold returns what r becomes in an ASCII token: "" for a combining
// mark, the ASCII letter of a Latin letter with marks (by its canonical
// decomposition), "i" for the dotless ı; false for anything else.
func accentFold(r rune) (string, bool) {
	switch {
	case r < utf8.RuneSelf:
		return "", false
	case r == 'ı':
		return "i", true
	case r >= 0xC0 && r <= 0x24F:
		if c := latinBase[r-0xC0]; c != 0 {
			return asciiStrings[c], true
		}
	case r >= 0x1E00 && r <= 0x1EFF:
		// Latin Extended Additional: Vietnamese's letters with two marks
		// and the dotted ones ("jọbthai-ọnline.com").
		if c := latinExtBase[r-0x1E00]; c != 0 {
			return asciiStrings[c], true
		}
	case combiningMark(r):
		return "", true
	}
	return "", false
}

// combiningMark reports whether r is a combining mark of the blocks drawn
// over Latin letters (not a Thai or Khmer vowel sign, nor the keycap).
func combiningMark(r rune) bool {
	return r >= 0x300 && r <= 0x36F || r >= 0x1AB0 && r <= 0x1AFF || r >= 0x1DC0 && r <= 0x1DFF ||
		r >= 0x20D0 && r <= 0x20FF && r != 0x20E3 || r >= 0xFE20 && r <= 0xFE2F
}

// latinBase and latinExtBase are the ASCII letters of the Latin letters
// U+00C0…U+024F and U+1E00…U+1EFF (latinBases).
var (
	latinBase    = latinBases(0xC0, 0x250)
	latinExtBase = latinBases(0x1E00, 0x1F00)
)

// latinBases returns, for each rune from lo up to hi, the ASCII letter its
// canonical decomposition starts with, or 0.
func latinBases(lo, hi rune) []byte {
	t := make([]byte, hi-lo)
	for r := lo; r < hi; r++ {
		d := norm.NFD.String(string(r))
		if len(d) > 1 && d[0] < utf8.RuneSelf && isLetter(d[0]) {
			t[r-lo] = d[0]
		}
	}
	return t
}

// accentLead marks the first bytes of the runes accentFold folds.
var accentLead = func() (t [256]bool) {
	for _, r := range []rune{0xC0, 0x24F, 'ı', 0x300, 0x36F, 0x1AB0, 0x1DC0, 0x20D0, 0xFE20} {
		t[string(r)[0]] = true
	}
	for c := 0xC3; c <= 0xC9; c++ { // U+00C0…U+024F
		t[c] = true
	}
	return t
}()

// accentLeads is accentLead with the second bytes accentSecond lets
// through.
var accentLeads = newLeadSet(&accentLead, func(c0, c1 byte) bool {
	return accentSecond(string([]byte{c0, c1}), 0)
})

// accentSecond looks past the lead byte at s[i] for the three lead bytes
// that accentFold's marks share with much else, Khmer letters (E1) above
// all: only the second bytes of the blocks of marks and of Latin Extended
// Additional (Vietnamese's letters) can start a rune that accentFold folds.
func accentSecond(s string, i int) bool {
	c1 := at(s, i+1)
	switch s[i] {
	case 0xE1:
		// U+1A80…U+1AFF, U+1DC0…U+1DFF, U+1E00…U+1EFF
		return c1 == 0xAA || c1 == 0xAB || c1 == 0xB7 || c1 >= 0xB8 && c1 <= 0xBB
	case 0xE2:
		return c1 == 0x83 // U+20C0…U+20FF
	case 0xEF:
		return c1 == 0xB8 // U+FE00…U+FE3F
	}
	return true
}

// tokenBounds returns the run around s[i] without spaces, brackets, quotes
// or commas; false when it is longer than maxAccentToken bytes on a side
// (no address is).
func tokenBounds(s string, i int) (int, int, bool) {
	b := i
	for b > 0 && !tokenEnd(s[b-1]) {
		if i-b == maxAccentToken {
			return b, i, false
		}
		b--
	}
	e := i
	for e < len(s) && !tokenEnd(s[e]) {
		if e-i == maxAccentToken {
			return b, e, false
		}
		e++
	}
	return b, e, true
}

// tokenEnd reports whether c ends a token for foldAccents.
func tokenEnd(c byte) bool { return tokenEnds[c] }

// tokenEnds marks the bytes that end a token: the controls, the space and
// ",;:()[]{}<>\"'", as a table (tokenBounds asks at every byte of a token).
var tokenEnds = func() (t [256]bool) {
	for c := 0; c <= ' '; c++ {
		t[c] = true
	}
	for _, c := range []byte(",;:()[]{}<>\"'") {
		t[c] = true
	}
	return t
}()

// addressMarks reports whether t has an '@', '.' or '_' (what
// strings.ContainsAny(t, "@._") answers: in UTF-8, valid or not, an
// ASCII byte is always that character).
func addressMarks(t string) bool {
	for i := 0; i < len(t); i++ {
		if c := t[i]; c == '@' || c == '.' || c == '_' {
			return true
		}
	}
	return false
}

// addressToken reports whether t reads as an ASCII address, host or handle
// once folded: an '@', '.' or '_' between ASCII letters, at least three
// ASCII letters, and nothing foldAccents cannot fold.
func addressToken(t string) bool {
	var b strings.Builder // t folded: "@l̃oker̂_asiá" is "@loker_asia"
	for j := 0; j < len(t); {
		c := t[j]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(t[j:])
			f, ok := accentFold(r)
			if !ok {
				return false
			}
			b.WriteString(f)
			j += n
			continue
		}
		b.WriteByte(c)
		j++
	}
	t = b.String()
	joined, letters := false, 0
	for j := 0; j < len(t); {
		c := t[j]
		switch {
		case isLetter(c):
			letters++
		case c == '@' || c == '.' || c == '_':
			joined = joined || (j == 0 && c == '@' || j > 0 && isAlnum(t[j-1])) && isAlnum(at(t, j+1))
		case c == '/' && hostBeforeSlash(t[:j]):
			// A link's path: "t.me/lökerkambojá".
		case !isAlnum(c) && c != '-':
			return false
		}
		j++
	}
	return joined && letters >= 3
}

// hostBeforeSlash reports whether h, what stands before a slash, ends in
// a host: a dot, then "me" (t.me, wa.me) or a top-level domain of
// spacedTLDs, or the path's earlier segments after one.
func hostBeforeSlash(h string) bool {
	if i := strings.IndexByte(h, '/'); i >= 0 {
		h = h[:i]
	}
	d := strings.LastIndexByte(h, '.')
	if d < 1 || !isAlnum(h[d-1]) {
		return false
	}
	tld := lowerASCII(h[d+1:])
	return tld == "me" || spacedTLDs[tld]
}
