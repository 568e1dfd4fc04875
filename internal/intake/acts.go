package intake

import (
	"context"

	"github.com/vigil-project/vigil/internal/store"
)

// PublicStatus is what a reporter tracking a report is told of a status:
// one of the four coarse statuses. A dismissed report reads "closed" — the
// reporter learns that no more will be done, not why: "spam" told to a
// scammer testing the form teaches him, and "dismissed" told to a frightened
// family reads as disbelief; "closed" is also what a resolved case's
// reports show, so it reveals nothing more. A merged duplicate is tracked
// through the report kept (see Service.publicStatus).
func PublicStatus(status string) string {
	switch status {
	case StatusReceived, StatusInReview, StatusReferred:
		return status
	}
	return StatusClosed
}

// publicStatus is the status a reporter tracking r sees: a merged
// duplicate follows the report it was merged into (its reporter's story is
// now handled there), any other its own PublicStatus.
func (s *Service) publicStatus(ctx context.Context, r *store.Report) (string, error) {
	if r.Status != StatusMerged {
		return PublicStatus(r.Status), nil
	}
	q := s.db.Read()
	act, err := q.GetReportAct(ctx, r.ID)
	if err != nil {
		return "", err
	}
	kept, err := q.GetReport(ctx, act.MergedInto)
	if err != nil {
		return "", err
	}
	if kept.Status == StatusMerged {
		// Merges keep one hop (store.Q.RepointMerged); never loop.
		return StatusInReview, nil
	}
	return PublicStatus(kept.Status), nil
}
