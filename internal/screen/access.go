package screen

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// Reports authorises an actor's action on a report: not found when the
// actor may not even read it, auth.ErrForbidden when it may read it but
// not do act. *intake.Service satisfies it. A hit is as visible as its
// report, and intake owns who may see a report (the owner, and partners by
// referral), so screen asks intake rather than working it out again.
type Reports interface {
	Authorize(ctx context.Context, a auth.Actor, reportID string, act auth.Action) (*store.Report, error)
	// AuthorizeEach decides Authorize for many reports at once and
	// returns those allowed, keyed by id; the others are left out.
	AuthorizeEach(ctx context.Context, a auth.Actor, reportIDs []string, act auth.Action) (map[string]*store.Report, error)
}

// Option configures a Service.
type Option func(*Service)

// WithReports gives the service the authoriser of reports that ReportHits
// and ReviewHit ask.
func WithReports(r Reports) Option {
	return func(s *Service) { s.reports = r }
}

// WithObserver gives the service a function told how long each screening
// took: call is "name" (Screen: one query) or "report" (ScreenReport: a
// report's subjects against every list), err its outcome. For the metrics.
func WithObserver(f func(call string, d time.Duration, err error)) Option {
	return func(s *Service) { s.observe = f }
}

// errNoReports is a Service built without WithReports asked about a
// report's hits: a wiring mistake, refused rather than answered.
var errNoReports = errors.New("screen: no report authoriser (WithReports)")

// The three methods below are what both doors — the JSON API and the case
// page — call for a person; Screen, ScreenReport and Import act for no one
// (the command line, the follow-up job, the evaluation) and are not
// reachable from a request.

// ScreenName screens a name for an actor who may run screening
// (auth.RunScreen in its own organisation): the lists are the instance's,
// not any organisation's, so there is no resource but the actor's own
// organisation to ask about.
func (s *Service) ScreenName(ctx context.Context, a auth.Actor, q Query, opt Options) ([]Match, error) {
	if !auth.Can(a, auth.RunScreen, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	return s.Screen(ctx, q, opt)
}

// ReportHits returns a report's hits to an actor who may review screening
// on that report: not found when it may not read the report,
// auth.ErrForbidden when it may read it but not review its hits.
//
// The doors used to disagree. The case page asked ReadReport of the report
// and then ReviewScreen of the actor's own organisation, answering "no
// hits" to anyone who could read but not review; the API asked
// ReviewScreen of the report itself and refused. This keeps the API's rule,
// as the safer of the two: the question is asked of the report's own access
// (a role that may read a referred report and review in its own
// organisation must not see another organisation's hits through that), and
// a refusal is a refusal, which no caller can mistake for a clean
// screening. The page shows nothing when refused.
func (s *Service) ReportHits(ctx context.Context, a auth.Actor, reportID string) ([]Hit, error) {
	if err := s.authorize(ctx, a, reportID); err != nil {
		return nil, err
	}
	return s.hits(ctx, []string{reportID})
}

// EachReportHits is ReportHits for many reports at once (a page listing
// reports): the hits of each report a may review screening on, keyed by
// report, in one authorisation and one read; reports a may not review are
// left out, as ReportHits would refuse them.
func (s *Service) EachReportHits(ctx context.Context, a auth.Actor, reportIDs []string) (map[string][]Hit, error) {
	if s.reports == nil {
		return nil, errNoReports
	}
	ok, err := s.reports.AuthorizeEach(ctx, a, reportIDs, auth.ReviewScreen)
	if err != nil {
		return nil, fmt.Errorf("screen: reports: %w", err)
	}
	out := make(map[string][]Hit, len(ok))
	if len(ok) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(ok))
	for _, id := range reportIDs {
		if _, yes := ok[id]; yes {
			if _, seen := out[id]; !seen {
				ids = append(ids, id)
				out[id] = []Hit{}
			}
		}
	}
	hs, err := s.hits(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		out[h.ReportID] = append(out[h.ReportID], h)
	}
	return out, nil
}

// ReviewHit records an actor's decision on a hit ("confirmed" or
// "dismissed", "pending" to reopen; a dismissal needs a note), audited,
// and returns the hit as it now is. The hit is as visible as its report:
// the actor must be allowed to review screening on it (see ReportHits).
// Access is checked before the decision and note are, so someone who may
// not review learns nothing from the validation.
func (s *Service) ReviewHit(ctx context.Context, a auth.Actor, hitID, decision, note string) (Hit, error) {
	h, err := s.hit(ctx, hitID)
	if err != nil {
		return Hit{}, err
	}
	if err := s.authorize(ctx, a, h.ReportID); err != nil {
		return Hit{}, err
	}
	if err := s.review(ctx, h.ID, decision, note, a); err != nil {
		return Hit{}, err
	}
	return s.hit(ctx, h.ID)
}

// authorize checks that a may review screening on a report.
func (s *Service) authorize(ctx context.Context, a auth.Actor, reportID string) error {
	if s.reports == nil {
		return errNoReports
	}
	if _, err := s.reports.Authorize(ctx, a, reportID, auth.ReviewScreen); err != nil {
		return fmt.Errorf("screen: report %s: %w", reportID, err)
	}
	return nil
}
