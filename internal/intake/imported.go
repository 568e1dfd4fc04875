package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// ImportInto files subs as reports of a's organisation received at now,
// writing them in q, the caller's transaction (an import of a whole file
// is one transaction, with its own bookkeeping beside). Each is validated
// and sealed as Submit does, its statements are committed to the ledger,
// its follow-up jobs (linking, screening) are queued and its creation is
// audited; its channel is "import" and its ContactedOn the row's own date.
// A bad item fails the whole call, naming its position. Call Imported
// once q has committed. It returns the new reports' ids, in order.
func (s *Service) ImportInto(ctx context.Context, q store.Q, a auth.Actor, subs []*Submission, now time.Time) ([]string, error) {
	if a.Public() || !auth.Can(a, auth.CreateReport, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	rows := make([]*store.Intake, len(subs))
	ids := make([]string, len(subs))
	for i, sub := range subs {
		sub.Channel = "import"
		if err := sub.Validate(); err != nil {
			return nil, fmt.Errorf("intake: import item %d: %w", i, err)
		}
		b, err := s.build(a, a.OrgID, sub, now.UTC())
		if err != nil {
			return nil, fmt.Errorf("intake: import item %d: %w", i, err)
		}
		b.rows.Jobs = s.jobs(b.rows.Report.ID)
		rows[i], ids[i] = b.rows, b.rows.Report.ID
	}
	if err := q.PutIntake(ctx, rows); err != nil {
		return nil, fmt.Errorf("intake: import: %w", err)
	}
	return ids, nil
}

// Imported wakes the ledger's sequencer and the follow-up workers after
// the transaction ImportInto wrote ids in has committed.
func (s *Service) Imported(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	if s.ledger != nil {
		s.ledger.Notify()
	}
	if s.stored != nil {
		s.stored(context.WithoutCancel(ctx), ids)
	}
}
