package screen

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// ReportSubjects is a report's subjects, for ScreenReports.
type ReportSubjects struct {
	ReportID string
	Subjects []store.Subject
}

// ScreenReports is ScreenReport for many reports at once (the screening
// job's batch), without returning the hits: the subjects are screened on
// every core, and every report's hits are read and written in one
// transaction, in the order given, as ScreenReport one by one would write
// them (the new hits of all the reports in one statement at the end). When that transaction fails, each report is stored in
// a transaction of its own, so one report's failure is only its own. It
// returns the reports that failed, with their errors.
func (s *Service) ScreenReports(ctx context.Context, reports []ReportSubjects) (failed map[string]error) {
	start := time.Now()
	failed = map[string]error{}
	defer func() {
		if s.observe == nil || len(reports) == 0 {
			return
		}
		each := time.Since(start) / time.Duration(len(reports))
		for _, r := range reports {
			s.observe("report", each, failed[r.ReportID])
		}
	}()
	if len(reports) == 0 {
		return failed
	}
	if err := s.refresh(ctx, false); err != nil {
		for _, r := range reports {
			failed[r.ReportID] = err
		}
		return failed
	}
	scope := s.scope(nil)
	wanted := make([]map[hitKey]wantedHit, len(reports))
	var wg sync.WaitGroup
	workers := min(len(reports), max(1, runtime.GOMAXPROCS(0)))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(reports); i += workers {
				wanted[i] = wantedHits(scope, reports[i].Subjects)
			}
		})
	}
	wg.Wait()
	ids := make([]string, len(reports))
	for i, r := range reports {
		ids[i] = r.ReportID
	}
	err := s.db.DerivedTx(ctx, func(q store.Q) error {
		have, err := q.ScreeningHitsByReport(ctx, ids)
		if err != nil {
			return err
		}
		byReport := map[string][]*store.ScreeningHit{}
		for _, h := range have {
			byReport[h.ReportID] = append(byReport[h.ReportID], h)
		}
		// The new hits of all the reports are added in one statement, and
		// the open cases of the reports with new hits read in one.
		var news []*store.ScreeningHit
		var told []string
		for i, r := range reports {
			_, hs, err := updateHits(ctx, q, r.ReportID, byReport[r.ReportID], wanted[i], scope)
			if err != nil {
				return fmt.Errorf("report %s: %w", r.ReportID, err)
			}
			news = append(news, hs...)
			if len(hs) > 0 {
				told = append(told, r.ReportID)
			}
		}
		if err := q.PutScreeningHits(ctx, news); err != nil {
			return err
		}
		cases, err := q.OpenCasesOfReports(ctx, told)
		if err != nil {
			return err
		}
		for _, id := range told {
			if err := tellCases(ctx, q, cases[id]); err != nil {
				return fmt.Errorf("report %s: %w", id, err)
			}
		}
		return nil
	})
	if err == nil {
		return failed
	}
	s.log.Warn("screen: batch failed, screening its reports one by one", "reports", len(reports), "err", err)
	for i, r := range reports {
		if _, err := s.storeReport(ctx, r.ReportID, wanted[i], scope); err != nil {
			failed[r.ReportID] = err
		}
	}
	return failed
}
