package screen

import "strings"

// Thai romanisation.
//
// CLDR's Thai-Latin transform (common/transforms/Thai-Latin.xml) runs
// Thai-ThaiSemi, Thai-ThaiLogical (which moves the leading vowels เ แ โ ใ ไ
// after the consonant they are pronounced after) and ThaiLogical-Latin, an
// ISO 11940 transliteration that keeps every letter distinct with
// diacritics (ข → k̄h, ค → kh, ศ → ṣ̄) and writes no implicit vowels. Names
// reach us in the Royal Thai General System instead (ณัฐ → Nat, สมชาย →
// Somchai), so we kept CLDR's consonant and vowel inventory and its
// logical-order step, and simplified as follows:
//   - consonants take their RTGS value, which differs at the start and the
//     end of a syllable (จ ch/t, ร r/n, ล l/n, ญ y/n, ย y/i, ว w/o); ISO's
//     diacritics that only tell letters apart are dropped;
//   - tone marks, the thanthakhat-silenced letters (ทร์, ดิ์) and the
//     repetition mark are dropped;
//   - the implicit vowel, which CLDR leaves out because it "cannot be
//     predicted algorithmically", is guessed: "o" in a closed syllable (คน →
//     khon), "a" in an open one (ทหาร → thahan);
//   - a consonant after a vowel closes the syllable unless a vowel follows
//     it; a consonant followed by a word-final consonant opens a syllable
//     (บรรจง → banchong); a word-final ร after a final is silent (ชินวัตร →
//     chinwat);
//   - ห before a sonorant and อ before ย are silent; ก ข ค ต ป ผ พ before
//     ร ล ว (followed by a vowel) form a cluster (ประ → pra); รร reads "an".

type thCons struct{ initial, final string }

var thConsonants = map[rune]thCons{
	'ก': {"k", "k"}, 'ข': {"kh", "k"}, 'ฃ': {"kh", "k"}, 'ค': {"kh", "k"}, 'ฅ': {"kh", "k"},
	'ฆ': {"kh", "k"}, 'ง': {"ng", "ng"}, 'จ': {"ch", "t"}, 'ฉ': {"ch", "t"}, 'ช': {"ch", "t"},
	'ซ': {"s", "t"}, 'ฌ': {"ch", "t"}, 'ญ': {"y", "n"}, 'ฎ': {"d", "t"}, 'ฏ': {"t", "t"},
	'ฐ': {"th", "t"}, 'ฑ': {"th", "t"}, 'ฒ': {"th", "t"}, 'ณ': {"n", "n"}, 'ด': {"d", "t"},
	'ต': {"t", "t"}, 'ถ': {"th", "t"}, 'ท': {"th", "t"}, 'ธ': {"th", "t"}, 'น': {"n", "n"},
	'บ': {"b", "p"}, 'ป': {"p", "p"}, 'ผ': {"ph", "p"}, 'ฝ': {"f", "p"}, 'พ': {"ph", "p"},
	'ฟ': {"f", "p"}, 'ภ': {"ph", "p"}, 'ม': {"m", "m"}, 'ย': {"y", "i"}, 'ร': {"r", "n"},
	'ฤ': {"rue", "rue"}, 'ล': {"l", "n"}, 'ฦ': {"lue", "lue"}, 'ว': {"w", "o"}, 'ศ': {"s", "t"},
	'ษ': {"s", "t"}, 'ส': {"s", "t"}, 'ห': {"h", ""}, 'ฬ': {"l", "n"}, 'อ': {"", ""},
	'ฮ': {"h", ""},
}

// thLead are the vowels written before the consonant they follow in speech.
func thLead(r rune) bool { return r >= 'เ' && r <= 'ไ' }

// thMark reports whether r is a vowel sign written after, above or below
// its consonant.
func thMark(r rune) bool {
	switch r {
	case 'ะ', 'ั', 'า', 'ำ', 'ิ', 'ี', 'ึ', 'ื', 'ุ', 'ู', '็', 'ๅ':
		return true
	}
	return false
}

func thSonorant(r rune) bool {
	switch r {
	case 'ง', 'ญ', 'น', 'ม', 'ย', 'ร', 'ล', 'ว':
		return true
	}
	return false
}

func thClusterBase(r rune) bool {
	switch r {
	case 'ก', 'ข', 'ค', 'ต', 'ป', 'ผ', 'พ', 'บ', 'ศ', 'ส':
		return true
	}
	return false
}

type thSyl struct {
	started bool
	lead    rune
	onset   string
	// hasOnset is set once the onset is read (it may be the silent อ).
	hasOnset bool
	marks    []rune
	final    string
	closed   bool // a final consonant was read
	rr       bool // รร
}

func (s *thSyl) vowel() string {
	m := string(s.marks)
	switch s.lead {
	case 'เ':
		switch m {
		case "", "็", "ะ":
			return "e"
		case "า":
			return "ao"
		case "าะ":
			return "o"
		case "อ", "ิ", "อะ":
			return "oe"
		case "ีย", "ียะ":
			return "ia"
		case "ือ", "ือะ", "ื":
			return "uea"
		}
		return "e" + thMarks(m)
	case 'แ':
		return "ae"
	case 'โ':
		return "o"
	case 'ใ', 'ไ':
		return "ai"
	}
	switch m {
	case "":
		if s.rr {
			return "a"
		}
		if s.closed {
			return "o"
		}
		return "a"
	case "ัว", "ัวะ", "ว":
		return "ua"
	case "อ", "็อ":
		return "o"
	case "ือ":
		return "ue"
	}
	return thMarks(m)
}

func thMarks(m string) string {
	var b strings.Builder
	for _, r := range m {
		switch r {
		case 'ะ', 'ั', 'า', 'ๅ':
			b.WriteString("a")
		case 'ำ':
			b.WriteString("am")
		case 'ิ', 'ี':
			b.WriteString("i")
		case 'ึ', 'ื':
			b.WriteString("ue")
		case 'ุ', 'ู':
			b.WriteString("u")
		case 'อ':
			b.WriteString("o")
		case 'ย':
			b.WriteString("i")
		case 'ว':
			b.WriteString("o")
		}
	}
	return b.String()
}

func (s *thSyl) write(b *strings.Builder) {
	if !s.started {
		return
	}
	b.WriteString(s.onset)
	b.WriteString(s.vowel())
	f := s.final
	if s.rr && !s.closed {
		f = "n"
	}
	if (s.lead == 'ใ' || s.lead == 'ไ') && f == "i" {
		f = "" // ไทย → thai
	}
	b.WriteString(f)
}

// romanizeThai romanises a run of Thai text.
func romanizeThai(in []rune) string {
	// Drop tone marks and the like, and letters silenced by thanthakhat
	// (with the vowel signs on them).
	run := make([]rune, 0, len(in))
	// silenced[i] is set when a silenced letter followed run[i].
	var silenced []bool
	for _, r := range in {
		switch r {
		case '่', '้', '๊', '๋', '๎', 'ฺ', 'ํ':
			continue
		case '์':
			for len(run) > 0 && thMark(run[len(run)-1]) {
				run = run[:len(run)-1]
			}
			if len(run) > 0 {
				run = run[:len(run)-1]
			}
			if len(run) > 0 {
				if silenced == nil {
					silenced = make([]bool, len(in))
				}
				silenced[len(run)-1] = true
			}
			continue
		}
		run = append(run, r)
	}
	var b strings.Builder
	var cur thSyl
	n := len(run)
	isCons := func(i int) bool {
		if i < 0 || i >= n {
			return false
		}
		_, ok := thConsonants[run[i]]
		return ok
	}
	// opensSyllable reports whether the consonant at i is followed by a
	// vowel sign of its own.
	opensSyllable := func(i int) bool {
		return i+1 < n && (thMark(run[i+1]) || (run[i+1] == 'อ' && i+2 < n && !isCons(i+2) && !thLead(run[i+2]) && thMark(run[i+2])))
	}
	emit := func() {
		cur.write(&b)
		cur = thSyl{}
	}
	start := func(i int) int {
		emit()
		cur.started = true
		r := run[i]
		// Silent ห before a sonorant and อ before ย.
		if (r == 'ห' && i+1 < n && thSonorant(run[i+1])) || (r == 'อ' && i+1 < n && run[i+1] == 'ย') {
			i++
			r = run[i]
		}
		cur.onset, cur.hasOnset = thConsonants[r].initial, true
		// A cluster: ก ข ค ต ป ผ พ … + ร ล ว followed by a vowel sign.
		if thClusterBase(r) && i+1 < n && (run[i+1] == 'ร' || run[i+1] == 'ล' || run[i+1] == 'ว') && opensSyllable(i+1) {
			i++
			cur.onset += thConsonants[run[i]].initial
		}
		return i
	}
	for i := 0; i < n; i++ {
		r := run[i]
		switch {
		case thLead(r):
			emit()
			cur.started = true
			cur.lead = r
		case thMark(r):
			if !cur.started || cur.closed {
				emit()
				cur.started = true
			}
			cur.marks = append(cur.marks, r)
		case isCons(i):
			if !cur.started {
				i = start(i)
				continue
			}
			if cur.lead != 0 && !cur.hasOnset && len(cur.marks) == 0 {
				i = start2(&cur, run, i)
				continue
			}
			if cur.closed {
				// After a final: a new syllable, unless this is a lone
				// word-final consonant (a silent cluster tail).
				if (i == n-1 && !cur.rr) || (silenced != nil && silenced[i]) {
					continue
				}
				i = start(i)
				continue
			}
			// Vowel-like uses of อ ย ว after the onset.
			if r == 'อ' && !opensSyllable(i) && ((len(cur.marks) == 0 && cur.hasOnset) || (cur.lead == 'เ' && string(cur.marks) == "ื")) {
				cur.marks = append(cur.marks, r)
				continue
			}
			if r == 'ย' && cur.lead == 'เ' && string(cur.marks) == "ี" {
				cur.marks = append(cur.marks, r)
				continue
			}
			if r == 'ว' && string(cur.marks) == "ั" {
				cur.marks = append(cur.marks, r)
				continue
			}
			if r == 'ร' && i+1 < n && run[i+1] == 'ร' && len(cur.marks) == 0 && cur.lead == 0 {
				cur.rr = true
				i++
				continue
			}
			if r == 'ว' && len(cur.marks) == 0 && cur.lead == 0 && !cur.rr && isCons(i+1) && !opensSyllable(i+1) {
				// C ว C: the vowel "ua" (สวน → suan).
				cur.marks = append(cur.marks, 'ว')
				continue
			}
			if opensSyllable(i) || (i+2 < n && run[i+1] == 'ร' && run[i+2] == 'ร') {
				i = start(i)
				continue
			}
			// The consonant would close the syllable; but if the next
			// consonant ends the word it opens one with an implicit
			// vowel instead (บรรจง), unless that is a silent ร (ชินวัตร).
			if (len(cur.marks) > 0 || cur.rr || cur.lead != 0) && isCons(i+1) && i+2 == n && run[i+1] != 'ร' {
				i = start(i)
				continue
			}
			cur.final = thConsonants[r].final
			cur.closed = true
		case r >= '๐' && r <= '๙':
			emit()
			b.WriteByte(byte('0' + r - '๐'))
		}
	}
	emit()
	return b.String()
}

// start2 reads the onset of a syllable that began with a leading vowel.
func start2(cur *thSyl, run []rune, i int) int {
	n := len(run)
	r := run[i]
	if (r == 'ห' && i+1 < n && thSonorant(run[i+1]) && (i+2 >= n || !thLead(run[i+2]))) || (r == 'อ' && i+1 < n && run[i+1] == 'ย') {
		i++
		r = run[i]
	}
	cur.onset, cur.hasOnset = thConsonants[r].initial, true
	// After a leading vowel a following ร ล ว belongs to the onset (เพลง →
	// phleng, เกรียง → kriang).
	if thClusterBase(r) && i+1 < n && (run[i+1] == 'ร' || run[i+1] == 'ล' || run[i+1] == 'ว') {
		i++
		cur.onset += thConsonants[run[i]].initial
	}
	return i
}
