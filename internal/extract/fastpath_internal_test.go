package extract

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/publicsuffix"
)

// TestUnitAtWords covers the edges of the number-word look-up, which first
// counts the ASCII letters at i: whole words only, any ASCII case, words
// with diacritics, and words at the end of the text.
func TestUnitAtWords(t *testing.T) {
	tests := []struct {
		s    string
		d    byte // 0: no unit
		end  int
		kind int
	}{
		{"one", '1', 3, unitWord},
		{"ONE two", '1', 3, unitWord},
		{"OnE-", '1', 3, unitWord},
		{"ones", 0, 0, 0},
		{"one_", 0, 0, 0}, // '_' continues a word
		{"oneé", 0, 0, 0}, // so does a letter of another script
		{"o 1", '0', 1, unitWord},
		{"oh,", '0', 2, unitWord},
		{"ohm", 0, 0, 0},
		{"không1", '0', len("không"), unitWord},
		{"khong", '0', 5, unitWord},
		{"khôngx", 0, 0, 0},
		{"kh", 0, 0, 0},
		{"tư", '4', len("tư"), unitWord},
		{"tu", 0, 0, 0},
		{"sembilan", '9', 8, unitWord},
		{"sembilanx", 0, 0, 0},
		{"double", 0, 6, unitRepeat},
		{"abcdefghijklmnopqrstuvwxyzabcdefghijklmnop", 0, 0, 0}, // longer than the letter count goes
		{"l2", '1', 1, unitWord},
	}
	for _, tt := range tests {
		u := unitAt(tt.s, 0, false)
		if u.kind != tt.kind || u.d != tt.d || u.kind != 0 && u.end != tt.end {
			t.Errorf("unitAt(%q) = %+v, want digit %q end %d kind %d", tt.s, u, tt.d, tt.end, tt.kind)
		}
	}
}

// TestWordAt covers the two-byte filter before the at- and dot-word
// look-up.
func TestWordAt(t *testing.T) {
	tests := []struct {
		s      string
		i      int
		words  *wordSet
		ok     bool
		wantTo int
	}{
		{"x dot com", 1, dotWords, true, 6},
		{"x DOT com", 1, dotWords, true, 6},
		{"x Dot  com", 1, dotWords, true, 7},
		{"x dots com", 1, dotWords, false, 0},
		{"x dot", 1, dotWords, false, 0}, // a Latin word needs a space after it
		{"x d", 1, dotWords, false, 0},
		{"x ", 1, dotWords, false, 0},
		{"x点com", 1, dotWords, true, 4},
		{"x 点 com", 1, dotWords, true, 6},
		{"x点", 1, dotWords, true, 4},
		{"x chấm com", 1, dotWords, true, len("x chấm ")},
		{"x at y", 1, atWords, true, 5},
		{"x AT y", 1, atWords, true, 5},
		{"x a còng y", 1, atWords, true, len("x a còng ")},
		{"x艾特y", 1, atWords, true, 7},
		{"x艾y", 1, atWords, false, 0},
		{"xat y", 1, atWords, false, 0}, // no space before
	}
	for _, tt := range tests {
		_, end, ok := wordAt(tt.s, tt.i, tt.words)
		if ok != tt.ok || ok && end != tt.wantTo {
			t.Errorf("wordAt(%q, %d) = %d, %v; want %d, %v", tt.s, tt.i, end, ok, tt.wantTo, tt.ok)
		}
	}
}

// TestSepAt covers the separator look-up, which reads a bitmap for runes
// below U+10000.
func TestSepAt(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{" ", 1}, {"-", 1}, {"a", 0}, {"7", 0},
		{"★", 3}, {"—", 3}, {"，", 3}, {"\u200b", 3}, {"\u00a0", 2}, {"\ufe0f", 3},
		{"①", 0}, {"中", 0}, {"é", 0},
		{"\xff", 1}, // not UTF-8: read as U+FFFD, a symbol
		{"😀", 4}, {"🄀", 0}, {"𝟎", 0},
	}
	for _, tt := range tests {
		if got := sepAt(tt.s, 0); got != tt.want {
			t.Errorf("sepAt(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestTidy checks tidy against sorting the hits themselves with the same
// comparison (as tidy did before it sorted indices), on random hits with many exact and near duplicates (same
// span, kind and value; another confidence or role), of which the one
// sorted first must be kept.
func TestTidy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	kinds := []Kind{KindPhone, KindURL, KindDomain, KindPlace}
	roles := []Role{RoleNone, RolePayment, RoleRecruiter}
	for n := range 300 {
		hits := make([]Hit, n%70)
		for i := range hits {
			start := rng.IntN(20)
			hits[i] = Hit{
				Kind: kinds[rng.IntN(len(kinds))], Value: string(rune('a' + rng.IntN(3))),
				Start: start, End: start + 1 + rng.IntN(3), Confidence: float64(rng.IntN(4)) / 4, Role: roles[rng.IntN(len(roles))],
			}
		}
		if n%3 == 0 { // sorted input takes the early return
			slices.SortStableFunc(hits, func(a, b Hit) int { return compareHits(&a, &b) })
			hits = slices.CompactFunc(hits, func(a, b Hit) bool { return compareHits(&a, &b) == 0 })
		}
		want := slices.Clone(hits)
		slices.SortFunc(want, func(a, b Hit) int { return compareHits(&a, &b) })
		want = slices.CompactFunc(want, func(a, b Hit) bool {
			return a.Kind == b.Kind && a.Value == b.Value && a.Start == b.Start && a.End == b.End
		})
		if got := tidy(hits); !slices.Equal(got, want) {
			t.Fatalf("tidy of %d hits:\n got %v\nwant %v", len(hits), got, want)
		}
	}
}

// TestCleanHostDomain checks that cleanHost's registrable domain, derived
// from the one public suffix look-up it makes, is what
// publicsuffix.EffectiveTLDPlusOne says.
func TestCleanHostDomain(t *testing.T) {
	for _, h := range []string{
		"example.com", "www.example.com", "a.b.c.example.co.uk", "co.uk", "www.co.uk", "example.com.kh",
		"com.kh", "jobs.gov.kh", "x.blogspot.com", "blogspot.com", "foo.bar.golang.org", "hr.kaibo-group.com",
		"asia-careers.top", "t.me", "xn--fiqs8s.xn--fiqz9s", "a.xn--fiqs8s", "example.notatld", "a.b.notatld",
		"s3.amazonaws.com", "bucket.s3.amazonaws.com", "example.ck", "www.ck", "a.b.example.ck",
	} {
		host, domain, ok := cleanHost(h)
		want, err := publicsuffix.EffectiveTLDPlusOne(host)
		if !ok {
			continue
		}
		if err != nil || domain != want {
			t.Errorf("cleanHost(%q) = %q, %q; EffectiveTLDPlusOne says %q, %v", h, host, domain, want, err)
		}
	}
}

// TestViewStepEdges runs the view steps whose loops skip bytes no rule
// can start at on rules at the very start and end of the text.
func TestViewStepEdges(t *testing.T) {
	tests := []struct {
		step    func(string) (string, *spanMap)
		in, out string
	}{
		{closeSpaces, "a b c d e f", "abcdef"},
		{closeSpaces, "x i g a n g _ h r 8 8", "xigang_hr88"},
		{closeSpaces, "see a b c d e f", "see abcdef"},
		{closeSpaces, "a b c d e f g.", "abcdefg."},
		{closeSpaces, "@ ngan . dee99", "@ngan.dee99"},
		{closeSpaces, "x@ y", "x@ y"},
		{closeSpaces, "t.me / name", "t.me/name"},
		{closeSpaces, "t.me/ name", "t.me/name"},
		{closeSpaces, "wa.me / 85512", "wa.me/85512"},
		{closeSpaces, "pp _ hr _ 2025", "pp_hr_2025"},
		{closeSpaces, "boss_wang 1 6 8", "boss_wang168"},
		{closeSpaces, "me", "me"},
		{deobfuscate, "x[.]com", "x.com"},
		{deobfuscate, "hr [at] jobs [dot] net", "hr@jobs.net"},
		{deobfuscate, "hxxps://a.b", "https://a.b"},
		{deobfuscate, "Hxxp://a", "http://a"},
		{deobfuscate, "example . com", "example.com"},
		{deobfuscate, "example .com", "example.com"},
		{deobfuscate, "t dot me/x", "t.me/x"},
		{deobfuscate, "a dot com website", "a dot com website"},
		{deobfuscate, "x (dot) y", "x.y"},
		{deobfuscate, "ab.", "ab."},
		{deobfuscate, "(", "("},
		{spellAddress, "recruit at gmail dot com", "recruit@gmail.com"},
		{spellAddress, "2836617705艾特qq点com", "2836617705@qq.com"},
		{spellAddress, "hr แอท gmail ดอท com", "hr@gmail.com"},
		{spellAddress, "TG at boss_x", "TG @boss_x"},
		{spellAddress, "www点hxzp88点top", "www.hxzp88.top"},
		{spellAddress, "apply at example.com", "apply at example.com"},
		{spellDigits, "zero one two three four five six", "0123456"},
		{spellDigits, "call 0 1 2 3 4 5 6 7 8", "call 012345678"},
		{spellDigits, "one", "one"},
	}
	for _, tt := range tests {
		if got, _ := tt.step(tt.in); got != tt.out {
			t.Errorf("%q became %q, want %q", tt.in, got, tt.out)
		}
	}
}

// TestUnitAtRunes covers the block test unitAt makes on the first two
// bytes of a three-byte rune before decoding it.
func TestUnitAtRunes(t *testing.T) {
	if unitRunes[utf8.RuneError>>6]&(1<<(utf8.RuneError&63)) != 0 {
		t.Fatal("U+FFFD is marked as a digit unit")
	}
	tests := []struct {
		s string
		d byte // 0: no unit
	}{
		{"七", '7'}, {"零", '0'}, {"①", '1'}, {"❾", '9'}, {"១", '1'}, {"๙", '9'}, {"０", '0'},
		{"ប្រាំពីរ", '7'}, {"แปด", '8'}, {"中", 0}, {"七"[:2], 0}, {"\xe4\x00\x80", 0}, {"\xef", 0},
		{"𝟕", '7'}, {"🄀", '0'}, {"😀", 0}, {"㈠", '1'}, {"㈨", '9'}, {"㈩", 0}, {"㊀", '1'}, {"㊈", '9'}, {"㊉", 0},
	}
	for _, tt := range tests {
		u := unitAt(tt.s, 0, false)
		if u.d != tt.d || (tt.d == 0) != (u.kind == 0) {
			t.Errorf("unitAt(%q) = %+v, want digit %q", tt.s, u, tt.d)
		}
	}
}

// TestUpperASCII covers upperASCII's early return for text with no lower
// case ASCII letter.
func TestUpperASCII(t *testing.T) {
	for in, want := range map[string]string{"": "", "KH": "KH", "kh": "KH", "Kh": "KH", "k": "K", "É1é": "É1é", "x-É": "X-É"} {
		if got := upperASCII(in); got != want {
			t.Errorf("upperASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRoleReach covers roleNear's running count of the runes between a
// role keyword and the identifier after it, and its newline test.
func TestRoleReach(t *testing.T) {
	phone := "+85512345678"
	tests := []struct {
		gap  string
		want Role
	}{
		{" ", RoleRecruiter},
		{" " + strings.Repeat("中", roleBefore-1), RoleRecruiter},       // 80 runes
		{" " + strings.Repeat("中", roleBefore), RoleNone},              // 81 runes
		{" " + strings.Repeat("-", roleBefore-2) + " ", RoleRecruiter}, // 80 runes of ASCII
		{" " + strings.Repeat("-", roleBefore-1) + " ", RoleNone},
		{" \n ", RoleNone},
		{" " + strings.Repeat("中", 30) + "\n", RoleNone},
		{" boss: ", RoleCompound}, // the nearest keyword wins
	}
	for _, tt := range tests {
		text := "recruiter" + tt.gap + phone
		if got := phoneRoles(text); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Text(%.40q…): phone roles %v, want %q", text, got, tt.want)
		}
	}
}

// TestRoleReachAfter covers roleNear's count of the runes between an
// identifier and a role keyword after it, made a piece at a time between
// the keywords on the way, and its look for a clause's end.
func TestRoleReachAfter(t *testing.T) {
	phone := "+85512345678"
	tests := []struct {
		gap  string
		want Role
	}{
		{" ", RoleRecruiter},
		{" " + strings.Repeat("中", roleAfter-2) + " ", RoleRecruiter},    // 30 runes
		{" " + strings.Repeat("中", roleAfter-1) + " ", RoleNone},         // 31 runes
		{" wa " + strings.Repeat("-", roleAfter-5) + " ", RoleRecruiter}, // 30 runes, a keyword among them
		{" wa " + strings.Repeat("-", roleAfter-4) + " ", RoleNone},
		{" wa 中。", RoleNone},
		{" 中，", RoleNone},
		{" \xef\xbc", RoleRecruiter}, // a full-width comma cut short is no comma
	}
	for _, tt := range tests {
		text := phone + tt.gap + "recruiter"
		if got := phoneRoles(text); len(got) != 1 || got[0] != tt.want {
			t.Errorf("Text(%q): phone roles %v, want %q", text, got, tt.want)
		}
	}
}

// phoneRoles returns the roles of the phone numbers Text finds in text
// (region KH).
func phoneRoles(text string) []Role {
	var roles []Role
	for _, h := range Text(text, Options{Region: "KH"}) {
		if h.Kind == KindPhone {
			roles = append(roles, h.Role)
		}
	}
	return roles
}

// TestCharSet compares charSet.in with strings.ContainsAny, on text with
// the set's characters whole, cut short and among bytes that are not
// UTF-8.
func TestCharSet(t *testing.T) {
	const chars = "\n,;.!?，。；！？"
	cs := newCharSet(chars)
	pieces := []string{"a", " ", "中", "，", "。", "\xef\xbc", "\xbc\x8c", "\xe3\x80", "\x82", "\xff", ".", "\n", "é", "！", "?"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		if got, want := cs.in(s), strings.ContainsAny(s, chars); got != want {
			t.Fatalf("in(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestLeadSets checks that nextLeadIn, with the two-byte filter of each
// view step's leadSet, stops at every character the step acts on:
// styled, accented, invisible, Cyrillic and Greek ones among Khmer, Thai
// and Chinese text, whole and cut short.
func TestLeadSets(t *testing.T) {
	wants := []struct {
		name string
		set  *leadSet
		want func(s string, i int) bool // the step's own test at a lead byte
	}{
		{"styled", styledLeads, func(s string, i int) bool { return styledLead[s[i]] && styledSecond(s, i) }},
		{"accent", accentLeads, func(s string, i int) bool {
			r, _ := utf8.DecodeRuneInString(s[i:])
			_, ok := accentFold(r)
			return accentLead[s[i]] && ok
		}},
		{"invisible", invisibleLeads, func(s string, i int) bool {
			r, _ := utf8.DecodeRuneInString(s[i:])
			return invisible(r)
		}},
		{"cyrGreek", cyrGreekLeads, func(s string, i int) bool { return isCyrGreek(s[i]) }},
	}
	pieces := []string{"a", " ", "ក", "ស្រុក", "ไทย", "中文", "\u17b4", "\u200b", "\u00ad", "\u3164", "é", "ı", "\u0301", "\u1dc0",
		"\u20d0", "\ufe20", "𝐚", "⁵", "₆", "•", "ᴀ", "ʟ", "🇦", "⟨", "【", "\u0332", "ο", "а", "\xe1", "\xe1\x9e", "\xe2\x80", "\xf0\x9f", "\xff"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		s := b.String()
		for _, w := range wants {
			stops := map[int]bool{}
			for i := nextLeadIn(w.set, s, 0); i < len(s); i = nextLeadIn(w.set, s, i+1) {
				stops[i] = true
			}
			for i := 0; i < len(s); i++ {
				if s[i] >= 0xC0 && w.want(s, i) && !stops[i] {
					t.Fatalf("%s: nextLeadIn passes over %q at %d in %q", w.name, s[i:], i, s)
				}
			}
		}
	}
}

// TestNumberStems: the letters every Latin-script number word starts
// with, in either case, pass numberStemAt, so that the filter turns down
// no place where unitAt finds a word.
func TestNumberStems(t *testing.T) {
	for _, ws := range wordsByLetter {
		for _, w := range ws {
			for _, s := range []string{w.w, strings.ToUpper(w.w[:1]) + w.w[1:], upperASCII(w.w)} {
				if n := asciiLetters(s, 0); !numberStemAt(s, 0, n) {
					t.Errorf("numberStemAt(%q, 0, %d) = false", s, n)
				}
			}
		}
	}
}
