// Package gazetteer knows the places that matter to scam-compound and
// trafficking reports — cities, compounds, border crossings, special economic
// zones — with coordinates and their names in local scripts, and finds them in
// free text.
//
// A Gazetteer is immutable once built and safe for concurrent use.
package gazetteer

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/vigil-project/vigil/internal/bytetrie"
)

// Kind is the kind of a place.
type Kind string

// Kinds of place.
const (
	KindCity           Kind = "city"
	KindCompound       Kind = "compound"
	KindBorderCrossing Kind = "border_crossing"
	KindSEZ            Kind = "sez"
	KindRegion         Kind = "region"
)

func (k Kind) valid() bool {
	switch k {
	case KindCity, KindCompound, KindBorderCrossing, KindSEZ, KindRegion:
		return true
	}
	return false
}

// Place is one known place. Coordinates are approximate (a few kilometres)
// and in WGS 84 degrees.
type Place struct {
	ID      string   `json:"id"`      // slug, e.g. "sihanoukville"
	Name    string   `json:"name"`    // English name
	Country string   `json:"country"` // ISO 3166-1 alpha-2
	Kind    Kind     `json:"kind"`
	Lat     float64  `json:"lat"`
	Lon     float64  `json:"lon"`
	Aliases []string `json:"aliases"` // other names, in any script
	// NotIn are words that hold one of the names without naming the
	// place: Chinese is written without spaces, so "国公" (Koh Kong) stands
	// inside "中国公司" (a Chinese company). A name found inside one of
	// them is no mention.
	NotIn []string `json:"not_in,omitempty"`
}

func (p Place) clone() Place {
	p.Aliases = slices.Clone(p.Aliases)
	p.NotIn = slices.Clone(p.NotIn)
	return p
}

// Match is a mention of a place in a text.
type Match struct {
	ID string // the place's ID; Lookup(ID) returns it
	// Start and End are the byte offsets of the mention in the text.
	Start, End int
}

// Gazetteer is a set of places with an index of their names.
type Gazetteer struct {
	places []Place
	byKey  map[string]int // folded name, alias or ID -> index in places
	trie   trie           // folded names and aliases, for Find
}

//go:embed places.json
var placesJSON []byte

var defaultGazetteer = sync.OnceValue(func() *Gazetteer {
	g, err := Parse(placesJSON)
	if err != nil {
		panic("gazetteer: embedded places.json: " + err.Error())
	}
	return g
})

// Default returns the gazetteer built from the places shipped with Vigil.
// It is parsed once, on first use, and shared: callers must not modify it.
func Default() *Gazetteer { return defaultGazetteer() }

// Parse builds a gazetteer from a JSON array of places, in the format of the
// embedded places.json.
func Parse(data []byte) (*Gazetteer, error) {
	var places []Place
	if err := json.Unmarshal(data, &places); err != nil {
		return nil, fmt.Errorf("gazetteer: parse: %w", err)
	}
	return New(places)
}

// New builds a gazetteer from places. IDs must be unique and non-empty, kinds
// known, coordinates in range; a name or alias may not belong to two places.
func New(places []Place) (*Gazetteer, error) {
	g := &Gazetteer{
		places: make([]Place, 0, len(places)),
		byKey:  make(map[string]int),
		trie:   newTrie(),
	}
	for _, p := range places {
		if p.ID == "" || p.Name == "" {
			return nil, fmt.Errorf("gazetteer: place %q: missing id or name", p.ID)
		}
		if !p.Kind.valid() {
			return nil, fmt.Errorf("gazetteer: place %q: unknown kind %q", p.ID, p.Kind)
		}
		if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
			return nil, fmt.Errorf("gazetteer: place %q: coordinates out of range", p.ID)
		}
		if len(p.Country) != 2 {
			return nil, fmt.Errorf("gazetteer: place %q: country %q is not ISO 3166 alpha-2", p.ID, p.Country)
		}
		i := len(g.places)
		g.places = append(g.places, p.clone())
		names := append([]string{p.ID, p.Name}, p.Aliases...)
		for _, n := range names {
			k := fold(n)
			if k == "" {
				return nil, fmt.Errorf("gazetteer: place %q: empty alias", p.ID)
			}
			if j, ok := g.byKey[k]; ok && j != i {
				return nil, fmt.Errorf("gazetteer: name %q belongs to both %q and %q", n, g.places[j].ID, p.ID)
			}
			g.byKey[k] = i
		}
		for _, n := range append([]string{p.Name}, p.Aliases...) {
			g.trie.add(matchKey(n), i)
		}
	}
	return g, nil
}

// All returns every place, in the order they were given.
func (g *Gazetteer) All() []Place {
	out := make([]Place, len(g.places))
	for i, p := range g.places {
		out[i] = p.clone()
	}
	return out
}

// Lookup finds a place by its ID, name or any alias, ignoring case,
// Latin diacritics, spaces, hyphens, dots and apostrophes.
func (g *Gazetteer) Lookup(name string) (Place, bool) {
	i, ok := g.byKey[fold(name)]
	if !ok {
		return Place{}, false
	}
	return g.places[i].clone(), true
}

// Find returns the places mentioned in text, leftmost-longest and without
// overlaps, in order of appearance. Latin names match whole words, ignoring
// ASCII case, with any spaces or hyphens between their words; names in other
// scripts match exactly.
//
// Find asks the trie (longest) only where a name can start, and rules out
// the other places with filters that each let every real start through:
// bytes no name starts with are passed over in a table loop, a Latin word
// with a pair of first bytes no name has is passed over whole, and a
// character of three bytes no name starts with is not hashed. So the
// answer is what asking longest at every byte would give.
func (g *Gazetteer) Find(text string) []Match {
	return g.AppendMatches(nil, text)
}

// AppendMatches appends to dst what Find returns for text and returns the
// extended slice: a caller finding places in text after text can reuse
// one slice.
func (g *Gazetteer) AppendMatches(dst []Match, text string) []Match {
	out := dst
	t := &g.trie
	for i := 0; i < len(text); {
		for i < len(text) && t.pass[text[i]] {
			i++
		}
		if i >= len(text) {
			break
		}
		c := text[i]
		if isASCIIAlnum(c) {
			if i > 0 && isASCIIAlnum(text[i-1]) || !t.first[c] || !t.latinMayStart(text, i) {
				// Inside a Latin word, or at the start of one no name
				// starts: no name starts at any of its bytes.
				for i++; i < len(text) && isASCIIAlnum(text[i]); i++ {
				}
				continue
			}
		} else if c >= 0xE0 && c < 0xF0 && !t.rune3Start(text, i) || !t.mayStart(text, i) {
			i++
			continue
		}
		if end, idx := t.longest(text, i); idx >= 0 {
			if !inWord(text, i, end, g.places[idx].NotIn) {
				out = append(out, Match{ID: g.places[idx].ID, Start: i, End: end})
				i = end
				continue
			}
		}
		i++
	}
	return out
}

// inWord reports whether text[start:end] stands inside one of words
// there (each word holding the name once).
func inWord(text string, start, end int, words []string) bool {
	name := text[start:end]
	for _, w := range words {
		k := strings.Index(w, name)
		if k < 0 {
			continue
		}
		if b := start - k; b >= 0 && b+len(w) <= len(text) && text[b:b+len(w)] == w {
			return true
		}
	}
	return false
}

// fold makes the lookup key of a name.
func fold(s string) string {
	s = norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x300 && r <= 0x36F: // Latin combining diacritics
		case r == 'đ' || r == 'Đ':
			b.WriteByte('d')
		case r == ' ' || r == '-' || r == '.' || r == '\'' || r == '’' || r == '_' || r == '\u00A0':
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return norm.NFC.String(b.String())
}

// matchKey makes the key under which a name is put in the trie: ASCII
// lower-cased, ASCII spaces and hyphens dropped (Find skips them in text).
func matchKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '-':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// isASCIIAlnum reports whether c is an ASCII letter, digit or underscore:
// a byte that continues a Latin word.
func isASCIIAlnum(c byte) bool { return asciiAlnum[c] }

// asciiAlnum is isASCIIAlnum as a table: one look-up where Find asks about
// nearly every byte of a text.
var asciiAlnum = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
	}
	return t
}()

// trie is a byte trie over match keys (entries index the places), with
// cheap tests of where a key may start.
type trie struct {
	*bytetrie.Trie
	pairs [1 << 16 / 64]uint64 // bit set for the first two bytes of every Latin key
	wide  [1 << 16 / 64]uint64 // bit set for a hash of the first six bytes of every other key
	short bool                 // some non-Latin key is shorter than six bytes: wide cannot be used
	// first marks the first bytes of the keys, ASCII letters in both
	// cases: at any other byte no key starts (longest finds none), and
	// Find moves on without asking mayStart.
	first [256]bool
	// pass marks the bytes Find passes over without a look: UTF-8
	// continuation bytes (never a start) and the bytes no key starts with
	// that are not ASCII letters or digits (whether one of those starts a
	// word depends on the byte before it).
	pass [256]bool
	// casePairs is pairs for the bytes as written, in either case, with
	// every first letter of a Latin key followed by a space or hyphen set
	// too (mayStart then looks past the space), so that Find turns down
	// most Latin words with one look-up and no lower-casing. Unused when
	// short.
	casePairs [1 << 16 / 64]uint64
	// starts3 marks rune3 of the first character of every key starting
	// with a lead byte of three (a Thai, Khmer or Chinese character);
	// any3 is set when such a key does not start with a whole character
	// (it is not UTF-8), and starts3 cannot be used.
	starts3 [1 << 16 / 64]uint64
	any3    bool
}

func newTrie() trie {
	t := trie{Trie: bytetrie.New()}
	for c := 0x80; c < 0xC0; c++ {
		t.pass[c] = true
	}
	for c := 0; c < 0x80; c++ {
		t.pass[c] = !isASCIIAlnum(byte(c))
	}
	for c := 0xC0; c < 0x100; c++ {
		t.pass[c] = true
	}
	return t
}

// add puts key in the trie for place; a later place with the same key
// replaces an earlier one.
func (t *trie) add(key string, place int) {
	if key == "" {
		return
	}
	t.Insert(key, int32(place))
	t.first[key[0]] = true
	if key[0] < 0x80 || key[0] >= 0xC0 { // Find never stops at a continuation byte
		t.pass[key[0]] = false
	}
	if c := key[0]; c >= 'a' && c <= 'z' {
		t.first[c-'a'+'A'] = true
		t.pass[c-'a'+'A'] = false
	}
	switch {
	case key[0] < 0x80 && len(key) >= 2:
		p := uint16(key[0])<<8 | uint16(key[1])
		t.pairs[p/64] |= 1 << (p % 64)
		for _, c0 := range caseVariants(key[0]) {
			for _, c1 := range caseVariants(key[1]) {
				setBit(&t.casePairs, uint16(c0)<<8|uint16(c1))
			}
			if isASCIIAlnum(c0) {
				setBit(&t.casePairs, uint16(c0)<<8|' ')
				setBit(&t.casePairs, uint16(c0)<<8|'-')
			}
		}
	case key[0] >= 0x80 && len(key) >= 6:
		h := bytetrie.Hash6(key)
		t.wide[h/64] |= 1 << (h % 64)
	default:
		t.short = true
	}
	if key[0] >= 0xE0 && key[0] < 0xF0 {
		if len(key) < 3 || key[1]&0xC0 != 0x80 || key[2]&0xC0 != 0x80 {
			// Not a character of three bytes: longest may match it
			// with a space skipped or a letter lower-cased, which
			// starts3 does not know.
			t.any3 = true
		} else {
			setBit(&t.starts3, rune3(key, 0))
		}
	}
}

// caseVariants returns c and, for an ASCII letter, its other case.
func caseVariants(c byte) []byte {
	switch {
	case c >= 'a' && c <= 'z':
		return []byte{c, c - 'a' + 'A'}
	case c >= 'A' && c <= 'Z':
		return []byte{c, c - 'A' + 'a'}
	}
	return []byte{c}
}

func setBit(set *[1 << 16 / 64]uint64, v uint16) { set[v/64] |= 1 << (v % 64) }

func hasBit(set *[1 << 16 / 64]uint64, v uint16) bool { return set[v/64]&(1<<(v%64)) != 0 }

// rune3 folds the three bytes at s[i] into 16 bits: for a character of
// three bytes, its code point.
func rune3(s string, i int) uint16 {
	return uint16(s[i]&0x0F)<<12 | uint16(s[i+1]&0x3F)<<6 | uint16(s[i+2]&0x3F)
}

// latinMayStart is mayStart for an ASCII letter or digit at text[i],
// turning down first, without lower-casing, a pair of bytes no key starts
// with (nor a first letter and a space or hyphen).
func (t *trie) latinMayStart(text string, i int) bool {
	if !t.short && (i+1 >= len(text) || !hasBit(&t.casePairs, uint16(text[i])<<8|uint16(text[i+1]))) {
		return false
	}
	return t.mayStart(text, i)
}

// rune3Start reports whether a key may start with the three bytes at
// text[i] (whose first is a lead byte of three), by starts3.
func (t *trie) rune3Start(text string, i int) bool {
	return t.any3 || i+2 < len(text) && hasBit(&t.starts3, rune3(text, i))
}

// mayStart reports cheaply whether a key can start at text[i]: whether
// some key starts with its first two bytes (ASCII lower-cased, a space or
// hyphen after a Latin letter skipped).
func (t *trie) mayStart(text string, i int) bool {
	if i+1 >= len(text) {
		return false
	}
	if t.short {
		return true // a key too short for the filters: no position can be ruled out
	}
	if text[i] >= 0x80 {
		if i+6 > len(text) {
			return false
		}
		h := bytetrie.Hash6(text[i:])
		return t.wide[h/64]&(1<<(h%64)) != 0
	}
	c0, c1 := lowerByte(text[i]), text[i+1]
	if (c1 == ' ' || c1 == '-') && isASCIIAlnum(c0) && i+2 < len(text) {
		c1 = text[i+2]
	}
	p := uint16(c0)<<8 | uint16(lowerByte(c1))
	return t.pairs[p/64]&(1<<(p%64)) != 0
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// longest returns the end of the longest name matching text at start and the
// index of its place, or -1.
func (t *trie) longest(text string, start int) (end, place int) {
	end, place = -1, -1
	n := int32(0)
	for i := start; i < len(text); i++ {
		c := text[i]
		if (c == ' ' || c == '-') && i > start && isASCIIAlnum(text[i-1]) {
			continue // spaces and hyphens inside Latin names are optional
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		n = t.Next(n, c)
		if n == 0 {
			break
		}
		p := t.Entry(n)
		if p < 0 {
			continue
		}
		// A name ending in a Latin letter or digit (the key's last byte is
		// text[i], lower-cased) must end a word.
		if isASCIIAlnum(text[i]) && i+1 < len(text) && isASCIIAlnum(text[i+1]) {
			continue
		}
		if !utf8.RuneStart(byteAt(text, i+1)) {
			continue
		}
		end, place = i+1, int(p)
	}
	return end, place
}

func byteAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}
