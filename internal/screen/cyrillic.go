package screen

import (
	"strings"
	"unicode"
)

// cyrillicLatin transliterates Russian, Ukrainian, Belarusian, Serbian and
// Macedonian Cyrillic, simplified from BGN/PCGN (the system OFAC's Russian
// names mostly follow) without its diacritics and apostrophes.
var cyrillicLatin = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya", 'і': "i",
	'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ђ': "dj", 'ј': "j", 'љ': "lj", 'њ': "nj",
	'ћ': "c", 'џ': "dz", 'ѕ': "dz", 'ғ': "g", 'қ': "k", 'ң': "ng", 'ү': "u", 'ұ': "u",
	'һ': "h", 'ә': "a", 'ө': "o",
}

// romanizeCyrillic transliterates a run of Cyrillic letters.
func romanizeCyrillic(run []rune) string {
	var b strings.Builder
	for _, r := range run {
		l := unicode.ToLower(r)
		if s, ok := cyrillicLatin[l]; ok {
			b.WriteString(s)
		} else if unicode.IsLetter(l) || unicode.IsDigit(l) {
			b.WriteRune(l)
		}
	}
	return b.String()
}

// Hangul syllables romanised close to McCune–Reischauer without its
// diacritics (the system North Korean names on sanctions lists use): the
// first syllable of a run of two to four is read as the surname.
var (
	hangulInitial = []string{"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch", "k", "t", "p", "h"}
	hangulMedial  = []string{"a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i"}
	hangulFinal   = []string{"", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t"}
)

// romanizeHangul romanises a run of Hangul syllables.
func romanizeHangul(run []rune) string {
	var b strings.Builder
	for i, r := range run {
		if r < 0xAC00 || r > 0xD7A3 {
			continue
		}
		v := int(r - 0xAC00)
		ini, med, fin := v/(21*28), (v/28)%21, v%28
		b.WriteString(hangulInitial[ini])
		b.WriteString(hangulMedial[med])
		b.WriteString(hangulFinal[fin])
		if i == 0 && len(run) >= 2 && len(run) <= 4 {
			b.WriteByte(' ')
		}
	}
	return b.String()
}
