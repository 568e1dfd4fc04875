package lure

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Indicator codes. They are stable: stored scores and the locale tables use
// them.
const (
	CodeHighPay      = "high_pay"            // pay far above the market for the role
	CodeNoExperience = "no_experience"       // no experience or qualification needed
	CodeTravelPaid   = "travel_paid"         // employer pays the flight, visa or travel
	CodeBoardPaid    = "board_paid"          // free food and lodging
	CodeTouristVisa  = "tourist_visa"        // tourist visa, no visa, no work permit
	CodeCompoundArea = "compound_area"       // a known scam-compound area or transit point
	CodeAbroad       = "abroad"              // work abroad, or a country where compounds operate
	CodeLureRole     = "lure_role"           // customer service, typing, translator, game promoter …
	CodeMessenger    = "messenger_contact"   // contact through Telegram, WhatsApp, WeChat, LINE …
	CodeNoCompany    = "no_company"          // no company name, web site or address to check
	CodeAgeLimit     = "age_limit"           // an age range or age ceiling
	CodeUrgency      = "urgency"             // start now, no interview, paid daily
	CodeUpfrontFee   = "upfront_fee"         // a fee or deposit before starting
	CodePassport     = "passport_request"    // a passport is asked for
	CodeReported     = "identifier_reported" // an identifier in the ad appears in reports
	CodeModel        = "model"               // the wording resembles known fraudulent ads
)

// weights are the expert weights of the indicators, in points. They decide
// the rule floor of an ad (see ruleLevel); the statistical model learns its
// own weights for the same flags from the training data.
var weights = map[string]float64{
	CodeCompoundArea: 3,
	CodeTouristVisa:  2,
	CodeTravelPaid:   1.5,
	CodeHighPay:      1.5,
	CodeAbroad:       1.5,
	CodeUpfrontFee:   1.5,
	CodePassport:     1.5,
	CodeLureRole:     1,
	CodeMessenger:    0.5,
	CodeNoExperience: 0.5,
	CodeBoardPaid:    0.5,
	CodeUrgency:      0.5,
	CodeAgeLimit:     0.5,
	CodeNoCompany:    0.5,
}

// Codes returns every reason code a Result can carry: the indicators (those
// with a weight), in name order, then CodeReported and CodeModel. It is the
// one list of codes: the locale tables must give each a reason text in every
// language (a test checks), and the pages show those texts.
func Codes() []string {
	out := slices.Sorted(maps.Keys(weights))
	return append(out, CodeReported, CodeModel)
}

// Rule floors: with at least one context indicator (a compound area, or
// travel paid or on a tourist visa), or work abroad at high pay arranged
// through a messenger, an ad whose indicator points reach
// elevatedPoints is at least elevated, and highPoints at least high. Without
// such context the indicators only act through the model, because ordinary
// domestic ads also offer board, want no experience and hire customer service.
const (
	elevatedPoints = 4.0
	highPoints     = 6.0
)

// contextCodes are the indicators that put an ad in the situation the rules
// are about: travel to a place where compounds operate. Fees and passport
// requests add points but are not context on their own: domestic job fraud
// is the model's business.
var contextCodes = []string{CodeCompoundArea, CodeTravelPaid, CodeTouristVisa}

// jobCodes are indicators that only make sense in a job ad; they count
// towards reading a text as one.
var jobCodes = []string{CodeNoExperience, CodeTravelPaid, CodeBoardPaid, CodeLureRole, CodeHighPay, CodeTouristVisa}

// Indicator is one sign of deceptive recruitment found in an ad.
type Indicator struct {
	// Code is the stable name of the indicator, such as "travel_paid".
	Code string `json:"code"`
	// Weight is the indicator's expert weight in points.
	Weight float64 `json:"weight"`
	// Evidence holds the places in the ad that show the indicator; it is
	// empty for an absence (no_company).
	Evidence []Span `json:"evidence"`
	// Reports is, for identifier_reported, the largest number of reports
	// that one identifier of the ad appears in.
	Reports int `json:"reports,omitempty"`
}

// Span is a piece of the ad: byte offsets into the text as given, and the
// text itself.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
}

// keyword kinds besides the indicator codes
const (
	kindJob      = "job"
	kindCompany  = "company"
	kindAge      = "age"
	kindTelegram = "telegram"
	kindTravel   = "travel"
	kindBoard    = "board"
	kindPay      = "pay"
	kindIDCue    = "id:" // + an identifier kind
)

// detector finds indicators in folded text. It is immutable once built and
// safe for concurrent use.
type detector struct {
	m     *matcher
	kinds [][]string // kinds[id] are the kinds of keyword id (a phrase can be in several lists)
}

func newDetector() *detector {
	byWord := map[string][]string{}
	add := func(kind string, words []string) {
		for _, w := range words {
			w = fold(w).s
			if !slices.Contains(byWord[w], kind) {
				byWord[w] = append(byWord[w], kind)
			}
		}
	}
	codes := make([]string, 0, len(indicatorKeywords))
	for c := range indicatorKeywords {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		add(c, indicatorKeywords[c])
	}
	add(kindJob, jobWords)
	add(kindCompany, companyWords)
	add(kindAge, ageCues)
	add(kindTelegram, telegramCues)
	add(kindTravel, travelNouns)
	add(kindBoard, boardNouns)
	add(kindPay, payWords)
	for _, c := range idCues {
		add(kindIDCue+c.kind, []string{c.tok})
	}
	words := make([]string, 0, len(byWord))
	for w := range byWord {
		words = append(words, w)
	}
	sort.Strings(words)
	d := &detector{kinds: make([][]string, len(words))}
	for i, w := range words {
		d.kinds[i] = byWord[w]
	}
	d.m = newMatcher(words)
	return d
}

// hit is one keyword occurrence in folded text.
type hit struct {
	kind       string
	word       int
	start, end int
}

// findings is what the detector saw in one text, before the model.
type findings struct {
	hits      []hit
	amounts   []Amount
	payUSD    float64 // largest monthly pay in US dollars, 0 when none
	payAmount int     // index in amounts of that pay, -1 when none
	jobCues   int     // distinct job words plus job indicators
	script    string  // the language guessed from the script, see scriptOf
	ids       []Identifier
}

// indicatorSet holds the indicators found in one ad, by code.
type indicatorSet map[string]*Indicator

func (is indicatorSet) add(code string, sp Span) {
	in := is[code]
	if in == nil {
		in = &Indicator{Code: code, Weight: weights[code]}
		is[code] = in
	}
	// Overlapping evidence merges into one span: "包吃" and "包吃包住" are
	// "包吃包住"; "年龄18-35" and "18-35岁" are "年龄18-35岁".
	for i, e := range in.Evidence {
		if sp.Start < e.End && e.Start < sp.End {
			lo, hi := min(e.Start, sp.Start), max(e.End, sp.End)
			text := e.Text
			switch {
			case lo == sp.Start && hi == sp.End:
				text = sp.Text
			case lo != e.Start || hi != e.End:
				text = "" // filled in by detect, which has the text
			}
			in.Evidence[i] = Span{Start: lo, End: hi, Text: text}
			return
		}
	}
	if len(in.Evidence) < maxEvidence {
		in.Evidence = append(in.Evidence, sp)
	}
}

// fillEvidence sets the text of merged spans from the original.
func (is indicatorSet) fillEvidence(orig string) {
	for _, in := range is {
		for i, e := range in.Evidence {
			in.Evidence[i].Text = orig[e.Start:e.End]
		}
	}
}

// maxEvidence bounds the spans kept per indicator.
const maxEvidence = 5

// codes returns the codes in the set, sorted.
func (is indicatorSet) codes() []string {
	cs := make([]string, 0, len(is))
	for c := range is {
		cs = append(cs, c)
	}
	sort.Strings(cs)
	return cs
}

// detect finds the indicators of orig, whose folded form is f.
func (d *detector) detect(orig string, f folded) (indicatorSet, findings) {
	var fd findings
	d.m.find(f.s, func(id, start, end int) {
		for _, k := range d.kinds[id] {
			fd.hits = append(fd.hits, hit{kind: k, word: id, start: start, end: end})
		}
	})
	is := indicatorSet{}
	jobSeen := map[int]bool{}
	var hasCompany, telegramCue bool
	var ages, nouns, pays, cues []hit
	for _, h := range fd.hits {
		if strings.HasPrefix(h.kind, kindIDCue) {
			cues = append(cues, h)
			continue
		}
		switch h.kind {
		case kindTravel, kindBoard:
			nouns = append(nouns, h)
		case kindPay:
			pays = append(pays, h)
		case kindJob:
			jobSeen[h.word] = true
		case kindCompany:
			hasCompany = true
		case kindAge:
			ages = append(ages, h)
		case kindTelegram:
			telegramCue = true
		case CodeUpfrontFee, CodePassport:
			if !negated(f.s, h.start) {
				is.add(h.kind, f.span(orig, h.start, h.end))
			}
		default:
			is.add(h.kind, f.span(orig, h.start, h.end))
		}
	}
	for _, n := range nouns {
		for _, p := range pays {
			lo, hi := min(n.start, p.start), max(n.end, p.end)
			window := pairWindow
			if !isWordAt(f.s, n.start) || !isWordAt(f.s, p.start) {
				window = pairWindowCJK // Chinese runs clauses together with commas
			}
			if hi-lo > window || n.start < p.end && p.start < n.end || clauseBreak(f.s[lo:hi]) {
				continue
			}
			code := CodeTravelPaid
			if n.kind == kindBoard {
				code = CodeBoardPaid
			}
			is.add(code, f.span(orig, lo, hi))
			break
		}
	}
	for _, h := range ages {
		if sp, ok := ageLimit(f, orig, h.start, h.end); ok {
			is.add(CodeAgeLimit, sp)
		}
	}
	fd.script = scriptOf(f.s)
	fd.amounts = findAmounts(f, orig, fd.script)
	fd.ids = findIdentifiers(f, orig, telegramCue, fd.amounts, cues)
	for _, id := range fd.ids {
		switch id.Kind {
		case KindTelegram, KindWhatsApp, KindWeChat, KindLINE, KindZalo:
			is.add(CodeMessenger, id.Span)
		}
		if id.Kind == KindURL || id.Kind == KindEmail {
			hasCompany = true
		}
	}
	fd.payAmount = -1
	for i, a := range fd.amounts {
		if u := a.MonthlyUSD(); u > fd.payUSD && u < 1e6 {
			fd.payUSD, fd.payAmount = u, i
		}
	}
	if fd.payAmount >= 0 && fd.payUSD >= payCeiling(is, fd.amounts[fd.payAmount].Currency, fd.script) {
		is.add(CodeHighPay, fd.amounts[fd.payAmount].Span)
	}
	fd.jobCues = len(jobSeen)
	for _, c := range jobCodes {
		if is[c] != nil {
			fd.jobCues++
		}
	}
	if fd.payAmount >= 0 {
		fd.jobCues++
	}
	is.fillEvidence(orig)
	if !hasCompany && fd.jobCues >= jobAdCues {
		is[CodeNoCompany] = &Indicator{Code: CodeNoCompany, Weight: weights[CodeNoCompany], Evidence: []Span{}}
	}
	return is, fd
}

// pairWindow is the most bytes a travel or board word and a pay word may
// span together.
// In scripts without spaces the two must be almost adjacent: "包机票",
// "公司承担机票", "提供住宿".
const (
	pairWindow    = 40
	pairWindowCJK = 12
)

// clauseBreak reports whether s crosses the end of a sentence or line.
func clauseBreak(s string) bool {
	return strings.ContainsAny(s, ".;!?\n") || strings.Contains(s, "。")
}

// jobAdCues is how many distinct job cues make a text read as a job ad.
const jobAdCues = 3

// regional currencies: pay in them is judged against the Southeast Asian market.
var regionalCurrencies = map[string]bool{
	"KHR": true, "THB": true, "VND": true, "IDR": true, "MYR": true, "PHP": true, "MMK": true, "LAK": true,
	"USDT": true,
}

// payCeiling returns the monthly pay in US dollars above which an offer is far
// above the market for the role. It is deliberately coarse: entry-level
// roles (those the lure ads advertise, or "no experience needed") against the
// Southeast Asian, Chinese and Western markets.
func payCeiling(is indicatorSet, currency, script string) float64 {
	entry := is[CodeLureRole] != nil || is[CodeNoExperience] != nil
	regional := regionalCurrencies[currency] || is[CodeCompoundArea] != nil || is[CodeAbroad] != nil
	switch script {
	case "km", "th", "vi", "lo", "my":
		regional = true
	}
	switch {
	case regional && entry:
		return 800
	case regional:
		return 2500
	case currency == "CNY" && entry:
		return 1400 // about ¥10,000
	case currency == "CNY":
		return 2800 // about ¥20,000
	case entry:
		return 3000
	}
	return 10000
}

// strongCodes are the indicators specific to lures; a rule floor needs two
// of them, so that a place name with ordinary benefits (board, no
// experience needed) is not enough.
var strongCodes = []string{
	CodeCompoundArea, CodeTravelPaid, CodeTouristVisa, CodeHighPay, CodeLureRole, CodeUpfrontFee,
	CodePassport, CodeMessenger,
}

// ruleLevel returns the level the indicators alone justify and the points
// they add up to.
func ruleLevel(is indicatorSet) (Level, float64) {
	var points float64
	context := false
	strong := 0
	for c, in := range is {
		if c == CodeReported || c == CodeAbroad && is[CodeCompoundArea] != nil {
			continue // a compound area is abroad already
		}
		points += in.Weight
		if slices.Contains(contextCodes, c) {
			context = true
		}
		if slices.Contains(strongCodes, c) {
			strong++
		}
	}
	if is[CodeAbroad] != nil && is[CodeHighPay] != nil && is[CodeMessenger] != nil {
		// work abroad at pay far above the market, arranged over a
		// messenger: the pattern of the recruitment posts themselves, which
		// often name neither a town nor the travel
		context = true
	}
	switch {
	case !context || strong < 2:
		return LevelLow, points
	case points >= highPoints:
		return LevelHigh, points
	case points >= elevatedPoints:
		return LevelElevated, points
	}
	return LevelLow, points
}

// ageLimit checks an age cue at folded bytes [start, end) for an age (15 to
// 65) close by, and returns the span of the cue and the ages.
func ageLimit(f folded, orig string, start, end int) (Span, bool) {
	s := f.s
	// numbers after the cue: "age 18-35", "年龄：18-35岁", "อายุ 18-35"
	for j := end; j < min(len(s), end+12); j++ {
		if isDigit(s[j]) {
			if k, ok := ageAt(s, j); ok {
				return f.span(orig, start, k), true
			}
			break
		}
	}
	// numbers before the cue: "18-35 years old", "35岁以下"
	t := start
	for t > 0 && s[t-1] == ' ' {
		t--
	}
	k := t
	for k > 0 && isDigit(s[k-1]) {
		k--
	}
	if k == t || !isAge(s[k:t]) {
		return Span{}, false
	}
	// extend over "18-" of "18-35"
	u := k
	for u > 0 && (s[u-1] == ' ' || s[u-1] == '-' || s[u-1] == '~') {
		u--
	}
	if u >= 2 && u < k && isAge(s[u-2:u]) && (u == 2 || !isDigit(s[u-3])) {
		k = u - 2
	}
	return f.span(orig, k, end), true
}

// ageAt reads an age or an age range (15 to 65) at s[j:] and returns where it
// ends.
func ageAt(s string, j int) (int, bool) {
	k := j
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	if !isAge(s[j:k]) {
		return 0, false
	}
	t := skipSpaces(s, k)
	if sep := rangeSep(s, t); sep > 0 {
		u := skipSpaces(s, t+sep)
		v := u
		for v < len(s) && isDigit(s[v]) {
			v++
		}
		if isAge(s[u:v]) {
			return v, true
		}
	}
	return k, true
}

// isAge reports whether the digits d are an age between 15 and 65.
func isAge(d string) bool {
	if len(d) != 2 {
		return false
	}
	n := int(d[0]-'0')*10 + int(d[1]-'0')
	return 15 <= n && n <= 65
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// negated reports whether the phrase at folded byte i is in a clause with a
// negator before it ("不收取任何押金", "no deposit"). The clause runs back to
// the last punctuation mark or line break, at most 48 bytes.
func negated(s string, i int) bool {
	from := max(0, i-48)
	for j := i - 1; j >= from; j-- {
		switch s[j] {
		case '.', ',', ';', '!', '?', '\n', ':':
			from = j + 1
			j = -1
			continue
		}
		if s[j] == 0xef || s[j] == 0xe3 { // ，。；！？ and other CJK punctuation (U+3000…, U+FF00…)
			if strings.HasPrefix(s[j:], "，") || strings.HasPrefix(s[j:], "。") || strings.HasPrefix(s[j:], "；") ||
				strings.HasPrefix(s[j:], "！") || strings.HasPrefix(s[j:], "、") {
				from = j + 3
				break
			}
		}
	}
	for from < i && from < len(s) && !utf8.RuneStart(s[from]) {
		from++
	}
	return containsAny(s[from:i], negators)
}
