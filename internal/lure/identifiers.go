package lure

import (
	"context"
	"strings"
)

// Identifier kinds found in ads. The link index is asked about each
// identifier under its kind; a bare @handle with no messenger named is
// KindHandle.
const (
	KindPhone    = "phone"
	KindTelegram = "telegram"
	KindWhatsApp = "whatsapp"
	KindWeChat   = "wechat"
	KindLINE     = "line"
	KindZalo     = "zalo"
	KindEmail    = "email"
	KindURL      = "url"
	KindHandle   = "handle"
)

// Identifier is a contact point found in an ad.
type Identifier struct {
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Value is the identifier in a simple normal form: lower case, no "@"
	// for handles, digits with a leading "+" kept for phone numbers, host
	// and path without the scheme for URLs.
	Value string `json:"value"`
	// Span is where it is in the ad.
	Span Span `json:"span"`
	// Reports is how many reports the link index has the identifier in; 0
	// when it has none or no index was asked.
	Reports int `json:"reports,omitempty"`
}

// IdentifierLookup answers how many reports an identifier appears in. The
// link index implements it; kind is one of the Kind constants and value is
// normalised as in Identifier (the index may normalise further, e.g. phone
// numbers to E.164). Since any positive count makes the answer high, an
// implementation should count the reports where the identifier plays a
// recruiter, compound or payment role, not those where it is, say, the
// victim's own bank.
type IdentifierLookup interface {
	ReportsFor(ctx context.Context, kind, value string) (int, error)
}

// maxLookups bounds the identifiers of one ad asked about, so that a pasted
// text cannot turn into a flood of index queries.
const maxLookups = 8

// idCues introduce an identifier of a given kind: "微信：abc123", "LINE ID:
// xyz". The detector's matcher looks for them, under the kind "id:" + kind.
var idCues = []struct{ tok, kind string }{
	{"telegram", KindTelegram}, {"tg", KindTelegram}, {"飞机号", KindTelegram}, {"飞机", KindTelegram},
	{"电报", KindTelegram}, {"whatsapp", KindWhatsApp}, {"whats app", KindWhatsApp}, {"wa", KindWhatsApp},
	{"微信号", KindWeChat}, {"微信", KindWeChat}, {"wechat", KindWeChat}, {"vx", KindWeChat}, {"wx", KindWeChat},
	{"加v", KindWeChat}, {"line id", KindLINE}, {"line", KindLINE}, {"ไลน์", KindLINE}, {"ไอดีไลน์", KindLINE},
	{"zalo", KindZalo},
}

// phoneCues make a digit string nearby a phone number.
var phoneCues = []string{
	"tel", "phone", "call", "mobile", "contact", "hotline", "电话", "手机", "联系", "ទូរស័ព្ទ", "លេខ", "โทร",
	"sđt", "điện thoại", "hp", "wa", "whatsapp", "zalo", "viber",
}

// findIdentifiers finds contact identifiers in folded text. tgCue says that
// the ad names Telegram, which makes a bare @handle a Telegram handle.
// Digit strings inside amounts are not phone numbers. cues are the
// occurrences of idCues, whose kind is "id:" and the identifier kind.
//
// The scans run from the most to the least certain shape, and each skips
// text an earlier one already took: a t.me link is not also a web address,
// an e-mail address's digits not a phone number.
func findIdentifiers(f folded, orig string, tgCue bool, amounts []Amount, cues []hit) []Identifier {
	sc := &idScan{f: f, s: f.s, orig: orig, amounts: amounts, seen: map[string]bool{}}
	sc.messengerLinks()
	sc.webAddresses()
	sc.atSigns(tgCue)
	sc.cuedIDs(cues)
	sc.phoneNumbers()
	return sc.ids
}

// idScan is one ad's identifiers as findIdentifiers gathers them.
type idScan struct {
	f       folded
	s       string // f.s
	orig    string
	amounts []Amount
	ids     []Identifier
	seen    map[string]bool // kind "\x00" value
}

// add records an identifier at s[i:j], once per kind and value.
func (sc *idScan) add(kind, value string, i, j int) {
	if value == "" || sc.seen[kind+"\x00"+value] {
		return
	}
	sc.seen[kind+"\x00"+value] = true
	sc.ids = append(sc.ids, Identifier{Kind: kind, Value: value, Span: sc.f.span(sc.orig, i, j)})
}

// inAmount reports whether s[i] is inside an amount of money.
func (sc *idScan) inAmount(i int) bool {
	o := int(sc.f.off[i])
	for _, a := range sc.amounts {
		if a.Span.Start <= o && o < a.Span.End {
			return true
		}
	}
	return false
}

// covered reports whether s[i] is inside an identifier already found.
func (sc *idScan) covered(i int) bool {
	o := int(sc.f.off[i])
	for _, id := range sc.ids {
		if id.Span.Start <= o && o < id.Span.End {
			return true
		}
	}
	return false
}

// messengerLinks finds links to a messenger account: t.me/…, wa.me/…,
// line.me/….
func (sc *idScan) messengerLinks() {
	s := sc.s
	for _, l := range []struct{ prefix, kind string }{
		{"t.me/", KindTelegram}, {"telegram.me/", KindTelegram}, {"telegram.dog/", KindTelegram},
		{"wa.me/", KindWhatsApp}, {"line.me/ti/p/~", KindLINE}, {"line.me/r/ti/p/", KindLINE},
	} {
		for off := 0; ; {
			k := strings.Index(s[off:], l.prefix)
			if k < 0 {
				break
			}
			k += off
			j := k + len(l.prefix)
			e := j
			for e < len(s) && isHandleByte(s[e]) {
				e++
			}
			start := k
			for _, sch := range []string{"https://", "http://"} {
				if start >= len(sch) && s[start-len(sch):start] == sch {
					start -= len(sch)
				}
			}
			if e > j {
				v := s[j:e]
				if l.kind == KindWhatsApp {
					v = "+" + digitsOf(v)
				}
				sc.add(l.kind, v, start, e)
			}
			off = max(e, k+1)
		}
	}
}

// webAddresses finds other web addresses, by their scheme or "www.".
func (sc *idScan) webAddresses() {
	s := sc.s
	for _, prefix := range []string{"https://", "http://", "www."} {
		for off := 0; ; {
			k := strings.Index(s[off:], prefix)
			if k < 0 {
				break
			}
			k += off
			e := k + len(prefix)
			for e < len(s) && s[e] > ' ' && s[e] < 0x80 && !strings.ContainsRune("\"'<>()[]{},", rune(s[e])) {
				e++
			}
			off = max(e, k+1)
			v := strings.TrimRight(s[k:e], ".:;!?/")
			e = k + len(v)
			v = strings.TrimPrefix(strings.TrimPrefix(v, "https://"), "http://")
			if !strings.Contains(v, ".") || sc.covered(k) || k > 0 && isWordAt(s, k-1) {
				continue
			}
			sc.add(KindURL, v, k, e)
		}
	}
}

// atSigns finds e-mail addresses and @handles; a handle is a Telegram one
// when tgCue says the ad names Telegram.
func (sc *idScan) atSigns(tgCue bool) {
	s := sc.s
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || sc.covered(i) {
			continue
		}
		j := i + 1
		for j < len(s) && (isHandleByte(s[j]) || (s[j] == '.' || s[j] == '-') && j+1 < len(s) && isHandleByte(s[j+1])) {
			j++
		}
		k := i
		for k > 0 && (isHandleByte(s[k-1]) || s[k-1] == '.' || s[k-1] == '-' || s[k-1] == '+') {
			k--
		}
		switch {
		case k < i && strings.Contains(s[i+1:j], "."):
			sc.add(KindEmail, s[k:j], k, j)
		case k == i && j-i-1 >= 4 && j-i-1 <= 32 && !strings.ContainsAny(s[i+1:j], ".-"):
			kind := KindHandle
			if tgCue {
				kind = KindTelegram
			}
			sc.add(kind, s[i+1:j], i, j)
		}
	}
}

// cuedIDs finds the ids the detector's matcher found cues for: "微信:
// abc123", "LINE ID: xyz", "WhatsApp +855 …".
func (sc *idScan) cuedIDs(cues []hit) {
	s := sc.s
	for _, c := range cues {
		k := c.start
		j := c.end
		marked := !isWordAt(s, k) // 微信abc123 needs no colon
		for j < len(s) && (s[j] == ' ' || s[j] == ':' || s[j] == '-' || s[j] == '@') {
			marked = marked || s[j] != ' '
			j++
		}
		if strings.HasPrefix(s[j:], "id") && !isWordAt(s, j+2) {
			j = skipSpaces(s, j+2)
			for j < len(s) && (s[j] == ':' || s[j] == ' ') {
				j++
			}
			marked = true
		}
		if !marked {
			continue // "line supervisors", "wa state": a word, not an id
		}
		e := j
		for e < len(s) && (isHandleByte(s[e]) || s[e] == '.' || s[e] == '-') {
			e++
		}
		v := strings.TrimRight(s[j:e], ".-")
		e = j + len(v)
		if len(v) < 4 || len(v) > 32 || sc.covered(j) || sc.inAmount(j) {
			continue
		}
		if d := digitsOf(v); len(d) == len(strings.Trim(v, "+")) {
			continue // a number: left to the phone scan, which knows about spaces
		}
		if !isLetter(v[0]) {
			continue
		}
		sc.add(strings.TrimPrefix(c.kind, "id:"), v, j, e)
	}
}

// phoneNumbers finds phone numbers: 8 to 15 digits, written with spaces,
// dashes, dots or brackets, outside amounts, in a local or international
// form or near a word such as "call". A messenger named just before makes
// it that messenger's number.
func (sc *idScan) phoneNumbers() {
	s := sc.s
	for i := 0; i < len(s); i++ {
		if !(isDigit(s[i]) || s[i] == '+' && i+1 < len(s) && isDigit(s[i+1])) || i > 0 && (isDigit(s[i-1]) || isWordAt(s, i-1)) {
			continue
		}
		if sc.covered(i) || sc.inAmount(i) {
			continue
		}
		last, digits := phoneRun(s, i)
		text := s[i:last]
		if digits < 8 || digits > 15 || isWordAt(s, last) {
			i = last
			continue
		}
		d := digitsOf(text)
		local := d[0] == '0' || s[i] == '+' || len(d) == 11 && d[0] == '1'
		if !local && !containsAny(s[max(0, i-24):i], phoneCues) {
			i = last
			continue
		}
		if s[i] == '+' {
			d = "+" + d
		}
		sc.add(phoneKind(s[max(0, i-16):i]), d, i, last)
		i = last
	}
}

// phoneRun reads the number that starts at s[i]: it returns the end of
// its last digit and how many digits it has.
func phoneRun(s string, i int) (last, digits int) {
	j := i
	last = i
	for j < len(s) {
		c := s[j]
		if isDigit(c) {
			digits++
			j++
			last = j
			continue
		}
		if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')') && j+1 < len(s) && (isDigit(s[j+1]) || s[j+1] == '(' || s[j+1] == ' ') {
			j++
			continue
		}
		if c == '+' && j == i {
			j++
			continue
		}
		break
	}
	return last, digits
}

// phoneKind is the kind of a phone number with before just before it: a
// messenger's, if one is named there.
func phoneKind(before string) string {
	switch {
	case containsAny(before, []string{"whatsapp", "wa"}):
		return KindWhatsApp
	case containsAny(before, []string{"telegram", "tg", "飞机"}):
		return KindTelegram
	case containsAny(before, []string{"zalo"}):
		return KindZalo
	case containsAny(before, []string{"微信", "wechat", "vx"}):
		return KindWeChat
	}
	return KindPhone
}

func isHandleByte(c byte) bool {
	return 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_'
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' }

func digitsOf(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b = append(b, s[i])
		}
	}
	return string(b)
}
