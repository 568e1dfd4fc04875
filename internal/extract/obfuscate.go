package extract

import (
	"sort"
	"strings"
	"unicode"
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
	// Armenian: "@hr_օnline_kհ"
	'օ': 'o', 'հ': 'h', 'ս': 'u', 'ո': 'n', 'ց': 'g',
}

// isCyrGreek reports whether the two-byte rune starting with lead byte c
// is Greek, Cyrillic or Armenian (U+0370..U+05BF).
func isCyrGreek(c byte) bool { return c >= 0xCD && c <= 0xD6 }

// nextCyrGreek returns the index of the first byte at or after i that
// isCyrGreek, or len(s).
func nextCyrGreek(s string, i int) int {
	return nextLeadIn(cyrGreekLeads, s, i)
}

// cyrGreekLeads holds the two-byte characters that isCyrGreek, for
// nextLeadIn.
var cyrGreekLeads = func() *leadSet {
	var lead [256]bool
	for c := range lead {
		lead[c] = isCyrGreek(byte(c))
	}
	return newLeadSet(&lead, anySecond)
}()

// foldConfusables replaces look-alike Cyrillic and Greek letters by Latin
// ones inside a token (a run of ASCII letters, digits, '_' and Cyrillic or
// Greek letters) that has at least one ASCII letter and whose other letters
// all look Latin. Words written in Cyrillic or Greek are left alone.
func foldConfusables(s string) (string, *spanMap) {
	var w *rewriter
	for i := 0; i < len(s); {
		// Only a token with a Cyrillic or Greek letter can change: start
		// at the word before the next Cyrillic or Greek byte. The tokens
		// passed over are ASCII only, and a byte that is neither a letter,
		// a digit nor '_' ends them, so the scan below would have come to
		// that word's start too.
		p := nextCyrGreek(s, i)
		if p == len(s) {
			break
		}
		for p > i && (isAlnum(s[p-1]) || s[p-1] == '_') {
			p--
		}
		i = p
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
	unitWord              // a number word: "seven", "tujuh", "chín", "แปด", "ប្រាំបី"
	unitSymbol            // a Chinese numeral, keycap emoji, circled, styled or native-script digit
	unitRepeat            // "double" or "triple": the next unit's digit two or three times
	unitStyled            // a circled, keycap or styled digit
)

// A numberWord is a word that stands for a digit in a number read out
// or spelled to dodge a filter, or (repeat > 0) says that the next digit
// comes that many times.
type numberWord struct {
	w      string
	d      byte // the digit, '0'..'9'
	repeat int
}

// numberWords are the words for digits in the languages of the reports,
// with the forms people write without diacritics; the letter O and "oh"
// read as zero. Latin-script words match as whole words, ignoring ASCII
// case; Thai and Khmer ones anywhere, as those scripts run words together.
var numberWords = func() []numberWord {
	var ws []numberWord
	add := func(d byte, words ...string) {
		for _, w := range words {
			ws = append(ws, numberWord{w: w, d: '0' + d})
		}
	}
	// English
	add(0, "zero", "oh", "o", "nought")
	add(1, "one")
	add(2, "two")
	add(3, "three")
	add(4, "four")
	add(5, "five")
	add(6, "six")
	add(7, "seven")
	add(8, "eight")
	add(9, "nine")
	ws = append(ws, numberWord{w: "double", repeat: 2}, numberWord{w: "triple", repeat: 3})
	// Indonesian and Malay
	add(0, "nol", "kosong", "sifar")
	add(1, "satu")
	add(2, "dua")
	add(3, "tiga")
	add(4, "empat")
	add(5, "lima")
	add(6, "enam")
	add(7, "tujuh")
	add(8, "delapan", "lapan")
	add(9, "sembilan")
	// Vietnamese, with and without diacritics
	add(0, "không", "khong", "linh")
	add(1, "một", "mot")
	add(2, "hai")
	add(3, "ba")
	add(4, "bốn", "bon", "tư")
	add(5, "năm", "nam", "lăm")
	add(6, "sáu", "sau")
	add(7, "bảy", "bẩy", "bay")
	add(8, "tám", "tam")
	add(9, "chín", "chin")
	// Thai (โท is two as it is read out in phone numbers)
	add(0, "ศูนย์")
	add(1, "หนึ่ง")
	add(2, "สอง", "โท")
	add(3, "สาม")
	add(4, "สี่")
	add(5, "ห้า")
	add(6, "หก")
	add(7, "เจ็ด")
	add(8, "แปด")
	add(9, "เก้า")
	// Khmer: six to nine are five-and-one … five-and-four, matched longest first
	add(0, "សូន្យ")
	add(1, "មួយ")
	add(2, "ពីរ")
	add(3, "បី")
	add(4, "បួន")
	add(5, "ប្រាំ")
	add(6, "ប្រាំមួយ")
	add(7, "ប្រាំពីរ")
	add(8, "ប្រាំបី")
	add(9, "ប្រាំបួន")
	return ws
}()

// wordsByLetter lists, for each letter a–z, the Latin-script number words
// that start with it, longest first; wordsByRune the Thai and Khmer ones by
// their first rune, longest first.
var wordsByLetter, wordsByRune = func() (t [26][]numberWord, m map[rune][]numberWord) {
	m = map[rune][]numberWord{}
	for _, w := range numberWords {
		if c := w.w[0]; c < 0x80 {
			t[c-'a'] = append(t[c-'a'], w)
		} else {
			r, _ := utf8.DecodeRuneInString(w.w)
			m[r] = append(m[r], w)
		}
	}
	longest := func(ws []numberWord) {
		sort.SliceStable(ws, func(i, j int) bool { return len(ws[i].w) > len(ws[j].w) })
	}
	for i := range t {
		longest(t[i])
	}
	for _, ws := range m {
		longest(ws)
	}
	return t, m
}()

// wordLetters has, for each letter a–z, a bit n set when a Latin-script
// number word starting with it has n leading ASCII letters: all of it, or
// up to its first letter with a diacritic ("kh" of "không"). A word can
// stand at s[i] only if s has exactly that many ASCII letters there.
var wordLetters = func() (t [26]uint32) {
	for c, ws := range wordsByLetter {
		for _, w := range ws {
			n := 0
			for n < len(w.w) && isLetter(w.w[n]) {
				n++
			}
			if n >= 32 || n < len(w.w) && w.w[n] < 0x80 {
				panic("extract: number word " + w.w + " does not fit wordLetters")
			}
			t[c] |= 1 << n
		}
	}
	return t
}()

// wordsByLetterLen is wordsByLetter with the words of each letter put
// apart by their number of leading ASCII letters (as in wordLetters): a
// word can match at s[i] only when s has as many there, so unitAt
// compares only those.
var wordsByLetterLen = func() (t [26][32][]numberWord) {
	for c, ws := range wordsByLetter {
		for _, w := range ws {
			n := 0
			for n < len(w.w) && isLetter(w.w[n]) {
				n++
			}
			t[c][n] = append(t[c][n], w)
		}
	}
	return t
}()

// numberStems holds, by stemHash, the leading ASCII letters of every
// Latin-script number word (as in wordLetters), lower-cased: a word can
// stand at s[i] only if the n letters there are one of them. English and
// Indonesian prose has many words of a number word's first letter and
// length ("the", "and", "dan") for which unitAt compared every number
// word of that letter and length; most are now turned down by one look-up.
var numberStems = func() (t [1 << 16 / 64]uint64) {
	for _, ws := range wordsByLetter {
		for _, w := range ws {
			n := 0
			for n < len(w.w) && isLetter(w.w[n]) {
				n++
			}
			h := stemHash(w.w, 0, n)
			t[h/64] |= 1 << (h % 64)
		}
	}
	return t
}()

// stemHash hashes the n ASCII letters at s[i], case ignored, to 16 bits.
func stemHash(s string, i, n int) uint16 {
	h := uint32(n)
	for _, c := range []byte(s[i : i+n]) {
		h = h*31 + uint32(c|0x20)
	}
	return uint16(h ^ h>>16)
}

// numberStemAt reports whether the n ASCII letters at s[i] may be those a
// number word starts with (numberStems).
func numberStemAt(s string, i, n int) bool {
	h := stemHash(s, i, n)
	return numberStems[h/64]&(1<<(h%64)) != 0
}

// asciiLetters returns how many ASCII letters start s[i:], at most 31.
func asciiLetters(s string, i int) int {
	n := 0
	for i+n < len(s) && n < 31 && isLetter(s[i+n]) {
		n++
	}
	return n
}

// runeWordsFrom and runeWordsTable hold wordsByRune as a table indexed by
// rune - runeWordsFrom, so that unitAt needs no map look-up.
var runeWordsFrom, runeWordsTable = func() (rune, [][]numberWord) {
	lo, hi := rune(utf8.MaxRune), rune(0)
	for r := range wordsByRune {
		lo, hi = min(lo, r), max(hi, r)
	}
	t := make([][]numberWord, hi-lo+1)
	for r, ws := range wordsByRune {
		t[r-lo] = ws
	}
	return lo, t
}()

// runeWords returns the number words that start with r (not ASCII),
// longest first.
func runeWords(r rune) []numberWord {
	if i := int(r - runeWordsFrom); i >= 0 && i < len(runeWordsTable) {
		return runeWordsTable[i]
	}
	return nil
}

// unitRunes is a bitmap of the runes below U+10000 that are a symbol
// digit or start a number word, so that most text in other scripts is
// passed over without the lookups.
var unitRunes = func() (t [0x10000 / 64]uint64) {
	for r := rune(0x80); r < 0x10000; r++ {
		if symbolDigit(r) >= 0 || len(wordsByRune[r]) > 0 {
			t[r>>6] |= 1 << (r & 63)
		}
	}
	return t
}()

// Classes of the first byte of a digit unit, for spellDigits' fast path.
const (
	classOther  = iota // cannot start a unit
	classDigit         // an ASCII digit
	classWord          // a letter that starts a number word
	classLetter        // another letter, or '_': skip the word
	classLead          // the lead byte of a rune that may be a symbol digit or a number word
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
	for c := 0xE0; c <= 0xF0; c++ {
		t[c] = classLead
	}
	// Cyrillic О, З, Ч and б written for digits may start a number too
	// ("О78 91З 42О"), not only go on with one.
	t[0xD0], t[0xD1] = classLead, classLead
	return t
}()

// hasPrefixFoldASCII reports whether s starts with w, ASCII letters
// compared without case, without allocating.
func hasPrefixFoldASCII(s, w string) bool {
	if len(s) < len(w) {
		return false
	}
	for i := 0; i < len(w); i++ {
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

// letterAt reports whether a letter (of any script) starts at s[i].
func letterAt(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	if c := s[i]; c < 0x80 {
		return isLetter(c) || c == '_'
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// symbolDigit returns the digit a non-ASCII rune stands for in an
// obfuscated number, or -1.
func symbolDigit(r rune) int {
	switch r {
	case '零', '〇', '洞':
		return 0
	case '一', '幺', '壹':
		return 1
	case '二', '贰', '貳', '两', '兩':
		return 2
	case '三', '叁', '參':
		return 3
	case '四', '肆':
		return 4
	case '五', '伍':
		return 5
	case '六', '陆', '陸':
		return 6
	case '七', '柒', '拐':
		return 7
	case '八', '捌':
		return 8
	case '九', '玖', '勾':
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
	case r >= 0x3220 && r <= 0x3228: // parenthesized ideographs ㈠..㈨, the Chinese numerals one to nine
		return int(r - 0x3220 + 1)
	case r >= 0x3280 && r <= 0x3288: // circled ideographs ㊀..㊈
		return int(r - 0x3280 + 1)
	case r >= 0x1D7CE && r <= 0x1D7FF: // mathematical bold, double-struck, sans-serif and monospace digits
		return int(r-0x1D7CE) % 10
	case r >= 0xFF10 && r <= 0xFF19: // full-width digits, where the width fold did not reach
		return int(r - 0xFF10)
	case r >= 0x0E50 && r <= 0x0E59: // Thai digits
		return int(r - 0x0E50)
	case r >= 0x17E0 && r <= 0x17E9: // Khmer digits
		return int(r - 0x17E0)
	case r >= 0x0ED0 && r <= 0x0ED9: // Lao digits
		return int(r - 0x0ED0)
	case r >= 0x1040 && r <= 0x1049: // Myanmar digits
		return int(r - 0x1040)
	}
	return -1
}

// placeValues are the Chinese words for ten, hundred, thousand, ten
// thousand and a hundred million: a numeral next to one is a quantity
// ("二十四", "三千"), not a digit of a number written out.
var placeValues = [...]string{"十", "拾", "百", "佰", "千", "仟", "万", "萬", "亿", "億"}

// placeValueAt reports whether one of placeValues starts at s[i].
func placeValueAt(s string, i int) bool {
	for _, p := range placeValues {
		if strings.HasPrefix(s[i:], p) {
			return true
		}
	}
	return false
}

// placeValueBefore reports whether one of placeValues ends at s[i].
func placeValueBefore(s string, i int) bool {
	for _, p := range placeValues {
		if strings.HasSuffix(s[:i], p) {
			return true
		}
	}
	return false
}

// A digitUnit is one digit of an obfuscated number as written: its digit,
// where it ends, its kind, and for a repeat word how many times the next
// digit comes.
type digitUnit struct {
	d      byte
	end    int
	kind   int
	repeat int
}

// unitAt reads one digit unit at s[i], or returns kind 0. glued says the
// unit follows another one with nothing between ("0one2"), so a letter
// before it does not make it part of a word.
func unitAt(s string, i int, glued bool) digitUnit {
	c := s[i]
	switch {
	case isDigit(c):
		if !glued && i > 0 && (isLetter(s[i-1]) || s[i-1] == '_') {
			return digitUnit{}
		}
		e := i + 1
		// A keycap: the digit, an optional U+FE0F, then U+20E3.
		k := e
		if len(s) >= k+3 && s[k:k+3] == "\uFE0F" {
			k += 3
		}
		if len(s) >= k+3 && s[k:k+3] == "\u20E3" {
			return digitUnit{d: c, end: k + 3, kind: unitStyled}
		}
		return digitUnit{d: c, end: e, kind: unitASCII}
	case isLetter(c):
		n := asciiLetters(s, i)
		if c != 'l' && c != 'I' && c != 'Z' && c != 'S' && c != 'B' && (wordLetters[c|0x20-'a']&(1<<n) == 0 || !numberStemAt(s, i, n)) {
			// No number word has as many letters, or these letters (the
			// tests below, made first: letterBefore decodes the
			// character before).
			return digitUnit{}
		}
		if !glued && letterBefore(s, i) {
			return digitUnit{}
		}
		if c == 'l' || c == 'I' {
			// "O9l-738", "O857 ll88": an l or I, or a run of them, among
			// digits is a one each.
			j := i + 1
			for j < len(s) && j-i < 3 && (s[j] == 'l' || s[j] == 'I') {
				j++
			}
			// "4lO": a capital O standing for 0 may follow it, alone.
			oAfter := at(s, j) == 'O' && !letterAt(s, j+1)
			if (!letterAt(s, j) || oAfter) && (glued || isDigit(at(s, j)) || oAfter) {
				return digitUnit{d: '1', end: i + 1, kind: unitWord}
			}
		}
		if c == 'Z' || c == 'S' || c == 'B' {
			j := i + 1 // "SS6l": a run of them, as of l and I
			for j < len(s) && j-i < 3 && (s[j] == 'Z' || s[j] == 'S' || s[j] == 'B') {
				j++
			}
			if (j > i+1 || !letterAt(s, i+1)) && !letterAt(s, j) && (glued || isDigit(at(s, j))) {
				// "O9I7-48Z-3O65", "O3S8": capitals written for 2, 5 and 8 among digits.
				d := byte('8')
				switch c {
				case 'Z':
					d = '2'
				case 'S':
					d = '5'
				}
				return digitUnit{d: d, end: i + 1, kind: unitWord}
			}
		}
		if wordLetters[c|0x20-'a']&(1<<n) == 0 || !numberStemAt(s, i, n) {
			return digitUnit{}
		}
		for _, w := range wordsByLetterLen[c|0x20-'a'][n] {
			if hasPrefixFoldASCII(s[i:], w.w) && !letterAt(s, i+len(w.w)) {
				if w.repeat > 0 {
					return digitUnit{end: i + len(w.w), kind: unitRepeat, repeat: w.repeat}
				}
				return digitUnit{d: w.d, end: i + len(w.w), kind: unitWord}
			}
		}
	case c == 0xD0 || c == 0xD1:
		// Cyrillic letters written for digits among digits ("0878 6612
		// О9З5"): О for 0, З for 3, Ч for 4, б for 6.
		r, n := utf8.DecodeRuneInString(s[i:])
		d := byte(0)
		switch r {
		case 'О', 'о':
			d = '0'
		case 'З', 'з':
			d = '3'
		case 'Ч':
			d = '4'
		case 'б':
			d = '6'
		}
		if d != 0 && (glued || isDigit(at(s, i+n))) && !letterAt(s, i+n) && (glued || !letterBefore(s, i)) {
			return digitUnit{d: d, end: i + n, kind: unitWord}
		}
		return digitUnit{}
	case c >= 0xE0:
		if c < 0xF0 && i+1 < len(s) && unitRunes[int(c&0x0F)<<6|int(s[i+1]&0x3F)] == 0 {
			// The first two bytes of a three-byte rune give its block of
			// 64 in unitRunes: none of them is a unit. (Were the bytes not
			// UTF-8, the rune would be U+FFFD, which is no unit either.)
			return digitUnit{}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0x10000 && unitRunes[r>>6]&(1<<(r&63)) == 0 {
			return digitUnit{}
		}
		if d := symbolDigit(r); d >= 0 {
			if r >= 0x4E00 && r <= 0x9FFF && (placeValueAt(s, i+n) || placeValueBefore(s, i)) {
				return digitUnit{} // "二十四小时", "三百": a quantity, not digits
			}
			kind := unitSymbol
			if r >= 0x2460 && r <= 0x27BF || r >= 0x1D7CE || r == '🄀' {
				kind = unitStyled
			}
			return digitUnit{d: byte('0' + d), end: i + n, kind: kind}
		}
		for _, w := range runeWords(r) {
			if strings.HasPrefix(s[i:], w.w) && !(w.w == "โท" && strings.HasPrefix(s[i+len(w.w):], "ร")) { // โทร is "call"
				return digitUnit{d: w.d, end: i + len(w.w), kind: unitWord}
			}
		}
	}
	return digitUnit{}
}

// mayBeUnitRune reports whether the three bytes at s[i] (a lead byte
// 0xE0..0xEF) may start a digit unit, without decoding them: their rune, if
// they are one, is in unitRunes. Thai, Khmer and Chinese text has a lead
// byte every three bytes, nearly all of which start no unit. Were the
// bytes no rune, unitAt would decode U+FFFD, which is no unit either; so
// false means that unitAt finds none.
func mayBeUnitRune(s string, i int) bool {
	c := s[i]
	if c >= 0xF0 || c < 0xE0 || i+2 >= len(s) {
		return true // let unitAt decide (a two- or four-byte rune)
	}
	r := rune3(s, i)
	return unitRunes[r>>6]&(1<<(r&63)) != 0
}

// letterBefore reports whether a letter (of any script) ends at s[i].
func letterBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	if c := s[i-1]; c < 0x80 {
		return isLetter(c) || c == '_'
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r)
}

// sepAt returns the length of a separator rune at s[i] that may stand
// between the digits of a pulled-apart number — a space, common
// punctuation, a symbol or emoji, an invisible joiner — or 0.
func sepAt(s string, i int) int {
	c := s[i]
	if c < 0x80 {
		switch c {
		case ' ', '.', '-', '_', ',', '/', '|', '*', '~', ':', '\'', '"', '+', '#', '=', '(', ')':
			return 1
		case '%', '$':
			return gluedSep(s, i, 1)
		}
		return 0
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r < 0x10000 {
		if sepRunes[r>>6]&(1<<(r&63)) != 0 {
			return n
		}
		if currencyRunes[r>>6]&(1<<(r&63)) != 0 { // unicode.Is(unicode.Sc, r)
			return gluedSep(s, i, n)
		}
		return 0
	}
	if isSepRune(r) {
		return n
	}
	return 0
}

// gluedSep returns n when the n bytes at s[i] stand between two ASCII
// digits with no space ("186￥7724%0315"), else 0: a currency or percent
// sign set apart ("¥1380 ¥2000", "15% 30%") is a price's or a share's, not
// a separator.
func gluedSep(s string, i, n int) int {
	if i > 0 && isDigit(s[i-1]) && isDigit(at(s, i+n)) {
		return n
	}
	return 0
}

// isSepRune reports whether a rune that is not ASCII may stand between
// the digits of a pulled-apart number.
func isSepRune(r rune) bool {
	switch {
	case r == '\u200B' || r == '\u200D' || r == '\uFE0F' || r == '\u00A0':
		return true
	case unicode.In(r, unicode.So, unicode.Sk, unicode.Sm, unicode.Pd, unicode.Po) && symbolDigit(r) < 0:
		return true
	}
	return false
}

// sepRunes is isSepRune for the runes below U+10000, as a bitmap.
var sepRunes = func() (t [0x10000 / 64]uint64) {
	for r := rune(0x80); r < 0x10000; r++ {
		if isSepRune(r) {
			t[r>>6] |= 1 << (r & 63)
		}
	}
	return t
}()

// currencyRunes is unicode.Sc (currency symbols) below U+10000, as a
// bitmap.
var currencyRunes = func() (t [0x10000 / 64]uint64) {
	for r := rune(0x80); r < 0x10000; r++ {
		if unicode.Is(unicode.Sc, r) {
			t[r>>6] |= 1 << (r & 63)
		}
	}
	return t
}()

// Limits of what stands between two units: three separator runes, and no
// more than 16 bytes of them (an emoji with its variation selector is 7).
// A variation selector or joiner is not counted (it is part of the symbol
// before it: " ▪️ " is three), nor is a separator repeated (" /// ").
const (
	maxSepRunes = 3
	maxSepBytes = 16
)

// nextUnit skips a short separator after e and reads the unit after it.
func nextUnit(s string, e int) (digitUnit, bool) {
	if plainDigitAt(s, e) {
		return digitUnit{d: s[e], end: e + 1, kind: unitASCII}, false
	}
	k, runes := e, 0
	for k < len(s) && runes < maxSepRunes {
		n := sepAt(s, k)
		if n == 0 || k+n-e > maxSepBytes {
			break
		}
		if sep := s[k : k+n]; sep != "\uFE0F" && sep != "\u200D" && (k-n < e || s[k-n:k] != sep) {
			runes++
		}
		k += n
	}
	if k == len(s) || k > e && sepAt(s, k) != 0 {
		return digitUnit{}, false
	}
	u := unitAt(s, k, k == e)
	return u, k > e
}

// plainDigitAt reports whether a plain ASCII digit unit starts at s[e],
// right after another unit: a digit not followed by a keycap's bytes
// (U+FE0F and U+20E3 start 0xEF and 0xE2), so that nextUnit finds no
// separator there and unitAt reads a unitASCII.
func plainDigitAt(s string, e int) bool {
	return e < len(s) && isDigit(s[e]) && (e+1 == len(s) || s[e+1] != 0xEF && s[e+1] != 0xE2)
}

// Bounds of a number worth rewriting: as short as a local phone number, as
// long as an international one.
const (
	minSpelledDigits = 7
	maxSpelledDigits = 15
)

// spellDigits rewrites runs of digit units — separated by at most three
// separator runes (spaces, punctuation, symbols, emoji) — into plain ASCII
// digits when the run is long enough to be a phone number and is
// obfuscated: it has at least two spelled-out, native-script or symbol
// digits, a number word glued to another digit ("0one2"), or at least four
// lone ASCII digits ("0 1 2 3 …"). Plain numbers
// ("012 345 678", "1 000 000") stay as written, and the phone scanner
// decides what the digits are.
func spellDigits(s string) (string, *spanMap) {
	var w *rewriter
	// A run's digits and cuts: a run stops past maxSpelledDigits digits,
	// so the arrays on the stack hold nearly every run, and only a longer
	// one (a repeat word's digits at the end) makes buf grow on the heap.
	var digits [2 * maxSpelledDigits]byte
	var seps [maxSpelledDigits]int
	buf := digits[:0]
	cuts := seps[:0] // lengths of buf where a separator stood
	for i := 0; i < len(s); {
		for i < len(s) && unitClass[s[i]] == classOther {
			i++
		}
		if i == len(s) {
			break
		}
		var u digitUnit
		switch unitClass[s[i]] {
		case classLetter:
			// No unit: skip the word, as below.
			for i++; i < len(s) && (isAlnum(s[i]) || s[i] == '_'); i++ {
			}
			continue
		case classLead:
			if !mayBeUnitRune(s, i) {
				// What unitAt would find: no unit. So for the characters
				// of three bytes right after it (Thai, Khmer, Chinese
				// text): pass over them here, not one turn of the loop each.
				for {
					for i++; i < len(s) && s[i]&0xC0 == 0x80; i++ { // continuation bytes: classOther
					}
					if i+2 >= len(s) || s[i]&0xF0 != 0xE0 || mayBeUnitRune(s, i) {
						break
					}
				}
				continue
			}
			u = unitAt(s, i, false)
		case classWord:
			if c := s[i]; c != 'l' && c != 'I' && c != 'Z' && c != 'S' && c != 'B' {
				n := asciiLetters(s, i)
				if wordLetters[c|0x20-'a']&(1<<n) == 0 || !numberStemAt(s, i, n) {
					// No number word has as many letters, or these
					// letters: unitAt finds none. Skip the word, as
					// below, past the letters counted.
					for i += n; i < len(s) && (isAlnum(s[i]) || s[i] == '_'); i++ {
					}
					continue
				}
			}
			u = unitAt(s, i, false)
		default:
			u = unitAt(s, i, false)
		}
		if u.kind == 0 {
			if c := s[i]; isAlnum(c) || c == '_' {
				// Skip the rest of an ASCII word: its digits are not units.
				for i++; i < len(s) && (isAlnum(s[i]) || s[i] == '_'); i++ {
				}
				continue
			}
			i++
			continue
		}
		start, end := i, u.end
		buf = buf[:0]
		special, singles, group, glued, odd, plain := 0, 0, 0, false, false, false
		cuts = cuts[:0]
		for {
			if u.kind == unitRepeat {
				// "double eight": the next unit, as many times.
				nu, _ := nextUnit(s, u.end)
				if nu.kind == 0 || nu.kind == unitRepeat {
					if len(buf) == 0 {
						start = u.end // a run cannot start with a repeat word alone
					}
					break
				}
				for r := 1; r < u.repeat; r++ {
					buf = append(buf, nu.d)
				}
				special++
				u = nu
			}
			buf = append(buf, u.d)
			// Indonesian and Malay tens after a number word: "enam puluh dua"
			// is 62 (a country code read out), "enam puluh," 60.
			if u.kind == unitWord {
				if e := tensWord(s, u.end); e > u.end {
					if nu, spaced := nextUnit(s, e); nu.kind == unitWord && nu.d != '0' && spaced && s[e:nextStart(s, e)] == " " {
						buf = append(buf, nu.d)
						u.end = nu.end
					} else {
						buf = append(buf, '0')
						u.end = e
					}
					special++
				}
			}
			if u.kind == unitASCII {
				group++
				plain = true
			} else {
				if group == 1 {
					singles++
				}
				group = 0
				special++
			}
			end = u.end
			for u.kind == unitASCII && len(buf) <= maxSpelledDigits && plainDigitAt(s, u.end) {
				// A plain digit right after a plain one: what a turn of the
				// loop does for it (nextUnit reads it unspaced; nothing
				// closes the group).
				u = digitUnit{d: s[u.end], end: u.end + 1, kind: unitASCII}
				buf = append(buf, u.d)
				group++
				end = u.end
			}
			nu, spaced := nextUnit(s, u.end)
			if nu.kind == 0 || spaced && u.kind == unitStyled && nu.kind == unitASCII && !plain && !oddSep(s[u.end:nextStart(s, u.end)]) {
				// Styled digits are not continued by plain ones across a
				// plain separator: "⓪⑦⑦ ④⑧① ②⑤⑨ 24/7"; across an emoji
				// they are ("0️⃣3️⃣8️⃣7️⃣ 🌸215🌸946"), and so they are
				// when the number started plain ("+855 ⑨⑧ 264 117").
				break
			}
			if spaced {
				cuts = append(cuts, len(buf))
				odd = odd || oddSep(s[u.end:nextStart(s, u.end)])
			}
			glued = glued || !spaced && (u.kind == unitWord || nu.kind == unitWord)
			if spaced && group > 0 && nu.kind == unitASCII || !spaced && u.kind == unitASCII && nu.kind != unitASCII {
				// A separator closes an ASCII group; so does a unit of another kind.
				if group == 1 {
					singles++
				}
				group = 0
			}
			u = nu
			if len(buf) > maxSpelledDigits {
				break
			}
		}
		if group == 1 {
			singles++
		}
		n := len(buf)
		if n >= minSpelledDigits && n <= maxSpelledDigits && !(isAlnum(at(s, end)) && s[end-1] < 0x80) {
			var out string
			switch {
			case special >= 2 || singles >= 4 || glued:
				out = string(buf)
			case odd && n >= minOddDigits:
				// Plain groups between slashes, stars or emoji: the groups
				// stay, a space between them, for the phone scanner to read
				// as it reads "+856 20 5512 8834".
				out = joinGroups(buf, cuts)
			}
			if out != "" {
				if w == nil {
					w = &rewriter{src: s}
				}
				if p := plusBefore(s, start); p >= 0 {
					start, out = p, "+"+out
				}
				w.replace(start, end, out)
			}
		}
		if end <= i {
			end = i + 1
		}
		i = end
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// tensWord returns the end of " puluh" (tens, in Indonesian and Malay)
// at s[i], or i.
func tensWord(s string, i int) int {
	if at(s, i) != ' ' || !hasPrefixFoldASCII(s[i+1:], "puluh") || letterAt(s, i+6) {
		return i
	}
	return i + 6
}

// minOddDigits is how many digits plain groups need to be read as a
// number when odd separators stand between them: more than a date
// ("08/12/2025") or a time range has.
const minOddDigits = 9

// nextStart returns where the unit after the separator at s[e:] starts.
func nextStart(s string, e int) int {
	k := e
	for k < len(s) {
		n := sepAt(s, k)
		if n == 0 {
			break
		}
		k += n
	}
	return k
}

// oddSep reports whether a separator is more than spaces, dots and
// hyphens, which the phone scanner reads itself.
func oddSep(sep string) bool {
	for i := 0; i < len(sep); i++ {
		if c := sep[i]; c != ' ' && c != '.' && c != '-' {
			return true
		}
	}
	return false
}

// joinGroups writes the digits of buf with a space at each cut.
func joinGroups(buf []byte, cuts []int) string {
	var b strings.Builder
	last := 0
	for _, c := range cuts {
		if c > last && c < len(buf) {
			b.Write(buf[last:c])
			b.WriteByte(' ')
			last = c
		}
	}
	b.Write(buf[last:])
	return b.String()
}

// plusBefore returns where a spelled-out plus sign ("plus 62 …", "plus
// nine five …") before s[start] begins, or -1.
func plusBefore(s string, start int) int {
	p := start
	for p > 0 && s[p-1] == ' ' {
		p--
	}
	if p >= 4 && hasPrefixFoldASCII(s[p-4:], "plus") && !letterBefore(s, p-4) {
		return p - 4
	}
	for _, plus := range []string{"➕", "✙", "✚", "បូក", "บวก", "加"} { // 加: "加九五 九七六 …"
		if strings.HasSuffix(s[:p], plus) {
			return p - len(plus)
		}
	}
	return -1
}

// Words that stand for "@" and "." in an address written out to dodge a
// filter ("recruit at gmail dot com", "2836617705艾特qq点com",
// "hr แอท gmail ดอท com"). Latin ones need spaces around them.
var (
	atWords  = newWordSet("at", "et", "艾特", "圈a", "แอท", "a còng", "acong", "a keong", "អាត់", "小老鼠")
	dotWords = newWordSet("dot", "点", "點", "ดอท", "จุด", "ដត", "ចុច", "ចំណុច", "chấm", "cham", "titik")
)

// addressWordRunes has the first characters of the at-words and dot-words
// that start with a three-byte character (their firstRunes), as a bitmap.
var addressWordRunes = func() (t [0x10000 / 64]uint64) {
	for k := range t {
		t[k] = atWords.firstRunes[k] | dotWords.firstRunes[k]
	}
	return t
}()

// nextNonSpace returns the index of the first byte at or after i that is
// not a space, or len(s).
func nextNonSpace(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// A wordSet is a list of at-words or dot-words (lower case, at least two
// bytes long) with a bit set for the first two bytes of each, so that
// wordAt turns down most places with one look-up, and the words by their
// first byte (both cases of a letter), so that it compares only those
// that may match: "a " or "do" starts many words of prose.
type wordSet struct {
	words   []string
	pairs   pairSet
	byFirst [256][]string // in the order of words
	// firstRunes has the first characters of the words that start with
	// a three-byte character (rune3 of their first bytes), as a bitmap.
	firstRunes [0x10000 / 64]uint64
}

func newWordSet(words ...string) *wordSet {
	ws := &wordSet{words: words}
	for _, w := range words {
		if c := w[0]; c >= 0xE0 && c < 0xF0 {
			r := rune3(w, 0)
			ws.firstRunes[r>>6] |= 1 << (r & 63)
		}
		ws.pairs.add(w)
		for _, c := range bothCases(w[0]) {
			ws.byFirst[c] = append(ws.byFirst[c], w)
		}
	}
	return ws
}

// mayStart reports whether one of the words may start at s[j]: whether
// s[j:j+2], ASCII letters folded to lower case, starts one of them.
func (ws *wordSet) mayStart(s string, j int) bool { return ws.pairs.has(s, j) }

// dotWordAt returns the end of a dot-word ("dot", "จุด", "chấm", …) at s[j]
// that ends a word, or j.
func dotWordAt(s string, j int) int {
	if !dotWords.mayStart(s, j) {
		return j
	}
	for _, d := range dotWords.words {
		if hasPrefixFoldASCII(s[j:], d) && (d[len(d)-1] >= 0x80 || !isAlnum(at(s, j+len(d)))) {
			return j + len(d)
		}
	}
	return j
}

// wordStarts marks the bytes an at-word or dot-word starts with: the
// first letter of a Latin one in both cases, the first byte of another.
var wordStarts = func() (t [256]bool) {
	for _, ws := range []*wordSet{atWords, dotWords} {
		for _, w := range ws.words {
			c := w[0]
			t[c] = true
			if c >= 'a' && c <= 'z' {
				t[c-'a'+'A'] = true
			}
		}
	}
	return t
}()

// wordLeads marks the bytes where an at-word or dot-word may stand, after
// spaces or at the byte itself: a space (a Latin word needs one before
// it; another may have them), or the first byte of a word that is not
// Latin.
var wordLeads = func() (t [256]bool) {
	t[' '] = true
	for c := 0x80; c < 0x100; c++ {
		t[c] = wordStarts[c]
	}
	return t
}()

// spaceRunEnd returns the last of the spaces that start at s[i], or i when
// s[i] is no space.
func spaceRunEnd(s string, i int) int {
	for i+1 < len(s) && s[i] == ' ' && s[i+1] == ' ' {
		i++
	}
	return i
}

// handleLabels are the labels after which "at name" is "@name".
var handleLabels = map[string]bool{"tg": true, "telegram": true, "ig": true, "instagram": true, "tiktok": true}

// handleLabelsOther are handleLabels in other scripts.
var handleLabelsOther = [...]string{"เทเลแกรม", "เทเล", "飞机", "纸飞机", "电报", "តេឡេក្រាម", "តេឡេ", "ไอจี"}

// labelBeforeAt reports whether a messaging label ends right before the at
// sign at s[i], spaces or a colon between ("LINE @ siamwork", "IG: @
// name").
func labelBeforeAt(s string, i int) bool {
	e := i
	for e > 0 && (s[e-1] == ' ' || s[e-1] == ':') && i-e < 4 {
		e--
	}
	if handleLabelBefore(s, e) {
		return true
	}
	b := e
	for b > 0 && e-b < 10 && isLetter(s[b-1]) {
		b--
	}
	if b == e || b > 0 && isIDByte(s[b-1]) {
		return false
	}
	_, entry := keywords.longest(lowerASCII(s[b:e]), 0)
	return entry >= 0 && keywordList[entry].class&kwHandles != 0 && len(keywordList[entry].word) == e-b
}

// handleLabelBefore reports whether s[:e] ends with one of
// handleLabelsOther.
func handleLabelBefore(s string, e int) bool {
	if e == 0 || s[e-1] < 0x80 {
		return false
	}
	for _, l := range handleLabelsOther {
		if strings.HasSuffix(s[:e], l) {
			return true
		}
	}
	return false
}

// underscoreWords are "_" written as a word between a handle's parts
// ("admin garis bawah loker88", "boss ขีดล่าง kk88").
var underscoreWords = [...]string{"underscore", "garis bawah", "ขีดล่าง", "gạch dưới", "下划线", "下劃線"}

// underscoreWordAt returns the end of " word " at s[i] (a space, one of
// underscoreWords, a space) when a letter or digit follows, or i.
func underscoreWordAt(s string, i int) int {
	j := i + 1
	if c := at(s, j) | 0x20; c != 'u' && c != 'g' && c != 0xE0|0x20 && c != 0xE4|0x20 { // the words' first bytes
		return i
	}
	for _, u := range underscoreWords {
		if hasPrefixFoldASCII(s[j:], u) && at(s, j+len(u)) == ' ' && isAlnum(at(s, j+len(u)+1)) {
			return j + len(u) + 1
		}
	}
	return i
}

// spellAddress rewrites e-mail addresses whose "@" and dots are written as
// words into their plain form, and "TG at name" into "TG @name". Only a
// whole address is rewritten: a local part, the at-word, labels joined by
// dot-words or dots, and a known top-level domain.
func spellAddress(s string) (string, *spanMap) {
	var w *rewriter
	for i := 0; i < len(s); i++ {
		if i = nextAddressWord(s, i); i == len(s) {
			break
		}
		// The local part ends at i (after optional spaces for non-Latin words).
		ws, we, ok := wordAt(s, i, atWords)
		if !ok {
			if end, domain, ds := dotWordDomain(s, i); domain != "" && (w == nil || ds >= w.copied) {
				// "www点hxzp88点top", "kerja-luarnegeri titik xyz"
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(ds, end, domain)
				i = end - 1
				continue
			}
			// Neither reads differently from a later space of the same
			// run (each skips the run; a dot-word needs a letter or digit
			// right before it): a long run of spaces is read once.
			i = spaceRunEnd(s, i)
			continue
		}
		le := ws
		for le > 0 && s[le-1] == ' ' {
			le--
		}
		ls := le
		for ls > 0 && (isAlnum(s[ls-1]) || strings.IndexByte("._%+-", s[ls-1]) >= 0) {
			ls--
		}
		if ls == le && handleLabelBefore(s, le) && (w == nil || ws >= w.copied) && we < len(s) && s[we-1] == ' ' && isHandleStart(at(s, we)) {
			// "ทักเทเลแกรม แอท boss_kk88": the at-word after a label in
			// another script.
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(ws, we, " @")
			i = we - 1
			continue
		}
		if ls == le || w != nil && ls < w.copied {
			continue
		}
		// "apply at example.com" is prose: a Latin at-word makes an
		// address only with a dot written as a word after it.
		if domain, end, worded := spelledDomain(s, we); domain != "" && (worded || s[ws+strings.IndexFunc(s[ws:], notSpace)] >= 0x80 ||
			mailHostAt(domain, 0) && strings.ContainsAny(s[ls:le], "._0123456789")) {
			// (A mail service's host after a Latin at-word makes an
			// address when the local part looks like one:
			// "kaew.thong2001 at gmail.com", not "we met at gmail.com".)
			if w == nil {
				w = &rewriter{src: s}
			}
			// "hr dot kkpark at gmail dot com": dot-words in the local part too.
			local, from := localDots(s, ls, w.copied)
			if local == "" && pronouns[lowerASCII(s[ls:le])] || strings.HasPrefix(domain, "www.") {
				// "find us at facebook dot com", "the list at www dot
				// example dot com" are prose: a site, not an address.
				continue
			}
			w.replace(from, end, local+s[ls:le]+"@"+domain)
			i = end - 1
			continue
		}
		if handleLabels[lowerASCII(s[ls:le])] && we < len(s) && s[we-1] == ' ' && isHandleStart(at(s, we)) && handleish(s, we) {
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(ws, we, " @")
			i = we - 1
		}
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// nextAddressWord returns the first place at or after i where
// spellAddress may find an at-word or a dot-word, or len(s). Its scan
// stops at a space (the first of a run) and at the lead byte of a word
// that is not Latin; at a place where no at-word starts after the spaces,
// nor a dot-word after a letter or digit, both wordAt calls fail (and
// dotWordDomain with them), and so they would at every space of the same
// run, which is passed over.
func nextAddressWord(s string, i int) int {
	for ; i < len(s); i++ {
		for i < len(s) && !wordLeads[s[i]] { // no word may stand there
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c >= 0xE0 && c < 0xF0 && i+2 < len(s) {
			// A character of three bytes (Thai, Khmer, Chinese) that no
			// word starts with: wordIn's first test fails for both sets.
			if r := rune3(s, i); addressWordRunes[r>>6]&(1<<(r&63)) == 0 {
				i = pastChar3(s, i) - 1 // (its continuation bytes are no stops)
				continue
			}
		}
		j := i
		if s[i] == ' ' {
			j = nextNonSpace(s, i)
		}
		if atWords.mayStart(s, j) && wordIn(atWords, s, j) ||
			i > 0 && isAlnum(s[i-1]) && dotWords.mayStart(s, j) && wordIn(dotWords, s, j) {
			// (dotWordDomain wants a letter or digit before the spaces.)
			return i
		}
		if j > i {
			i = j - 1 // the last space of the run
		}
	}
	return len(s)
}

// wordIn reports whether one of words starts at s[j], ASCII letters
// compared without case.
func wordIn(words *wordSet, s string, j int) bool {
	if c := s[j]; c >= 0xE0 && c < 0xF0 && j+2 < len(s) {
		// The three bytes of a character: whether it starts a word.
		if r := rune3(s, j); words.firstRunes[r>>6]&(1<<(r&63)) == 0 {
			return false
		}
	}
	for _, wd := range words.byFirst[s[j]] {
		if hasPrefixFoldASCII(s[j:], wd) {
			return true
		}
	}
	return false
}

// pronouns are the English object pronouns, which stand before a Latin
// at-word in prose ("find us at …", "call me at …"), not as an address's
// local part.
var pronouns = map[string]bool{"me": true, "us": true, "him": true, "her": true, "them": true, "you": true, "it": true}

// localDots reads the pieces of an e-mail address's local part joined by
// dot-words before the piece at s[ls] ("rina dot hrd", "hr 点 kk"), not
// before from: it returns them joined by dots, each followed by a dot, and
// where the first begins (ls and "" when there are none).
func localDots(s string, ls, from int) (string, int) {
	start, local := ls, ""
	for n := 0; n < 3; n++ {
		p := start
		for p > 0 && s[p-1] == ' ' {
			p--
		}
		q := -1
		for _, d := range dotWords.words {
			if strings.HasSuffix(s[:p], d) && (d[0] >= 0x80 || p-len(d) > 0 && s[p-len(d)-1] == ' ' && p < start) {
				q = p - len(d)
				break
			}
		}
		if q < 0 && p > 1 && s[p-1] == '.' && s[p-2] == ' ' && p < start {
			q = p - 1 // a dot with spaces around it: "kh . visa . fastpass [at] proton"
		}
		if q < 0 {
			break
		}
		for q > 0 && s[q-1] == ' ' {
			q--
		}
		ps := q
		for ps > 0 && (isAlnum(s[ps-1]) || s[ps-1] == '_' || s[ps-1] == '-') {
			ps--
		}
		if ps == q || ps < from || letterBefore(s, ps) {
			break
		}
		local = s[ps:q] + "." + local
		start = ps
	}
	return local, start
}

// handleish reports whether the word at s[i] looks like an account name
// rather than a word of prose: a digit, an underscore or a dot inside it
// ("TG at boss_kk88", not "Telegram at night").
func handleish(s string, i int) bool {
	e := i
	for e < len(s) && isIDByte(s[e]) {
		e++
	}
	for e > i && (s[e-1] == '.' || s[e-1] == '-') {
		e--
	}
	return strings.IndexFunc(s[i:e], func(r rune) bool { return r >= '0' && r <= '9' || r == '_' || r == '.' }) >= 0
}

// dotWordDomain reads a domain at whose first dot-word s[i] stands: the
// label before it, the dot-word, and labels to a known top-level domain.
// It returns the end, the domain and where it starts, or "".
func dotWordDomain(s string, i int) (int, string, int) {
	if i == 0 || !isAlnum(s[i-1]) {
		return 0, "", 0
	}
	if _, _, ok := wordAt(s, i, dotWords); !ok {
		return 0, "", 0
	}
	ds := i
	for ds > 0 && (isAlnum(s[ds-1]) || s[ds-1] == '-' || s[ds-1] == '.') {
		ds--
	}
	if ds > 0 && s[ds-1] == '/' {
		return 0, "", 0
	}
	domain, end, _ := spelledDomain(s, ds)
	if domain == "" || end <= i || i-ds < 2 && domain != "t.me" {
		// One letter before a worded dot is a word: "a dot com website".
		return 0, "", 0
	}
	// "t点me/name", "t dot me slash name", "fb titik com/ page": the
	// slash too.
	if e, slash := slashAfter(s, end); e > end {
		return e, domain + slash, ds
	}
	if (domain == "t.me" || domain == "wa.me") && at(s, end) != '/' {
		return 0, "", 0
	}
	return end, domain, ds
}

// isHandleStart reports whether c may start an account name.
func isHandleStart(c byte) bool { return isLetter(c) || c == '_' }

// wordAt reads one of words at s[i]: a Latin word with a space on each
// side (the spaces are part of it), another one with optional spaces
// around it. It returns where the word and its spaces start and end.
func wordAt(s string, i int, words *wordSet) (start, end int, ok bool) {
	j := i
	for j < len(s) && s[j] == ' ' {
		j++
	}
	if !words.mayStart(s, j) {
		return 0, 0, false
	}
	for _, wd := range words.byFirst[s[j]] {
		if !hasPrefixFoldASCII(s[j:], wd) {
			continue
		}
		e := j + len(wd)
		if wd[0] < 0x80 {
			// Latin: spaces on both sides.
			if j == i || e >= len(s) || s[e] != ' ' {
				continue
			}
		}
		for e < len(s) && s[e] == ' ' {
			e++
		}
		return i, e, true
	}
	return 0, 0, false
}

// maxSpelledLabels bounds the labels of a spelled-out domain, so that a
// long chain of them is read once, not once for each at-word before it.
const maxSpelledLabels = 8

// notSpace reports whether r is not a space.
func notSpace(r rune) bool { return r != ' ' }

// spelledDomain reads labels joined by dots or dot-words at s[i] and
// returns the domain if its last label is a known top-level domain, where
// it ends, and whether a dot was written as a word.
func spelledDomain(s string, i int) (string, int, bool) {
	var labels []string
	end, worded := i, false
	for {
		e := i
		for e < len(s) && (isAlnum(s[e]) || s[e] == '-') {
			e++
		}
		label := lowerASCII(s[i:e])
		if e == i && worded && strings.HasPrefix(s[i:], "คอม") {
			// "gmail ดอทคอม": "com" in Thai letters after a worded dot.
			e, label = i+len("คอม"), "com"
		}
		if e == i || e-i > 63 || len(labels) == maxSpelledLabels {
			break
		}
		labels = append(labels, label)
		end = e
		if e < len(s) && s[e] == '.' && isAlnum(at(s, e+1)) {
			i = e + 1
			continue
		}
		_, de, ok := wordAt(s, e, dotWords)
		if !ok || de <= e {
			break
		}
		i, worded = de, true
	}
	if me := len(labels) == 2 && labels[1] == "me" && (labels[0] == "t" || labels[0] == "wa"); len(labels) < 2 || !spacedTLDs[labels[len(labels)-1]] && !me && !countrySecondLevel(labels) {
		return "", 0, false
	}
	return strings.Join(labels, "."), end, worded
}

// countrySecondLevel reports whether labels end in a country's second-level
// domain ("yahoo dot co dot id", "x dot com dot my"): a country code too
// like a word to stand alone ("id", "my") counts after "co", "com" and kin.
func countrySecondLevel(labels []string) bool {
	n := len(labels)
	if n < 3 {
		return false
	}
	switch labels[n-2] {
	case "co", "com", "net", "org", "or", "ac", "go", "gov", "edu":
	default:
		return false
	}
	switch labels[n-1] {
	case "id", "my", "sg", "tw", "hk", "jp", "kr", "in", "pk", "bd", "np", "lk", "uk", "au", "nz":
		return true
	}
	return false
}

// waDigits reads the phone number of a wa.me link written in groups
// ("62 812 9087 3345") at s[i]: digit groups apart by single spaces or
// hyphens, two groups at least and 15 digits at most. It returns the end
// of the last group and the digits, or i and "".
func waDigits(s string, i int) (int, string) {
	var b []byte
	e, groups := i, 0
	for p := i; p < len(s) && isDigit(s[p]); {
		q := p
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		if len(b)+q-p > 15 {
			return i, ""
		}
		b = append(b, s[p:q]...)
		e, groups = q, groups+1
		if (at(s, q) == ' ' || at(s, q) == '-') && isDigit(at(s, q+1)) {
			p = q + 1
			continue
		}
		break
	}
	if groups < 2 || isAlnum(at(s, e)) {
		return i, ""
	}
	return e, string(b)
}

// spacedScheme reads "h t t p s : / /" (single spaces, or none, between
// the characters; the "s" optional) at s[i], followed by a host, and
// returns its end (spaces after it included) and the scheme written
// plainly, or i and "".
func spacedScheme(s string, i int) (int, string) {
	p := i
	var scheme []byte
	for _, want := range []byte("https://") {
		for p < len(s) && s[p] == ' ' && p-i < 24 {
			p++
		}
		if at(s, p)|0x20 != want|0x20 || want == ':' && at(s, p) != ':' || want == '/' && at(s, p) != '/' {
			if want == 's' && at(s, p) == ':' {
				continue // "http", no "s"
			}
			return i, ""
		}
		scheme = append(scheme, want)
		p++
	}
	for p < len(s) && s[p] == ' ' {
		p++
	}
	if !isAlnum(at(s, p)) {
		return i, ""
	}
	return p, string(scheme)
}

// minSpacedLetters is how many single letters and digits apart by spaces
// are read as one name ("x i g a n g _ h r 8 8").
const minSpacedLetters = 6

// closeSpaces takes out the spaces that pull a handle apart: after an
// at sign ("@ ngan . dee99" → "@ngan.dee99") and between single letters
// and digits ("x i g a n g _ h r 8 8" → "xigang_hr88").
func closeSpaces(s string) (string, *spanMap) {
	var w *rewriter
	for i := 0; i < len(s); i++ {
		// Every case below needs a byte of closeStarts at i, or a space
		// after it: skip the bytes that have neither. A space is one of
		// closeStarts, so the scan looks for the next of them alone and
		// stops before it when it is a space. (Past the last of them, no
		// case applies.)
		q := i
		for q < len(s) && !closeStarts[s[q]] {
			q++
		}
		if q == len(s) {
			break
		}
		if s[q] == ' ' {
			if q > i && !closeNothing(s, q-1) {
				q-- // the byte before a space, unless no case applies there
			} else if spaceNothing(s, q) {
				i = q // no case applies at the space either
				continue
			}
		}
		i = q
		c := s[i]
		if c == ' ' && i > 2 && s[i-1] >= 0x80 && spacedHan(s, i) {
			// "微 信 ： w x _ 8 8": Chinese characters set apart one by one.
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, i+1, "")
			continue
		}
		if closeNothing(s, i) {
			continue
		}
		switch {
		case c == ' ' && i > 0 && isAlnum(s[i-1]) && underscoreWordAt(s, i) > i:
			// "admin garis bawah loker88": the underscore as a word.
			e := underscoreWordAt(s, i)
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, e, "_")
			i = e - 1
		case c == 0xE4 && i > 0 && isAlnum(s[i-1]) && (strings.HasPrefix(s[i:], "下划线") || strings.HasPrefix(s[i:], "下劃線")) && isAlnum(at(s, i+len("下划线"))):
			// "xg下划线boss下划线668": the Chinese word for an underscore,
			// set close between a handle's parts.
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, i+len("下划线"), "_")
			i += len("下划线") - 1
		case c == ' ' && at(s, i+1) == '_' && at(s, i+2) == ' ' && i > 0 && isAlnum(s[i-1]) && isAlnum(at(s, i+3)):
			// "pp _ hr _ 2025": an underscore with spaces around it joins.
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, i+3, "_")
			i += 2
		case c == 'm' && at(s, i+1) == 'e' && (strings.HasSuffix(s[:i], "t.") || strings.HasSuffix(s[:i], "wa.")) && at(s, i+2) != '/':
			// "t.me / name", "t.me/ name"
			if e, slash := slashAfter(s, i+2); e > i+2 {
				if w == nil {
					w = &rewriter{src: s}
				}
				wa := strings.HasSuffix(s[:i], "wa.")
				w.replace(i+2, e, slash)
				i = e - 1
				if de, digits := waDigits(s, e); de > e && wa {
					w.replace(e, de, digits) // "wa . me / 62 812 9087 3345"
					i = de - 1
				}
			}
		case c == 'm' && at(s, i+1) == 'e' && at(s, i+2) == '/' && strings.HasSuffix(s[:i], "wa."):
			p := i + 3
			for p < len(s) && s[p] == ' ' {
				p++
			}
			if de, digits := waDigits(s, p); de > p {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(i+3, de, digits) // "wa.me/62 812 9087 3345", "wa.me/ 62 812 …"
				i = de - 1
			}
		case c == 'h' && at(s, i+1) == ' ' && (i == 0 || !isAlnum(s[i-1])):
			// "h t t p s : / / host": a scheme spelled out letter by letter.
			if e, scheme := spacedScheme(s, i); e > i {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(i, e, scheme)
				i = e - 1
			}
		case c == 'm' && at(s, i+1) == 'e' && at(s, i+2) == '/' && at(s, i+3) == ' ' && strings.HasSuffix(s[:i], "t."):
			if e, slash := slashAfter(s, i+2); e > i+3 {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(i+2, e, slash)
				i = e - 1
			}
		case c == ' ' && isDigit(at(s, i+1)) && i > 0 && isAlnum(s[i-1]) && handleBefore(s, i):
			// "boss_wang 1 6 8", "sep_tong_vn 99": a handle's digits apart.
			if e, digits := spacedDigitsAfter(s, i); digits != "" {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(i, e, digits)
				i = e - 1
			}
		case c == '@' && at(s, i+1) == ' ' && !(i > 0 && isAlnum(s[i-1])):
			// "@ p h _ r e c r u i t _ 2 4", "@ i n f o . k e r j a"
			if end, joined := spacedLetters(s, i+2, false); joined != "" {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(atStart(s, i, joined, w), end, "@"+joined)
				i = end - 1
				continue
			}
			end, joined := spacedHandle(s, i+1)
			if joined == "" {
				continue
			}
			if strings.IndexFunc(joined, func(r rune) bool { return r < 'A' || r > 'z' || r > 'Z' && r < 'a' }) < 0 && underscoreWordAt(s, end) == end &&
				!(labelBeforeAt(s, i) && !(at(s, end) == ' ' && isLetter(at(s, end+1)))) {
				// "no @ mentions": one plain word after a spaced at sign is
				// prose, unless a label stands before it and no word after
				// it ("LINE @ siamwork (…)"; "ins: @ linh chi _ model" is
				// more than one word).
				continue
			}
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(atStart(s, i, joined, w), end, "@"+joined)
			i = end - 1
		case c == 'w' && !(i > 0 && isIDByte(s[i-1])) && wwwDotEnd(s, i) > i:
			// "w w w . example . net", "www . example . com"
			e := wwwDotEnd(s, i)
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, e, "www.")
			i = e - 1
		case c == '-' && i > 0 && isLetter(s[i-1]) && hyphenLabelEnd(s, i) > i && (w == nil || w.copied < i):
			// "Te-le-gram:", "What-sApp": a label cut into syllables.
			b := i
			for b > 0 && isLetter(s[b-1]) {
				b--
			}
			e := hyphenLabelEnd(s, i)
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(b, e, strings.ReplaceAll(s[b:e], "-", ""))
			i = e - 1
		case i > 0 && isHandleByte(s[i-1]) && !(i > 1 && isIDByte(s[i-2])) && letterSep(s, i) != "" && (w == nil || w.copied < i):
			// "j.o.b.s.t.h.a.i.9", "d#i#n#g", "l·y·h·r·0·9": single
			// characters apart by one separator.
			end, joined := sepLetters(s, i-1, letterSep(s, i))
			if joined == "" {
				i = max(i, end-1)
				continue
			}
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i-1, end, joined)
			i = end - 1
		case isIDByte(c) && !(i > 0 && (isIDByte(s[i-1]) || s[i-1] >= 0x80)) && at(s, i+1) == ' ':
			end, joined := spacedLetters(s, i, true)
			if joined == "" {
				// Skip the rest of this run of single characters.
				i = max(i, end-1)
				continue
			}
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, end, joined)
			i = end - 1
		}
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// closeNothing reports cheaply that none of closeSpaces' cases applies at
// s[i], for the two stops its scan makes at every space: the space
// itself after no letter or digit (every case for a space wants one
// before it), and the last byte of a word that is not a lone character
// (only 'm', 'h' and 'w' start a case of their own there; the one for
// any character wants a lone one).
func closeNothing(s string, i int) bool {
	c := s[i]
	if c == ' ' {
		return i == 0 || !isAlnum(s[i-1])
	}
	return isAlnum(c) && c != 'm' && c != 'h' && c != 'w' && i > 0 && isIDByte(s[i-1])
}

// spaceNothing reports cheaply that none of closeSpaces' cases applies at
// the space s[i]: not after a character that is not ASCII (spacedHan's),
// and after no letter or digit (closeNothing's), or before none of the
// bytes the cases for a space after one want next: a digit, '_', or the
// first byte of an underscore word (underscoreWordAt's test).
func spaceNothing(s string, i int) bool {
	if i > 0 && s[i-1] >= utf8.RuneSelf {
		return false
	}
	if i == 0 || !isAlnum(s[i-1]) {
		return true
	}
	c := at(s, i+1)
	return !isDigit(c) && c != '_' && c|0x20 != 'u' && c|0x20 != 'g' && c|0x20 != 0xE0|0x20 && c|0x20 != 0xE4|0x20
}

// spacedHan reports whether the space at s[i] stands between two Chinese
// characters each set apart from its neighbours ("微 信 ：", "字 分 开 写"):
// a word spelled out to slip past a filter, since Chinese is written
// without spaces. Words of two or more characters apart by spaces ("柬埔寨
// 西港 客服") stay apart.
func spacedHan(s string, i int) bool {
	if s[i-3] < 0xE4 || s[i-3] > 0xE9 || at(s, i+1) < 0xE4 || at(s, i+1) > 0xE9 {
		// A CJK unified ideograph's first byte is 0xE4…0xE9: not one on
		// each side (Thai or Khmer text before the space, most often),
		// told without decoding either.
		return false
	}
	r1, n1 := utf8.DecodeLastRuneInString(s[:i])
	r2, n2 := utf8.DecodeRuneInString(s[i+1:])
	if !isHanRune(r1) || !isHanRune(r2) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i-n1])
	after, _ := utf8.DecodeRuneInString(s[i+1+n2:])
	return !isHanRune(before) && !isHanRune(after)
}

// isHanRune reports whether r is a CJK unified ideograph.
func isHanRune(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }

// atStart is where the rewrite of "@ " at s[i] followed by joined starts:
// at the space before it when joined is a domain and a local part ends
// there ("hr.vn.asia @ yahoo.com", "hr.manager2024 @ g m a i l . c o m":
// an address with the at sign apart), else at i.
func atStart(s string, i int, joined string, w *rewriter) int {
	if d := strings.LastIndexByte(joined, '.'); d > 0 && (spacedTLDs[lowerASCII(joined[d+1:])] || mailHostAt(joined, 0)) && i > 1 && s[i-1] == ' ' && isAlnum(s[i-2]) && w.copied <= i-1 {
		return i - 1
	}
	return i
}

// wwwDotEnd returns the end of "w w w ." or "www ." (spaces around the dot)
// at s[i] when a letter or digit follows, or i.
func wwwDotEnd(s string, i int) int {
	switch {
	case strings.HasPrefix(s[i:], "w w w"):
		if e := spacedDotAfter(s, i+5); e > i+5 {
			return e
		}
	case hasPrefixFoldASCII(s[i:], "www "):
		if e := spacedDotAfter(s, i+3); e > i+4 {
			return e
		}
	}
	return i
}

// closeStarts marks the bytes that may start one of closeSpaces' cases.
var closeStarts = [256]bool{' ': true, 'm': true, 'w': true, '@': true, '.': true, '-': true, '#': true, '*': true, '~': true, 0xC2: true, 0xE2: true, 0xE3: true, 0xE4: true}

// spacedHandle reads a name after "@ " at s[i]: words joined by spaced
// dots or underscores, and returns its end and the name without spaces,
// or "" when there is no name.
func spacedHandle(s string, i int) (int, string) {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	var b strings.Builder
	end := i
	for {
		e := i
		for e < len(s) && (isAlnum(s[e]) || s[e] == '_') {
			e++
		}
		if e == i {
			break
		}
		b.WriteString(s[i:e])
		end = e
		// A joiner: spaces, then '.' or '_', then spaces, then a word; or a
		// hyphen between two words, as in a host ("sunrise-staffing.net").
		j := e
		if at(s, j) == '-' && isAlnum(at(s, j+1)) {
			b.WriteByte('-')
			i = j + 1
			continue
		}
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if j == len(s) || s[j] != '.' && s[j] != '_' {
			break
		}
		sep := s[j]
		j++
		for j < len(s) && s[j] == ' ' {
			j++
		}
		if !isAlnum(at(s, j)) {
			break
		}
		b.WriteByte(sep)
		i = j
	}
	if b.Len() == 0 || !isLetter(b.String()[0]) && b.String()[0] != '_' {
		return 0, ""
	}
	return end, b.String()
}

// spacedLetters reads single letters, digits, '_' and '.' apart by one
// space each from s[i], and returns their end and them joined when there
// are enough of them with at least two letters, or their end and "". With
// labels, fewer are enough when they spell a messaging or phone label
// ("Z a l o  0 9 3 2 …": else the o would be read as a zero).
func spacedLetters(s string, i int, labels bool) (int, string) {
	var b []byte
	letters, e, last := 0, i, i
	for e < len(s) && isIDByte(s[e]) && !isIDByte(at(s, e+1)) {
		b = append(b, s[e])
		if isLetter(s[e]) {
			letters++
		}
		e++
		last = e
		if at(s, e) != ' ' || !isIDByte(at(s, e+1)) {
			break
		}
		e++
	}
	if len(b) < minSpacedLetters && !(labels && labelWord(lowerASCII(string(b)))) || letters < 2 || isDigit(b[0]) {
		return e, ""
	}
	if e > last && isAlnum(at(s, e+1)) {
		// A word follows after the space ("@ t u y e n d u n g nha"): it
		// is not part of the name.
		return last, string(b)
	}
	return e, string(b)
}

// spacedDotAfter returns the end of spaces, a '.' and spaces at s[i] when
// a letter or digit follows, or i.
func spacedDotAfter(s string, i int) int {
	e := i
	for e < len(s) && s[e] == ' ' {
		e++
	}
	if at(s, e) != '.' {
		return i
	}
	for e++; e < len(s) && s[e] == ' '; e++ {
	}
	if !isAlnum(at(s, e)) {
		return i
	}
	return e
}

// sepLetters reads single letters and digits apart by one sep each from
// s[i] ("j.o.b.s.t.h.a.i.9", "l·y·h·r·0·9", "s…o…m…s…a…k"), and returns
// their end and them joined when there are at least minSpacedLetters (or
// they spell a label) with two letters, or their end and "".
func sepLetters(s string, i int, sep string) (int, string) {
	var b []byte
	letters, e := 0, i
	for e < len(s) && isHandleByte(s[e]) && !isHandleByte(at(s, e+1)) {
		b = append(b, s[e])
		if isLetter(s[e]) {
			letters++
		}
		e++
		if !strings.HasPrefix(s[e:], sep) || !isHandleByte(at(s, e+len(sep))) {
			break
		}
		e += len(sep)
	}
	if letters < 2 || len(b) < minSpacedLetters && !labelWord(string(b)) {
		return e, ""
	}
	return e, string(b)
}

// letterSeps are the characters set between the single characters of a
// handle: '.', '-', '#', '*', '~', a middle dot, a bullet, an ellipsis, a
// katakana middle dot.
var letterSeps = [...]string{".", "-", "#", "*", "~", "·", "•", "…", "・"}

// letterSep returns the one of letterSeps at s[i], or "".
func letterSep(s string, i int) string {
	if c := s[i]; c < 0x80 && c != '.' && c != '-' && c != '#' && c != '*' && c != '~' || c >= 0x80 && c < 0xC2 {
		return ""
	}
	for _, sep := range letterSeps {
		if strings.HasPrefix(s[i:], sep) {
			return sep
		}
	}
	return ""
}

// hyphenLabelEnd returns the end of a word cut by hyphens into pieces of
// letters, the hyphen at s[i] among them, when the pieces joined are a
// messaging label ("Te-le-gram", "Whats-App"), or i.
func hyphenLabelEnd(s string, i int) int {
	b := i
	for b > 0 && i-b < 12 && isLetter(s[b-1]) {
		b--
	}
	if b > 0 && (isIDByte(s[b-1]) || s[b-1] >= 0x80) {
		return i
	}
	e := i
	var buf [64]byte // room for the pieces: up to 12 + 4 × 12 letters
	joined := append(buf[:0], s[b:i]...)
	for n := 0; n < 4 && at(s, e) == '-' && isLetter(at(s, e+1)); n++ {
		q := e + 1
		for q < len(s) && q-e <= 12 && isLetter(s[q]) {
			q++
		}
		joined = append(joined, s[e+1:q]...)
		e = q
	}
	if isIDByte(at(s, e)) {
		return i
	}
	for k, c := range joined {
		joined[k] = c | 0x20 // letters: lower case
	}
	if !labelWord(string(joined)) {
		return i
	}
	return e
}

// labelWord reports whether w is a whole messaging or phone label ("line",
// "wa", "tele"): spelled out letter by letter ("L-i-n-e :") it is joined
// however short.
func labelWord(w string) bool {
	end, entry := keywords.longest(w, 0)
	return entry >= 0 && end == len(w) && keywordList[entry].class&(kwHandles|kwPhone) != 0
}

// handleBefore reports whether the word ending at s[i] looks like an
// account name: letters with an underscore or hyphen in it.
func handleBefore(s string, i int) bool {
	b, sep, letter := i, false, false
	for b > 0 && (isAlnum(s[b-1]) || s[b-1] == '_' || s[b-1] == '-') {
		b--
		sep = sep || s[b] == '_' || s[b] == '-'
		letter = letter || isLetter(s[b])
	}
	return sep && letter && isLetter(s[i-1])
}

// spacedDigitsAfter reads digit groups apart by single spaces at s[i]
// (" 1 6 8", " 99"): at most six digits, groups of at most four, then the
// end of a word. It returns their end and the digits, or "".
func spacedDigitsAfter(s string, i int) (int, string) {
	var b []byte
	e := i
	for at(s, e) == ' ' && isDigit(at(s, e+1)) {
		g := e + 1
		for g < len(s) && isDigit(s[g]) {
			g++
		}
		if g-e-1 > 4 || letterAt(s, g) {
			return 0, ""
		}
		b = append(b, s[e+1:g]...)
		e = g
	}
	if len(b) == 0 || len(b) > 6 || isDigit(at(s, e)) || at(s, e) == '.' && isDigit(at(s, e+1)) {
		return 0, ""
	}
	return e, string(b)
}
