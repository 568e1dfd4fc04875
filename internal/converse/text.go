package converse

// Split cuts s into parts of at most n characters for a chat app's message
// limit. The apps count UTF-16 code units, so when s has a character
// outside the Basic Multilingual Plane (an emoji, a rare Han character)
// each part is at most n/2 runes, safe whatever the mix.
func Split(s string, n int) []string {
	r := []rune(s)
	for _, c := range r {
		if c > 0xFFFF {
			n /= 2
			break
		}
	}
	var out []string
	for len(r) > n {
		out = append(out, string(r[:n]))
		r = r[n:]
	}
	return append(out, string(r))
}

// Cut returns s's first n characters (runes): a button's label within an
// app's limit.
func Cut(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
