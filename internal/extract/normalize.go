package extract

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// The view: before extraction, the text is rewritten so that one set of
// scanners sees one form of each identifier. Full-width ASCII (common in
// Chinese text: "１２３", "：", "＠") becomes ASCII, and the usual
// obfuscations — "hxxp", "[.]", "(dot)", "[at]", "example . com" — are undone.
// Each rewrite records where its bytes came from, so that spans can be
// reported in the input's offsets.

// seg records that view bytes [vs, ve) came from source bytes [ss, se).
// If unit is not 0, each view byte came from unit source bytes, in order
// (runs of full-width characters are one seg); else the seg is one rewrite.
type seg struct{ vs, ve, ss, se, unit int }

// spanMap maps offsets of a rewritten string back to its source. Between
// segments the two advance together.
type spanMap struct {
	segs []seg
	hint int // the last answer of segsBefore
}

// start maps a span start: inside a rewrite, the start of its source.
func (m *spanMap) start(v int) int {
	i := m.segsBefore(v+1) - 1
	if i < 0 {
		return v
	}
	g := m.segs[i]
	if v < g.ve {
		return g.ss + (v-g.vs)*g.unit
	}
	return g.se + v - g.ve
}

// end maps an exclusive span end: inside a rewrite, the end of its source.
func (m *spanMap) end(v int) int {
	i := m.segsBefore(v) - 1
	if i < 0 {
		return v
	}
	g := m.segs[i]
	if v <= g.ve {
		if g.unit != 0 {
			return g.ss + (v-g.vs)*g.unit
		}
		return g.se
	}
	return g.se + v - g.ve
}

// segsBefore returns the number of segs that start before view offset v
// (they are in order). Spans are asked for nearly in order, start and
// end by turns, so the search starts from the answer it gave last, a few
// steps either way, and falls back to a binary search written out (which
// costs less than sort.Search's call of a closure at every step).
func (m *spanMap) segsBefore(v int) int {
	g := m.segs
	i := min(m.hint, len(g))
	for n := 0; n < 4; n++ {
		switch {
		case i < len(g) && g[i].vs < v:
			i++
		case i > 0 && g[i-1].vs >= v:
			i--
		default:
			m.hint = i
			return i
		}
	}
	i = m.segsSearch(v)
	m.hint = i
	return i
}

// segsSearch is segsBefore by binary search.
func (m *spanMap) segsSearch(v int) int {
	lo, hi := 0, len(m.segs)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if m.segs[h].vs < v {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// rewriter builds a rewritten copy of src lazily: nothing is allocated until
// the first replacement.
type rewriter struct {
	src     string
	b       strings.Builder
	started bool
	segs    []seg
	copied  int // src[:copied] is in b
}

// replace replaces src[ss:se] (ss >= copied) with repl, which is not empty.
func (w *rewriter) replace(ss, se int, repl string) {
	w.replaceUnit(ss, se, repl, 0)
}

// replaceUnit is replace; unit, if not 0, is the number of source bytes of
// each byte of repl, so that consecutive replacements can share a seg.
func (w *rewriter) replaceUnit(ss, se int, repl string, unit int) {
	if !w.started {
		w.started = true
		w.b.Grow(len(w.src))
		// Room for a few rewrites: a step that rewrites a snippet of the
		// development corpus makes one to four nearly always, and room
		// for 16 (640 bytes) was a quarter of the bytes Text allocated
		// for those snippets.
		w.segs = make([]seg, 0, 4)
	}
	w.b.WriteString(w.src[w.copied:ss])
	vs := w.b.Len()
	w.b.WriteString(repl)
	if n := len(w.segs); unit != 0 && n > 0 && w.segs[n-1].unit == unit && w.segs[n-1].se == ss && w.segs[n-1].ve == vs {
		w.segs[n-1].ve, w.segs[n-1].se = w.b.Len(), se
	} else {
		w.segs = append(w.segs, seg{vs, w.b.Len(), ss, se, unit})
	}
	w.copied = se
}

func (w *rewriter) finish() (string, *spanMap) {
	if !w.started {
		return w.src, nil
	}
	w.b.WriteString(w.src[w.copied:])
	return w.b.String(), &spanMap{segs: w.segs}
}

// viewSteps are the rewrites that make the view, in order: each sees the
// text the one before it made. gate is the lead set (see viewWith and
// leadStops.scan) without whose characters the step leaves a text as it
// is, 0 for the steps that have none. ascii is set for a step that only
// takes bytes out and writes ASCII in: no byte that is not ASCII is in
// what it makes unless it was in what it read.
var viewSteps = [...]struct {
	step  func(string) (string, *spanMap)
	gate  uint8
	ascii bool
}{
	{stripMarkup, 0, false}, {joinVertical, 0, true}, {dropZeroWidth, gateInvisible, true}, {foldStyled, gateStyled, true},
	{foldAccents, gateAccent, true}, {foldWidth, 0, true}, {joinMailHosts, 0, true}, {foldConfusables, gateCyrGreek, false},
	{spellAddress, 0, false}, {deobfuscate, 0, false}, {closeSpaces, 0, false}, {spellDigits, 0, false}, {joinLines, 0, true},
}

// joinLines reads a number broken over lines ("012 88\n7 645", "0821-\n
// 9900-\n3172", "092-518\n-3067") as one line: a line break between
// digit groups becomes a space when every piece has at most maxLinePiece
// digits (a list of whole numbers, one a line, stays apart) and the pieces
// together have at least minJoinedDigits. The phone scanner then decides
// what the digits are.
func joinLines(s string) (string, *spanMap) {
	i := strings.IndexByte(s, '\n')
	if i < 0 {
		return s, nil
	}
	var w *rewriter
	for ; i >= 0 && i < len(s); i = nextLF(s, i+1) {
		// The piece before: digit groups back to the line's start or a non-digit.
		b := i
		for b > 0 && (s[b-1] == ' ' || s[b-1] == '-') {
			b--
		}
		if digitEndingAt(s, b) == 0 {
			continue
		}
		before, ps := digitPiece(s, b, -1)
		// The pieces after, over as many breaks as the number takes; a
		// chat's time and speaker may start each line ("[10:02] Recruiter:
		// 652"). After such a mark a piece may be longer ("电话177 0452\n
		// [群聊] 阿义：8813"): the mark says the line goes on.
		c := chatPrefixEnd(s, i+1)
		d := pastLeadingDash(s, c)
		limit := maxLinePiece
		if c > i+1 || ps > 0 && s[ps-1] == '+' {
			// After a chat's mark, or when the number began with a
			// country code ("WhatsApp：+856 20\n5583 1947"), the next piece
			// may be longer.
			limit = maxChatPiece
		}
		if before == 0 || before > limit || digitLen(s, d) == 0 {
			continue
		}
		total, cuts, p, q := before, [][2]int{{i, d}}, d, 0
		for {
			n, e := digitPiece(s, p, 1)
			if n == 0 || n > limit {
				total = 0
				break
			}
			total += n
			for q = e; q < len(s) && (s[q] == ' ' || s[q] == '-'); q++ {
			}
			if at(s, q) != '\n' || len(cuts) == maxLinePieces-1 {
				break
			}
			d := pastLeadingDash(s, chatPrefixEnd(s, q+1))
			if digitLen(s, d) == 0 {
				break
			}
			cuts, p = append(cuts, [2]int{q, d}), d
		}
		if total < minJoinedDigits || total > 13 {
			continue
		}
		if w == nil {
			w = &rewriter{src: s}
		}
		for _, c := range cuts {
			w.replace(c[0], c[1], " ")
		}
		i = cuts[len(cuts)-1][0]
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// pastLeadingDash returns p past a '-' that starts a line's piece of a
// number, touching its first digit ("092-518\n-3067": the group's
// separator written after the break); else p. A bullet ("- 5000") has a
// space after it and stays.
func pastLeadingDash(s string, p int) int {
	if at(s, p) == '-' && digitLen(s, p+1) > 0 {
		return p + 1
	}
	return p
}

// minVerticalLines is how many lines of one character each joinVertical
// needs to read them as one word.
const minVerticalLines = 6

// joinVertical reads text written one character a line ("加\n我\nV\n：\nl\na\nn
// …", a way past filters that read line by line) as one line: in a run of
// at least minVerticalLines lines that each hold one character, the line
// breaks are dropped.
func joinVertical(s string) (string, *spanMap) {
	if strings.Count(s, "\n") < minVerticalLines-1 {
		return s, nil
	}
	var w *rewriter
	start, n := 0, 0 // the run's first line and how many lines it has
	flush := func(end int) {
		if n >= minVerticalLines {
			if w == nil {
				w = &rewriter{src: s}
			}
			if start > 0 && labelLine(s, start-1) {
				w.replace(start-1, start, " ") // "微信\nw\nx\nk…": the label's line joins too
			}
			for j := start; j < end; j++ {
				if s[j] == '\n' && j+1 < end {
					w.replace(j, j+1, "")
				}
			}
		}
		n = 0
	}
	for i := 0; i <= len(s); {
		e := strings.IndexByte(s[i:], '\n')
		if e < 0 {
			e = len(s)
		} else {
			e += i
		}
		// A line of one character has at most utf8.UTFMax bytes: longer
		// lines are not trimmed and counted, which would walk every line.
		line := s[i:e]
		if e-i <= utf8.UTFMax && strings.TrimSpace(line) == line && line != "" && utf8.RuneCountInString(line) == 1 {
			if n == 0 {
				start = i
			}
			n++
		} else {
			flush(i)
		}
		i = e + 1
	}
	flush(len(s))
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// maxLabelLine is how many characters a line before a word written one
// character a line may have to be read as its label (joinVertical).
const maxLabelLine = 10

// labelLine reports whether the line that ends at the line break s[lf]
// may be a label for what follows it: short, with a letter, not a
// sentence's end.
func labelLine(s string, lf int) bool {
	b := strings.LastIndexByte(s[:lf], '\n') + 1
	line := strings.TrimSpace(s[b:lf])
	if line == "" || utf8.RuneCountInString(line) > maxLabelLine || strings.IndexFunc(line, unicode.IsLetter) < 0 {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(line)
	return !strings.ContainsRune(".!?。！？", r)
}

// Pieces of a number broken over lines (joinLines): each at most
// maxLinePiece digits, at most maxLinePieces of them (one digit a line is
// the longest: "0\n8\n7\n8\n…"), together minJoinedDigits or more.
const (
	maxLinePiece    = 6
	maxLinePieces   = 13
	minJoinedDigits = 8
)

// firstRune returns the rune at s[i], or utf8.RuneError past the end.
func firstRune(s string, i int) rune {
	if i >= len(s) {
		return utf8.RuneError
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// maxChatPiece is how many digits a piece of a number may have when a
// chat's mark starts the line after it (joinLines).
const maxChatPiece = 8

// maxChatPrefix bounds each part of a chat line's prefix (chatPrefixEnd).
const maxChatPrefix = 32

// chatPrefixEnd returns the end of what a copied chat puts before each
// message at the line starting at s[p] — a time in brackets ("[10:02] ",
// "[ម៉ោង ៩:១៥] "), a speaker's name and a colon ("Recruiter: ") — or p when
// there is neither. A name has no digit and no bracket.
func chatPrefixEnd(s string, p int) int {
	q := p
	if c := at(s, q); c == '[' || c == '(' {
		closer := byte(']')
		if c == '(' {
			closer = ')' // "(tin sau) 447"
		}
		e := strings.IndexByte(s[q:min(len(s), q+maxChatPrefix)], closer)
		if e < 0 || strings.IndexByte(s[q:q+e], '\n') >= 0 {
			return p
		}
		q += e + 1
		for at(s, q) == ' ' {
			q++
		}
	}
	// A word or two of Chinese before the piece ("中间 0378", "后面：4412").
	if h := q; isHanRune(firstRune(s, h)) {
		for n := 0; n < 4 && isHanRune(firstRune(s, h)); n++ {
			h += 3
		}
		if c := at(s, h); c == ' ' || c == ':' {
			for h++; at(s, h) == ' '; h++ {
			}
			return h
		}
	}
	// A speaker: letters and spaces up to a colon (Khmer's "៖" too:
	// "បង៖ 486").
	e := q
	for e < len(s) && e-q < maxChatPrefix && s[e] != ':' && s[e] != '\n' && s[e] != '[' && !isDigit(s[e]) && !strings.HasPrefix(s[e:], khmerColon) {
		e++
	}
	colon := 0
	switch {
	case at(s, e) == ':':
		colon = 1
	case strings.HasPrefix(s[e:], khmerColon):
		colon = len(khmerColon)
	}
	if e > q && colon > 0 && strings.IndexFunc(s[q:e], unicode.IsLetter) >= 0 {
		q = e + colon
		for at(s, q) == ' ' {
			q++
		}
	}
	return q
}

// khmerColon is the Khmer sign camnuc pii kuuh, Khmer's colon.
const khmerColon = "\u17D6"

// nextLF returns the index of the next line break at or after i, or -1.
func nextLF(s string, i int) int {
	if i >= len(s) {
		return -1
	}
	if j := strings.IndexByte(s[i:], '\n'); j >= 0 {
		return i + j
	}
	return -1
}

// digitPiece counts the digits of the groups (apart by one space or '-')
// that end at s[i] (dir -1: s[:i]) or start there (dir 1), and returns the
// count and the far end; 0 when a letter touches them.
func digitPiece(s string, i, dir int) (int, int) {
	n, p := 0, i
	if dir > 0 {
		for p < len(s) {
			switch c := s[p]; {
			case digitLen(s, p) > 0:
				n++
				p += digitLen(s, p)
				continue
			case (c == ' ' || c == '-') && digitLen(s, p+1) > 0 && p > i:
			default:
				if isLetter(c) {
					return 0, p
				}
				return n, p
			}
			p++
		}
		return n, p
	}
	for p > 0 {
		switch c := s[p-1]; {
		case digitEndingAt(s, p) > 0:
			n++
			p -= digitEndingAt(s, p)
			continue
		case (c == ' ' || c == '-') && digitEndingAt(s, p-1) > 0 && p < i:
		default:
			if isLetter(c) {
				return 0, p
			}
			return n, p
		}
		p--
	}
	return n, p
}

// digitLen returns the length of the digit at s[i] — ASCII, or Khmer,
// Thai, Lao or Myanmar (digitAt) — or 0.
func digitLen(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	_, n := digitAt(s, i)
	return n
}

// digitEndingAt returns the length of the digit that ends at s[p], or 0.
func digitEndingAt(s string, p int) int {
	switch {
	case p >= 1 && isDigit(s[p-1]):
		return 1
	case p >= 3 && digitLen(s, p-3) == 3:
		return 3
	}
	return 0
}

// foldStyled turns the characters posters use to slip a contact past a
// filter into ASCII: the styled letters and digits of Unicode's
// mathematical alphanumeric block ("𝗿𝗲𝗸𝗿𝘂𝘁", "𝐦𝐰𝐝_𝐡𝐫𝟔𝟔", by their
// compatibility decomposition), superscript and subscript digits
// ("+⁸⁵⁵ ⁸⁸", "+₆₀ ₁₁"), small capitals ("ʟᴀᴏᴊᴏʙ_ᴠᴛᴇ"), a lone regional
// indicator letter ("🇳 🇦 🇳 🇹 🇦": two side by side are a flag, and stay),
// the small full stop "﹒" and the one dot leader "․" (dots), the small "﹫"
// and a pictograph between a local part and a mail service's host
// ("hr🍥gmail.com") as at signs, spaces of other widths (a thin space) as
// spaces, and it drops the underline or strike-through marks drawn under
// ASCII letters ("b̲o̲n̲g̲").
func foldStyled(s string) (string, *spanMap) { return foldStyledAt(s, nil) }

// foldStyledAt is foldStyled; stops, if not nil, are the offsets of s at
// which its scan would stop to look further (leadStops.styled), read in
// place of the scan.
func foldStyledAt(s string, stops *stopList) (string, *spanMap) {
	var w *rewriter
	for i := 0; i < len(s); {
		if stops != nil {
			i = stops.next(i, len(s))
		} else {
			i = nextLeadIn(styledLeads, s, i)
		}
		if i == len(s) {
			break
		}
		if !styledSecond(s, i) {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		repl, ok := "", false
		switch {
		case r >= 0x1D400 && r <= 0x1D7FF:
			if f := norm.NFKC.String(s[i : i+n]); len(f) == 1 && isAlnum(f[0]) {
				repl, ok = f, true
			}
		case r == 0x2070 || r >= 0x2074 && r <= 0x2079:
			repl, ok = asciiStrings['0'+r-0x2070], true
		case r == 0xB9:
			repl, ok = "1", true
		case r == 0xB2 || r == 0xB3:
			repl, ok = asciiStrings['0'+r-0xB0], true
		case r == 0x207A || r == 0x208A:
			repl, ok = "+", true
		case r >= 0x2080 && r <= 0x2089:
			repl, ok = asciiStrings['0'+r-0x2080], true
		case r == 0xFE52 || r == 0x2024: // small full stop, one dot leader: "t․me/", "gmail․com"
			repl, ok = ".", true
		case r == 0xFE6B: // small commercial at
			repl, ok = "@", true
		case (r >= 0x1F300 && r <= 0x1FAFF || r < 0x100 && unicode.Is(unicode.So, r)) && i > 0 && isAlnum(s[i-1]) && mailHostAt(s, afterSelector(s, i+n)):
			// "recruit.angkorhr🍥gmail.com", "hr.mekong©yahoo.com": a
			// pictograph or symbol glued between a local part and a mail
			// service's host stands for the at sign.
			repl, ok = "@", true
			n = afterSelector(s, i+n) - i
		case r == 0xFE55: // small colon
			repl, ok = ":", true
		case r >= 0x2000 && r <= 0x200A || r == 0x202F || r == 0x205F:
			// Spaces of other widths (a thin space around an '@'), as
			// Unicode's compatibility decomposition reads them.
			repl, ok = " ", true
		case r == 0x2044 || r == 0x2215: // fraction and division slashes: "t.me ⁄ name"
			repl, ok = "/", true
		case r >= 0x24B6 && r <= 0x24E9: // circled letters: "ⓓⓐⓡⓐ"; a lone ⓐ is an at sign
			switch {
			case r == 0x24D0 && lone(s, i, n, 0x24B6, 0x24E9):
				repl = "@"
			case r >= 0x24D0:
				repl = asciiStrings['a'+r-0x24D0]
			default:
				repl = asciiStrings['a'+r-0x24B6]
			}
			ok = true
		case r == 0x2022 || r == 0xB7 || r == 0x22C5 || r == 0x2219 || r == 0x30FB:
			// "yahoo•com", "angkorhr • com", "t•me/", "facebook ⋅ com/": a
			// bullet, middle dot, dot operator or katakana middle dot as a dot.
			b, e := i, i+n
			for b > 0 && s[b-1] == ' ' {
				b--
			}
			for e < len(s) && s[e] == ' ' {
				e++
			}
			if b > 0 && isAlnum(s[b-1]) && (spacedTLDAt(s, e) || hasPrefixFoldASCII(s[e:], "me/")) && (w == nil || w.copied <= b) {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(b, e, ".")
				i = e
				continue
			}
		case r == 0x27E8 || r == 0x27E9 || r == 0x3010 || r == 0x3011:
			// "⟨dot⟩", "【.】": brackets that deobfuscate reads as < > [ ].
			repl, ok = bracketFold(r), true
		case r >= 0x1F1E6 && r <= 0x1F1FF:
			if lone(s, i, n, 0x1F1E6, 0x1F1FF) {
				repl, ok = asciiStrings['a'+r-0x1F1E6], true
			}
		case r == 0x0332 || r == 0x0333 || r == 0x0335 || r == 0x0336 || r == 0x0331:
			if i > 0 && s[i-1] < 0x80 {
				repl, ok = "", true
			}
		case r >= 0x1D2C && r <= 0x1D6A || r >= 0x02B0 && r <= 0x02E4:
			// Modifier letters, as superscripts: "ᵂᴴᴬᵀˢᴬᴾᴾ".
			if f := norm.NFKC.String(s[i : i+n]); len(f) == 1 && isLetter(f[0]) {
				repl, ok = lowerASCII(f), true
			}
		default:
			if c, found := smallCaps[r]; found {
				repl, ok = asciiStrings[c], true
			}
		}
		if ok {
			if w == nil {
				w = &rewriter{src: s}
			}
			w.replace(i, i+n, repl)
		}
		i += n
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// lone reports whether neither the rune before s[i] nor the one after
// s[i:i+n] is in lo..hi.
func lone(s string, i, n int, lo, hi rune) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i+n:])
	return !(prev >= lo && prev <= hi) && !(next >= lo && next <= hi)
}

// styledSecond looks past the lead byte at s[i] for the few lead bytes
// that ordinary text uses all the time: Khmer (E1; small capitals are
// U+1D00…), punctuation (E2; only superscripts, subscripts, "•" and "⟨⟩"
// matter) and emoji (F0 9F; only regional indicators matter).
func styledSecond(s string, i int) bool {
	c1 := at(s, i+1)
	switch s[i] {
	case 0xE1:
		return c1 == 0xB4 || c1 == 0xB5 // small capitals and modifier letters (U+1D00…U+1D7F)
	case 0xE2:
		c2 := at(s, i+2)
		return c1 == 0x81 || c1 == 0x82 || c1 == 0x9F || c1 == 0x92 || c1 == 0x93 || c1 == 0x88 && (c2 == 0x95 || c2 == 0x99) ||
			c1 == 0x80 && (c2 == 0xA2 || c2 == 0xA4 || c2 == 0xAF || c2 >= 0x80 && c2 <= 0x8A) || c1 == 0x8B && c2 == 0x85
	case 0xF0:
		return c1 == 0x9D || c1 == 0x9F // styled letters; regional indicators and pictographs
	}
	return true
}

// bracketFold is the ASCII bracket for ⟨ ⟩ 【 】.
func bracketFold(r rune) string {
	switch r {
	case 0x27E8:
		return "<"
	case 0x27E9:
		return ">"
	case 0x3010:
		return "["
	}
	return "]"
}

// smallCaps are the small capital letters, by the letter they stand for.
var smallCaps = map[rune]byte{
	'ᴀ': 'a', 'ʙ': 'b', 'ᴄ': 'c', 'ᴅ': 'd', 'ᴇ': 'e', 'ꜰ': 'f', 'ɢ': 'g', 'ʜ': 'h', 'ɪ': 'i', 'ᴊ': 'j',
	'ᴋ': 'k', 'ʟ': 'l', 'ᴍ': 'm', 'ɴ': 'n', 'ᴏ': 'o', 'ᴘ': 'p', 'ʀ': 'r', 'ꜱ': 's', 'ᴛ': 't',
	'ᴜ': 'u', 'ᴠ': 'v', 'ᴡ': 'w', 'ʏ': 'y', 'ᴢ': 'z',
}

// afterSelector returns i past an emoji presentation selector at s[i], if
// there is one.
func afterSelector(s string, i int) int {
	if strings.HasPrefix(s[i:], "\uFE0F") {
		return i + len("\uFE0F")
	}
	return i
}

// styledLead marks the first bytes of the runes foldStyled changes. None
// of them is ASCII: foldStyled's scan skips ahead with nextLeadIn.
var styledLead = func() (t [256]bool) {
	for _, r := range []rune{0x1D400, 0x1D7FF, 0x2070, 0x2089, 0xB9, 0xB2, 0xFE52, 0x1F1E6, 0x0332, 0x2022, 0x27E8, 0x3010, 0x2044, 0x2215, 0x24B6, 0x30FB, 0x02B0, 0x02E2} {
		t[string(r)[0]] = true
	}
	for r := range smallCaps {
		t[string(r)[0]] = true
	}
	for c := range 0xC0 {
		if t[c] {
			panic("extract: styledLead has a byte that leads no sequence")
		}
	}
	return t
}()

// styledLeads is styledLead with the second bytes styledSecond may let
// through (for any third byte).
var styledLeads = newLeadSet(&styledLead, func(c0, c1 byte) bool {
	for c2 := 0x80; c2 < 0xC0; c2++ {
		if styledSecond(string([]byte{c0, c1, byte(c2)}), 0) {
			return true
		}
	}
	return false
})

// Invisible characters are slipped into a handle, a host or an address to
// break a filter's match ("@loker\u200bkamboja_vip", a soft hyphen in
// "boss\u00ad_tran88", a joiner in "@man\u200dila_recruit", U+2062 in
// "payroll\u2062-usdt.cc", the Hangul filler U+3164). Which characters a
// renderer shows nothing for is Unicode's Default_Ignorable_Code_Point
// property; invisible reads it from the format characters (Cf), the
// variation selectors and Other_Default_Ignorable_Code_Point. They are
// taken out only between a handle's, host's or address's characters (or
// Chinese ones), so a joiner stays in the emoji it joins and U+200B
// between Khmer or Thai words stays.
func invisible(r rune) bool {
	if r < 0x10000 {
		return invisibleBMP[r>>6]&(1<<(r&63)) != 0
	}
	return unicode.In(r, invisibleTables[:]...)
}

// invisibleBMP is invisible for the runes below U+10000, as a bitmap.
var invisibleBMP = func() (t [0x10000 / 64]uint64) {
	eachInvisible(func(c rune) {
		if c < 0x10000 {
			t[c>>6] |= 1 << (c & 63)
		}
	})
	return t
}()

// invisibleTables are the tables invisible reads.
var invisibleTables = [...]*unicode.RangeTable{unicode.Cf, unicode.Variation_Selector, unicode.Other_Default_Ignorable_Code_Point}

// eachInvisible calls f with every invisible character.
func eachInvisible(f func(rune)) {
	for _, tab := range invisibleTables {
		for _, r := range tab.R16 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				f(c)
			}
		}
		for _, r := range tab.R32 {
			for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
				f(c)
			}
		}
	}
}

// invisibleLead marks the first bytes of the invisible characters.
var invisibleLead = func() (t [256]bool) {
	eachInvisible(func(c rune) { t[string(c)[0]] = true })
	return t
}()

// invisibleLeads is invisibleLead with, for a three-byte character, the
// second bytes of the blocks of 64 that hold an invisible character.
var invisibleLeads = newLeadSet(&invisibleLead, func(c0, c1 byte) bool {
	if c0 < 0xE0 || c0 >= 0xF0 {
		return true
	}
	return invisibleBMP[rune3(string([]byte{c0, c1, 0x80}), 0)>>6] != 0
})

// nextInvisible returns the index of the first invisible character at or
// after i, or len(s).
func nextInvisible(s string, i int) int {
	for {
		if i = nextLeadIn(invisibleLeads, s, i); i == len(s) {
			return i
		}
		if mayBeInvisible(s, i) {
			if r, _ := utf8.DecodeRuneInString(s[i:]); invisible(r) {
				return i
			}
		}
		i++
	}
}

// mayBeInvisible reports whether the character at s[i], whose first byte
// is one of invisibleLead, may be invisible. Khmer and Thai share their
// lead bytes with invisible characters, so a three-byte character is
// first looked up in invisibleBMP as if its bytes were UTF-8, without
// decoding it: were they not, the decoder would read U+FFFD, which is not
// invisible either.
func mayBeInvisible(s string, i int) bool {
	if c := s[i]; c < 0xE0 || c >= 0xF0 || i+2 >= len(s) {
		return true // let the decoder and invisible decide
	}
	r := rune3(s, i)
	return invisibleBMP[r>>6]&(1<<(r&63)) != 0
}

// rune3 returns the rune that the three bytes at s[i] encode if they are
// UTF-8 with a lead byte 0xE0..0xEF, which it does not check: a cheap
// look-up key for tables of runes below U+10000, ahead of a decode.
func rune3(s string, i int) rune {
	return rune(s[i]&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
}

// zeroWidthStops are the lead bytes at which dropZeroWidth's loop may find
// something: invisibleLeads, and every character whose lead byte starts a
// keycap (U+20E3's 0xE2, U+FE0F's 0xEF), as keycapAt wants.
var zeroWidthStops = func() *leadSet {
	u := *invisibleLeads
	u[0xE2], u[0xEF] = ^uint64(0), ^uint64(0)
	return &u
}()

// dropZeroWidth takes zero-width characters out from between ASCII
// letters, digits and underscores. Elsewhere (between Khmer or Thai words,
// which some writers separate with U+200B) they stay.
func dropZeroWidth(s string) (string, *spanMap) {
	first := -1
	if i := nextInvisible(s, 0); i < len(s) {
		first = i
	}
	if i := strings.Index(s, keycap); i > 0 && (first < 0 || i-3 < first) {
		first = max(0, i-3) // where its U+FE0F would start
	}
	if first < 0 {
		return s, nil
	}
	w := rewriter{src: s}
	for i := first; i < len(s); {
		if n := keycapAt(s, i); n > 0 {
			if handleKeycaps(s, i) {
				w.replace(i, i+n, "") // "zhang_boss7️⃣7️⃣": the handle's digits
			}
			i += n
			continue
		}
		n := zeroWidthAt(s, i)
		if n == 0 {
			// Neither a keycap nor an invisible character starts before
			// the next of zeroWidthStops: pass over the bytes between (a
			// text with one invisible character near its start was read
			// byte by byte to its end).
			i = nextLeadIn(zeroWidthStops, s, i+1)
			continue
		}
		e := i + n
		for m := zeroWidthAt(s, e); m > 0; m = zeroWidthAt(s, e) {
			e += m
		}
		if i > 0 && (handleSide(s[:i], false) && handleSide(s[e:], true) || hanSide(s[:i], false) && (hanSide(s[e:], true) || isHandleByte(at(s, e))) ||
			isDigit(s[i-1]) && at(s, e) == ' ' && isDigit(at(s, e+1))) {
			// …or after a number's group, before the space to the next
			// ("+855 88\u2062 914\u2062 27").
			w.replace(i, e, "")
		}
		i = e
	}
	return w.finish()
}

// handleSide reports whether the text on one side of an invisible
// character continues a handle, a host or an address: an ASCII letter,
// digit or underscore, or a joining mark — a dot, hyphen, at sign or
// slash — and then one, past more invisible characters
// ("vieclam.\u200bcambodia", "fast\u200bjob\u200b-asia\u200b.net",
// "jb\u200b-\u200brenshi88", "cpc\u200b2025@\u200bgmail.com").
func handleSide(s string, after bool) bool {
	if after {
		c := at(s, 0)
		if isHandleByte(c) {
			return true
		}
		if !joinMark(c) {
			return false
		}
		j := 1
		for n := zeroWidthAt(s, j); n > 0 && j < 64; n = zeroWidthAt(s, j) {
			j += n
		}
		return isHandleByte(at(s, j))
	}
	n := len(s)
	if n == 0 {
		return false
	}
	if isHandleByte(s[n-1]) {
		return true
	}
	if !joinMark(s[n-1]) {
		return false
	}
	j := n - 1
	for k := 0; j > 0 && k < 16; k++ {
		r, m := utf8.DecodeLastRuneInString(s[:j])
		if !invisible(r) {
			break
		}
		j -= m
	}
	return j > 0 && isHandleByte(s[j-1])
}

// joinMark reports whether c joins the parts of a handle, host or address.
func joinMark(c byte) bool { return c == '.' || c == '-' || c == '@' || c == '/' }

// hanSide reports whether a Chinese character, or a colon, stands on one
// side of an invisible character: Chinese is written without spaces, so
// one there only breaks a word for a filter ("微\u200b信：\u200bwx_hr520").
func hanSide(s string, after bool) bool {
	var r rune
	if after {
		r, _ = utf8.DecodeRuneInString(s)
	} else {
		r, _ = utf8.DecodeLastRuneInString(s)
	}
	return r >= 0x4E00 && r <= 0x9FFF || r == '：' || r == ':'
}

// keycap is the mark that makes a digit a keycap emoji ("7\uFE0F\u20E3"),
// and keycapFull the same with the emoji presentation selector before it.
const (
	keycap     = "\u20e3"
	keycapFull = "\ufe0f" + keycap
)

// keycapAt returns the length of a keycap's marks at s[i] (an optional
// U+FE0F, then U+20E3) after an ASCII digit, or 0.
func keycapAt(s string, i int) int {
	if i == 0 || !isDigit(s[i-1]) {
		return 0
	}
	if strings.HasPrefix(s[i:], keycap) {
		return len(keycap)
	}
	if strings.HasPrefix(s[i:], keycapFull) {
		return len(keycapFull)
	}
	return 0
}

// handleKeycaps reports whether the keycap digits ending at s[i] follow a
// handle's letters ("boss7️⃣7️⃣"), not a number written in keycaps.
func handleKeycaps(s string, i int) bool {
	// From the digit back over the keycaps before it; a handle has few
	// digits, so no walk back over a long run.
	j := i - 1
	for n := 0; j > 0 && n < 32; n++ {
		k := j
		switch {
		case strings.HasSuffix(s[:k], keycapFull):
			k -= len(keycapFull)
		case strings.HasSuffix(s[:k], keycap):
			k -= len(keycap)
		}
		if k == j || k == 0 || !isDigit(s[k-1]) {
			break
		}
		j = k - 1
	}
	return j > 0 && (isLetter(s[j-1]) || s[j-1] == '_')
}

// zeroWidthAt returns the length of the zero-width character at s[i], or 0.
func zeroWidthAt(s string, i int) int {
	if i >= len(s) || !invisibleLead[s[i]] || !mayBeInvisible(s, i) {
		// (mayBeInvisible turns down a Khmer or Thai character, which
		// shares its lead byte with invisible ones, without decoding it.)
		return 0
	}
	if r, n := utf8.DecodeRuneInString(s[i:]); invisible(r) {
		return n
	}
	return 0
}

// isHandleByte reports whether c is an ASCII letter, digit or underscore.
func isHandleByte(c byte) bool { return isAlnum(c) || c == '_' }

// view returns the text scanners look at and the maps back to text, the
// last applied last.
func view(text string) (string, []*spanMap) {
	return viewWith(text, new(leadStops))
}

// viewWith is view, with st as scratch for the lead scan.
func viewWith(text string, st *leadStops) (string, []*spanMap) {
	var maps []*spanMap
	t := text
	scanned := false
	var absent uint8   // the gated steps that have nothing to start at in t
	asciiSince := true // the steps that rewrote t since the scan wrote only ASCII
	for _, vs := range viewSteps {
		if vs.gate == gateCyrGreek && scanned && asciiSince && absent&gateCyrGreek != 0 {
			// The scanned text had no lead byte of foldConfusables' set
			// (any byte 0xCD…0xD6), and the steps since took bytes out
			// or wrote ASCII: t has none either, and the step would
			// return it as it is.
			continue
		}
		if g := vs.gate; g != 0 && len(maps) == 0 {
			// The text is the input yet (no step before rewrote it): one
			// scan finds what the gated steps' own scans would (st.scan).
			if !scanned {
				absent, scanned = st.scan(t), true
			}
			if absent&g != 0 && (g != gateInvisible || strings.Index(t, keycap) <= 0) {
				// Nothing this step starts at (nor, for dropZeroWidth, a
				// keycap after the first byte): it would return the
				// text as it is.
				continue
			}
		}
		var m *spanMap
		switch {
		case vs.gate == gateStyled && len(maps) == 0:
			l := st.styled
			t, m = foldStyledAt(t, &l)
		case vs.gate == gateAccent && len(maps) == 0:
			l := st.accent
			t, m = foldAccentsAt(t, &l)
		default:
			t, m = vs.step(t)
		}
		if m != nil {
			maps = append(maps, m)
			asciiSince = asciiSince && vs.ascii
		}
	}
	return t, maps
}

// leadStops holds what one scan of a text finds for the gated view steps:
// the offsets at which foldStyled's and foldAccents' scans would stop to
// look further (a lead byte of their set with a second byte they want).
// Each of the four steps scanned the whole text for its own lead bytes,
// and Thai and Khmer characters share theirs with the sets, so that each
// stopped at most characters of such text; one scan stops there once.
type leadStops struct {
	styled, accent stopList
}

// scan fills st for s and returns the gate bits of the steps that find
// nothing to start at in s: for dropZeroWidth no invisible character (what
// nextInvisible looks for; keycaps are looked for apart), for foldStyled
// and foldAccents no stop, for foldConfusables no lead byte of its set.
func (st *leadStops) scan(s string) uint8 {
	st.styled, st.accent = st.styled[:0], st.accent[:0]
	present := uint8(0)
	// gatedLeads holds every lead byte, with its second bytes, of the
	// four sets: the scan stops wherever one of the steps' would.
	for i := nextLeadIn(gatedLeads, s, 0); i < len(s); i = nextLeadIn(gatedLeads, s, i+1) {
		sets := gatedLast[s[i]] // the sets whose has(s, i) is true
		if i+1 < len(s) {
			sets = gatedSets[s[i]][s[i+1]&63]
		}
		if sets&gateInvisible != 0 && present&gateInvisible == 0 && mayBeInvisible(s, i) {
			if r, _ := utf8.DecodeRuneInString(s[i:]); invisible(r) {
				present |= gateInvisible
			}
		}
		if sets&gateStyled != 0 && styledSecond(s, i) {
			present |= gateStyled
			st.styled = append(st.styled, int32(i))
		}
		if sets&gateAccent != 0 && accentSecond(s, i) {
			present |= gateAccent
			st.accent = append(st.accent, int32(i))
		}
		present |= sets & gateCyrGreek
	}
	return gateAll &^ present
}

// gatedSets gives, for a lead byte and the low six bits of the byte after
// it, the gate bits of the four lead sets whose has is true there: one
// look-up for four at each of scan's stops. gatedLast is the same for a
// lead byte that ends the text.
var gatedSets, gatedLast = func() (t *[256][64]uint8, last *[256]uint8) {
	t, last = new([256][64]uint8), new([256]uint8)
	for _, g := range []struct {
		ls  *leadSet
		bit uint8
	}{{invisibleLeads, gateInvisible}, {styledLeads, gateStyled}, {accentLeads, gateAccent}, {cyrGreekLeads, gateCyrGreek}} {
		ls, bit := g.ls, g.bit
		for c := range ls {
			if ls[c] != 0 {
				last[c] |= bit
			}
			for b := range 64 {
				if ls[c]&(1<<b) != 0 {
					t[c][b] |= bit
				}
			}
		}
	}
	return t, last
}()

// A stopList is the offsets, in order, at which a step's scan would stop;
// next consumes it as the scan goes on.
type stopList []int32

// next returns the first offset of l at or after i, dropping those before;
// with none left, what nextLeadIn returns at the end of a text of n bytes.
func (l *stopList) next(i, n int) int {
	for len(*l) > 0 && int((*l)[0]) < i {
		*l = (*l)[1:]
	}
	if len(*l) == 0 {
		return max(i, n)
	}
	return int((*l)[0])
}

// The lead sets of the view steps that do nothing to a text without one
// of their lead bytes, as bits (viewSteps' gate).
const (
	gateInvisible = 1 << iota // dropZeroWidth (and a keycap, looked for apart)
	gateStyled                // foldStyled
	gateAccent                // foldAccents
	gateCyrGreek              // foldConfusables
	gateAll       = gateInvisible | gateStyled | gateAccent | gateCyrGreek
)

// gatedLeads is the union of the four lead sets.
var gatedLeads = func() *leadSet {
	var u leadSet
	for _, ls := range []*leadSet{invisibleLeads, styledLeads, accentLeads, cyrGreekLeads} {
		for c := range u {
			u[c] |= ls[c]
		}
	}
	return &u
}()

// wideLetterAt reports whether a full-width Latin letter (U+FF21…U+FF3A,
// U+FF41…U+FF5A) starts at s[i].
func wideLetterAt(s string, i int) bool {
	if i+2 >= len(s) || s[i] != 0xEF {
		return false
	}
	c1, c2 := s[i+1], s[i+2]
	return c1 == 0xBC && c2 >= 0xA1 && c2 <= 0xBA || c1 == 0xBD && c2 >= 0x81 && c2 <= 0x9A
}

// wideAlnumBefore reports whether a full-width Latin letter or digit
// (U+FF10…U+FF19) ends at s[i].
func wideAlnumBefore(s string, i int) bool {
	return i >= 3 && (wideLetterAt(s, i-3) || s[i-3] == 0xEF && s[i-2] == 0xBC && s[i-1] >= 0x90 && s[i-1] <= 0x99)
}

// foldWidth turns full-width ASCII (U+FF01..U+FF5E) into ASCII, the
// ideographic space into a space, and an ideographic full stop between ASCII
// letters or digits ("example。com") into a dot.
func foldWidth(s string) (string, *spanMap) {
	w := rewriter{src: s}
	nextEF, nextE3 := -1, -1 // next 0xEF and 0xE3 at or after i, found lazily
	for i := 0; i+2 < len(s); i++ {
		if nextEF < i {
			if nextEF = strings.IndexByte(s[i:], 0xEF); nextEF < 0 {
				nextEF = len(s)
			} else {
				nextEF += i
			}
		}
		if nextE3 < i {
			if nextE3 = strings.IndexByte(s[i:], 0xE3); nextE3 < 0 {
				nextE3 = len(s)
			} else {
				nextE3 += i
			}
		}
		if i = min(nextEF, nextE3); i+2 >= len(s) {
			break
		}
		switch s[i] {
		case 0xEF:
			c1, c2 := s[i+1], s[i+2]
			var r rune
			switch {
			case c1 == 0xBC && c2 >= 0x81 && c2 <= 0xBF:
				r = 0xFF00 + rune(c2-0x80)
			case c1 == 0xBD && c2 >= 0x80 && c2 <= 0x9E:
				r = 0xFF40 + rune(c2-0x80)
			default:
				continue
			}
			w.replaceUnit(i, i+3, asciiStrings[r-0xFEE0], 3)
			i += 2
		case 0xE3:
			if s[i+1] != 0x80 {
				continue
			}
			switch {
			case s[i+2] == 0x80:
				w.replaceUnit(i, i+3, " ", 3)
				i += 2
			case s[i+2] == 0x82 && (i > 0 && isAlnum(s[i-1]) || wideAlnumBefore(s, i)) && (isLetter(at(s, i+3)) || wideLetterAt(s, i+3)):
				// "gmail。com", "ｇｍａｉｌ。ｃｏｍ": IDNA (UTS #46) reads
				// the ideographic full stop as a host's dot.
				w.replace(i, i+3, ".")
				i += 2
			}
		}
	}
	return w.finish()
}

// asciiStrings holds each printable ASCII character as a string.
var asciiStrings = func() (t [128]string) {
	for c := 0x20; c < 0x7F; c++ {
		t[c] = string(rune(c))
	}
	return t
}()

// spacedTLDs are the top-level domains accepted after a spaced or spelled-out
// dot ("example . com", "example dot com"); ordinary words are left out.
var spacedTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "info": true, "xyz": true, "top": true, "vip": true,
	"cc": true, "io": true, "biz": true, "asia": true, "shop": true, "site": true, "online": true,
	"club": true, "app": true, "icu": true, "kh": true, "cn": true, "vn": true, "th": true,
	"la": true, "mm": true, "ph": true, "tk": true, "ml": true, "cf": true, "gq": true,
}

// deobfuscate undoes the usual ways of hiding URLs and e-mail addresses.
func deobfuscate(s string) (string, *spanMap) {
	w := rewriter{src: s}
	for i := 0; i < len(s); i++ {
		for i < len(s) && !deobfuscateStarts[s[i]] { // no case below is there
			if s[i] >= utf8.RuneSelf {
				i = pastNonASCII(s, i) // nor at any byte that is not ASCII
				continue
			}
			i++
		}
		if i == len(s) {
			break
		}
		if deobNothing(s, i) {
			continue
		}
		switch c := s[i]; c {
		case '#':
			// "hrteam.kh#outlook.com": '#' for '@' before a mail host.
			if i > 0 && isAlnum(s[i-1]) && mailHostAt(s, i+1) {
				w.replace(i, i+1, "@")
			}
		case 'v', 'V':
			// "vvv.sea-career-link.com": v's for the w's of www.
			if i >= w.copied && (i == 0 || !isAlnum(s[i-1])) && hasPrefixFoldASCII(s[i:], "vvv.") && isAlnum(at(s, i+4)) {
				w.replace(i, i+3, "www")
				i += 2
			}
		case '*':
			// "jobthai-overseas*com": a star for the dot before a
			// top-level domain, glued to both.
			if i >= w.copied && i > 1 && isAlnum(s[i-1]) && isLetter(at(s, i+1)) && spacedTLDAt(s, i+1) && !isAlnum(at(s, tldEnd(s, i+1))) {
				w.replace(i, i+1, ".")
				continue
			}
			if end, repl := bracketed(s, i); end > 0 && (repl == "@" || repl == ".") {
				ss, se := i, end
				for ss > w.copied && s[ss-1] == ' ' {
					ss--
				}
				for se < len(s) && s[se] == ' ' {
					se++
				}
				w.replace(ss, se, repl)
				i = se - 1
			}
		case '[', '(', '{', '<':
			if e := splitLabelEnd(s, i); e > i && i >= w.copied {
				w.replace(i, e, "") // "加微[防和谐]信": a note set inside a label
				i = e - 1
				continue
			}
			if end, repl := bracketed(s, i); end > 0 {
				ss, se := i, end
				if repl == "." || repl == "@" {
					for ss > w.copied && s[ss-1] == ' ' {
						ss--
					}
					for se < len(s) && s[se] == ' ' {
						se++
					}
				}
				if repl == "@" {
					// "hr (at) NOSPAM gmail (dot) com": the word to remove.
					if hasPrefixFoldASCII(s[se:], "nospam") && at(s, se+6) == ' ' {
						for se += 6; at(s, se) == ' '; se++ {
						}
					}
					// "recruit dot nexus (at) gmail dot com": dot-words
					// and spaced dots in the local part too.
					ls := ss
					for ls > w.copied && isIDByte(s[ls-1]) && s[ls-1] != '.' {
						ls--
					}
					if local, from := localDots(s, ls, w.copied); from < ls && ls < ss {
						ss, repl = from, local+s[ls:ss]+"@"
					}
				}
				w.replace(ss, se, repl)
				i = se - 1
				if repl == "." && spacedTLDAt(s, se) {
					// "asia-dream-jobs [dot] com / apply": the page too.
					i = pageSlash(&w, s, se, i)
				}
			}
		case 'h', 'H':
			if e, scheme := spacedSchemeAt(s, i); e > i && i >= w.copied {
				w.replace(i, e, scheme) // "https :// host . site /page"
				i = e - 1
				continue
			}
			if i+4 <= len(s) && (i == 0 || !isLetter(s[i-1])) &&
				s[i+1]|0x20 == 'x' && s[i+2]|0x20 == 'x' && s[i+3]|0x20 == 'p' {
				n := at(s, i+4)
				if n == 's' || n == 'S' {
					n = at(s, i+5)
				}
				if n == ':' || n == '[' || n == '(' {
					w.replace(i, i+4, "http")
					i += 3
				}
			}
		case '\\':
			// Escapes copied from markdown or JSON: "@lowker\_kamboja",
			// "https:\/\/host\/page", "khmer-work\.asia", "hr\@jobs.com".
			if c := at(s, i+1); i >= w.copied && i > 0 && ((c == '_' || c == '.' || c == '-' || c == '@') && isHandleByte(s[i-1]) && isHandleByte(at(s, i+2)) ||
				at(s, i+1) == '/' && (isAlnum(s[i-1]) || s[i-1] == ':' || s[i-1] == '/')) {
				w.replace(i, i+1, "")
			}
		case '$':
			// "@$urya_rekrut": a dollar sign for the s of a handle (no
			// handle has one); "US$100" stays, a digit follows it there.
			if i > 0 && i >= w.copied && (s[i-1] == '@' || isHandleByte(s[i-1]) && handleRunBack(s, i)) && isLetter(at(s, i+1)) {
				w.replace(i, i+1, "s")
			}
		case '%':
			// A letter, digit or '-', '.', '_', '~' percent-encoded in a
			// link's path ("t.me/%6Ba%6Fjob_hr"): RFC 3986 says such
			// octets are the same as the character.
			if i >= w.copied && i > 0 && (isIDByte(s[i-1]) || s[i-1] == '/' || s[i-1] == '~') {
				if c, ok := unreservedEscape(s, i); ok {
					w.replace(i, i+3, asciiStrings[c])
					i += 2
				}
			}
		case '/':
			// "instagram.com/ khun.beauty.job": spaces after a host's slash.
			if i >= w.copied && at(s, i+1) == ' ' && hostBefore(s, i) {
				e := i + 1
				for e < len(s) && e-i <= 3 && s[e] == ' ' {
					e++
				}
				if isHandleByte(at(s, e)) {
					w.replace(i, e, "/")
					i = e - 1
				}
			}
		case ':':
			// "薇：152★8843★6610": WeChat's name cut to one character
			// (微, or 薇 or 威 that sound like it) before a colon.
			if i >= 3 && i-3 >= w.copied && wechatChar(s[i-3:i]) && (i == 3 || !isHanRune(lastRune(s[:i-3]))) {
				j := i + 1
				for j < len(s) && s[j] == ' ' {
					j++
				}
				if isAlnum(at(s, j)) || at(s, j) == '+' {
					w.replace(i-3, i, "微信")
				}
			}
		case ',', ';':
			// A comma or semicolon for the dot of a host: "www,seajobhub,net/form",
			// "kh-remote-work ; c o m", "facebook,com/page".
			if i == 0 {
				continue
			}
			if b, e, repl := commaDot(s, i); e > i && b >= w.copied {
				w.replace(b, e, repl)
				i = e - 1
				if tl := len(repl) - 1; tl > 0 && !strings.Contains(s[e-tl:e], " ") {
					i = pageSlash(&w, s, e-tl, i) // "kerja-kamboja ; net / daftar": the page too
				}
			}
		case ' ', '.':
			if i == 0 || !isAlnum(s[i-1]) || i < w.copied {
				continue
			}
			if c == ' ' && at(s, i+1)|0x20 == 'c' && platformNoDot(s, i) { // "com/" follows
				w.replace(i, i+1, ".") // "facebook com/groups/…": the dot left out
				continue
			}
			if c == ' ' && isDigit(s[i-1]) {
				// "090 chấm 318 chấm 4462": a number's groups apart by a
				// dot written as a word.
				if seps := dottedDigits(s, i); seps != nil {
					for _, sp := range seps {
						w.replace(sp[0], sp[1], ".")
					}
					i = seps[len(seps)-1][1] - 1
					continue
				}
			}
			if c == '.' && hasPrefixFoldASCII(s[i+1:], "c0m") && !isAlnum(at(s, i+4)) {
				w.replace(i+1, i+4, "com") // "kh-jobcenter.c0m/apply": a zero for the o
				i += 3
				continue
			}
			shortLink := false
			if i < 2 || !isAlnum(s[i-2]) && s[i-2] != '-' {
				// One letter before a spaced dot is a word ("a dot com
				// website"), except the t of "t dot me", and the s of the
				// link shortener s.id when a path follows (below).
				if shortLink = s[i-1]|0x20 == 's'; !shortLink && s[i-1]|0x20 != 't' {
					continue
				}
			}
			if c == '.' && abbreviationBefore(s, i) {
				continue // "Tracking no. PH 9174…", "Tel. TH …": an abbreviation's dot
			}
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			switch {
			case j < len(s) && s[j] == '.' && (j > i || at(s, j+1) == ' '):
				j++
			case j > i && j+3 < len(s) && (s[j:j+3] == "dot" || s[j:j+3] == "DOT") && s[j+3] == ' ':
				j += 3
			default:
				// A dot written in another language: "t จุด me/…", "t ដត me / …".
				_, e, ok := wordAt(s, i, dotWords)
				if !ok || e == i {
					continue
				}
				j = e
			}
			k := j
			for k < len(s) && s[k] == ' ' {
				k++
			}
			if shortLink && !shortLinkPathAt(s, k) {
				continue
			}
			me := spacedMeAt(s, i, k)
			if me == 0 && !shortLink && !spacedTLDAt(s, k) {
				continue
			}
			if me == k+3 {
				w.replace(i, me, "."+s[k:k+1]+s[k+2:k+3]) // "t . m e / name"
				i = me - 1
			} else {
				w.replace(i, k, ".")
				i = k - 1
			}
			if me > 0 {
				if e, slash := slashAfter(s, me); e > me+1 {
					// "t . me / name", "t dot me slash name": the slash
					// alone; "line . me / ti / p / ~name": the path's.
					w.replace(me, e, slash)
					i = pathSegments(&w, s, e) - 1
				}
			} else {
				// "facebook . com / page": so the page too.
				i = pageSlash(&w, s, k, i)
			}
		}
	}
	return w.finish()
}

// deobNothing reports cheaply that none of deobfuscate's cases applies at
// s[i], for the bytes it meets most: a space or a dot after no letter or
// digit; a dot before neither a space nor "c0m"; a space after a letter
// (not a digit, whose dots may be words) before a byte that is neither a
// space, a dot, the c of "com/" nor the first byte of a dot-word; an 'h'
// after a letter (a scheme is written after none) and a 'v' after a
// letter or digit ("vvv." after neither).
func deobNothing(s string, i int) bool {
	switch c := s[i]; c {
	case ' ', '.':
		if i == 0 || !isAlnum(s[i-1]) {
			return true
		}
		n := at(s, i+1)
		if c == '.' {
			return n != ' ' && n|0x20 != 'c'
		}
		return !isDigit(s[i-1]) && n != ' ' && n != '.' && n|0x20 != 'c' && dotWords.pairs.row[n] == 0
	case 'h', 'H':
		return i > 0 && isLetter(s[i-1])
	case 'v', 'V':
		return i > 0 && isAlnum(s[i-1])
	}
	return false
}

// splitLabelEnd returns the end of a short note in brackets set inside a
// messaging label written in Chinese characters ("加微[防和谐]信", the note
// saying it dodges the filter), or i: the characters on its two sides,
// joined, must spell a label.
func splitLabelEnd(s string, i int) int {
	closer := closerOf(s[i])
	if closer != ']' && closer != ')' {
		return i
	}
	if i < 3 || !isHanRune(lastRune(s[:i])) {
		return i
	}
	j := strings.IndexByte(s[i+1:min(len(s), i+1+24)], closer)
	if j < 0 {
		return i
	}
	j += i + 1
	if strings.IndexByte(s[i+1:j], '\n') >= 0 || !isHanRune(firstRune(s, j+1)) {
		return i
	}
	for b := i - 3; b >= 0 && i-b <= 9 && isHanRune(firstRune(s, b)); b -= 3 {
		for e := j + 4; e <= len(s) && e-j-1 <= 9 && isHanRune(lastRune(s[:e])); e += 3 {
			if labelWord(s[b:i] + s[j+1:e]) {
				return j + 1
			}
		}
	}
	return i
}

// wechatChar reports whether c is one character that stands for WeChat
// as a label: 微, or 薇 or 威, which sound like it.
func wechatChar(c string) bool { return c == "微" || c == "薇" || c == "威" }

// lastRune returns the last rune of s, or utf8.RuneError when s is empty.
func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// abbreviations are words written with a dot after them that a country's
// two letters may follow in prose ("no. PH 9174 …").
var abbreviations = map[string]bool{"no": true, "tel": true, "mr": true, "mrs": true, "ms": true, "dr": true, "st": true, "jl": true, "rd": true, "vs": true, "etc": true}

// abbreviationBefore reports whether the word that ends at s[i] is one of
// abbreviations.
func abbreviationBefore(s string, i int) bool {
	b := i
	for b > 0 && i-b <= 3 && isLetter(s[b-1]) {
		b--
	}
	if b == i || b > 0 && isIDByte(s[b-1]) {
		return false
	}
	var key [4]byte // the word lower-cased, on the stack (up to four letters)
	n := copy(key[:], s[b:i])
	for k := range n {
		key[k] |= 0x20
	}
	return abbreviations[string(key[:n])]
}

// noDotPlatforms are the social networks whose host is written with its
// dot left out before a path ("facebook com/groups/…").
var noDotPlatforms = [...]string{"facebook", "fb", "instagram", "tiktok", "youtube", "twitter"}

// platformNoDot reports whether the space at s[i] stands for the dot of a
// social network's host: one of noDotPlatforms (a word) before it, "com/"
// and a path after it.
func platformNoDot(s string, i int) bool {
	if !hasPrefixFoldASCII(s[i+1:], "com/") || !isIDByte(at(s, i+5)) {
		return false
	}
	b := i
	for b > 0 && i-b <= 9 && isLetter(s[b-1]) {
		b--
	}
	if b > 0 && (isIDByte(s[b-1]) || s[b-1] == '/') {
		return false
	}
	w := lowerASCII(s[b:i])
	for _, p := range noDotPlatforms {
		if w == p {
			return true
		}
	}
	return false
}

// dottedDigits reads the groups of a number apart by a dot written as a
// word with spaces around it ("090 chấm 318 chấm 4462", "0812 titik 3456
// titik 7890"), the space at s[i] ending the first group, and returns the
// spans to write as '.': nil unless the groups could be a phone number's
// (2–5 digits each, 9–15 together; a time's "3 点 30" is not).
func dottedDigits(s string, i int) [][2]int {
	b := i
	for b > 0 && isDigit(s[b-1]) {
		b--
	}
	n := i - b
	if n < 2 || n > 5 || b > 0 && (isAlnum(s[b-1]) || s[b-1] == '.' || s[b-1] == '_') {
		return nil
	}
	var seps [][2]int
	for p := i; at(s, p) == ' ' && len(seps) < 6; {
		j := p + 1
		e := dotWordAt(s, j)
		if e == j || at(s, e) != ' ' {
			break
		}
		g := e + 1
		q := g
		for q < len(s) && isDigit(s[q]) {
			q++
		}
		if q-g < 2 || q-g > 5 {
			break
		}
		seps = append(seps, [2]int{p, g})
		n += q - g
		p = q
	}
	if len(seps) == 0 || n < 9 || n > 15 {
		return nil
	}
	last := seps[len(seps)-1][1]
	for last < len(s) && isDigit(s[last]) {
		last++
	}
	if isAlnum(at(s, last)) {
		return nil
	}
	return seps
}

// commaTLDs are the top-level domains a comma or semicolon may stand before
// as a dot (commaDot): no two-letter ones, which follow commas in prose
// ("Vientiane, LA").
var commaTLDs = map[string]bool{"com": true, "net": true, "org": true, "vip": true, "xyz": true, "top": true, "info": true,
	"online": true, "site": true, "shop": true, "club": true, "asia": true, "biz": true}

// commaDot reads a comma or semicolon at s[i] that stands for the dot of a
// host: right after "www" before a label, or between a label and a
// top-level domain of commaTLDs (its letters maybe set apart by single
// spaces, "c o m") that ends the host. The label before the top-level
// domain must look like a host's — a digit or hyphen in it, "www" before
// it, or a path after the domain — so that a comma in prose stays. It
// returns what to replace, s[b:e], and by what; e is i when there is none.
func commaDot(s string, i int) (b, e int, repl string) {
	b = i
	for b > 0 && s[b-1] == ' ' {
		b--
	}
	ls := b
	for ls > 0 && (isAlnum(s[ls-1]) || s[ls-1] == '-') {
		ls--
	}
	if ls == b || !isAlnum(s[b-1]) || letterBefore(s, ls) {
		return i, i, ""
	}
	label := s[ls:b] // letters, digits and '-': ASCII
	if b-ls == 3 && hasPrefixFoldASCII(label, "www") && b == i && isAlnum(at(s, i+1)) {
		return i, i + 1, "." // "www,seajobhub,net"
	}
	k := i + 1
	for k < len(s) && s[k] == ' ' {
		k++
	}
	var tldBytes [6]byte // on the stack: string(tld) copies it
	tld := tldBytes[:0]
	e = k
	spaced := false
	for e < len(s) && isLetter(s[e]) && len(tld) < 6 {
		tld = append(tld, s[e]|0x20)
		e++
		if at(s, e) == ' ' && isLetter(at(s, e+1)) && !isLetter(at(s, e+2)) && (e-k) == 2*len(tld)-1 && !isLetter(at(s, k+1)) {
			e++ // "c o m": single letters set apart
			spaced = true
		}
	}
	if !commaTLDs[string(tld)] || isAlnum(at(s, e)) || strings.IndexFunc(label, isASCIILetterRune) < 0 {
		return i, i, ""
	}
	www := ls >= 4 && strings.IndexByte(",;.", s[ls-1]) >= 0 && hasPrefixFoldASCII(s[ls-4:], "www")
	path := at(s, e) == '/' || at(s, e) == ' ' && at(s, e+1) == '/'
	hostish := strings.ContainsAny(label, "-0123456789")
	if b < i || k > i+1 {
		// Spaces around it, as in prose ("report-2024, net loss"): only
		// with "www", a path or a top-level domain in letters set apart.
		hostish = spaced
	}
	if !www && !path && !hostish {
		return i, i, ""
	}
	return b, e, "." + string(tld)
}

// isASCIILetterRune reports whether r is an ASCII letter.
func isASCIILetterRune(r rune) bool { return r < utf8.RuneSelf && isLetter(byte(r)) }

// pageSlash rewrites a slash written with spaces or as a word after the
// top-level domain at s[k] ("com / apply") into "/", and returns where
// deobfuscate goes on: the slash's end less one, or i when there is none.
func pageSlash(w *rewriter, s string, k, i int) int {
	te := tldEnd(s, k)
	if at(s, te) == '/' && at(s, te+1) != ' ' {
		return i // already plain ("com/apply"); "com/ apply" goes on
	}
	e, slash := slashAfter(s, te)
	if e == te {
		return i
	}
	w.replace(te, e, slash)
	return pathSegments(w, s, e) - 1
}

// pathSegments rewrites the slashes written apart between the next
// segments of a path that starts at s[e] ("facebook . com / groups /
// lokerkamboja", "line . me / ti / p / ~name"), and returns where the last
// segment starts.
func pathSegments(w *rewriter, s string, e int) int {
	for n := 0; n < 4; n++ {
		p := e
		for p < len(s) && (isIDByte(s[p]) || s[p] == '~') {
			p++
		}
		if p == e || at(s, p) != ' ' {
			break
		}
		q, slash := slashAfter(s, p)
		if q == p || slash != "/" && slash != "/@" {
			break
		}
		w.replace(p, q, slash)
		e = q
	}
	return e
}

// splitMailHosts are mail services' hosts written as two words, and how
// they are written as one.
var splitMailHosts = [...][2]string{{"g mail", "gmail"}, {"g-mail", "gmail"}, {"hot mail", "hotmail"}, {"ya hoo", "yahoo"}, {"out look", "outlook"}, {"i cloud", "icloud"}}

// joinMailHosts writes a mail service's host cut in two after an at sign
// as one word ("kyaw.agent @ g mail . com"), when a dot, written or spaced,
// follows it.
func joinMailHosts(s string) (string, *spanMap) {
	i := strings.IndexByte(s, '@')
	if i < 0 {
		return s, nil
	}
	var w *rewriter
	for i >= 0 {
		j := i + 1
		for j < len(s) && j-i <= 3 && s[j] == ' ' {
			j++
		}
		for _, h := range splitMailHosts {
			e := j + len(h[0])
			if !hasPrefixFoldASCII(s[j:], h[0]) || isAlnum(at(s, e)) {
				continue
			}
			d := e
			for d < len(s) && d-e <= 2 && s[d] == ' ' {
				d++
			}
			if at(s, d) == '.' || d > e && hasPrefixFoldASCII(s[d:], "dot ") {
				if w == nil {
					w = &rewriter{src: s}
				}
				w.replace(j, e, h[1])
			}
			break
		}
		next := strings.IndexByte(s[i+1:], '@')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	if w == nil {
		return s, nil
	}
	return w.finish()
}

// mailHosts are the hosts of the mail services recruiters use most.
var mailHosts = [...]string{"gmail.", "yahoo.", "outlook.", "hotmail.", "qq.", "163.", "126.", "icloud.", "proton.", "protonmail.", "mail.ru",
	"foxmail.", "yandex.", "aol.", "live.", "msn.", "sina.", "sohu.", "gmx.", "zoho.", "naver."}

// mailHostAt reports whether one of mailHosts starts at s[i].
func mailHostAt(s string, i int) bool {
	for _, h := range mailHosts {
		if hasPrefixFoldASCII(s[i:], h) {
			return true
		}
	}
	return false
}

// deobfuscateStarts marks the bytes deobfuscate looks at.
var deobfuscateStarts = [256]bool{':': true, '#': true, '[': true, '(': true, '{': true, '<': true, '*': true, 'v': true, 'V': true, 'h': true, 'H': true, ' ': true, '.': true, '\\': true, ',': true, ';': true, '%': true, '/': true, '$': true}

// spacedSchemeAt returns the end of "http://" or "https://" written with
// spaces inside its "://" at s[i] ("https :// ", "http: //"), and the
// scheme written plainly; or i when there is none.
func spacedSchemeAt(s string, i int) (int, string) {
	if i > 0 && isLetter(s[i-1]) || !hasPrefixFoldASCII(s[i:], "http") {
		return i, ""
	}
	scheme, j := "http://", i+4
	if c := at(s, j); c == 's' || c == 'S' {
		scheme, j = "https://", j+1
	}
	spaced := false
	for _, want := range []byte{':', '/', '/'} {
		for k := 0; at(s, j) == ' ' && k < 3; k++ {
			j++
			spaced = true
		}
		if at(s, j) != want {
			return i, ""
		}
		j++
	}
	for k := 0; at(s, j) == ' ' && k < 3; k++ {
		j++ // "https:// host": a space after the slashes only
		spaced = true
	}
	if !spaced || !isAlnum(at(s, j)) {
		return i, ""
	}
	return j, scheme
}

// handleRunBack reports whether the letters, digits and underscores that
// end at s[i] follow an '@' (at most 32 of them): "@ma$ter_hr".
func handleRunBack(s string, i int) bool {
	b := i
	for b > 0 && i-b < 32 && isHandleByte(s[b-1]) {
		b--
	}
	return b > 0 && s[b-1] == '@'
}

// unreservedEscape reads "%XX" at s[i] and returns the byte when it is an
// unreserved character of RFC 3986 (a letter, a digit, '-', '.', '_', '~').
func unreservedEscape(s string, i int) (byte, bool) {
	if i+2 >= len(s) {
		return 0, false
	}
	h, l := hexVal(s[i+1]), hexVal(s[i+2])
	if h < 0 || l < 0 {
		return 0, false
	}
	c := byte(h<<4 | l)
	return c, isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

// hexVal is the value of a hexadecimal digit, or -1.
func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// hostBefore reports whether a host with a known top-level domain ends at
// s[i] ("instagram.com" before "/ name").
func hostBefore(s string, i int) bool {
	b := i
	for b > 0 && i-b <= 6 && isLetter(s[b-1]) {
		b--
	}
	return b < i && b > 1 && s[b-1] == '.' && isAlnum(s[b-2]) && spacedTLDs[lowerASCII(s[b:i])]
}

// tldEnd returns the end of the letters at s[k].
func tldEnd(s string, k int) int {
	for k < len(s) && isLetter(s[k]) {
		k++
	}
	return k
}

// spacedTLDAt reports whether s[k:] starts with a label in spacedTLDs, all
// lower or all upper case, that ends a word.
func spacedTLDAt(s string, k int) bool {
	e := k
	for e < len(s) && isLetter(s[e]) {
		e++
	}
	if e-k < 2 || e-k > 6 || isAlnum(at(s, e)) || at(s, e) == '_' {
		return false
	}
	// All in lower case or all in upper case; looked up in lower case, on
	// the stack (what lowerASCII and upperASCII would allocate for).
	var key [6]byte
	lower, upper := false, false
	for j := k; j < e; j++ {
		c := s[j]
		lower = lower || c >= 'a'
		upper = upper || c < 'a'
		key[j-k] = c | 0x20
	}
	if lower && upper {
		return false
	}
	return spacedTLDs[string(key[:e-k])]
}

// shortLinkPathAt reports whether "id" (or "ID", not "Id": a sentence's
// start) and a slash (spaced or a word) with a path after it start s[k:]:
// after "s" and a spaced dot, the link shortener s.id ("s . id /
// lokerkh"). Without the path, "s . id" may be a sentence's end and the
// next one's start.
func shortLinkPathAt(s string, k int) bool {
	if !strings.HasPrefix(s[k:], "id") && !strings.HasPrefix(s[k:], "ID") || isAlnum(at(s, k+2)) || at(s, k+2) == '_' {
		return false
	}
	e, _ := slashAfter(s, k+2)
	return e > k+2
}

// spacedMeAt returns the end of "me" when a spaced or spelled-out dot
// between s[:i] and s[k:] joins "t", "wa" or "line" to "me/" ("t dot
// me/name", "wa . me/855…", "line . me / ti / p / ~name"), its letters
// apart too ("t . m e / name"); else 0.
func spacedMeAt(s string, i, k int) int {
	me := k + 2
	if k+3 > len(s) || !hasPrefixFoldASCII(s[k:], "me") {
		if k+4 > len(s) || s[k]|0x20 != 'm' || s[k+1] != ' ' || s[k+2]|0x20 != 'e' {
			return 0
		}
		me = k + 3 // "m e"
	}
	if e, _ := slashAfter(s, me); s[me] != '/' && e == me {
		return 0
	}
	p := i
	for p > 0 && isLetter(s[p-1]) {
		p--
	}
	if p > 0 && (isAlnum(s[p-1]) || s[p-1] == '_' || s[p-1] == '.' || s[p-1] == '/') {
		return 0
	}
	w := s[p:i] // letters: compared without case, not lower-cased (which allocates)
	if len(w) == 1 && w[0]|0x20 == 't' || len(w) == 2 && hasPrefixFoldASCII(w, "wa") || len(w) == 4 && hasPrefixFoldASCII(w, "line") {
		return me
	}
	return 0
}

// slashWords are "/" written as a word ("t dot me slash name", "wa titik
// me garis miring 62…", "t chấm me gạch chéo name"), spaces around.
var slashWords = [...]string{"slash", "garis miring", "gạch chéo", "ทับ", "สแลช", "xẹt"}

// slashAfter reads a slash written with spaces or as a word at s[i],
// after "t.me" or a domain whose dot was written out ("me / name", "me
// slash name", "me/ +invite", "me / + invite", "com / page"), and returns
// its end and what stands for it ("/", or "/+" for an invitation), or i
// and "" when there is none.
func slashAfter(s string, i int) (int, string) {
	e := i
	for e < len(s) && s[e] == ' ' {
		e++
	}
	switch {
	case at(s, e) == '/':
		e++
	case e > i && wordAfter(s, e, slashWords[:]) > e:
		e = wordAfter(s, e, slashWords[:])
	default:
		return i, ""
	}
	for e < len(s) && s[e] == ' ' {
		e++
	}
	if c := at(s, e); c == '+' || c == '@' {
		// "t.me / + invite", "tiktok . com / @ name"
		p := e + 1
		for p < len(s) && s[p] == ' ' {
			p++
		}
		if isAlnum(at(s, p)) {
			return p, "/" + string(c)
		}
	}
	if e < len(s) && (isAlnum(s[e]) || s[e] == '_' || s[e] == '~' && isIDByte(at(s, e+1))) {
		return e, "/"
	}
	return i, ""
}

// wordAfter returns the end of one of words (lower case) at s[e] when a
// space follows it, or e.
func wordAfter(s string, e int, words []string) int {
	for _, w := range words {
		if hasPrefixFoldASCII(s[e:], w) && at(s, e+len(w)) == ' ' {
			return e + len(w)
		}
	}
	return e
}

// closerOf returns the bracket that closes c ('[', '(', '{' or '<'), or 0.
func closerOf(c byte) byte {
	switch c {
	case '[':
		return ']'
	case '(':
		return ')'
	case '{':
		return '}'
	case '<':
		return '>'
	}
	return 0
}

// bracketed recognises "[.]", "(dot)", "{at}", "[:]", "[://]", "[/]" and
// the like at s[i] and returns the end of the bracket and its meaning.
func bracketed(s string, i int) (end int, repl string) {
	closer := closerOf(s[i])
	if s[i] == '*' {
		// "info *at* khmer-bright *dot* com": markdown's emphasis as
		// brackets, only around a word with spaces outside.
		if i == 0 || s[i-1] != ' ' {
			return 0, ""
		}
		closer = '*'
	}
	// Doubled brackets, as templates write them: "ops.team{{at}}angkorhr".
	w := 1
	if closer != '*' && at(s, i+1) == s[i] {
		w = 2
	}
	j := i + w
	for j < len(s) && j-i <= 24 && s[j] != closer { // "(underscore)", "(ขีดล่าง)"
		j++
	}
	if j >= len(s) || s[j] != closer || closer == '*' && at(s, j+1) != ' ' || w == 2 && at(s, j+1) != closer {
		return 0, ""
	}
	inner := s[i+w : j]
	for len(inner) > 0 && inner[0] == ' ' {
		inner = inner[1:]
	}
	for len(inner) > 0 && inner[len(inner)-1] == ' ' {
		inner = inner[:len(inner)-1]
	}
	switch lowerASCII(inner) {
	case ".", "dot", "d0t", "titik", "点", "點", "ដត", "ចុច", "จุด", "ดอท", "chấm", "cham", "•":
		repl = "."
	case "@", "at", "et":
		repl = "@"
	case "a":
		// "tuyen.dung.vn(a)outlook[.]com": only set close between two
		// words, so a list's "(a)" stays.
		if i == 0 || !isHandleByte(s[i-1]) || !isAlnum(at(s, j+1)) {
			return 0, ""
		}
		repl = "@"
	case "_", "underscore", "gạch dưới", "ขีดล่าง", "garis bawah", "下划线", "下劃線":
		// "mr (underscore) kevin", "somchai(ขีดล่าง)work"
		repl = "_"
	case ":", "://", "/":
		if i > 0 && isLetter(s[i-1]) {
			return j + w, inner
		}
		return 0, ""
	default:
		return 0, ""
	}
	// A dot or at sign must join two words: "example[.]com", "me (at) x".
	p := i - 1
	for p >= 0 && s[p] == ' ' {
		p--
	}
	n := j + w
	for n < len(s) && s[n] == ' ' {
		n++
	}
	if p < 0 || n >= len(s) || !(isAlnum(s[p]) || s[p] == '_' || s[p] == '-') || !isAlnum(s[n]) {
		return 0, ""
	}
	return j + w, repl
}

// A leadSet holds the beginnings of the multi-byte characters a view
// step looks for: for each lead byte, a bit for the low six bits of each
// second byte that may follow it (none for a lead byte it does not want).
// Two bytes tell a character's block: the Khmer, Thai or Chinese
// characters that share their lead byte with those the step wants mostly
// differ in the second.
type leadSet [256]uint64

// newLeadSet returns the set of the lead bytes in lead, each with the
// second bytes for which second(c0, c1) may be true; second may be true
// for more than the step wants (the step looks again), never for less.
func newLeadSet(lead *[256]bool, second func(c0, c1 byte) bool) *leadSet {
	var ls leadSet
	for c0 := 0xC0; c0 < 0x100; c0++ {
		if !lead[c0] {
			continue
		}
		for c1 := 0x80; c1 < 0xC0; c1++ {
			if second(byte(c0), byte(c1)) {
				ls[c0] |= 1 << (c1 & 63)
			}
		}
	}
	for c0 := range 0xC0 {
		if lead[c0] {
			panic("extract: a leadSet's byte leads no sequence")
		}
	}
	return &ls
}

// anySecond is newLeadSet's second for a step that wants every
// character of its lead bytes.
func anySecond(c0, c1 byte) bool { return true }

// has reports whether ls may want the character whose lead byte is
// s[i]: its second byte is one ls holds, or there is none (so that the
// step itself looks at a sequence cut short). A second byte that is no
// continuation byte may pass too; the step reads no character there.
func (ls *leadSet) has(s string, i int) bool {
	m := ls[s[i]]
	return m != 0 && (i+1 >= len(s) || m&(1<<(s[i+1]&63)) != 0)
}

// nextLeadIn returns the index of the first lead byte (0xC0 or above)
// at or after i that set may want, or len(s). It reads eight bytes at a
// time, so that steps looking for rare non-ASCII characters pass over
// ASCII text and continuation bytes quickly, and it looks up each lead
// byte among them in set without leaving the loop: Thai, Khmer and
// Chinese text has a lead byte every three bytes, few of which those
// steps want.
func nextLeadIn(set *leadSet, s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		// The top bit of byte k of m is set when bits 7 and 6 of byte k
		// of v are (a lead byte): bit 6 moves up to bit 7, bit 7 up into
		// the next byte.
		for m := v & (v << 1) & 0x8080808080808080; m != 0; m &= m - 1 {
			if k := bits.TrailingZeros64(m) / 8; set.has(s, i+k) {
				return i + k
			}
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0xC0 && set.has(s, i) {
			return i
		}
	}
	return i
}
