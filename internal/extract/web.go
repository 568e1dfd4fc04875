package extract

import (
	"strings"

	"golang.org/x/net/publicsuffix"
)

// Character classes of the ASCII bytes that make up "words": maximal runs of
// printable ASCII in the view. Everything but phone numbers, labelled
// identifiers and company names is found inside one word.
const (
	cAt = 1 << iota
	cDot
	cColon
	cSlash
	cDigit
	cUpper
	cLower
)

var wordClass = func() (t [256]uint8) {
	t['@'] = cAt
	t['.'] = cDot
	t[':'] = cColon
	t['/'] = cSlash
	for c := '0'; c <= '9'; c++ {
		t[c] = cDigit
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = cUpper
		t[c+'a'-'A'] = cLower
	}
	return t
}()

// tokens runs the word-level extractors over the view.
func (s *scanner) tokens() {
	t := s.t
	for i := 0; i < len(t); {
		if c := t[i]; c <= ' ' || c >= 0x7F {
			if c >= 0x80 {
				i = pastNonASCII(t, i)
			} else {
				i++
			}
			continue
		}
		var cls uint8
		j := i
		for j < len(t) && t[j] > ' ' && t[j] < 0x7F {
			cls |= wordClass[t[j]]
			j++
		}
		i = s.word(i, j, cls)
	}
}

// word extracts from the word t[ws:we] and returns where scanning resumes.
func (s *scanner) word(ws, we int, cls uint8) int {
	if cls&(cAt|cDot|cColon|cSlash) == 0 && we-ws < 14 && cls&cUpper == 0 && !(pieceLead(s.t, ws, we) && we < len(s.t)) {
		return we
	}
	t := s.t
	if cls&cColon != 0 {
		for off := ws; ; {
			k := strings.Index(t[off:we], "://")
			if k < 0 {
				break
			}
			k += off
			off = s.schemeURL(ws, k, we)
		}
	}
	if cls&cDot != 0 {
		for d := ws; d < we; d++ {
			if t[d] == '.' && !s.claimed(d, d+1) {
				d = s.bareHost(ws, d, we)
			}
		}
	}
	if cls&cAt != 0 {
		for a := ws; a < we; a++ {
			if t[a] == '@' && !s.claimed(a, a+1) {
				s.at(ws, a, we)
			}
		}
	}
	end := we
	// Alphanumeric runs: wallets and IBANs.
	for r := ws; r < we; {
		if !isAlnum(t[r]) {
			r++
			continue
		}
		e := r
		for e < we && isAlnum(t[e]) {
			e++
		}
		if e-r >= 14 {
			s.wallet(r, e)
		}
		if (e-r >= 4 || pieceLead(t, r, e)) && e < len(t) && !s.claimed(r, e) && walletLead(t[r]) {
			if ge := s.walletGroups(r, e); ge > end {
				end = ge
			}
		}
		if e-r >= 4 && isUpperAt(t, r) && isUpperAt(t, r+1) && isDigit(t[r+2]) && isDigit(t[r+3]) {
			if ie := s.iban(r, e); ie > end {
				end = ie
			}
		}
		r = e
	}
	return end
}

func isUpperAt(t string, i int) bool { c := at(t, i); return c >= 'A' && c <= 'Z' }

// pieceLead reports whether the word t[i:e] with no capital may be the
// first piece of a wallet address written in pieces (walletGroups): "bc1…",
// or "0x…" (an Ethereum address whose first piece has no capital, "0xcc96
// c7DB …", or is "0x" alone, "0x c728F927 …", or "0" before a spaced x,
// "0 x 5 a A e …": the capitals of the later pieces carry its checksum).
func pieceLead(t string, i, e int) bool {
	return t[i] == 'b' && e-i >= 4 || t[i] == '0' && (e-i >= 2 && t[i+1]|0x20 == 'x' || spacedHexLead(t, i, e))
}

// spacedHexLead reports whether the word t[i:e] is "0" and a spaced x and
// a letter or digit follow: an Ethereum address spelled one character at a
// time ("0 x 5 a A e b 6 …").
func spacedHexLead(t string, i, e int) bool {
	return e-i == 1 && at(t, e) == ' ' && at(t, e+1)|0x20 == 'x' && at(t, e+2) == ' ' && isAlnum(at(t, e+3))
}

// confidence lowers c for identifiers that were obfuscated in the input.
func (s *scanner) confidence(c float64, start, end int) float64 {
	if s.obfuscated(start, end) {
		return c * 0.9
	}
	return c
}

// isHostByte reports whether c can be part of a host name.
func isHostByte(c byte) bool { return isAlnum(c) || c == '-' || c == '.' }

// cleanHost lower-cases a host name and checks its syntax and that it ends in
// a real top-level domain. It returns the host and its registrable domain.
func cleanHost(h string) (host, domain string, ok bool) {
	h = strings.TrimRight(h, ".")
	if len(h) < 4 || len(h) > 253 || strings.IndexByte(h, '.') < 0 {
		return "", "", false
	}
	h = lowerASCII(h)
	for rest := h; rest != ""; {
		l, r, _ := strings.Cut(rest, ".")
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", "", false
		}
		rest = r
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	for i := 0; i < len(tld); i++ {
		if !isLetter(tld[i]) && !(strings.HasPrefix(tld, "xn--") && (isAlnum(tld[i]) || tld[i] == '-')) {
			return "", "", false
		}
	}
	if len(tld) < 2 {
		return "", "", false
	}
	// An ICANN suffix, or a private one under it ("blogspot.com"); "*.kh"
	// style wildcard rules make "kh" alone unknown, so ask about the host.
	ps, icann := publicsuffix.PublicSuffix(h)
	if !icann && strings.IndexByte(ps, '.') < 0 {
		return "", "", false
	}
	// The registrable domain, as publicsuffix.EffectiveTLDPlusOne finds it
	// (h has no empty label), without looking the suffix up again.
	if len(h) <= len(ps) {
		return "", "", false
	}
	i := len(h) - len(ps) - 1
	if h[i] != '.' {
		return "", "", false
	}
	return h, h[1+strings.LastIndexByte(h[:i], '.'):], true
}

// urlTail returns the end of the port, path, query and fragment that follow
// a host ending at i, with trailing punctuation left out.
func urlTail(t string, i, we int) int {
	if i < we && t[i] == ':' {
		j := i + 1
		for j < we && isDigit(t[j]) {
			j++
		}
		if j == i+1 || j-i > 6 {
			return i
		}
		i = j
	}
	if i >= we || (t[i] != '/' && t[i] != '?' && t[i] != '#') {
		return i
	}
	j := i
	for j < we && !urlPathStop[t[j]] {
		j++
	}
	for j > i {
		c := t[j-1]
		if c == ')' && strings.Count(t[i:j], "(") >= strings.Count(t[i:j], ")") {
			break
		}
		if !strings.ContainsRune(".,;:!?'\")]*", rune(c)) {
			break
		}
		j--
	}
	return j
}

// urlPathStop marks the bytes that end a URL's path for urlTail.
var urlPathStop = [256]bool{'"': true, '<': true, '>': true, '`': true, '{': true, '}': true, '|': true, '\\': true, '^': true}

// schemeURL handles the "://" at k inside the word t[ws:we] and returns where
// to look for the next one.
func (s *scanner) schemeURL(ws, k, we int) int {
	t := s.t
	ss := k
	for ss > ws && isLetter(t[ss-1]) {
		ss--
	}
	scheme := lowerASCII(t[ss:k])
	if !strings.HasSuffix(scheme, "http") && !strings.HasSuffix(scheme, "https") {
		return k + 3
	}
	// "xhttp://" is not a URL, but "URL:http://" and "链接http://" are.
	if strings.HasSuffix(scheme, "https") {
		ss = k - 5
		scheme = "https"
	} else {
		ss = k - 4
		scheme = "http"
	}
	hs := k + 3
	he := hs
	for he < we && isHostByte(t[he]) {
		he++
	}
	host, domain, ok := cleanHost(t[hs:he])
	if !ok {
		return he
	}
	raw := he
	he = hs + len(strings.TrimRight(t[hs:he], "."))
	ts := he
	if raw == he+1 && raw < we && strings.IndexByte("/?#:", t[raw]) >= 0 {
		ts = raw // "https://kh-jobnow.com./register": the root's dot, then the path
	}
	end := urlTail(t, ts, we)
	s.urlHit(ss, end, scheme, host, domain, t[ts:end], 0.95)
	return end
}

// urlHit records a URL: as a messaging handle for the profile links of
// Telegram, WhatsApp, LINE, Facebook, Instagram and TikTok, else as a URL
// and its registrable domain.
func (s *scanner) urlHit(start, end int, scheme, host, domain, tail string, conf float64) {
	conf = s.confidence(conf, start, end)
	if k, v, ok := socialProfile(host, tail, s.region); ok {
		s.add(Hit{Kind: k, Value: v, Start: start, End: end, Confidence: conf})
		if k == KindWhatsApp {
			s.add(Hit{Kind: KindPhone, Value: v, Start: start, End: end, Confidence: conf})
		}
		return
	}
	path := tail
	if path == "/" {
		path = ""
	}
	s.add(Hit{Kind: KindURL, Value: scheme + "://" + host + path, Start: start, End: end, Confidence: conf})
	s.add(Hit{Kind: KindDomain, Value: domain, Start: start, End: end, Confidence: conf})
}

// fileTLDs are top-level domains that are more often file extensions; a bare
// "name.zip" is not taken for a domain.
var fileTLDs = map[string]bool{"zip": true, "mov": true, "py": true, "sh": true, "pl": true, "md": true, "rs": true, "ps": true, "so": true, "ai": true}

// commonTLDs are the top-level domains of most sites seen in reports; other
// bare domains get a lower confidence.
var commonTLDs = map[string]bool{
	"com": true, "net": true, "org": true, "info": true, "xyz": true, "top": true, "vip": true, "cc": true,
	"io": true, "biz": true, "asia": true, "shop": true, "site": true, "online": true, "club": true,
	"app": true, "me": true, "co": true, "kh": true, "cn": true, "vn": true, "th": true, "la": true,
	"mm": true, "id": true, "my": true, "ph": true, "sg": true, "hk": true, "tw": true, "ly": true,
}

// bareHost handles a host name without a scheme around the dot at d inside
// the word t[ws:we]: "example.com", "www.example.com/jobs", "t.me/name". It
// returns the last byte it looked at.
func (s *scanner) bareHost(ws, d, we int) int {
	t := s.t
	if d == ws || !isAlnum(t[d-1]) || d+1 >= we || !isAlnum(t[d+1]) {
		return d
	}
	hs := d
	for hs > ws && isHostByte(t[hs-1]) {
		hs--
	}
	for hs < d && !isAlnum(t[hs]) {
		hs++
	}
	he := d
	for he < we && isHostByte(t[he]) {
		he++
	}
	raw := strings.TrimRight(t[hs:he], ".-")
	he = hs + len(raw)
	if hs > ws && strings.IndexByte("/\\_=$%&@#~+", t[hs-1]) >= 0 || at(t, he) == '@' {
		return he // a path, a query, or either side of an e-mail address
	}
	if s.claimed(hs, he) {
		return he
	}
	host, domain, ok := cleanHost(raw)
	if !ok {
		return he
	}
	tldRaw := raw[strings.LastIndexByte(raw, '.')+1:]
	tld := lowerASCII(tldRaw)
	if tldRaw != tld && tldRaw != upperASCII(tldRaw) && at(t, he) != '/' {
		// "Co.Ltd", "home.Today": sentence punctuation, not a domain; with
		// a path it is one ("FaceBook.Com/KhmerJobs", "T.Me/TuyenDung").
		return he
	}
	end := urlTail(t, he, we)
	www := strings.HasPrefix(host, "www.")
	if end > he || www {
		s.urlHit(hs, end, "http", host, domain, t[he:end], 0.85)
		return end
	}
	if fileTLDs[tld] {
		return he
	}
	if _, ok := s.kwBefore(hs, kwHandles, 24, s.labelGap); ok {
		return he // "LINE: somsri.help" is an account name, not a domain
	}
	conf := 0.85
	if !commonTLDs[tld] {
		conf = 0.6
	}
	if k, _, ok := socialProfile(host, "", s.region); ok || k != "" {
		return he // "facebook.com" alone names no profile
	}
	s.add(Hit{Kind: KindDomain, Value: domain, Start: hs, End: he, Confidence: s.confidence(conf, hs, he)})
	return he
}

// at handles the '@' at a inside the word t[ws:we]: an e-mail address or a
// messaging handle.
func (s *scanner) at(ws, a, we int) {
	t := s.t
	ls := a
	for ls > ws && isLocalByte(t[ls-1]) {
		ls--
	}
	for ls < a && (t[ls] == '.' || t[ls] == '-') {
		ls++
	}
	if ls < a {
		de := a + 1
		for de < we && isHostByte(t[de]) {
			de++
		}
		raw := strings.TrimRight(t[a+1:de], ".-")
		host, _, ok := cleanHost(dropMarker(raw))
		if !ok || s.claimed(ls, a+1+len(raw)) || at(t, a+1+len(raw)) == '@' {
			return // no address is glued to another at sign: "p@ssW0rd.me@Home"
		}
		end := a + 1 + len(raw)
		s.add(Hit{Kind: KindEmail, Value: dropNoSpam(lowerASCII(t[ls:a])) + "@" + host, Start: ls, End: end, Confidence: s.confidence(0.95, ls, end)})
		return
	}
	// A handle: "@name", after a label or standing alone.
	he := a + 1
	for he < we && (isAlnum(t[he]) || t[he] == '_' || t[he] == '.' || t[he] == '-') {
		he++
	}
	for he > a+1 && (t[he-1] == '.' || t[he-1] == '-') {
		he--
	}
	name := t[a+1 : he]
	if name == "" || !isLetter(name[0]) {
		return
	}
	kind := KindTelegram
	if k, ok := s.handleLabel(a); ok {
		// An @name after Twitter or Facebook is none of Vigil's kinds.
		if kind, ok = labelKind(k.class, kwOtherSocial); !ok {
			return
		}
	}
	value, ok := handleValue(kind, name)
	if !ok {
		return
	}
	if kind == KindLine {
		value = "@" + value
	}
	if n := at(t, he); n == '@' || n == '.' && isLetter(at(t, he+1)) && kind == KindTelegram {
		return
	}
	conf := 0.8
	if kind != KindTelegram {
		conf = 0.85
	}
	s.add(Hit{Kind: kind, Value: value, Start: a, End: he, Confidence: s.confidence(conf, a, he)})
}

// handleLabelStops end the clause in which a keyword names a handle's
// network.
var handleLabelStops = newCharSet("\n.!?。！？")

// handleLabel returns the messaging or social keyword that tells whose
// handle an "@name" at pos is: the nearest one before it on the same line,
// within a short clause ("TikTok @x", "抖音上发广告，账号 @x").
func (s *scanner) handleLabel(pos int) (keyword, bool) {
	k, ok := s.kwBefore(pos, kwHandles, 48, nil)
	if !ok || handleLabelStops.in(s.t[k.end:pos]) {
		return keyword{}, false
	}
	return k, true
}

// dropNoSpam takes out of an e-mail address's local part the "nospam" a
// writer asks to remove before sending ("kaylee.recruit-NOSPAM@…",
// "nhansu.vnjobsNOSPAM@…"), with a separator before it; a local part that
// is only "nospam" stays.
func dropNoSpam(local string) string {
	i := strings.Index(local, "nospam")
	if i <= 0 {
		return local
	}
	j := i
	if c := local[j-1]; c == '-' || c == '.' || c == '_' || c == '+' {
		j--
	}
	if j == 0 {
		return local
	}
	return local[:j] + local[i+len("nospam"):]
}

// removeMarkers are the words a writer asks the reader to take out of an
// address's host ("jobs@NOSPAMyahoo.com", "recruit@gmail.REMOVEMEcom",
// "(remove NOSPAM before sending)").
var removeMarkers = [...]string{"nospam", "removeme", "removethis", "deleteme"}

// dropMarker returns host without the first of removeMarkers in it (any
// case), when a letter or dot stays on each side.
func dropMarker(host string) string {
	if len(host) < 8 {
		return host
	}
	l := lowerASCII(host)
	for _, m := range removeMarkers {
		if i := strings.Index(l, m); i > 0 && i+len(m) < len(l) {
			return host[:i] + host[i+len(m):]
		}
		if strings.HasPrefix(l, m) && len(l) > len(m) && isLetter(l[len(m)]) {
			return host[len(m):]
		}
	}
	return host
}

func isLocalByte(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// stopHandles are @words that are not accounts.
var stopHandles = map[string]bool{"everyone": true, "channel": true, "here": true, "admin": true, "gmail": true, "yahoo": true, "hotmail": true, "outlook": true}

// handleValue checks a user name for a kind of handle and returns its
// normalised value.
func handleValue(kind Kind, name string) (string, bool) {
	name = lowerASCII(name)
	min, max, extra := 5, 32, "_"
	switch kind {
	case KindLine:
		min, max, extra = 4, 20, "_.-"
	case KindWeChat:
		min, max, extra = 6, 20, "_-"
	case KindInstagram:
		min, max, extra = 2, 30, "_."
	case KindTikTok:
		min, max, extra = 2, 24, "_."
	}
	if len(name) < min || len(name) > max || stopHandles[name] {
		return "", false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && strings.IndexByte(extra, c) < 0 {
			return "", false
		}
	}
	switch kind {
	case KindTelegram, KindInstagram, KindTikTok:
		return "@" + name, true
	}
	return name, true
}

// socialProfile recognises the profile links of messaging and social sites.
// A known site without a recognisable profile returns its kind and false.
func socialProfile(host, tail, region string) (Kind, string, bool) {
	host = strings.TrimPrefix(host, "www.")
	path, query, _ := strings.Cut(tail, "?")
	path, _, _ = strings.Cut(path, "#")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	first := segs[0]
	switch host {
	case "t.me", "telegram.me", "telegram.dog":
		if first == "s" && len(segs) > 1 {
			first = segs[1]
		}
		if strings.HasPrefix(first, "+") && len(first) > 8 {
			return KindTelegram, "t.me/" + first, true
		}
		if first == "joinchat" && len(segs) > 1 && len(segs[1]) > 8 {
			return KindTelegram, "t.me/+" + segs[1], true
		}
		v, ok := handleValue(KindTelegram, first)
		return KindTelegram, v, ok
	case "wa.me", "api.whatsapp.com", "whatsapp.com", "chat.whatsapp.com":
		digits := first
		if host != "wa.me" {
			digits = ""
			for _, kv := range strings.Split(query, "&") {
				if v, ok := strings.CutPrefix(kv, "phone="); ok {
					digits = strings.TrimPrefix(v, "%2B")
				}
			}
		}
		digits = strings.TrimPrefix(digits, "+")
		if len(digits) < 8 || strings.Trim(digits, "0123456789") != "" {
			return KindWhatsApp, "", false
		}
		v, ok := parsePhone("+"+digits, region)
		return KindWhatsApp, v, ok
	case "line.me":
		if len(segs) >= 3 && strings.EqualFold(segs[0], "r") {
			segs = segs[1:]
		}
		if len(segs) >= 3 && segs[0] == "ti" && segs[1] == "p" {
			id := segs[2]
			at := strings.HasPrefix(id, "@") || strings.HasPrefix(id, "%40")
			id = strings.TrimLeft(strings.TrimPrefix(id, "%40"), "~@")
			v, ok := handleValue(KindLine, id)
			if at {
				v = "@" + v
			}
			return KindLine, v, ok
		}
		return KindLine, "", false
	case "facebook.com", "m.facebook.com", "web.facebook.com", "mbasic.facebook.com", "fb.com", "fb.me":
		switch first {
		case "profile.php":
			for _, kv := range strings.Split(query, "&") {
				if v, ok := strings.CutPrefix(kv, "id="); ok && len(v) >= 5 && strings.Trim(v, "0123456789") == "" {
					return KindFacebook, v, true
				}
			}
			return KindFacebook, "", false
		case "people", "pages":
			if len(segs) >= 3 && strings.Trim(segs[2], "0123456789") == "" && len(segs[2]) >= 5 {
				return KindFacebook, segs[2], true
			}
			return KindFacebook, "", false
		case "groups":
			if len(segs) >= 2 && segs[1] != "" {
				return KindFacebook, "groups/" + lowerASCII(segs[1]), true
			}
			return KindFacebook, "", false
		case "", "sharer.php", "share", "sharer", "watch", "events", "login", "login.php", "home.php", "photo.php",
			"story.php", "permalink.php", "marketplace", "help", "reel", "story", "photo", "photos", "videos":
			return KindFacebook, "", false
		}
		name := lowerASCII(first)
		if len(name) < 5 || len(name) > 50 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789.") != "" {
			return KindFacebook, "", false
		}
		return KindFacebook, name, true
	case "instagram.com", "m.instagram.com", "instagr.am":
		if first == "stories" && len(segs) > 1 {
			first = segs[1]
		}
		switch first {
		case "p", "reel", "reels", "explore", "accounts", "direct", "tv":
			return KindInstagram, "", false
		}
		v, ok := handleValue(KindInstagram, first)
		return KindInstagram, v, ok
	case "tiktok.com", "m.tiktok.com":
		if !strings.HasPrefix(first, "@") {
			return KindTikTok, "", false
		}
		v, ok := handleValue(KindTikTok, first[1:])
		return KindTikTok, v, ok
	}
	return "", "", false
}

// wallet checks the alphanumeric run t[r:e] for a crypto address.
func (s *scanner) wallet(r, e int) {
	// A wallet inside a block-explorer link is still a wallet.
	if s.claimedBy(r, e, func(k Kind) bool { return k == KindURL || k == KindDomain }) {
		return
	}
	h, _, ok := walletHit(s.t[r:e])
	if !ok {
		return
	}
	h.Start, h.End = r, e
	s.add(h)
}

// walletHit reads a as a whole wallet address: its hit (without a span),
// whether a checksum vouches for it (an Ethereum address in one case has
// none), and whether it is one.
func walletHit(a string) (h Hit, checked, ok bool) {
	switch {
	case len(a) == 42 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X'):
		valid, checksummed := ethChecksum(a)
		if !valid {
			return Hit{}, false, false
		}
		conf := 0.75
		if checksummed {
			conf = 0.99
		}
		return Hit{Kind: KindETH, Value: "0x" + lowerASCII(a[2:]), Confidence: conf}, checksummed, true
	case (a[0] == '1' || a[0] == '3') && isBTCBase58(a):
		return Hit{Kind: KindBTC, Value: a, Confidence: 0.99}, true, true
	case (a[0] == 'b' || a[0] == 'B') && isBTCBech32(a):
		return Hit{Kind: KindBTC, Value: lowerASCII(a), Confidence: 0.99}, true, true
	case a[0] == 'T' && isTRON(a):
		return Hit{Kind: KindTRON, Value: a, Confidence: 0.99}, true, true
	}
	return Hit{}, false, false
}

// walletGroups reads a wallet address written in pieces, starting with
// the run t[r:e] ("BC1QW5 08D6QE JXTDG4 …", "TEcav3S76HK / GKcA6kovWUG /
// …", "TXsfMVG8fN5bGUDnd 后半段 vdWWgw6C3sF38tyip", an EIP-55 address over
// three lines), adds it and returns the end of its last piece, or 0. Only
// checksummed forms are joined — bech32, TRON and Bitcoin base58check, and
// Ethereum addresses in mixed case (EIP-55) — and only when the whole
// checks: the checksum is what makes joining pieces safe. Up to
// maxWalletGap bytes of anything but ASCII letters and digits may stand
// between two pieces.
func (s *scanner) walletGroups(r, e int) int {
	t := s.t
	a := t[r:e]
	var least, most int // the address's length, by its first piece
	switch {
	case hasPrefixFoldASCII(a, "bc1"):
		least, most = 42, 62
	case a[0] == 'T' && strings.IndexFunc(a[1:], func(c rune) bool { return c >= '1' && c <= '9' || c >= 'A' && c <= 'Z' }) >= 0:
		least, most = 34, 34 // a piece of a TRON address has a digit or a capital after the T ("Thai" does not)
	case len(a) >= 2 && a[0] == '0' && (a[1] == 'x' || a[1] == 'X') || spacedHexLead(t, r, e): // "0x c728F927 A2aC149A …", "0 x 5 a A e …"
		least, most = 42, 42
	case (a[0] == '1' || a[0] == '3') && (strings.IndexFunc(a, func(c rune) bool { return c > '9' }) >= 0 || len(a) == 4 && letterPieceAt(t, e)):
		// A first piece of four digits only when letters follow in the
		// next ("1433 aktC woAz …"); the checksum vouches for the rest.
		least, most = 26, 35
	default:
		return 0
	}
	if len(a) >= most || s.claimedBy(r, e, func(k Kind) bool { return k == KindURL || k == KindDomain }) {
		return 0
	}
	var arr [64]byte
	buf := append(arr[:0], a...)
	for p := e; len(buf) < most; {
		q := p
		for q < len(t) && q-p <= maxWalletGap && !isAlnum(t[q]) {
			if t[q] == '\n' {
				// The next piece on a chat's next line, after its time or
				// count: "[2/3] C9b9A09f…", "[20:11] 26T4Fm…".
				if c := chatPrefixEnd(t, q+1); c > q+1 {
					q = c
					continue
				}
			}
			q++
		}
		if q == p || q-p > maxWalletGap || q == len(t) {
			return 0
		}
		p = q
		for q < len(t) && isAlnum(t[q]) {
			q++
		}
		if len(buf)+q-p > most {
			return 0
		}
		buf = append(buf, t[p:q]...)
		p = q
		if len(buf) < least {
			continue
		}
		h, checked, ok := walletHit(string(buf))
		if !ok {
			continue
		}
		if !checked || s.claimed(r, p) {
			return 0 // an Ethereum address in one case: nothing vouches for the joining
		}
		h.Start, h.End, h.Confidence = r, p, 0.9
		s.add(h)
		return p
	}
	return 0
}

// letterPieceAt reports whether a space and then letters and digits with a
// letter among them stand at t[e].
func letterPieceAt(t string, e int) bool {
	if at(t, e) != ' ' {
		return false
	}
	for q := e + 1; q < len(t) && q-e <= 8 && isAlnum(t[q]); q++ {
		if isLetter(t[q]) {
			return true
		}
	}
	return false
}

// walletLead reports whether a wallet address may start with c.
func walletLead(c byte) bool {
	return c == 'b' || c == 'B' || c == 'T' || c == '0' || c == '1' || c == '3'
}

// maxWalletGap is how many bytes may stand between two pieces of a
// wallet address (walletGroups): a separator, or a few words such as
// "后半段" or "បន្ទាត់ទី២៖".
const maxWalletGap = 40

// iban checks for an IBAN starting at r, written compact or in groups of
// four, and returns the end of the last word it used (or 0).
func (s *scanner) iban(r, e int) int {
	t := s.t
	n, ok := ibanLengths[t[r:r+2]]
	if !ok || e-r > n || s.claimed(r, e) {
		return 0
	}
	var b strings.Builder
	b.WriteString(t[r:e])
	end := e
	for b.Len() < n && end+1 < len(t) && t[end] == ' ' {
		g := end + 1
		for g < len(t) && g-end <= 4 && (isDigit(t[g]) || isUpperAt(t, g)) {
			g++
		}
		if g == end+1 || g-end > 5 || isAlnum(at(t, g)) {
			break
		}
		b.WriteString(t[end+1 : g])
		end = g
	}
	v := b.String()
	if !isIBAN(v) {
		return 0
	}
	s.add(Hit{Kind: KindIBAN, Value: v, Start: r, End: end, Confidence: 0.95, Role: RoleNone})
	return end
}
