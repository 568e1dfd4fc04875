package links_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/lure"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// lureAd is a job ad whose contact is the recruiter's number of the
// reports filed in TestLureCheck.
const lureAd = "Customer service staff wanted in Sihanoukville, Cambodia. Salary $1500 per month, no experience needed. " +
	"Free flight and visa, food and accommodation provided. Call HR on +855 12 777 001"

// reportedIn returns the largest report count the lure check gives a
// contact of the ad.
func reportedIn(r *lure.Result) int {
	n := 0
	for _, id := range r.Identifiers {
		n = max(n, id.Reports)
	}
	return n
}

// TestLureCheck asks the link service's lure check on both engines: the
// public (through CheckText or ScoreAd, as both doors do) learns only that
// an ad's contact is in verified reports, never how many; staff who read a
// report's links learn the count for its job ad; bad input names its field.
func TestLureCheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db)
		public := auth.Actor{}
		ad := strings.TrimSpace(lureAd)
		if _, err := w.links.ScoreAd(ctx, public, ad, "en"); !isFieldCode(err, "text", "unavailable") {
			t.Fatalf("lure check before EnableLure: %v, want unavailable", err)
		}
		if err := w.links.EnableLure(); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			w.file("", &intake.Submission{Narrative: "The recruiter called from +855 12 777 001 and promised a job in Sihanoukville."})
		}
		withAd := w.file("", &intake.Submission{Narrative: "My sister answered this advert.", JobAd: ad})
		plain := w.file("", &intake.Submission{Narrative: "They took my passport in the compound."})

		t.Run("public", func(t *testing.T) {
			res, err := w.links.ScoreAd(ctx, public, ad, "km")
			if err != nil {
				t.Fatal(err)
			}
			if res.Level != lure.LevelHigh || reportedIn(res) != 1 || res.Lang != "km" {
				t.Errorf("public lure check: level %s, reports %d, lang %s; want high, 1 (reported, not how often), km", res.Level, reportedIn(res), res.Lang)
			}
			ans, err := w.links.CheckText(ctx, public, "  "+ad+"\n", "km")
			if err != nil {
				t.Fatal(err)
			}
			if ans.Kind != "job_ad" || ans.Band != links.BandNone || ans.Lure == nil || ans.Lure.Level != res.Level || ans.Lure.Summary != res.Summary || reportedIn(ans.Lure) != 1 {
				t.Errorf("check of the ad: %+v (lure %+v); want job_ad, band none, the lure check ScoreAd gives", ans.CheckAnswer, ans.Lure)
			}
		})

		t.Run("check text", func(t *testing.T) {
			for _, tc := range []struct {
				name, text, kind, band string
				lure                   bool
			}{
				{"reported phone", "+855 12 777 001", "phone", links.BandFew, false},
				{"unreported handle", "@nobody_reported_this", "telegram", links.BandNone, false},
				{"short text", "is this a scam?", "unknown", links.BandNone, false},
				{"job ad", lureAd, "job_ad", links.BandNone, true},
			} {
				t.Run(tc.name, func(t *testing.T) {
					ans, err := w.links.CheckText(ctx, public, tc.text, "en")
					if err != nil {
						t.Fatal(err)
					}
					if ans.Kind != tc.kind || ans.Band != tc.band || (ans.Lure != nil) != tc.lure {
						t.Errorf("got kind %s band %s lure %v; want %s %s %v", ans.Kind, ans.Band, ans.Lure != nil, tc.kind, tc.band, tc.lure)
					}
					if !tc.lure && tc.kind != "unknown" {
						want, err := w.links.Check(ctx, tc.text, "")
						if err != nil {
							t.Fatal(err)
						}
						if ans.Value != want.Value || ans.Band != want.Band || ans.UnverifiedReports != want.UnverifiedReports {
							t.Errorf("CheckText %+v, Check %+v", ans.CheckAnswer, *want)
						}
					}
				})
			}
		})

		t.Run("refused", func(t *testing.T) {
			for _, tc := range []struct {
				name, text, lang, field, code string
				check                         bool // through CheckText, else ScoreAd
			}{
				{"blank ad", " \n ", "en", "text", "required", false},
				{"blank check", " \n ", "en", "q", "required", true},
				{"ad too long", strings.Repeat("a", links.MaxAd+1), "en", "text", "too_long", false},
				{"check too long", strings.Repeat("salary ", links.MaxAd/7+1), "en", "q", "too_long", true},
				{"not UTF-8", lureAd + "\xff", "en", "text", "too_long", false},
				{"unknown language", lureAd, "fr", "lang", "invalid_value", false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					var err error
					if tc.check {
						_, err = w.links.CheckText(ctx, public, tc.text, tc.lang)
					} else {
						_, err = w.links.ScoreAd(ctx, public, tc.text, tc.lang)
					}
					if !isFieldCode(err, tc.field, tc.code) {
						t.Errorf("got %v, want %s on %s", err, tc.code, tc.field)
					}
				})
			}
		})

		t.Run("report", func(t *testing.T) {
			for _, tc := range []struct {
				as, report string
				reports    int   // the count told; 0: no job ad
				err        error // refused
			}{
				{"coordinator@hotline", withAd, 3, nil},
				{"investigator@hotline", withAd, 3, nil},
				// Intake staff read the report but not its links: told
				// only that the contact is reported.
				{"intake@hotline", withAd, 1, nil},
				{"coordinator@hotline", plain, 0, nil},
				{"coordinator@ngo", withAd, 0, store.ErrNotFound},
			} {
				t.Run(tc.as, func(t *testing.T) {
					res, err := w.links.ReportLure(ctx, w.actors[tc.as], tc.report, "vi")
					switch {
					case tc.err != nil:
						if !errors.Is(err, tc.err) {
							t.Errorf("got %v, want %v", err, tc.err)
						}
					case err != nil:
						t.Fatal(err)
					case tc.reports == 0:
						if res != nil {
							t.Errorf("a report without a job ad scored %+v", res)
						}
					case res == nil:
						t.Error("the report's job ad was not scored")
					case res.Level != lure.LevelHigh || reportedIn(res) != tc.reports || res.Lang != "vi":
						t.Errorf("level %s, reports %d, lang %s; want high, %d, vi", res.Level, reportedIn(res), res.Lang, tc.reports)
					}
				})
			}
		})

		// The identifier page scores the job ad of each listed report
		// that has one (reading statements for those only), as
		// ReportLure scores it.
		t.Run("identifier page", func(t *testing.T) {
			coord := w.actors["coordinator@hotline"]
			ids, err := w.links.ReportIdentifiers(ctx, coord, withAd)
			if err != nil {
				t.Fatal(err)
			}
			phone := ""
			for _, i := range ids {
				if i.Kind == "phone" {
					phone = i.ID
				}
			}
			p, err := w.links.Identifier(ctx, coord, phone, 0)
			if err != nil {
				t.Fatal(err)
			}
			want, err := w.links.ReportLure(ctx, coord, withAd, "en")
			if err != nil || want == nil {
				t.Fatalf("the report's own score: %+v, %v", want, err)
			}
			scored := 0
			for _, r := range p.Reports {
				switch {
				case r.ID == withAd && (r.Lure == nil || *r.Lure != want.Probability || r.LureLevel != string(want.Level)):
					t.Errorf("the report with the ad on the page: lure %v %q; want %v %q", r.Lure, r.LureLevel, want.Probability, want.Level)
				case r.ID != withAd && r.Lure != nil:
					t.Errorf("report %s has no job ad but is scored %v", r.ID, *r.Lure)
				}
				if r.Lure != nil {
					scored++
				}
			}
			if len(p.Reports) != 3 || scored != 1 {
				t.Errorf("the page lists %d reports, %d scored; want 3, 1", len(p.Reports), scored)
			}
		})
	})
}

// isFieldCode reports whether err is a field error of field and code.
func isFieldCode(err error, field, code string) bool {
	fe, ok := invalid.As(err)
	return ok && fe.Field == field && fe.Code == code
}
