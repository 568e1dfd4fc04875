package lure

import (
	"context"
	"embed"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/vigil-project/vigil/internal/locale"
)

// Level is the answer of a lure check.
type Level string

// The levels, from least to most concern.
const (
	LevelLow      Level = "low"
	LevelElevated Level = "elevated"
	LevelHigh     Level = "high"
)

func (l Level) rank() int {
	switch l {
	case LevelElevated:
		return 1
	case LevelHigh:
		return 2
	}
	return 0
}

// AtLeast reports whether l is o or a higher level.
func (l Level) AtLeast(o Level) bool { return l.rank() >= o.rank() }

// Result is the answer for one ad. It is also the body of the API response.
type Result struct {
	// Level combines the model, the indicator rules and the link index.
	Level Level `json:"level"`
	// Score is a number in [0, 1] that orders ads by concern, consistent
	// with Level: below the model's elevated threshold is low, at or above
	// its high threshold is high.
	Score float64 `json:"score"`
	// Probability is the model's calibrated probability that the ad is a
	// lure, on the mix of lure and legitimate ads it was trained on (about
	// half each, far more lures than in real life).
	Probability float64 `json:"probability"`
	// JobAd reports whether the text reads as a job ad at all. Other text
	// is held at low unless an identifier in it is in the link index.
	JobAd bool `json:"job_ad"`
	// AdLang is the language of the ad guessed from its script.
	AdLang string `json:"ad_lang"`
	// Lang is the language of Summary and the reasons.
	Lang string `json:"lang"`
	// Summary says what the level means, in Lang.
	Summary string `json:"summary"`
	// Reasons explain the level, strongest first, in Lang.
	Reasons []Reason `json:"reasons"`
	// Indicators are the signs found, strongest first.
	Indicators []Indicator `json:"indicators"`
	// Points is the sum of the indicator weights.
	Points float64 `json:"points"`
	// Identifiers are the contact points found in the ad.
	Identifiers []Identifier `json:"identifiers"`
	// Amounts are the sums of money found in the ad.
	Amounts []Amount `json:"amounts"`
}

// Reason is one line of explanation.
type Reason struct {
	// Code is the indicator code, or "model".
	Code string `json:"code"`
	// Text is the explanation in the reader's language.
	Text string `json:"text"`
}

//go:embed locales/*.json
var localeFS embed.FS

// Scorer scores ads. It is safe for concurrent use.
type Scorer struct {
	model   *Model
	det     *detector
	lookup  IdentifierLookup
	locales map[string]locale.Catalogue
	fzs     sync.Pool // *featurizer, which keeps scratch buffers
}

// Option configures a Scorer.
type Option func(*Scorer)

// WithModel makes the Scorer use m instead of the embedded model.
func WithModel(m *Model) Option { return func(s *Scorer) { s.model = m } }

// WithLookup makes the Scorer ask l about the identifiers in each ad. A
// recruiter identifier already in reports makes the level high.
func WithLookup(l IdentifierLookup) Option { return func(s *Scorer) { s.lookup = l } }

// New returns a Scorer. Without WithModel it parses the embedded model,
// which takes a few milliseconds; call it once and share the Scorer.
func New(opts ...Option) (*Scorer, error) {
	s := &Scorer{}
	for _, o := range opts {
		o(s)
	}
	if s.model == nil {
		m, err := parseModel(embeddedModel)
		if err != nil {
			return nil, fmt.Errorf("lure: embedded model: %w", err)
		}
		s.model = m
	}
	loc, err := locale.Load(localeFS, "locales")
	if err != nil {
		return nil, fmt.Errorf("lure: %w", err)
	}
	s.locales = loc
	s.det = newDetector()
	bits, set := s.model.info.Bits, s.model.info.Features
	s.fzs.New = func() any { return newFeaturizer(set, bits) }
	return s, nil
}

// Model returns the model the Scorer uses.
func (s *Scorer) Model() *Model { return s.model }

// Languages returns the languages reasons can be given in.
func Languages() []string { return append([]string(nil), locale.Languages...) }

// Score scores the ad text and explains the result in lang ("en", "zh",
// "km", "th", "vi"; others fall back to English). The error is non-nil only
// when the identifier lookup fails or ctx is done; the Result is then
// complete except for the link index, so a caller may still show it.
func (s *Scorer) Score(ctx context.Context, text, lang string) (Result, error) {
	f := fold(text)
	is, fd := s.det.detect(text, f)
	r := Result{
		JobAd:       fd.jobCues >= jobAdCues,
		AdLang:      fd.script,
		Identifiers: fd.ids,
		Amounts:     fd.amounts,
	}
	if r.Identifiers == nil {
		r.Identifiers = []Identifier{}
	}
	if r.Amounts == nil {
		r.Amounts = []Amount{}
	}
	fz := s.fzs.Get().(*featurizer)
	var codes []string
	if fz.fl.indicators {
		codes = modelCodes(is)
	}
	z, cal := s.model.rawScore(fz, f.s, r.AdLang, codes, fd.payUSD)
	s.fzs.Put(fz)
	r.Probability = cal.probability(z)

	var lookupErr error
	if s.lookup != nil {
		for i := range r.Identifiers {
			if i >= maxLookups {
				break
			}
			if err := ctx.Err(); err != nil {
				lookupErr = fmt.Errorf("lure: identifier lookup: %w", err)
				break
			}
			id := &r.Identifiers[i]
			n, err := s.lookup.ReportsFor(ctx, id.Kind, id.Value)
			if err != nil {
				lookupErr = fmt.Errorf("lure: identifier lookup %s: %w", id.Kind, err)
				break
			}
			if n > 0 {
				id.Reports = n
				is.add(CodeReported, id.Span)
				if n > is[CodeReported].Reports {
					is[CodeReported].Reports = n
				}
			}
		}
	}
	rule, points := ruleLevel(is)
	r.Points = points
	level := LevelLow
	if r.JobAd {
		switch {
		case r.Probability >= cal.High:
			level = LevelHigh
		case r.Probability >= cal.Elevated:
			level = LevelElevated
		}
		if rule.rank() > level.rank() {
			level = rule
		}
	}
	if is[CodeReported] != nil {
		level = LevelHigh
	}
	r.Level = level
	r.Score = bandScore(r.Probability, level, r.JobAd || is[CodeReported] != nil, cal.Elevated, cal.High)
	r.Probability = round4(r.Probability)
	if is[CodeReported] != nil {
		is.fillEvidence(text)
	}

	r.Indicators = make([]Indicator, 0, len(is))
	for _, c := range is.codes() {
		r.Indicators = append(r.Indicators, *is[c])
	}
	sort.SliceStable(r.Indicators, func(i, j int) bool {
		a, b := r.Indicators[i], r.Indicators[j]
		if (a.Code == CodeReported) != (b.Code == CodeReported) {
			return a.Code == CodeReported
		}
		return a.Weight > b.Weight
	})
	s.localize(&r, lang, r.Probability >= cal.Elevated)
	return r, lookupErr
}

// probability returns the model's calibrated probability for an ad, not
// rounded, and the calibration that applies to the ad.
func (s *Scorer) probability(text string) (float64, Calibration) {
	f := fold(text)
	is, fd := s.det.detect(text, f)
	fz := s.fzs.Get().(*featurizer)
	defer s.fzs.Put(fz)
	var codes []string
	if fz.fl.indicators {
		codes = modelCodes(is)
	}
	z, c := s.model.rawScore(fz, f.s, fd.script, codes, fd.payUSD)
	return c.probability(z), c
}

// bandScore places the model probability p inside the band of the level,
// keeping the order of p within the band. Text that is not a job ad stays
// in the lower half of the low band.
func bandScore(p float64, level Level, jobAd bool, elevated, high float64) float64 {
	lo, hi := 0.0, elevated
	switch level {
	case LevelElevated:
		lo, hi = elevated, high
	case LevelHigh:
		lo, hi = high, 1
	}
	if !jobAd {
		return round4(min(p, elevated) / 2)
	}
	if p >= lo && (p < hi || level == LevelHigh) {
		return p // not rounded: rounding could cross a threshold
	}
	x := lo + (hi-lo)*(0.25+0.5*p)
	if level != LevelHigh && x >= hi {
		x = math.Nextafter(hi, 0)
	}
	return x
}

// Localize sets r's Lang, Summary and reason texts for lang, so that a stored
// result can be shown in the reader's language.
// The model's reason is given when its probability reaches the elevated
// threshold of the ad's language (a stored result does not say whether the
// ad had employer fields, whose threshold Score uses).
func (s *Scorer) Localize(r *Result, lang string) {
	s.localize(r, lang, r.Probability >= s.model.calibration(r.AdLang).Elevated)
}

// localize is Localize, told whether the model's probability reached its
// elevated threshold.
func (s *Scorer) localize(r *Result, lang string, modelElevated bool) {
	lang = locale.Match(lang)
	r.Lang = lang
	key := "summary." + string(r.Level)
	if !r.JobAd && r.Level == LevelLow {
		key = "summary.not_job"
	}
	r.Summary = s.text(lang, key, nil)
	r.Reasons = make([]Reason, 0, len(r.Indicators)+1)
	var reported *Indicator
	for i := range r.Indicators {
		if r.Indicators[i].Code == CodeReported {
			reported = &r.Indicators[i]
		}
	}
	if reported != nil {
		value := ""
		for _, id := range r.Identifiers {
			if id.Reports == reported.Reports {
				value = id.Value
				break
			}
		}
		r.Reasons = append(r.Reasons, Reason{Code: CodeReported, Text: s.text(lang, "reason."+CodeReported,
			map[string]string{"{n}": strconv.Itoa(reported.Reports), "{value}": value})})
	}
	if r.JobAd && modelElevated {
		pct := strconv.Itoa(int(math.Round(r.Probability * 100)))
		r.Reasons = append(r.Reasons, Reason{Code: CodeModel, Text: s.text(lang, "reason."+CodeModel,
			map[string]string{"{pct}": pct})})
	}
	for _, in := range r.Indicators {
		if in.Code == CodeReported {
			continue
		}
		r.Reasons = append(r.Reasons, Reason{Code: in.Code, Text: s.text(lang, "reason."+in.Code, nil)})
	}
}

// text returns the locale string for key, falling back to English.
func (s *Scorer) text(lang, key string, args map[string]string) string {
	t, ok := s.locales[lang][key]
	if !ok {
		t = s.locales["en"][key]
	}
	for k, v := range args {
		t = strings.ReplaceAll(t, k, v)
	}
	return t
}
