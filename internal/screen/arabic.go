package screen

import "strings"

// Arabic script (Arabic, Persian, Urdu letters) romanised for matching.
// Arabic is written without short vowels, so a faithful transliteration
// (mhmd) is too far from the spellings lists use (Muhammad, Mohammed) for
// the token similarity; instead every consonant not followed by a long
// vowel letter gets an "a" (mahamad), which shares the phonetic key (mhmd)
// and most letters with the listed spellings. Common name particles and
// words have their usual spelling.

// arabicLetters maps the consonants; ا و ي ى are handled in
// romanizeArabicWord because they are vowels or consonants by position.
var arabicLetters = map[rune]string{
	'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h", 'خ': "kh", 'د': "d", 'ذ': "dh",
	'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t", 'ظ': "z",
	'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n",
	'ه': "h", 'ة': "", 'ء': "", 'ؤ': "", 'ئ': "", 'پ': "p", 'چ': "ch", 'ژ': "zh",
	'گ': "g", 'ک': "k", 'ڤ': "v", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n", 'ھ': "h",
	'ہ': "h", 'ۀ': "", 'ے': "e",
}

// arabicWords are whole words with their usual Latin spelling.
var arabicWords = map[string]string{
	"بن": "bin", "ابن": "ibn", "بنت": "bint", "أبو": "abu", "ابو": "abu", "أبي": "abi",
	"عبد": "abd", "الله": "allah", "محمد": "muhammad", "أحمد": "ahmad", "احمد": "ahmad",
	"علي": "ali", "عمر": "umar", "حسن": "hasan", "حسين": "husayn", "محمود": "mahmud",
	"عبدالله": "abdallah", "الدين": "aldin", "عثمان": "uthman", "يوسف": "yusuf",
	"إبراهيم": "ibrahim", "ابراهيم": "ibrahim", "إسماعيل": "ismail", "اسماعيل": "ismail",
	"مصطفى": "mustafa", "موسى": "musa", "عيسى": "isa", "يحيى": "yahya", "أسامة": "usama",
	"اسامة": "usama",
}

// isArabicVowelLetter reports letters that spell long vowels (or, first in a
// word, a consonant).
func isArabicVowelLetter(r rune) bool {
	switch r {
	case 'ا', 'أ', 'إ', 'آ', 'ٱ', 'و', 'ي', 'ى', 'ی', 'ة':
		return true
	}
	return false
}

// romanizeArabic romanises a run of Arabic-script letters (one or more
// words; the caller splits runs at spaces).
func romanizeArabic(run []rune) string {
	var words []string
	var cur []rune
	for _, r := range run {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
			// harakat, dagger alif and tatweel
			continue
		case r >= 0x0660 && r <= 0x0669:
			cur = append(cur, '0'+(r-0x0660))
			continue
		case r >= 0x06F0 && r <= 0x06F9:
			cur = append(cur, '0'+(r-0x06F0))
			continue
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		words = append(words, romanizeArabicWord(cur)...)
	}
	return strings.Join(words, " ")
}

// romanizeArabicWord romanises one word, splitting off the article ال
// (al-) as its own token.
func romanizeArabicWord(w []rune) []string {
	if s, ok := arabicWords[string(w)]; ok {
		return []string{s}
	}
	var pre []string
	if len(w) > 3 && w[0] == 'ا' && w[1] == 'ل' {
		if s, ok := arabicWords[string(w[2:])]; ok {
			return []string{"al", s}
		}
		pre = []string{"al"}
		w = w[2:]
	}
	var b strings.Builder
	for i, r := range w {
		last := i == len(w)-1
		nextVowel := !last && isArabicVowelLetter(w[i+1])
		switch r {
		case 'ا', 'أ', 'إ', 'آ', 'ٱ':
			if i == 0 && r == 'إ' {
				b.WriteString("i")
			} else {
				b.WriteString("a")
			}
			continue
		case 'ى':
			b.WriteString("a")
			continue
		case 'ة':
			if i > 0 && !isArabicVowelLetter(w[i-1]) {
				b.WriteString("a")
			}
			continue
		case 'و':
			b.WriteString(semivowel(w, i, "w", "u"))
			continue
		case 'ي', 'ی':
			b.WriteString(semivowel(w, i, "y", "i"))
			continue
		case 'ع':
			if i == 0 && !nextVowel {
				b.WriteString("a")
			}
			continue
		}
		s, ok := arabicLetters[r]
		if !ok {
			b.WriteRune(r)
			continue
		}
		b.WriteString(s)
		if s != "" && !last && !nextVowel {
			b.WriteString("a")
		}
	}
	if b.Len() == 0 {
		return pre
	}
	return append(pre, b.String())
}

// semivowel spells و or ي at i in w: the consonant (w, y) first in a word
// or before another vowel letter (with an "a" after it when none follows),
// else the long vowel (u, i).
func semivowel(w []rune, i int, consonant, vowel string) string {
	last := i == len(w)-1
	nextVowel := !last && isArabicVowelLetter(w[i+1])
	switch {
	case i == 0 && !nextVowel && !last:
		return consonant + "a"
	case i == 0, nextVowel && w[i+1] != w[i]:
		return consonant
	}
	return vowel
}
