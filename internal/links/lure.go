package links

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/locale"
	"github.com/vigil-project/vigil/internal/lure"
)

// MaxAd bounds a job ad given to the lure check, through any door.
const MaxAd = 64 << 10

// minAd is the shortest text the public check reads as a job ad rather
// than an identifier it could not read.
const minAd = 40

// lureScorers are the lure check's scorers over the link index: the public
// one is told only whether an identifier is in verified reports, never in
// how many (an exact count that ticks up tells a recruiter checking his own
// number that someone has just reported him); staff's is told the count.
type lureScorers struct {
	public, staff *lure.Scorer
}

// coarseLookup answers the public lure check: reported or not.
type coarseLookup struct{ s *Service }

func (c coarseLookup) ReportsFor(ctx context.Context, kind, value string) (int, error) {
	n, err := c.s.ReportsFor(ctx, kind, value)
	return min(n, 1), err
}

// EnableLure loads the lure check's model (the embedded one unless opts
// say otherwise), after which ScoreAd, CheckText and ReportLure score job
// ads against the index. Call it once, before serving.
func (s *Service) EnableLure(opts ...lure.Option) error {
	st, err := lure.New(append(opts, lure.WithLookup(s))...)
	if err != nil {
		return fmt.Errorf("links: lure model: %w", err)
	}
	pub, err := lure.New(append(opts, lure.WithModel(st.Model()), lure.WithLookup(coarseLookup{s}))...)
	if err != nil {
		return fmt.Errorf("links: lure model: %w", err)
	}
	s.lure = &lureScorers{public: pub, staff: st}
	return nil
}

// adText checks a job ad given to the lure check (field names it) and
// the language asked for its reasons.
func (s *Service) adText(field, text, lang string) error {
	if strings.TrimSpace(text) == "" {
		return invalid.Field(field, "required", "paste the job ad or recruiter message")
	}
	if len(text) > MaxAd || !utf8.ValidString(text) {
		return invalid.Field(field, "too_long", "at most %d bytes of UTF-8 text", MaxAd)
	}
	if lang != "" && !slices.Contains(locale.Languages, lang) {
		return invalid.Field("lang", "invalid_value", "%q is not one of %s", lang, strings.Join(locale.Languages, ", "))
	}
	if s.lure == nil {
		return invalid.Field(field, "unavailable", "the lure check is not configured")
	}
	return nil
}

// ScoreAd is the public lure check of a job ad, its reasons in lang (one
// of locale.Languages; English when empty). Anyone may ask (auth.CheckPublic),
// and everyone gets the public answer: whether a contact in the ad is in
// verified reports, never in how many.
func (s *Service) ScoreAd(ctx context.Context, a auth.Actor, text, lang string) (*lure.Result, error) {
	if !auth.Can(a, auth.CheckPublic, auth.Resource{}) {
		return nil, auth.ErrForbidden
	}
	if err := s.adText("text", text, lang); err != nil {
		return nil, err
	}
	res, err := s.lure.public.Score(ctx, text, lang)
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// TextAnswer is the public check's answer to whatever was pasted: an
// identifier's check (Kind its kind), or, for a text that is none, the lure
// check of a job ad (Kind "job_ad", Lure set, Band none) or nothing (Kind
// "unknown", for a short text Vigil cannot read).
type TextAnswer struct {
	CheckAnswer
	Lure *lure.Result `json:"lure,omitempty"`
}

// CheckText answers the public check page's one box: an identifier as
// Check answers it (in bands, never an exact count), else a job ad as
// ScoreAd scores it, its reasons in lang.
func (s *Service) CheckText(ctx context.Context, a auth.Actor, text, lang string) (*TextAnswer, error) {
	text = strings.TrimSpace(text)
	if _, ok := extract.Query(text, ""); ok {
		ans, err := s.Check(ctx, text, "")
		if err != nil {
			return nil, err
		}
		return &TextAnswer{CheckAnswer: *ans}, nil
	}
	if text == "" {
		return nil, invalid.Field("q", "required", "give a phone number, handle, URL, wallet address or job ad")
	}
	none := CheckAnswer{Coarse: Coarse{Kind: "unknown", Band: BandNone, UnverifiedReports: BandNone, Categories: []string{}}}
	if len(text) < minAd {
		return &TextAnswer{CheckAnswer: none}, nil
	}
	if err := s.adText("q", text, lang); err != nil {
		return nil, err
	}
	res, err := s.ScoreAd(ctx, a, text, lang)
	if err != nil {
		return nil, err
	}
	none.Kind = "job_ad"
	return &TextAnswer{CheckAnswer: none, Lure: res}, nil
}

// ReportLure scores the job ad a report came with, its reasons in lang,
// for whoever may read the report (auth.ReadReport, as intake decides).
// Only a reader of the report's links (auth.ReadLinks) is told how many
// verified reports name each contact in it; anyone else gets the public
// answer, reported or not. Scoring takes a fraction of a millisecond, so it
// is not stored. Nil when the report has no job ad or the lure check is not
// enabled.
func (s *Service) ReportLure(ctx context.Context, a auth.Actor, reportID, lang string) (*lure.Result, error) {
	v, err := s.intake.Get(ctx, a, reportID)
	if err != nil {
		return nil, err
	}
	return s.viewLure(ctx, a, v, lang)
}

// viewLure is ReportLure for a report view a was already given (by
// intake.Get, which decided a may read it), so that a page listing
// reports reads each once.
func (s *Service) viewLure(ctx context.Context, a auth.Actor, v *intake.ReportView, lang string) (*lure.Result, error) {
	if s.lure == nil {
		return nil, nil
	}
	sc := s.lure.public
	if auth.Can(a, auth.ReadLinks, auth.Resource{OrgID: v.OrgID}) {
		sc = s.lure.staff
	}
	for _, st := range v.Statements {
		if st.Kind == intake.KindJobAd && len(st.Versions) > 0 {
			res, err := sc.Score(ctx, st.Versions[len(st.Versions)-1].Text, lang)
			if err != nil {
				return nil, err
			}
			return &res, nil
		}
	}
	return nil, nil
}
