package lure_test

import (
	"context"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/lure"
)

// fakeLookup is a link index in a map.
type fakeLookup struct {
	reports map[string]int // kind + " " + value -> reports
	err     error
	asked   []string
}

func (f *fakeLookup) ReportsFor(ctx context.Context, kind, value string) (int, error) {
	f.asked = append(f.asked, kind+" "+value)
	if f.err != nil {
		return 0, f.err
	}
	return f.reports[kind+" "+value], nil
}

var _ lure.IdentifierLookup = (*fakeLookup)(nil)

const plainAd = "Hotel front desk agent, Siem Reap. 2 years of experience, English. Salary $300/month. " +
	"Apply at the hotel or email hr@angkorhotel.com. Contact Telegram @angkor_hr"

func TestReportedIdentifierForcesHigh(t *testing.T) {
	base := newScorer(t)
	r, err := base.Score(context.Background(), plainAd, "en")
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != lure.LevelLow {
		t.Fatalf("without the index: got %s, want low (%+v)", r.Level, r.Reasons)
	}
	lk := &fakeLookup{reports: map[string]int{"telegram angkor_hr": 3}}
	s, err := lure.New(lure.WithLookup(lk))
	if err != nil {
		t.Fatal(err)
	}
	r, err = s.Score(context.Background(), plainAd, "en")
	if err != nil {
		t.Fatal(err)
	}
	if r.Level != lure.LevelHigh {
		t.Errorf("got level %s, want high", r.Level)
	}
	if len(r.Reasons) == 0 || r.Reasons[0].Code != lure.CodeReported || !strings.Contains(r.Reasons[0].Text, "3 reports") {
		t.Errorf("got reasons %+v, want identifier_reported first, with the count", r.Reasons)
	}
	if r.Indicators[0].Code != lure.CodeReported || r.Indicators[0].Reports != 3 || r.Indicators[0].Evidence[0].Text != "@angkor_hr" {
		t.Errorf("got indicator %+v", r.Indicators[0])
	}
	// Even a text that is not a job ad is high when its contact is known.
	r, _ = s.Score(context.Background(), "hi, message me on telegram @angkor_hr", "zh")
	if r.Level != lure.LevelHigh || r.JobAd {
		t.Errorf("chat with a reported handle: got %s (job ad %v), want high", r.Level, r.JobAd)
	}
}

func TestLookupError(t *testing.T) {
	lk := &fakeLookup{err: errors.New("index down")}
	s, err := lure.New(lure.WithLookup(lk))
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.Score(context.Background(), plainAd, "en")
	if err == nil || !strings.Contains(err.Error(), "index down") {
		t.Errorf("got error %v, want the lookup's", err)
	}
	if r.Level == "" || r.Summary == "" {
		t.Errorf("got %+v, want the result without the index", r)
	}
}

func TestLookupBounded(t *testing.T) {
	lk := &fakeLookup{}
	s, _ := lure.New(lure.WithLookup(lk))
	var b strings.Builder
	for i := range 30 {
		b.WriteString(" @handle_" + strings.Repeat("x", i%5) + string(rune('a'+i)))
	}
	s.Score(context.Background(), b.String(), "en")
	if len(lk.asked) > 8 {
		t.Errorf("asked the index %d times, want at most 8", len(lk.asked))
	}
}

func TestNotAJobAd(t *testing.T) {
	s := newScorer(t)
	for _, text := range []string{
		"Your OTP for ABA Mobile is 482913. Do not share this code.",
		"【顺丰速运】您的快件已签收。",
		"Free flight to Sihanoukville for the holidays, hotel included!",
	} {
		r, _ := s.Score(context.Background(), text, "en")
		if r.JobAd || r.Level != lure.LevelLow || r.Score >= s.Model().Info().Calibration[""].Elevated {
			t.Errorf("%q: got job ad %v, level %s, score %v; want not a job ad, low", text, r.JobAd, r.Level, r.Score)
		}
		if !strings.Contains(r.Summary, "not read as a job ad") {
			t.Errorf("%q: summary %q", text, r.Summary)
		}
	}
}

func TestLocalised(t *testing.T) {
	s := newScorer(t)
	ad := fixture(t, "compound_ads.csv")[0].Text
	seen := map[string]bool{}
	for _, lang := range []string{"en", "zh-CN", "km", "th_TH", "vi", "xx"} {
		r, err := s.Score(context.Background(), ad, lang)
		if err != nil {
			t.Fatal(err)
		}
		if r.Level != lure.LevelHigh {
			t.Fatalf("got %s, want high", r.Level)
		}
		for _, rs := range r.Reasons {
			if rs.Text == "" || strings.Contains(rs.Text, "{") {
				t.Errorf("%s: reason %+v not filled in", lang, rs)
			}
		}
		key := r.Lang + r.Summary
		if lang != "xx" && seen[key] {
			t.Errorf("%s: summary not localised: %q", lang, r.Summary)
		}
		seen[key] = true
	}
	r, _ := s.Score(context.Background(), ad, "xx")
	if r.Lang != "en" {
		t.Errorf("unknown language: got %q, want en", r.Lang)
	}
	// A stored result can be shown in another language.
	s.Localize(&r, "zh")
	if r.Lang != "zh" || !strings.Contains(r.Summary, "高风险") {
		t.Errorf("Localize: got %q %q", r.Lang, r.Summary)
	}
}

// TestMissingTranslations fails when a locale lacks a key English has, or an
// indicator has no reason text.
func TestMissingTranslations(t *testing.T) {
	read := func(lang string) map[string]string {
		b, err := os.ReadFile(filepath.Join("locales", lang+".json"))
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		return m
	}
	en := read("en")
	for _, lang := range lure.Languages() {
		m := read(lang)
		for _, c := range lure.Codes() {
			switch {
			case m["reason."+c] == "":
				t.Errorf("%s: no reason.%s", lang, c)
			case lang != "en" && m["reason."+c] == en["reason."+c]:
				t.Errorf("%s: reason.%s is the English text, not a translation", lang, c)
			}
		}
		for k, v := range en {
			if m[k] == "" {
				t.Errorf("%s: missing %s", lang, k)
			}
			for _, p := range []string{"{n}", "{value}", "{pct}"} {
				if strings.Contains(v, p) != strings.Contains(m[k], p) {
					t.Errorf("%s: %s: placeholder %s differs from English", lang, k, p)
				}
			}
		}
	}
}

func TestResultJSON(t *testing.T) {
	s := newScorer(t)
	r, _ := s.Score(context.Background(), fixture(t, "compound_ads.csv")[25].Text, "zh")
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"level", "score", "probability", "job_ad", "ad_lang", "lang", "summary", "reasons", "indicators", "points", "identifiers", "amounts"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b)
		}
	}
	if m["ad_lang"] != "zh" || m["level"] != "high" {
		t.Errorf("got %s", b)
	}
	// empty lists are [], not null, for API clients
	r, _ = s.Score(context.Background(), "hello", "en")
	b, _ = json.Marshal(r)
	if strings.Contains(string(b), "null") {
		t.Errorf("got null in %s", b)
	}
}

func TestLevelsAreConsistentWithScore(t *testing.T) {
	s := newScorer(t)
	var rows []lure.Example
	for _, f := range []string{"compound_ads.csv", "legit_ads_region.csv", "messages.csv"} {
		rows = append(rows, fixture(t, f)...)
	}
	for _, ex := range rows {
		r, _ := s.Score(context.Background(), ex.Text, "en")
		c, ok := s.Model().Info().Calibration[r.AdLang]
		if !ok {
			c = s.Model().Info().Calibration[""]
		}
		var want lure.Level
		switch {
		case r.Score >= c.High:
			want = lure.LevelHigh
		case r.Score >= c.Elevated:
			want = lure.LevelElevated
		default:
			want = lure.LevelLow
		}
		if r.Level != want || r.Score < 0 || r.Score > 1 {
			t.Errorf("%s: level %s with score %v (thresholds %v, %v)", ex.ID, r.Level, r.Score, c.Elevated, c.High)
		}
	}
}

func TestScoreConcurrent(t *testing.T) {
	s := newScorer(t)
	ads := fixture(t, "compound_ads.csv")
	want := make([]lure.Result, len(ads))
	for i, a := range ads {
		want[i], _ = s.Score(context.Background(), a.Text, "en")
	}
	done := make(chan error)
	for g := range 4 {
		go func() {
			for i := range ads {
				k := (i + g*7) % len(ads)
				r, _ := s.Score(context.Background(), ads[k].Text, "en")
				if r.Score != want[k].Score || r.Level != want[k].Level {
					done <- errors.New(ads[k].ID + ": result differs under concurrency")
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestCodes: Codes names every Code constant the package declares, once,
// so a new indicator cannot go without a reason text unnoticed.
func TestCodes(t *testing.T) {
	fs := token.NewFileSet()
	f, err := parser.ParseFile(fs, "indicators.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			vs := sp.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if lit, ok := vs.Values[i].(*ast.BasicLit); ok && strings.HasPrefix(n.Name, "Code") && lit.Kind == token.STRING {
					c, _ := strconv.Unquote(lit.Value)
					want = append(want, c)
				}
			}
		}
	}
	got := lure.Codes()
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c] {
			t.Errorf("Codes has %q twice", c)
		}
		seen[c] = true
	}
	for _, c := range want {
		if !seen[c] {
			t.Errorf("Codes lacks %q", c)
		}
	}
	if len(want) < 16 || len(got) != len(want) {
		t.Errorf("Codes = %v, want the %d declared codes %v", got, len(want), want)
	}
}
