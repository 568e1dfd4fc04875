package server

import (
	"context"
	"encoding/json"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/lure"
	"github.com/vigil-project/vigil/internal/web"
)

// coarseLookup tells the public lure check only whether an identifier was
// reported, never in how many reports.
type coarseLookup struct{ l lure.IdentifierLookup }

func (c coarseLookup) ReportsFor(ctx context.Context, kind, value string) (int, error) {
	n, err := c.l.ReportsFor(ctx, kind, value)
	return min(n, 1), err
}

// webLinks adapts the link service to the case page.
type webLinks struct{ l *links.Service }

func (w webLinks) ReportIdentifiers(ctx context.Context, a auth.Actor, reportID string) ([]web.Identifier, error) {
	ids, err := w.l.ReportIdentifiers(ctx, a, reportID)
	if err != nil {
		return nil, err
	}
	out := make([]web.Identifier, 0, len(ids))
	for _, i := range ids {
		if i.Value == "" {
			continue // a victim's contact
		}
		out = append(out, web.Identifier{ID: i.Kind + ":" + i.Value, Kind: i.Kind, Value: i.Value, Role: i.Role, OtherReports: i.OtherReports})
	}
	return out, nil
}

// webChecker answers the public check page: an identifier as the link
// service answers the public (in its bands, as the API does), or a pasted
// job ad with its lure score.
type webChecker struct {
	l    *links.Service
	lure *lure.Scorer
}

func (w webChecker) Check(ctx context.Context, query, lang string) (*web.CheckAnswer, error) {
	if _, ok := extract.Query(query, ""); ok {
		ans, err := w.l.Check(ctx, query, "")
		if err != nil {
			return nil, err
		}
		return &web.CheckAnswer{Kind: ans.Kind, Normalised: ans.Value, Band: ans.Band, UnverifiedReports: ans.UnverifiedReports, Legitimate: ans.Legitimate}, nil
	}
	if len(query) < 40 {
		return &web.CheckAnswer{Kind: "unknown", Band: links.BandNone}, nil
	}
	res, err := w.lure.Score(ctx, query, lang)
	if err != nil {
		return nil, err
	}
	return &web.CheckAnswer{Kind: "job_ad", Band: links.BandNone, Lure: lureScore(res)}, nil
}

// lureScore is a lure check for the pages: its level, summary and reasons
// as the lure package words them in the reader's language (the texts the
// API gives), never locale keys of the pages' own.
func lureScore(res lure.Result) *web.LureScore {
	ls := &web.LureScore{Level: string(res.Level), Probability: res.Probability, Summary: res.Summary}
	for _, r := range res.Reasons {
		ls.Reasons = append(ls.Reasons, web.LureReason{Code: r.Code, Text: r.Text})
	}
	return ls
}

// webLure scores the job ad attached to a report when the case page shows
// it (scoring takes a fraction of a millisecond, so it is not stored).
type webLure struct {
	in   *intake.Service
	lure *lure.Scorer
}

func (w webLure) ReportLure(ctx context.Context, a auth.Actor, reportID, lang string) (*web.LureScore, error) {
	v, err := w.in.Get(ctx, a, reportID)
	if err != nil {
		return nil, err
	}
	for _, st := range v.Statements {
		if st.Kind == intake.KindJobAd && len(st.Versions) > 0 {
			res, err := w.lure.Score(ctx, st.Versions[len(st.Versions)-1].Text, lang)
			if err != nil {
				return nil, err
			}
			return lureScore(res), nil
		}
	}
	return nil, nil
}

// intakeLedger adapts the ledger to what intake needs.
type intakeLedger struct{ l *ledger.Log }

func (a intakeLedger) Notify() { a.l.Notify() }

func (a intakeLedger) Receipt(ctx context.Context, entryID string) (any, error) {
	r, err := a.l.Receipt(ctx, entryID)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// webReceipts gives the reporter the ledger receipt of the report's first
// statement.
type webReceipts struct {
	in *intake.Service
	l  *ledger.Log
}

func (w webReceipts) ReceiptFor(ctx context.Context, code, secret string) ([]byte, error) {
	stmt, err := w.in.FirstStatement(ctx, code, secret)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r, err := w.l.ReceiptForRecord(ctx, ledger.KindStatement, stmt, 1)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(r, "", "  ")
}
