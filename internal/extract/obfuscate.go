package extract

import (
	"unicode/utf8"
)

// Two more view steps for the ways recruiters dodge keyword filters:
// look-alike letters from other scripts inside Latin handles
// ("t.me/rеcruit" with a Cyrillic е), and phone numbers written with digits
// that are not ASCII digits or are pulled apart ("zero one two …",
// "零一二…", "0️⃣1️⃣2️⃣", "0 1 2 . 3 4 5").

// confusable maps Cyrillic and Greek letters that look like a Latin letter
// to that letter.
var confusable = map[rune]byte{
	// Cyrillic
	'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'о': 'o', 'р': 'p', 'с': 'c', 'т': 't',
	'у': 'y', 'х': 'x', 'і': 'i', 'ј': 'j', 'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l',
	'А': 'A', 'В': 'B', 'Е': 'E', 'К': 'K', 'М': 'M', 'Н': 'H', 'О': 'O', 'Р': 'P', 'С': 'C', 'Т': 'T',
	'У': 'Y', 'Х': 'X', 'І': 'I', 'Ј': 'J', 'Ѕ': 'S', 'Ԛ': 'Q', 'Ԝ': 'W',
	// Greek
	'α': 'a', 'ο': 'o', 'ν': 'v', 'ρ': 'p', 'ι': 'i', 'κ': 'k', 'υ': 'u', 'χ': 'x',
	'Α': 'A', 'Β': 'B', 'Ε': 'E', 'Ζ': 'Z', 'Η': 'H', 'Ι': 'I', 'Κ': 'K', 'Μ': 'M', 'Ν': 'N', 'Ο': 'O',
	'Ρ': 'P', 'Τ': 'T', 'Υ': 'Y', 'Χ': 'X',
}

// isCyrGreek reports whether the two-byte rune starting with lead byte c
// is Cyrillic or Greek (U+0370..U+052F).
func isCyrGreek(c byte) bool { return c >= 0xCD && c <= 0xD4 }

// foldConfusables replaces look-alike Cyrillic and Greek letters by Latin
// ones inside a token (a run of ASCII letters, digits, '_' and Cyrillic or
// Greek letters) that has at least one ASCII letter and whose other letters
// all look Latin. Words written in Cyrillic or Greek are left alone.
func foldConfusables(s string) (string, *spanMap) {
	first := 0 // the token scan starts at the word before the first Cyrillic or Greek byte
	for first < len(s) && !isCyrGreek(s[first]) {
		first++
	}
	if first == len(s) {
		return s, nil
	}
	for first > 0 && (isAlnum(s[first-1]) || s[first-1] == '_') {
		first--
	}
	var w *rewriter
	for i := first; i < len(s); {
		c := s[i]
		if !isAlnum(c) && c != '_' && !isCyrGreek(c) {
			i++
			continue
		}
		// A token: s[i:e].
		e, latin, other, ok := i, false, false, true
		for e < len(s) {
			c := s[e]
			if isAlnum(c) || c == '_' {
				latin = latin || isLetter(c)
				e++
				continue
			}
			if !isCyrGreek(c) {
				break
			}
			r, n := utf8.DecodeRuneInString(s[e:])
			if n != 2 {
				break
			}
			other = true
			if _, found := confusable[r]; !found {
				ok = false
			}
			e += 2
		}
		if latin && other && ok {
			if w == nil {
				w = &rewriter{src: s}
			}
			for j := i; j < e; {
				if s[j] < 0x80 {
					j++
					continue
				}
				r, _ := utf8.DecodeRuneInString(s[j:])
				w.replaceUnit(j, j+2, asciiStrings[confusable[r]], 2)
				j += 2
			}
		}
		if e == i { // a lone lead byte that is not a rune
			e++
		}
		i = e
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// Kinds of digit unit.
const (
	unitASCII  = iota + 1 // an ASCII digit
	unitWord              // an English number word: "seven"
	unitSymbol            // a Chinese numeral, keycap emoji, circled or styled digit
)

// numberWords are the English words for digits.
var numberWords = [...]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}

// wordsByLetter lists, for each letter a–z, the digits whose English word
// starts with it.
var wordsByLetter = func() (t [26][]byte) {
	for n, w := range numberWords {
		t[w[0]-'a'] = append(t[w[0]-'a'], byte(n))
	}
	return t
}()

// Classes of the first byte of a digit unit, for spellDigits' fast path.
const (
	classOther  = iota // cannot start a unit
	classDigit         // an ASCII digit
	classWord          // a letter that starts a number word
	classLetter        // another letter, or '_': skip the word
	classLead          // the lead byte of a rune that may be a symbol digit
)

var unitClass = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = classDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		k := byte(classLetter)
		if len(wordsByLetter[c-'a']) > 0 {
			k = classWord
		}
		t[c], t[c-'a'+'A'] = k, k
	}
	t['_'] = classLetter
	for c := 0xE2; c <= 0xF0; c++ {
		t[c] = classLead
	}
	return t
}()

// equalLowerASCII reports whether s, with ASCII letters lowered, is w,
// without allocating.
func equalLowerASCII(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// symbolDigit returns the digit a non-ASCII rune stands for in an
// obfuscated number, or -1.
func symbolDigit(r rune) int {
	switch r {
	case '零', '〇':
		return 0
	case '一', '幺', '壹':
		return 1
	case '二', '贰', '貳':
		return 2
	case '三', '叁', '參':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆', '陸':
		return 6
	case '七', '柒':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖':
		return 9
	case '⓪', '⓿', '🄀':
		return 0
	}
	switch {
	case r >= '①' && r <= '⑨':
		return int(r - '①' + 1)
	case r >= '❶' && r <= '❾':
		return int(r - '❶' + 1)
	case r >= '➀' && r <= '➈':
		return int(r - '➀' + 1)
	case r >= '➊' && r <= '➒':
		return int(r - '➊' + 1)
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical bold, double-struck, sans-serif and monospace digits
		return int(r-0x1D7CE) % 10
	}
	return -1
}

// digitUnit reads one digit unit at s[i]: its digit, its end and its kind,
// or kind 0.
func digitUnit(s string, i int) (d byte, end, kind int) {
	c := s[i]
	switch {
	case isDigit(c):
		if i > 0 && (isLetter(s[i-1]) || s[i-1] == '_') {
			return 0, 0, 0
		}
		e := i + 1
		// A keycap: the digit, an optional U+FE0F, then U+20E3.
		k := e
		if len(s) >= k+3 && s[k:k+3] == "\uFE0F" {
			k += 3
		}
		if len(s) >= k+3 && s[k:k+3] == "\u20E3" {
			return c, k + 3, unitSymbol
		}
		return c, e, unitASCII
	case isLetter(c):
		if i > 0 && (isLetter(s[i-1]) || s[i-1] == '_') {
			return 0, 0, 0
		}
		for _, n := range wordsByLetter[c|0x20-'a'] {
			w := numberWords[n]
			if len(s) >= i+len(w) && equalLowerASCII(s[i:i+len(w)], w) &&
				!isLetter(at(s, i+len(w))) && at(s, i+len(w)) != '_' {
				return '0' + n, i + len(w), unitWord
			}
		}
	case c >= 0xE2:
		r, n := utf8.DecodeRuneInString(s[i:])
		if d := symbolDigit(r); d >= 0 {
			return byte('0' + d), i + n, unitSymbol
		}
	}
	return 0, 0, 0
}

// isDigitSep reports whether c may separate the digits of a pulled-apart
// number.
func isDigitSep(c byte) bool { return c == ' ' || c == '.' || c == '-' || c == '_' }

// Bounds of a number worth rewriting: as short as a local phone number, as
// long as an international one.
const (
	minSpelledDigits = 7
	maxSpelledDigits = 15
)

// spellDigits rewrites runs of digit units — separated by at most three of
// space, '.', '-' and '_' — into plain ASCII digits when the run is long
// enough to be a phone number and is obfuscated: it has at least two
// spelled-out, Chinese or symbol digits, or at least four lone ASCII digits
// ("0 1 2 3 …"). Plain numbers ("012 345 678", "1 000 000") stay as
// written, and the phone scanner decides what the digits are.
func spellDigits(s string) (string, *spanMap) {
	var w *rewriter
	var buf []byte
	for i := 0; i < len(s); {
		var d byte
		var e, kind int
		switch unitClass[s[i]] {
		case classOther:
			i++
			continue
		case classLetter:
		default:
			d, e, kind = digitUnit(s, i)
		}
		if kind == 0 {
			if c := s[i]; isAlnum(c) || c == '_' {
				// Skip the rest of an ASCII word: its digits are not units.
				for i++; i < len(s) && (isAlnum(s[i]) || s[i] == '_'); i++ {
				}
				continue
			}
			i++
			continue
		}
		start, end := i, e
		buf = buf[:0]
		special, singles, group := 0, 0, 0
		for {
			buf = append(buf, d)
			if kind == unitASCII {
				group++
			} else {
				if group == 1 {
					singles++
				}
				group = 0
				special++
			}
			end = e
			// The next unit: adjacent, or after a short separator.
			k := e
			for k < len(s) && k-e < 3 && isDigitSep(s[k]) {
				k++
			}
			if k == len(s) {
				break
			}
			nd, ne, nkind := digitUnit(s, k)
			if nkind == 0 {
				break
			}
			if k > e && group > 0 && nkind == unitASCII || k == e && kind == unitASCII && nkind != unitASCII {
				// A separator closes an ASCII group; so does a unit of another kind.
				if group == 1 {
					singles++
				}
				group = 0
			}
			d, e, kind = nd, ne, nkind
			if len(buf) > maxSpelledDigits {
				break
			}
		}
		if group == 1 {
			singles++
		}
		n := len(buf)
		if n >= minSpelledDigits && n <= maxSpelledDigits && (special >= 2 || singles >= 4) &&
			!(isAlnum(at(s, end)) && s[end-1] < 0x80) {
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(start, end, string(buf))
		}
		i = end
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}
