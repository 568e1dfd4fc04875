// Package extract finds identifiers — phone numbers, e-mail addresses, URLs
// and domains, messaging handles, crypto wallets, bank accounts, passport
// numbers, company names and places — in free text written in English,
// Chinese, Khmer, Thai, Vietnamese or Indonesian, and normalises them so that
// reports sharing one can be linked.
//
// What one occurrence yields:
//   - a URL with a scheme, a path or "www." gives a url hit and a domain hit
//     (its registrable domain) over the same span; a bare host gives a domain
//     hit only; an e-mail address gives an email hit only (a "nospam" or
//     "removeme" its writer asks to remove is taken out of it);
//   - a profile link of Telegram, WhatsApp, LINE, Facebook, Instagram or
//     TikTok gives the handle only (wa.me links also a phone);
//   - a phone number after a WhatsApp, WeChat or LINE label, or followed by
//     one ("… (WA)"), gives the phone and the account, whose value is the
//     phone in E.164;
//   - an "@name" is a Telegram username unless a nearby label names another
//     network; a name with a digit or '_' right before "on <network>" is
//     that network's account; a wallet inside an explorer link is reported
//     besides the link;
//   - a place name inside another identifier is not a mention;
//   - a number after a parcel-tracking or identity-card label is no phone
//     number, nor are four or more unlabelled groups of four digits (a
//     card's number).
//
// The scanners read a view of the text with what hides identifiers from
// filters undone (viewSteps): HTML tags and character references pasted
// with it, invisible characters (Unicode's default-ignorable ones) inside a
// handle, host or address, styled, full-width and small-form characters
// and spaces of other widths, marks on an address's letters, look-alike
// letters, digits, at signs and dots written as words or symbols, letters
// spaced apart or one a line, symbols between a number's digit groups,
// percent-encoded characters in a link's path, notes set inside a label,
// and numbers or wallets split over a chat's lines. Hits point into the
// original text.
//
// National phone numbers are read in Options.Region only (plus mainland
// China mobile numbers, which are usually written without +86); without a
// region, only labelled numbers valid in exactly one nearby country are read.
//
// Everything here is a pure function of its input: no I/O, no database, no
// mutable package state but a pool of scratch slices that no answer depends
// on (scratchPool).
package extract

import (
	"cmp"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/gazetteer"
)

// Kind is the kind of an identifier.
type Kind string

// Kinds of identifier, with the form of their normalised Value.
const (
	KindPhone       Kind = "phone"        // E.164: +85512345678
	KindEmail       Kind = "email"        // lower case: name@example.com
	KindURL         Kind = "url"          // scheme://host[:port][path]: https://example.com/jobs
	KindDomain      Kind = "domain"       // registrable domain: example.com
	KindTelegram    Kind = "telegram"     // @username, lower case; or t.me/+invite
	KindWhatsApp    Kind = "whatsapp"     // E.164 phone of the account
	KindLine        Kind = "line"         // LINE ID, lower case (official accounts keep their @)
	KindWeChat      Kind = "wechat"       // WeChat ID, lower case, or E.164 phone
	KindFacebook    Kind = "facebook"     // profile name (lower case), numeric ID, or groups/name
	KindInstagram   Kind = "instagram"    // @username, lower case
	KindTikTok      Kind = "tiktok"       // @username, lower case
	KindBTC         Kind = "btc"          // base58 as written; bech32 lower case
	KindETH         Kind = "eth"          // 0x + 40 lower-case hex digits
	KindTRON        Kind = "tron"         // base58 as written
	KindIBAN        Kind = "iban"         // compact, upper case
	KindBankAccount Kind = "bank_account" // digits only
	KindPassport    Kind = "passport"     // upper case letters and digits
	KindCompany     Kind = "company"      // lower case, punctuation dropped, legal suffix canonical
	KindPlace       Kind = "place"        // gazetteer place ID: sihanoukville
)

// Kinds returns every Kind, in a stable order.
func Kinds() []Kind {
	return []Kind{
		KindPhone, KindEmail, KindURL, KindDomain, KindTelegram, KindWhatsApp, KindLine, KindWeChat,
		KindFacebook, KindInstagram, KindTikTok, KindBTC, KindETH, KindTRON, KindIBAN, KindBankAccount,
		KindPassport, KindCompany, KindPlace,
	}
}

// Role is what an identifier is used for, as told by the words around it.
type Role string

// Roles. The zero Role means the text does not say.
const (
	RoleNone          Role = ""
	RoleRecruiter     Role = "recruiter"
	RoleCompound      Role = "compound"
	RolePayment       Role = "payment"
	RoleVictimContact Role = "victim_contact"
)

// Hit is one identifier found in a text.
type Hit struct {
	Kind  Kind
	Value string // normalised; valid UTF-8
	// Start and End are the byte offsets of the identifier as written in the
	// input, obfuscations included: input[Start:End].
	Start, End int
	// Confidence is how sure the extractor is, from 0 to 1: checksummed
	// wallets and international phone numbers score high, unlabelled guesses
	// and obfuscated forms lower.
	Confidence float64
	Role       Role
}

// Options tune Text.
type Options struct {
	// Region is the ISO 3166-1 alpha-2 code used to read phone numbers
	// written without a country code; for a report, intake.Region (its
	// country, else its first gazetteer place's, else its organisation's).
	Region string
	// Places is the gazetteer for place mentions; nil means
	// gazetteer.Default().
	Places *gazetteer.Gazetteer
	// NoPlaces turns place detection off.
	NoPlaces bool
}

// maxInput is the largest text Text looks at; longer input is cut (on a rune
// boundary) so that one huge upload cannot stall a worker.
const maxInput = 8 << 20

// Text returns the identifiers found in text, ordered by Start. The same
// identifier found by two routes at the same span is reported once.
func Text(text string, opts Options) []Hit {
	if len(text) > maxInput {
		cut := maxInput
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var s scanner
	sc := scratchPool.Get().(*scratch)
	s.kws, s.claims, s.spans, s.keys = sc.kws[:0], sc.claims[:0], sc.spans[:0], sc.keys[:0]
	s.init(text, opts.Region, &sc.stops)
	s.keywords()
	s.tokens()
	s.labels()
	s.phones()
	s.roles()
	hits := s.mapped()
	places := sc.places[:0]
	if !opts.NoPlaces {
		g := opts.Places
		if g == nil {
			g = gazetteer.Default()
		}
		// A place name inside a handle, an address or a company name
		// ("t.me/otres_boss", "hr@kaibo-group.com") is not a mention.
		hits = tidy(hits)
		places = g.AppendMatches(places, text)
		kept := places[:0] // the mentions, in order, over places read
		reach, j := 0, 0   // reach: the furthest end of hits[:j]
		for _, m := range places {
			for j < len(hits) && hits[j].Start < m.End {
				reach = max(reach, hits[j].End)
				j++
			}
			if reach > m.Start {
				continue
			}
			kept = append(kept, m)
		}
		hits = withPlaces(hits, kept)
	} else {
		hits = tidy(hits)
	}
	if cap(s.kws) <= maxScratch && cap(s.claims) <= maxScratch && cap(s.spans) <= maxScratch && cap(s.keys) <= maxScratch && cap(places) <= maxScratch &&
		cap(sc.stops.styled) <= maxScratch && cap(sc.stops.accent) <= maxScratch {
		sc.kws, sc.claims, sc.spans, sc.keys, sc.places = s.kws[:0], s.claims[:0], s.spans[:0], s.keys[:0], places[:0]
		scratchPool.Put(sc)
	}
	return hits
}

// withPlaces returns hits, which tidy has put in order, with a place hit
// for each of places (ordered by Start, none overlapping) merged in. The
// scanners find no places, so no hit compares equal to a place: the merge
// gives what tidy would give for hits and places together, without
// sorting them again.
func withPlaces(hits []Hit, places []gazetteer.Match) []Hit {
	i := len(hits) - 1
	hits = slices.Grow(hits, len(places))[:len(hits)+len(places)]
	for j, k := len(places)-1, len(hits)-1; j >= 0; k-- {
		m := places[j]
		p := Hit{Kind: KindPlace, Value: m.ID, Start: m.Start, End: m.End, Confidence: 0.8}
		if i >= 0 && compareHits(&hits[i], &p) > 0 {
			hits[k] = hits[i]
			i--
		} else {
			hits[k] = p
			j--
		}
	}
	return hits
}

// tidy sorts hits and drops exact duplicates. Hits already in strict
// order are returned as they are. Otherwise tidy sorts the hits' indices
// rather than the hits, then moves each hit once: sorting the indices
// makes the same comparisons as sorting the hits (pdqsort is deterministic
// and sees the same order), so hits that compare equal come out in the
// same order as if the hits themselves had been sorted.
func tidy(hits []Hit) []Hit {
	sorted := true
	for i := 1; i < len(hits) && sorted; i++ {
		sorted = compareHits(&hits[i-1], &hits[i]) < 0
	}
	if sorted {
		return hits // strictly increasing: no two are the same hit
	}
	idx := make([]int32, len(hits))
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int { return compareHits(&hits[a], &hits[b]) })
	// Put hits[idx[j]] at j for every j, one cycle of the permutation at
	// a time.
	for i := range idx {
		if idx[i] < 0 {
			continue
		}
		first, j := hits[i], int32(i)
		for {
			k := idx[j]
			idx[j] = -1
			if k == int32(i) {
				hits[j] = first
				break
			}
			hits[j] = hits[k]
			j = k
		}
	}
	return slices.CompactFunc(hits, func(a, b Hit) bool {
		return a.Kind == b.Kind && a.Value == b.Value && a.Start == b.Start && a.End == b.End
	})
}

// compareHits orders hits by start, end, kind and value.
func compareHits(a, b *Hit) int {
	if a.Start != b.Start {
		return a.Start - b.Start
	}
	if a.End != b.End {
		return a.End - b.End
	}
	if a.Kind != b.Kind {
		return cmp.Compare(a.Kind, b.Kind)
	}
	return cmp.Compare(a.Value, b.Value)
}

// scanner holds the state of one call to Text. Offsets in hits, kws and
// claims are in the normalised view t until mapped() converts them.
type scanner struct {
	src       string // the input
	t         string // the view: full-width folded, obfuscations undone
	maps      []*spanMap
	region    string
	kws       []keyword // keyword occurrences in t, by start
	hits      []Hit
	claims    []span   // parts of t already taken by a hit, by start
	maxClaim  int      // length of the longest claim
	claimHint int      // the last answer of claimsBefore
	kwHint    int      // the last answer of kwIndexBefore, plus one
	spans     []span   // roles' scratch: the hits' spans
	keys      []uint64 // roles' scratch: the hits' spans as numbers
}

// span is a part of the view taken by a hit of some kind.
type span struct {
	start, end int
	kind       Kind
}

// init readies s, a zero scanner, for text; st is the view's scratch.
func (s *scanner) init(text, region string, st *leadStops) {
	s.src, s.region = text, upperASCII(region)
	s.t, s.maps = viewWith(text, st)
	if len(s.t) > 4096 { // short texts make their few slices as they go
		// The development corpus, as one text, has a keyword every 53
		// bytes and a hit every 76, places included.
		s.kws = slices.Grow(s.kws, len(s.t)/48)
		s.hits = make([]Hit, 0, len(s.t)/64)
		s.claims = slices.Grow(s.claims, len(s.t)/128)
	}
}

// A scratch holds the keyword, claim, role and place slices of a call to
// Text for the next one: they do not leave the call (the hits, which do,
// are made anew). Slices grown past maxScratch, for a huge text, are let
// go.
type scratch struct {
	kws    []keyword
	claims []span
	spans  []span
	keys   []uint64
	places []gazetteer.Match
	stops  leadStops // the view's: offsets in the text, none kept past the call
}

const maxScratch = 1 << 14

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Capacities of the slices a short text's scanner makes at its first
// keyword, hit and claim: as many as most snippets of the development
// corpus need (a chat message or an ad has up to four keywords and one
// or two hits), so that one allocation is made where growing them from
// nothing made two or three, for about as many bytes.
const (
	shortKeywords = 4
	shortHits     = 2
	shortClaims   = 2
)

func (s *scanner) add(h Hit) {
	s.addHit(h)
	s.claim(h.Start, h.End, h.Kind)
}

// addHit appends h to the hits without claiming its span.
func (s *scanner) addHit(h Hit) {
	if s.hits == nil {
		s.hits = make([]Hit, 0, shortHits)
	}
	s.hits = append(s.hits, h)
}

// claim records that [start, end) is taken, keeping claims sorted by start.
// Hits arrive nearly in order, so the insertion is near the end.
func (s *scanner) claim(start, end int, kind Kind) {
	i := len(s.claims)
	for i > 0 && s.claims[i-1].start > start {
		i--
	}
	if s.claims == nil {
		s.claims = make([]span, 0, shortClaims)
	}
	s.claims = slices.Insert(s.claims, i, span{start, end, kind})
	s.maxClaim = max(s.maxClaim, end-start)
}

// claimed reports whether [start, end) overlaps a claimed span.
func (s *scanner) claimed(start, end int) bool {
	return s.claimedBy(start, end, nil)
}

// claimedBy reports whether [start, end) overlaps a claimed span whose kind
// is not ignored.
func (s *scanner) claimedBy(start, end int, ignore func(Kind) bool) bool {
	i := s.claimsBefore(end)
	for i--; i >= 0; i-- {
		c := s.claims[i]
		if c.start+s.maxClaim <= start {
			break // no claim is long enough to reach start
		}
		if c.end > start && (ignore == nil || !ignore(c.kind)) {
			return true
		}
	}
	return false
}

// claimsBefore returns the number of claims that start before end: the
// index of the first claim starting at or after it. The scanners ask about
// places near the one they asked about last, so the search starts from
// the answer it gave then (claims inserted since only move it), a few
// steps either way, and falls back to a binary search.
func (s *scanner) claimsBefore(end int) int {
	c := s.claims
	i := min(s.claimHint, len(c))
	for n := 0; n < 4; n++ {
		switch {
		case i < len(c) && c[i].start < end:
			i++
		case i > 0 && c[i-1].start >= end:
			i--
		default:
			s.claimHint = i
			return i
		}
	}
	i = spansBefore(c, end)
	s.claimHint = i
	return i
}

// spansBefore returns the number of spans of sp (ordered by start) that
// start before v: a binary search written out, which costs less than
// slices.BinarySearchFunc's call of a closure at every step.
func spansBefore(sp []span, v int) int {
	lo, hi := 0, len(sp)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if sp[h].start < v {
			lo = h + 1
		} else {
			hi = h
		}
	}
	return lo
}

// mapped returns the hits with spans converted to offsets in the input.
func (s *scanner) mapped() []Hit {
	out := s.hits
	for i := range out {
		out[i].Start, out[i].End = s.toSrc(out[i].Start, out[i].End)
	}
	return out
}

// toSrc converts a span of the view to a span of the input.
func (s *scanner) toSrc(start, end int) (int, int) {
	for i := len(s.maps) - 1; i >= 0; i-- {
		start, end = s.maps[i].start(start), s.maps[i].end(end)
	}
	return start, end
}

// obfuscated reports whether the view differs from the input in [start, end).
func (s *scanner) obfuscated(start, end int) bool {
	a, b := s.toSrc(start, end)
	return b-a != end-start || s.src[a:b] != s.t[start:end]
}

func upperASCII(s string) string {
	i := 0
	for i < len(s) && !(s[i] >= 'a' && s[i] <= 'z') {
		i++
	}
	if i == len(s) {
		return s // nothing to change: no copy
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isAlnum(c byte) bool  { return alnum[c] }

// alnum marks the ASCII letters and digits: one look-up where isAlnum is
// called for nearly every byte of a text.
var alnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = isDigit(byte(c)) || isLetter(byte(c))
	}
	return t
}()

// A charSet is a set of characters to look for in a text: the ASCII ones
// in a table, the others by their UTF-8 bytes. It answers what
// strings.ContainsAny does without decoding the text rune by rune (which,
// with a set that is not all ASCII, ContainsAny does).
type charSet struct {
	ascii [utf8.RuneSelf]bool
	lead  [256]bool // the first bytes of wide
	wide  []string  // the characters that are not ASCII
}

// newCharSet returns the set of the characters of chars, valid UTF-8
// without U+FFFD.
func newCharSet(chars string) *charSet {
	cs := &charSet{}
	for _, r := range chars {
		if r < utf8.RuneSelf {
			cs.ascii[r] = true
			continue
		}
		c := string(r)
		cs.lead[c[0]] = true
		cs.wide = append(cs.wide, c)
	}
	return cs
}

// in reports whether s holds one of the characters of cs. A lead byte
// starts a character wherever it stands, and bytes that are not UTF-8
// decode to U+FFFD, which no set holds: comparing bytes at the lead bytes
// finds what decoding would.
func (cs *charSet) in(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if cs.ascii[c] {
				return true
			}
			continue
		}
		if cs.lead[c] {
			for _, w := range cs.wide {
				if strings.HasPrefix(s[i:], w) {
					return true
				}
			}
		}
	}
	return false
}

// at returns t[i], or 0 outside t.
func at(t string, i int) byte {
	if i >= 0 && i < len(t) {
		return t[i]
	}
	return 0
}

// pastNonASCII returns the index of the first ASCII byte of s at or after
// i, or len(s). It reads eight bytes at a time: the scans that pass over
// every byte that is not ASCII call it at the first of a run of them (Thai,
// Khmer and Chinese text, runs of 16 bytes on average in the development
// corpus).
func pastNonASCII(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		v := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if m := ^v & 0x8080808080808080; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && s[i] >= utf8.RuneSelf {
		i++
	}
	return i
}

// pastChar3 returns the end of the character of three bytes whose lead
// byte is s[i], when two continuation bytes follow it, else i+1: where a
// scan whose stops include no continuation byte goes on after it.
func pastChar3(s string, i int) int {
	if i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
		return i + 3
	}
	return i + 1
}
