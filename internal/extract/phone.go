package extract

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// parsePhone parses a phone number written with ASCII digits and an
// optional leading '+' and returns it in E.164 if it is a valid number.
func parsePhone(num, region string) (string, bool) {
	if v, ok, done := parsePhoneFast(num, region); done {
		return v, ok
	}
	n, err := phonenumbers.Parse(num, region)
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// trunkZero are the calling codes, with their regions, whose national
// numbers are written with a leading 0 that is dropped after the country
// code (and never kept, unlike Italy's): for these, parsePhoneFast checks a
// number without phonenumbers.Parse, whose regular expressions cost more
// than everything else Text does.
var trunkZero = map[int32]string{855: "KH", 66: "TH", 84: "VN", 95: "MM", 856: "LA", 86: "CN", 62: "ID", 60: "MY", 63: "PH"}

var trunkZeroRegions = func() map[string]int32 {
	m := make(map[string]int32, len(trunkZero))
	for cc, r := range trunkZero {
		m[r] = cc
	}
	return m
}()

// parsePhoneFast validates num directly against the metadata when its
// country is one of trunkZero; done is false when it cannot tell.
func parsePhoneFast(num, region string) (v string, ok, done bool) {
	var cc int32
	var national string
	written := false // num is "+", the code in digits as strconv writes it, and national
	if d, intl := strings.CutPrefix(num, "+"); intl {
		for l := 1; l <= 3 && l < len(d); l++ {
			if _, known := trunkZero[atoi32(d[:l])]; known {
				cc, national = atoi32(d[:l]), d[l:]
				written = d[0] != '0' && allDigits(d[:l])
				break
			}
		}
		if cc == 0 {
			if intlInvalid(d) {
				return "", false, true
			}
			return "", false, false
		}
	} else {
		if cc = trunkZeroRegions[region]; cc == 0 || strings.HasPrefix(num, "00") {
			return "", false, false
		}
		national = num
	}
	if n, trunk := strings.CutPrefix(national, "0"); trunk {
		national, written = n, false
	}
	if len(national) < 4 || len(national) > 14 || national[0] == '0' {
		return "", false, true
	}
	val := validators()[trunkZero[cc]]
	if val == nil {
		return "", false, false
	}
	if !val.valid(national) {
		return "", false, true
	}
	if written {
		return num, true, true // the E.164 form as it stands: no new string
	}
	return "+" + strconv.Itoa(int(cc)) + national, true, true
}

// intlInvalid reports, for the digits d after a '+' outside trunkZero,
// whether phonenumbers.Parse and IsValidNumber would surely turn the number
// down, so that the library's slow parse is spared for them: it starts with
// 0 or with no known country code, or the national number after the code,
// with or without what the main region's national prefix rule would strip,
// matches the general description of none of the code's regions. False
// means it cannot tell.
func intlInvalid(d string) bool {
	if !allDigits(d) {
		return false
	}
	if len(d) <= 2 || d[0] == '0' {
		return true // too short after the '+', or no country code starts with 0
	}
	// Like the library, take the shortest prefix that is a country code.
	for l := 1; l <= 3 && l <= len(d); l++ {
		cc := int(atoi32(d[:l]))
		if len(phonenumbers.GetRegionCodesForCountryCode(cc)) == 0 {
			continue
		}
		r := callingCodes()[cc]
		if r == nil {
			return false
		}
		national := d[l:]
		if r.general(national) {
			return false
		}
		if r.prefix != nil {
			loc := r.prefix.FindStringIndex(national)
			if loc != nil && (r.transform || r.general(national[loc[1]:])) {
				return false // stripped, or rewritten by a rule not modelled here
			}
		}
		return true
	}
	return true
}

// ccRule is what intlInvalid knows of the national numbers of one country
// calling code: the general description of each of its regions, and the
// national prefix its main region's rules strip as a number is parsed.
type ccRule struct {
	generals  []*numberDesc
	prefix    *regexp.Regexp // "^(?:prefix)"; nil if none
	transform bool           // a number the prefix matches may be rewritten, not only stripped
}

// general reports whether the national number matches the general
// description of one of the regions.
func (r *ccRule) general(national string) bool {
	for _, g := range r.generals {
		if g.match(national) {
			return true
		}
	}
	return false
}

// callingCodes builds, once, the rule of each country calling code. A code
// is left out where a region has no general description, or where its main
// region, whose rules Parse applies to the national number, has a national
// prefix transform rule but no prefix to apply it to.
var callingCodes = sync.OnceValue(func() map[int]*ccRule {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	out := map[int]*ccRule{}
	unsure := map[int]bool{}
	for _, m := range coll.GetMetadata() {
		cc := int(m.GetCountryCode())
		g := compileDesc(m.GetGeneralDesc())
		if g == nil {
			unsure[cc] = true
			continue
		}
		r := out[cc]
		if r == nil {
			r = &ccRule{}
			out[cc] = r
		}
		r.generals = append(r.generals, g)
		if phonenumbers.GetRegionCodeForCountryCode(cc) == m.GetId() {
			r.transform = m.GetNationalPrefixTransformRule() != ""
			if p := m.GetNationalPrefixForParsing(); p != "" {
				if r.prefix, err = regexp.Compile("^(?:" + p + ")"); err != nil {
					unsure[cc] = true
				}
			} else if r.transform {
				unsure[cc] = true
			}
		}
	}
	for cc := range unsure {
		delete(out, cc)
	}
	return out
})

// compileDesc compiles a number description of the metadata, or returns
// nil if there is none or its pattern does not compile.
func compileDesc(d *phonenumbers.PhoneNumberDesc) *numberDesc {
	if d == nil {
		return nil
	}
	re, err := regexp.Compile("^(?:" + d.GetNationalNumberPattern() + ")$")
	if err != nil {
		return nil
	}
	dfa, _ := compileDigitDFA(d.GetNationalNumberPattern())
	return &numberDesc{lengths: d.PossibleLength, pattern: re, dfa: dfa}
}

// numberDesc is one number description of a region's metadata, compiled.
type numberDesc struct {
	lengths []int32 // possible lengths of national numbers; empty: any
	pattern *regexp.Regexp
	dfa     *digitDFA // the pattern as an automaton; nil if it could not be built
}

func (d *numberDesc) match(national string) bool {
	if d == nil {
		return false
	}
	if len(d.lengths) > 0 && !slices.Contains(d.lengths, int32(len(national))) {
		return false
	}
	if d.dfa != nil && allDigits(national) {
		return d.dfa.match(national)
	}
	return d.pattern.MatchString(national)
}

// validator decides what phonenumbers.IsValidNumber decides for the
// national numbers of one region, from the same metadata, without building
// two strings and taking a lock per pattern as the library does.
type validator struct {
	general              *numberDesc
	types                []*numberDesc // every type but mobile, fixed line last
	mobile               *numberDesc
	sameMobileFixedLines bool
}

func (v *validator) valid(national string) bool {
	if !v.general.match(national) {
		return false
	}
	for _, d := range v.types {
		if d.match(national) {
			return true
		}
	}
	return !v.sameMobileFixedLines && v.mobile.match(national)
}

// validators compiles, once, the validators of the trunkZero regions.
var validators = sync.OnceValue(func() map[string]*validator {
	coll, err := phonenumbers.MetadataCollection()
	if err != nil {
		return nil
	}
	out := make(map[string]*validator)
	for _, m := range coll.GetMetadata() {
		if trunkZeroRegions[m.GetId()] == 0 {
			continue
		}
		v := &validator{general: compileDesc(m.GetGeneralDesc()), mobile: compileDesc(m.GetMobile()), sameMobileFixedLines: m.GetSameMobileAndFixedLinePattern()}
		for _, d := range []*phonenumbers.PhoneNumberDesc{
			m.GetPremiumRate(), m.GetTollFree(), m.GetSharedCost(), m.GetVoip(), m.GetPersonalNumber(),
			m.GetPager(), m.GetUan(), m.GetVoicemail(), m.GetFixedLine(),
		} {
			if c := compileDesc(d); c != nil {
				v.types = append(v.types, c)
			}
		}
		if v.general != nil {
			out[m.GetId()] = v
		}
	}
	return out
})

func atoi32(s string) int32 {
	n := int32(0)
	for i := 0; i < len(s); i++ {
		n = n*10 + int32(s[i]-'0')
	}
	return n
}

// fallbackRegions are tried, for a number labelled as a phone, when the
// default region does not make it valid: the countries of the compounds and
// of most of their victims.
var fallbackRegions = []string{"KH", "TH", "VN", "MM", "LA", "CN", "ID", "MY", "PH"}

// regionCodes are the country calling codes that a number written without
// '+' may start with when it is grouped like "855 12 345 678".
var regionCodes = map[string]bool{"855": true, "66": true, "84": true, "95": true, "856": true, "86": true, "62": true, "60": true, "63": true, "886": true, "852": true}

// digitAt returns the value of the decimal digit at t[i] in ASCII, Khmer,
// Thai, Lao or Myanmar script, and its length in bytes; -1 if none.
func digitAt(t string, i int) (int, int) {
	c := t[i]
	if c >= '0' && c <= '9' {
		return int(c - '0'), 1
	}
	if i+2 >= len(t) {
		return -1, 0
	}
	c1, c2 := t[i+1], t[i+2]
	switch {
	case c == 0xE1 && c1 == 0x9F && c2 >= 0xA0 && c2 <= 0xA9: // Khmer ០-៩
		return int(c2 - 0xA0), 3
	case c == 0xE0 && c1 == 0xB9 && c2 >= 0x90 && c2 <= 0x99: // Thai ๐-๙
		return int(c2 - 0x90), 3
	case c == 0xE0 && c1 == 0xBB && c2 >= 0x90 && c2 <= 0x99: // Lao ໐-໙
		return int(c2 - 0x90), 3
	case c == 0xE1 && c1 == 0x81 && c2 >= 0x80 && c2 <= 0x89: // Myanmar ၀-၉
		return int(c2 - 0x80), 3
	}
	return -1, 0
}

// nativeDigitSecond marks the second bytes of the native digits digitAt
// reads after a lead byte 0xE0 or 0xE1 (Khmer 9F, Thai B9, Lao BB,
// Myanmar 81): with another one there, it reads none.
var nativeDigitSecond = [256]bool{0x9F: true, 0xB9: true, 0xBB: true, 0x81: true}

// phoneStart marks the bytes a phone number can start with.
var phoneStart = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	t['+'], t['('], t[0xE0], t[0xE1] = true, true, true, true
	return t
}()

// sepLen returns the length of a separator inside a phone number at t[i]:
// space, no-break space, hyphen, en dash, dot, parenthesis or underscore
// ("062_417_9358", as spammers write to slip past number filters); 0 if
// none.
func sepLen(t string, i int) int {
	switch t[i] {
	case ' ', '-', '.', '(', ')', '_':
		return 1
	case 0xC2:
		if at(t, i+1) == 0xA0 {
			return 2
		}
	case 0xE2:
		if at(t, i+1) == 0x80 && (at(t, i+2) == 0x93 || at(t, i+2) == 0x90 || at(t, i+2) == 0x91) {
			return 3
		}
	}
	return 0
}

// phoneRun is a run of digits and separators that may be a phone number.
type phoneRun struct {
	start, end int
	plus       bool
	nd, ng     int                        // digits and groups so far
	digits     [maxPhoneDigits + 1]byte   // ASCII
	groupsA    [maxPhoneDigits + 1]int    // digits in each group
	endsA      [maxPhoneDigits + 1]int    // end offset in t of each group
	sepsA      [maxPhoneDigits + 1]string // separator after each group but the last
}

// groups returns the digits in each group; ends and seps the rest.
func (r *phoneRun) groups() []int  { return r.groupsA[:r.ng] }
func (r *phoneRun) ends() []int    { return r.endsA[:r.ng] }
func (r *phoneRun) seps() []string { return r.sepsA[:r.ng] }

// maxPhoneDigits bounds a run; longer runs of digits are not phone numbers.
const maxPhoneDigits = 18

// readPhoneRun reads the run starting at t[i] ('+', '(' or a digit).
func readPhoneRun(r *phoneRun, t string, i int) bool {
	// Reset what is read; the arrays are only read up to nd and ng, so
	// they are not cleared (a kilobyte, strings among it, per call).
	r.start, r.end, r.plus, r.nd, r.ng = i, 0, false, 0, 0
	p := i
	if t[p] == '+' {
		r.plus = true
		p++
		if p < len(t) && t[p] == ' ' {
			p++
		}
	}
	if p < len(t) && t[p] == '(' {
		p++
	}
	group := 0
	for p < len(t) {
		if d, n := digitAt(t, p); n > 0 {
			if r.nd == maxPhoneDigits {
				r.end = p
				return false
			}
			r.digits[r.nd] = byte('0' + d)
			r.nd++
			group++
			p += n
			continue
		}
		// A short run of separators followed by a digit continues the number.
		q := p
		for q < len(t) && q-p < 4 {
			n := sepLen(t, q)
			if n == 0 {
				break
			}
			q += n
		}
		if q == p || q >= len(t) || group == 0 || strings.Count(t[p:q], " ") > 1 && t[p:q] != " - " {
			break
		}
		if _, n := digitAt(t, q); n == 0 {
			break
		}
		r.groupsA[r.ng], r.endsA[r.ng], r.sepsA[r.ng] = group, p, t[p:q]
		r.ng++
		group = 0
		p = q
	}
	if group > 0 {
		r.groupsA[r.ng], r.endsA[r.ng], r.sepsA[r.ng] = group, p, ""
		r.ng++
	}
	r.end = p
	return r.ng > 0
}

// gluedLabels are the labels that posters glue to a number without a
// space ("WA081933846021", "Tel0912…"), with what they make of it.
var gluedLabels = map[string]kwClass{
	"wa": kwWhatsApp | kwPhone, "whatsapp": kwWhatsApp | kwPhone, "tel": kwPhone, "telp": kwPhone,
	"hp": kwPhone, "phone": kwPhone, "mobile": kwPhone, "sdt": kwPhone, "zalo": kwPhone,
}

// gluedLabel returns the class of the label that ends at t[i] glued to the
// digit there and starts a word, or 0.
func gluedLabel(t string, i int) kwClass {
	b := i
	for b > 0 && i-b <= 8 && isLetter(t[b-1]) {
		b--
	}
	if b == i || b > 0 && (isAlnum(t[b-1]) || t[b-1] == '_' || t[b-1] >= 0x80) || !isDigit(at(t, i)) && at(t, i) != '+' {
		return 0
	}
	return gluedLabels[lowerASCII(t[b:i])]
}

// phoneLeftOK reports whether a phone number may start at t[i]: not inside a
// word, an amount, a URL or another number.
func phoneLeftOK(t string, i int) bool {
	if i == 0 {
		return true
	}
	c := t[i-1]
	if c == '_' && t[i] == '+' {
		return true // "whatsapp___+60 17…": underscores as filler, and a '+' starts no handle's part
	}
	if isLetter(c) && gluedLabel(t, i) != 0 {
		return true // "chat WA081933846021": a label glued to its number
	}
	if isAlnum(c) || strings.IndexByte("_/#$@=&%\\", c) >= 0 {
		return false
	}
	if (c == '.' || c == ',' || c == '-' || c == ':' || c == '+') && i >= 2 && isAlnum(t[i-2]) {
		return c == ':' && isLetter(t[i-2]) // "Tel:012..." but not "10:30" or "No.5"
	}
	if c >= 0x80 {
		// A digit of another script right before: part of a longer number.
		for k := max(0, i-3); k < i; k++ {
			if _, n := digitAt(t, k); n > 0 && k+n == i {
				return false
			}
		}
	}
	return true
}

// phoneRightOK reports whether a phone number may end at t[e].
func phoneRightOK(t string, e int) bool {
	if e >= len(t) {
		return true
	}
	c := t[e]
	if isAlnum(c) || c == '_' || c == '@' || c == '%' {
		return false
	}
	if strings.IndexByte(".,:/", c) >= 0 && isDigit(at(t, e+1)) {
		return false
	}
	return true
}

// looksLikeDate reports whether the groups of a run read as a date: 2-2-4,
// 4-2-2 or 2-2-2 with dots, dashes or slashes.
func (r *phoneRun) looksLikeDate(k int) bool {
	if k != 3 {
		return false
	}
	for _, s := range r.seps()[:k-1] {
		if strings.TrimSpace(s) != "." && strings.TrimSpace(s) != "-" && strings.TrimSpace(s) != "/" {
			return false
		}
	}
	g := r.groups()
	return g[0] <= 2 && g[1] <= 2 && (g[2] == 4 || g[2] == 2) || g[0] == 4 && g[1] <= 2 && g[2] <= 2
}

// cardLike reports whether the run is four or more groups of four digits
// ("3173 0512 8901 0002"): a payment card's or an identity card's number
// (Indonesia's NIK), longer than any phone number, whose last groups are
// not one either. A labelled run is still read ("WA 0812 3456 7890 2024"
// keeps its number).
func (r *phoneRun) cardLike() bool {
	if r.ng < 4 || r.nd < 16 {
		return false
	}
	for _, g := range r.groups() {
		if g != 4 {
			return false
		}
	}
	return true
}

// phoneAt tries to read a phone number at t[i]. It returns the E.164 value,
// the span, the confidence, and where scanning should resume.
// r is scratch space for the run.
func (s *scanner) phoneAt(r *phoneRun, i int, labelled bool) (value string, start, end int, conf float64, next int) {
	t := s.t
	if !readPhoneRun(r, t, i) {
		return "", 0, 0, 0, max(r.end, i+1)
	}
	if !phoneLeftOK(t, i) || !labelled && r.cardLike() {
		return "", 0, 0, 0, r.end
	}
	next = i + 1
	if len(r.ends()) > 0 {
		next = r.ends()[0]
	}
	// Try the whole run, then drop trailing groups: "call 012 345 678 2
	// times", "012345678 098765432". The digits of every try are a prefix
	// of the run's: they are made a string once, with a '+' before them
	// for the tries that read a country code (one allocation where a
	// string and a concatenation each try made two).
	plusDigits := ""
	for k := len(r.groups()); k >= 1; k-- {
		n := 0
		for _, g := range r.groups()[:k] {
			n += g
		}
		e := r.ends()[k-1]
		if k < len(r.groups()) && strings.TrimSpace(r.seps()[k-1]) != "" {
			continue // only a space splits two numbers: "012345678 098765432"
		}
		if n < 8 || !phoneRightOK(t, e) || r.looksLikeDate(k) {
			continue
		}
		if k == len(r.groups()) && e < len(t) && t[e] == ')' && strings.Count(t[i:e], "(") > strings.Count(t[i:e], ")") {
			e++ // "(+855) 12 345 678)" is rare; "(012 345 678)" is not
		}
		if plusDigits == "" {
			var b [maxPhoneDigits + 2]byte
			b[0] = '+'
			plusDigits = string(b[:1+copy(b[1:], r.digits[:r.nd])])
		}
		v, c := s.readPhone(r, k, plusDigits[:1+n], labelled)
		if v != "" {
			return v, i, e, c, e
		}
	}
	return "", 0, 0, 0, next
}

// readPhone interprets the first k groups of a run, whose digits are
// plusD less its leading '+'.
func (s *scanner) readPhone(r *phoneRun, k int, plusD string, labelled bool) (string, float64) {
	d := plusD[1:]
	switch {
	case r.plus:
		if v, ok := parsePhone(plusD, ""); ok {
			return v, 0.95
		}
		return "", 0
	case strings.HasPrefix(d, "00"):
		if v, ok := parsePhone("+"+d[2:], ""); ok {
			return v, 0.9
		}
		if s.region != "" && s.region != "KH" && trunkZeroRegions[s.region] != 0 {
			// Other international prefixes: Thailand's 001, Vietnam's 00x.
			if v, ok := parsePhone(d, s.region); ok {
				return v, 0.9
			}
		}
		return "", 0
	case d[0] == '0':
		if s.region != "" {
			if v, ok := parsePhone(d, s.region); ok {
				if labelled {
					return v, 0.9
				}
				return v, 0.85
			}
		}
		if !labelled || s.region != "" {
			return "", 0 // a national number is read in the report's country only
		}
		var found string
		for _, reg := range fallbackRegions {
			if reg == s.region {
				continue
			}
			if v, ok := parsePhone(d, reg); ok {
				if found != "" && found != v {
					return "", 0 // valid in two countries: cannot tell
				}
				found = v
			}
		}
		return found, 0.6
	case len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9' && (k == 1 || slices.Equal(r.groups()[:k], []int{3, 4, 4})):
		// A mainland China mobile number, written without +86 as usual.
		if v, ok := parsePhone(d, "CN"); ok {
			if s.region == "CN" || labelled {
				return v, 0.85
			}
			return v, 0.75
		}
	}
	// A country code written without '+': only when labelled, or grouped so
	// that the first group is a country code of the region.
	if labelled || k > 1 && regionCodes[d[:r.groups()[0]]] {
		if v, ok := parsePhone(plusD, ""); ok {
			return v, 0.7
		}
	}
	return "", 0
}

// phones finds phone numbers outside the spans other extractors claimed.
func (s *scanner) phones() {
	t := s.t
	var run phoneRun
	for i := 0; i < len(t); {
		for i < len(t) && !phoneStart[t[i]] {
			i++ // in a loop of its own: the scan passes over most bytes here
		}
		if i == len(t) {
			break
		}
		if t[i] >= 0xE0 {
			if i+1 < len(t) && !nativeDigitSecond[t[i+1]] {
				// Thai or Khmer text, not a digit: what digitAt would
				// say. (Its continuation bytes start nothing.)
				i = pastChar3(t, i)
				continue
			}
			if _, n := digitAt(t, i); n == 0 {
				i = pastChar3(t, i)
				continue
			}
		}
		if (t[i] == '+' || t[i] == '(') && i+1 < len(t) {
			if _, n := digitAt(t, i+1); n == 0 && !(t[i+1] == ' ' && i+2 < len(t) && isDigit(t[i+2])) && !(t[i] == '(' && t[i+1] == '+') {
				i++
				continue
			}
		}
		if s.claimed(i, i+1) {
			i++
			continue
		}
		labelled := s.phoneLabelled(i)
		v, start, end, conf, next := s.phoneAt(&run, i, labelled)
		if v != "" && !labelled && (s.trackingBefore(start) || s.idCardBefore(start)) {
			v = "" // a parcel's tracking number, an identity card's number
		}
		if v != "" && !s.claimed(start, end) {
			s.addHit(Hit{Kind: KindPhone, Value: v, Start: start, End: end, Confidence: conf})
			k, ok := s.kwBefore(start, kwAccounts, 60, s.labelGap)
			if !ok {
				k, ok = s.accountLabelAfter(end)
			}
			if !ok && gluedLabel(t, start)&kwWhatsApp != 0 {
				s.addHit(Hit{Kind: KindWhatsApp, Value: v, Start: start, End: end, Confidence: conf})
			}
			for ok {
				kind := KindWhatsApp
				switch {
				case k.class&kwWeChat != 0:
					kind = KindWeChat
				case k.class&kwLine != 0:
					kind = KindLine
				}
				s.addHit(Hit{Kind: kind, Value: v, Start: start, End: end, Confidence: conf})
				// "Line/WA: 09…": each label joined by '/' names an account.
				k, ok = s.joinedLabelBefore(k)
			}
		}
		i = max(next, i+1)
	}
}

// trackingBefore reports whether a parcel-tracking label stands shortly
// before pos on the same line ("tracking JT 7788 0912 3345 6", "លេខតាមដាន
// កញ្ចប់ KH ៨៨០ …").
func (s *scanner) trackingBefore(pos int) bool {
	k, ok := s.kwBefore(pos, kwTracking, 40, nil)
	return ok && !strings.Contains(s.t[k.end:pos], "\n")
}

// idCardBefore reports whether an identity card's label stands right
// before pos, with only what may stand between a label and its value
// between them ("CCCD: 001 203 004 567").
func (s *scanner) idCardBefore(pos int) bool {
	_, ok := s.kwBefore(pos, kwIDCard, 24, s.labelGap)
	return ok
}

// joinedLabelBefore returns the WhatsApp, WeChat or LINE label joined by
// '/' to k's start ("Line/WA"), if any.
func (s *scanner) joinedLabelBefore(k keyword) (keyword, bool) {
	p := k.start
	for p > 0 && s.t[p-1] == ' ' {
		p--
	}
	if p == 0 || s.t[p-1] != '/' {
		return keyword{}, false
	}
	p--
	for p > 0 && s.t[p-1] == ' ' {
		p--
	}
	for i := s.kwIndexBefore(p); i >= 0 && s.kws[i].end == p; i-- {
		if j := s.kws[i]; j.class&kwAccounts != 0 && j.class&kwAccounts != k.class&kwAccounts {
			return j, true
		}
	}
	return keyword{}, false
}

// afterLabelJoiners may join labels after a number: "← តេឡេក្រាម និង
// វ៉ាត់សាប់" (Telegram and WhatsApp), "(Telegram/WA)".
var afterLabelJoiners = []string{"/", ",", "&", "និង", "and", "和", "และ", "và", "dan", "or", "หรือ", "或"}

// accountLabelAfter finds a WhatsApp, WeChat or LINE label written right
// after a phone number that ends at end ("0857-2231-4490 (wa)", "០៩២ ៧៧៨
// ៤៥១ ← តេឡេក្រាម និង វ៉ាត់សាប់"), perhaps after other messaging labels
// joined to it. A label followed by a colon or a Latin word is the next
// value's label, not this number's.
func (s *scanner) accountLabelAfter(end int) (keyword, bool) {
	t := s.t
	p := end
	skip := func() {
		for p < len(t) {
			switch {
			case t[p] == ' ' || t[p] == '(' || t[p] == '[':
				p++
				continue
			case strings.HasPrefix(t[p:], "（"):
				p += len("（")
				continue
			case t[p] >= 0xE2:
				if r, n := utf8.DecodeRuneInString(t[p:]); gapSymbol(r) {
					p += n
					continue
				}
			}
			return
		}
	}
	skip()
	first := true
	for p < len(t) && p-end < 80 {
		k := s.kwAt(p, kwHandles)
		if k.end == 0 && first {
			// A few words between: "← same no. on whatsapp", "(có
			// whatsapp)", "เบอร์นี้มีวอทส์แอป" — no digit, at sign, colon
			// or line break among them.
			k = s.accountLabelWithin(p, p+afterLabelWords)
		}
		first = false
		if k.end == 0 {
			return keyword{}, false
		}
		if k.class&kwAccounts != 0 {
			q := k.end
			for q < len(t) && t[q] == ' ' {
				q++
			}
			if c := at(t, q); c == ':' || c == '=' || isAlnum(c) || strings.HasPrefix(t[q:], "：") {
				return keyword{}, false
			}
			return k, true
		}
		p = k.end
		joined := false
		for p < len(t) {
			for p < len(t) && t[p] == ' ' {
				p++
			}
			n := 0
			for _, j := range afterLabelJoiners {
				if hasPrefixFoldASCII(t[p:], j) && (!isLetter(j[0]) || !isAlnum(at(t, p+len(j)))) {
					n = len(j)
					break
				}
			}
			if n == 0 {
				break
			}
			p += n
			joined = true
		}
		if !joined {
			return keyword{}, false
		}
	}
	return keyword{}, false
}

// afterLabelWords is how far after a number, in bytes of other words, a
// WhatsApp, WeChat or LINE label still names it (accountLabelAfter).
const afterLabelWords = 36

// accountLabelWithin returns the first WhatsApp, WeChat or LINE label
// starting in t[p:limit] with no digit, '@', ':' or line break before it,
// or a zero keyword.
func (s *scanner) accountLabelWithin(p, limit int) keyword {
	t := s.t
	for i := s.kwIndexBefore(p) + 1; i < len(s.kws) && s.kws[i].start < limit; i++ {
		k := s.kws[i]
		if k.start < p || k.class&kwAccounts == 0 {
			continue
		}
		if strings.ContainsAny(t[p:k.start], "0123456789@:\n") {
			return keyword{}
		}
		return k
	}
	return keyword{}
}

// phoneLabelled reports whether a phone label ("Tel", "电话", "เบอร์") comes
// shortly before pos on the same line.
func (s *scanner) phoneLabelled(pos int) bool {
	k, ok := s.kwBefore(pos, kwPhone, 40, nil)
	return ok && !strings.Contains(s.t[k.end:pos], "\n")
}
