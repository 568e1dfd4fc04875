package screen

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Entry is one person, company, vessel or aircraft on a watch list.
type Entry struct {
	// ID is the list's own identifier (OFAC's ent_num, the UN reference
	// number, the FollowTheMoney id).
	ID string `json:"id"`
	// Type is one of the Type constants, or "" when the list does not say.
	Type string `json:"type,omitempty"`
	// Name is the primary name as the list writes it.
	Name    string  `json:"name"`
	Aliases []Alias `json:"aliases,omitempty"`
	// BirthDates are ISO 8601 dates, possibly partial ("1964",
	// "1964-12", "1964-12-19"), or ranges of them ("1960/1962").
	BirthDates []string `json:"birth_dates,omitempty"`
	// Countries are ISO 3166-1 alpha-2 codes of nationality, citizenship,
	// registration or address, or the name as written when it is not a
	// country we know.
	Countries []string `json:"countries,omitempty"`
	// Programs are the sanctions programmes or list sections (OFAC
	// "GLOMAG", "TCO"; UN "DPRK" …).
	Programs []string `json:"programs,omitempty"`
	Remarks  string   `json:"remarks,omitempty"`
}

// Alias is another name of an entry.
type Alias struct {
	Name string `json:"name"`
	// Kind is "aka", "fka" (formerly known as), "nka" (now known as) or
	// "" when the list does not say.
	Kind string `json:"kind,omitempty"`
	// Weak marks a low-quality alias (OFAC "weak", UN "Low" quality,
	// FollowTheMoney weakAlias): its matches are scored lower.
	Weak bool `json:"weak,omitempty"`
}

// Entity types.
const (
	TypePerson   = "person"
	TypeEntity   = "entity" // company, organisation, group
	TypeVessel   = "vessel"
	TypeAircraft = "aircraft"
)

// NormalizeType maps the ways lists and callers name an entity type to one
// of the Type constants, or "" when it is not known.
func NormalizeType(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "person", "individual", "natural person", "people", "human":
		return TypePerson
	case "entity", "company", "organisation", "organization", "legalentity", "legal entity",
		"business", "corporation", "group", "casino", "publicbody":
		return TypeEntity
	case "vessel", "ship", "boat":
		return TypeVessel
	case "aircraft", "airplane", "plane":
		return TypeAircraft
	}
	return ""
}

// Hash returns a digest of the entry's content. A screening hit records the
// hash of the entry it matched, so a dismissed hit comes back only when the
// entry changes.
func (e *Entry) Hash() string {
	c := *e
	c.Aliases = slices.Clone(e.Aliases)
	slices.SortFunc(c.Aliases, func(a, b Alias) int {
		if r := strings.Compare(a.Name, b.Name); r != 0 {
			return r
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	c.Aliases = slices.Compact(c.Aliases)
	for _, s := range []*[]string{&c.BirthDates, &c.Countries, &c.Programs} {
		*s = slices.Compact(slices.Sorted(slices.Values(*s)))
	}
	b, _ := json.Marshal(c) // plain strings and bools always marshal
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// clean trims the entry's fields and drops empty and duplicate values.
func (e *Entry) clean() {
	e.ID = strings.TrimSpace(e.ID)
	e.Name = strings.Join(strings.Fields(e.Name), " ")
	e.Remarks = strings.TrimSpace(e.Remarks)
	seen := map[string]bool{strings.ToLower(e.Name): true}
	aliases := e.Aliases[:0]
	for _, a := range e.Aliases {
		a.Name = strings.Join(strings.Fields(a.Name), " ")
		k := strings.ToLower(a.Name)
		if a.Name == "" || seen[k] {
			continue
		}
		seen[k] = true
		aliases = append(aliases, a)
	}
	e.Aliases = aliases
	e.BirthDates = uniqueNonEmpty(e.BirthDates)
	e.Countries = uniqueNonEmpty(e.Countries)
	e.Programs = uniqueNonEmpty(e.Programs)
}

func uniqueNonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

var months = map[string]string{
	"jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06",
	"jul": "07", "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12",
}

// ParseDate reads a date as lists write them ("16 Sep 1952", "Sep 1952",
// "1952", "circa 1960", "1960 to 1962", "1952-09-16", "16/09/1952",
// "1952-09-16T00:00:00") and returns it as an ISO 8601 partial date or a
// range "FROM/TO". It returns "" when it finds no year.
func ParseDate(s string) string {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "circa "), "approximately ")
	if from, to, ok := strings.Cut(s, " to "); ok {
		a, b := ParseDate(from), ParseDate(to)
		switch {
		case a == "" || b == "":
			return a + b
		case a == b:
			return a
		}
		return a + "/" + b
	}
	if t, _, ok := strings.Cut(s, "T"); ok && len(t) == 10 && t[4] == '-' {
		s = t
	}
	// ISO forms.
	if len(s) >= 4 && isDigits(s[:4]) {
		switch {
		case len(s) == 4:
			return s
		case len(s) == 7 && s[4] == '-' && isDigits(s[5:]):
			return s
		case len(s) == 10 && s[4] == '-' && s[7] == '-' && isDigits(s[5:7]) && isDigits(s[8:]):
			return s
		}
	}
	// Day/month/year with slashes (UN, European lists).
	if p := strings.Split(s, "/"); len(p) == 3 && isDigits(p[0]) && isDigits(p[1]) && len(p[2]) == 4 && isDigits(p[2]) {
		d, _ := strconv.Atoi(p[0])
		m, _ := strconv.Atoi(p[1])
		if d >= 1 && d <= 31 && m >= 1 && m <= 12 {
			return p[2] + "-" + pad2(m) + "-" + pad2(d)
		}
	}
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		if len(f[0]) == 4 && isDigits(f[0]) {
			return f[0]
		}
	case 2:
		if m, ok := months[strings.ToLower(prefix3(f[0]))]; ok && len(f[1]) == 4 && isDigits(f[1]) {
			return f[1] + "-" + m
		}
	case 3:
		m, ok := months[strings.ToLower(prefix3(f[1]))]
		d, err := strconv.Atoi(f[0])
		if ok && err == nil && d >= 1 && d <= 31 && len(f[2]) == 4 && isDigits(f[2]) {
			return f[2] + "-" + m + "-" + pad2(d)
		}
	}
	// Last resort: the first four-digit year in the text.
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		if len(w) == 4 && (w[0] == '1' || w[0] == '2') {
			return w
		}
	}
	return ""
}

func prefix3(s string) string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateSpan is a date or range as the first and last possible day, written
// yyyymmdd as integers; 0 means unknown.
type dateSpan struct{ from, to int32 }

// span returns the days a partial date or range may stand for.
func span(d string) (dateSpan, bool) {
	if a, b, ok := strings.Cut(d, "/"); ok {
		x, ok1 := span(a)
		y, ok2 := span(b)
		if !ok1 || !ok2 {
			return dateSpan{}, false
		}
		return dateSpan{x.from, y.to}, true
	}
	if len(d) < 4 || !isDigits(d[:4]) {
		return dateSpan{}, false
	}
	y, _ := strconv.Atoi(d[:4])
	from, to := y*10000+101, y*10000+1231
	if len(d) >= 7 {
		m, err := strconv.Atoi(d[5:7])
		if err != nil || m < 1 || m > 12 {
			return dateSpan{}, false
		}
		from, to = y*10000+m*100+1, y*10000+m*100+31
		if len(d) >= 10 {
			dd, err := strconv.Atoi(d[8:10])
			if err != nil || dd < 1 || dd > 31 {
				return dateSpan{}, false
			}
			from, to = y*10000+m*100+dd, y*10000+m*100+dd
		}
	}
	return dateSpan{int32(from), int32(to)}, true
}

// countryTable maps normalised country names to codes and lists the valid
// codes; it is built on first use and never changes.
type countryTable struct {
	codes map[string]string
	valid map[string]bool
}

var countries = sync.OnceValue(loadCountries)

// countryAliases are names lists and people use that CLDR's English names
// do not cover.
var countryAliases = map[string]string{
	"korea north": "KP", "north korea": "KP", "democratic people s republic of korea": "KP", "dprk": "KP",
	"korea south": "KR", "south korea": "KR", "republic of korea": "KR", "korea": "KR",
	"burma": "MM", "myanmar": "MM", "hong kong": "HK", "macau": "MO", "macao": "MO",
	"congo democratic republic of the": "CD", "democratic republic of the congo": "CD", "drc": "CD",
	"congo republic of the": "CG", "republic of the congo": "CG", "cote d ivoire": "CI", "ivory coast": "CI",
	"west bank": "PS", "gaza": "PS", "region gaza": "PS", "region west bank": "PS", "palestinian": "PS", "palestine": "PS",
	"the gambia": "GM", "gambia the": "GM", "bahamas the": "BS", "the bahamas": "BS",
	"virgin islands british": "VG", "british virgin islands": "VG", "man isle of": "IM", "isle of man": "IM",
	"north macedonia the republic of": "MK", "macedonia": "MK", "north macedonia": "MK",
	"macedonia the former yugoslav republic of": "MK", "czech republic": "CZ", "czechia": "CZ",
	"bosnia and herzegovina": "BA", "saint kitts and nevis": "KN", "saint vincent and the grenadines": "VC",
	"trinidad and tobago": "TT", "cabo verde": "CV", "cape verde": "CV", "united states": "US",
	"united states of america": "US", "usa": "US", "uk": "GB", "united kingdom": "GB", "great britain": "GB",
	"russian federation": "RU", "iran islamic republic of": "IR", "syrian arab republic": "SY",
	"viet nam": "VN", "lao pdr": "LA", "lao people s democratic republic": "LA", "turkiye": "TR",
	"timor leste": "TL", "east timor": "TL", "taiwan province of china": "TW", "region crimea": "UA",
	"chinese": "CN", "cambodian": "KH", "khmer": "KH", "kampuchea": "KH", "thai": "TH", "vietnamese": "VN",
	"burmese": "MM", "lao": "LA", "laotian": "LA", "filipino": "PH", "philippine": "PH", "indonesian": "ID",
	"malaysian": "MY", "russian": "RU", "american": "US", "british": "GB", "korean": "KR",
	"singaporean": "SG", "taiwanese": "TW", "japanese": "JP", "indian": "IN", "pakistani": "PK",
	"bangladeshi": "BD", "nepali": "NP", "sri lankan": "LK", "ugandan": "UG", "kenyan": "KE",
	"nigerian": "NG", "ethiopian": "ET", "iranian": "IR", "syrian": "SY", "iraqi": "IQ",
	"lebanese": "LB", "afghan": "AF", "venezuelan": "VE", "colombian": "CO", "mexican": "MX",
	"cuban": "CU", "turkish": "TR", "ukrainian": "UA", "belarusian": "BY",
}

func loadCountries() countryTable {
	t := countryTable{codes: make(map[string]string, 400), valid: make(map[string]bool, 300)}
	for _, line := range strings.Split(countryNames, "\n") {
		code, name, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		t.valid[code] = true
		t.codes[countryKey(name)] = code
	}
	for k, v := range countryAliases {
		t.codes[k] = v
	}
	return t
}

func countryKey(s string) string {
	s = strings.ReplaceAll(s, "&", " and ")
	var toks []string
	for _, t := range foldLatin([]rune(s)) {
		toks = append(toks, strings.FieldsFunc(t, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
		})...)
	}
	return strings.Join(toks, " ")
}

// CountryCode returns the ISO 3166-1 alpha-2 code of a country given by
// code or English name ("KH", "kh", "Cambodia", "Korea, North", "Burma"),
// or "" when it does not know the country.
func CountryCode(s string) string {
	t := countries()
	s = strings.TrimSpace(s)
	if len(s) == 2 {
		if c := strings.ToUpper(s); t.valid[c] {
			return c
		}
	}
	k := countryKey(s)
	if c, ok := t.codes[k]; ok {
		return c
	}
	return t.codes[strings.TrimPrefix(k, "possibly ")]
}

// countryOrName returns the country's code, or the trimmed text when the
// country is not known.
func countryOrName(s string) string {
	if c := CountryCode(s); c != "" {
		return c
	}
	s = strings.TrimSpace(s)
	if s == "-0-" || strings.EqualFold(s, "undetermined") {
		return ""
	}
	return s
}
