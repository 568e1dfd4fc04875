package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/store"
)

// BulkItem is one report for SubmitBulk: the organisation that holds it and
// when it was received.
type BulkItem struct {
	OrgID string
	At    time.Time
	Sub   *Submission
}

// SubmitBulk stores many reports in one transaction, for loading generated
// data sets (`vigil demo --reports N`). Each is validated and sealed as
// Submit does and its statements are committed to the ledger, but no
// follow-up job is queued — the caller rebuilds the link index in bulk —
// and no receipt is built. A bad item fails the whole call, naming its
// position. It returns the new reports' ids.
func (s *Service) SubmitBulk(ctx context.Context, items []BulkItem) ([]string, error) {
	rows := make([]*store.Intake, len(items))
	ids := make([]string, len(items))
	for i, it := range items {
		if err := it.Sub.Validate(); err != nil {
			return nil, fmt.Errorf("intake: bulk item %d: %w", i, err)
		}
		b, err := s.build(auth.Actor{}, it.OrgID, it.Sub, it.At.UTC())
		if err != nil {
			return nil, fmt.Errorf("intake: bulk item %d: %w", i, err)
		}
		rows[i], ids[i] = b.rows, b.rows.Report.ID
	}
	if err := s.db.Tx(ctx, func(q store.Q) error { return q.PutIntake(ctx, rows) }); err != nil {
		return nil, fmt.Errorf("intake: bulk: %w", err)
	}
	if s.ledger != nil {
		s.ledger.Notify()
	}
	return ids, nil
}
