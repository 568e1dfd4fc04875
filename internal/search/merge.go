package search

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/store"
)

// MergeBatch is how many pending rows (a report each, or a statement added
// later) one merge moves into the term-keyed index, in one transaction.
// Through HTTP at 64 clients on SQLite, 500 took 1,391-1,401 reports/s
// (p99 302-327 ms), 200 took 1,300-1,333/s (p99 226-266 ms), 50
// 1,060-1,129/s (p99 181-198 ms): a merge holds the one writer, so larger
// ones cost intake less in all and more in its slowest answers.
const MergeBatch = 500

// MergePending moves up to MergeBatch pending rows of the index into its
// term-keyed table (store.MergeSearchPending) and returns how many.
func (s *Service) MergePending(ctx context.Context) (int, error) {
	var n int
	err := s.db.DerivedTx(ctx, func(q store.Q) error {
		var err error
		n, err = q.MergeSearchPending(ctx, MergeBatch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("search: merge: %w", err)
	}
	return n, nil
}

// MergeAll merges until nothing is pending (for bulk loads and tests).
func (s *Service) MergeAll(ctx context.Context) error {
	for {
		n, err := s.MergePending(ctx)
		if err != nil || n < MergeBatch {
			return err
		}
	}
}

// RunMerge merges what intake left pending every interval, batch after
// batch while there are more, until ctx ends. Intake writes a report's
// hashes as one pending row so that its transaction does not pay a
// random insert into the term-keyed B-tree for every term; searches read
// pending rows whole, so the merge keeps them few.
func (s *Service) RunMerge(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.MergeAll(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "search: merging the index's pending rows failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
