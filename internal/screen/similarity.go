package screen

// jaroWinkler returns the Jaro–Winkler similarity of two tokens, in [0, 1].
func jaroWinkler[S ~string | ~[]byte](a, b S) float64 {
	if string(a) == string(b) {
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if !isASCII(string(a)) || !isASCII(string(b)) {
		return jaroWinklerRunes([]rune(string(a)), []rune(string(b)))
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	la, lb := len(a), len(b)
	if lb > 64 {
		return jaroWinklerRunes([]rune(string(a)), []rune(string(b)))
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb uint64
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for j := lo; j < hi; j++ {
			if mb&(1<<j) == 0 && a[i] == b[j] {
				ma |= 1 << i
				mb |= 1 << j
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t := 0
	j := 0
	for i := 0; i < la; i++ {
		if ma&(1<<i) == 0 {
			continue
		}
		for mb&(1<<j) == 0 {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	return winkler(m, t, la, lb, prefix4(a, b))
}

func jaroWinklerRunes(a, b []rune) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	la, lb := len(a), len(b)
	if la == 0 {
		return 0
	}
	window := lb/2 - 1
	if window < 0 {
		window = 0
	}
	fa := make([]bool, la)
	fb := make([]bool, lb)
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !fb[j] && a[i] == b[j] {
				fa[i], fb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < la; i++ {
		if !fa[i] {
			continue
		}
		for !fb[j] {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	l := 0
	for l < 4 && l < la && a[l] == b[l] {
		l++
	}
	return winkler(m, t, la, lb, l)
}

// prefix4 is the length of the prefix a and b share, up to 4 (Winkler's
// bonus counts no more).
func prefix4[S ~string | ~[]byte](a, b S) int {
	l := 0
	for l < 4 && l < len(a) && l < len(b) && a[l] == b[l] {
		l++
	}
	return l
}

// winkler is the Jaro–Winkler similarity of a token of la letters and one
// of lb that match in m letters with t of them out of order and share a
// prefix of prefix letters.
func winkler(m, t, la, lb, prefix int) float64 {
	fm := float64(m)
	jaro := (fm/float64(la) + fm/float64(lb) + (fm-float64(t)/2)/fm) / 3
	return jaro + float64(prefix)*0.1*(1-jaro)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// phoneticKey reduces a token to a consonant skeleton that transliteration
// variants share: Mohammed, Muhammad and Mohamad all become "mhmd", Zawahiri
// and Zawahri "svr", Pheap and Phap "fp". Vowels are dropped except a
// leading one (written "a"), digraphs are merged (ph → f, kh → k, sh → s, zh
// → j), c q → k, z x → s, w → v, h is dropped after the first letter and
// repeated letters collapse. Tokens outside ASCII are returned unchanged.
func phoneticKey(t string) string {
	if !isASCII(t) {
		return t
	}
	var out [48]byte
	n := 0
	var prev byte
	for i := 0; i < len(t) && n < len(out); i++ {
		c := t[i]
		var next byte
		if i+1 < len(t) {
			next = t[i+1]
		}
		var k byte
		switch c {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			if i == 0 {
				k = 'a'
			} else {
				prev = 0
				continue
			}
		case 'w':
			if i > 0 && isVowel(t[i-1]) {
				prev = 0
				continue // aw, ow: a vowel (fawzi ~ fouzi)
			}
			k = 'v'
		case 'p', 'b':
			k = 'p'
			if next == 'h' {
				k = 'f'
				i++
			}
		case 'c':
			k = 'k'
			if next == 'h' {
				k = 'j'
				i++
			} else if next == 'k' {
				i++
			}
		case 'k', 'g':
			k = 'k'
			if next == 'h' {
				i++
			}
		case 't', 'd':
			k = 't'
			if next == 'h' {
				i++
			} else if c == 'd' && next == 'j' {
				k = 'j'
				i++
			}
		case 'q':
			k = 'k'
		case 's':
			k = 's'
			if next == 'h' {
				i++
			} else if next == 'c' && i+2 < len(t) && t[i+2] == 'h' {
				i += 2
			}
		case 'z':
			k = 's'
			if next == 'h' {
				k = 'j'
				i++
			}
		case 'x':
			k = 's'
		case 'v':
			k = 'v'
		case 'h':
			if i != 0 {
				continue
			}
			k = 'h'
		case 'n':
			k = 'n'
			if next == 'g' && i+2 == len(t) {
				i++ // a final ng
			}
		default:
			k = c
		}
		if k == prev {
			continue
		}
		out[n] = k
		n++
		prev = k
	}
	return string(out[:n])
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
