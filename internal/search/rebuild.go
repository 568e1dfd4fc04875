package search

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/store"
)

// RebuildStats says what a rebuild did.
type RebuildStats struct {
	Reports, Rows int
	Took          time.Duration
}

func (st RebuildStats) String() string {
	return fmt.Sprintf("%d reports, %d index rows, in %v", st.Reports, st.Rows, st.Took.Round(time.Millisecond))
}

// rebuildChunk is how many rows the rebuild writes at a time.
const rebuildChunk = 20000

// Rebuild recomputes the whole search index from the reports, in one
// transaction: the index is emptied, then every report not erased is read,
// opened and cut into terms on every core (the same terms as intake's:
// the latest version of each statement, and the subjects' names) and its
// rows are written. Readers see the old index or the new one. Versions a
// statement had before its latest are not indexed by a rebuild (intake
// indexes each as it is written).
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	var st RebuildStats
	start := time.Now()
	err := s.db.Bulk(ctx, func(q store.Q) error {
		if err := q.ClearSearchIndex(ctx); err != nil {
			return err
		}
		srcs := make(chan *store.LinkSource, 256)
		out := make(chan []store.SearchTerm, 256)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error {
			defer close(srcs)
			return s.db.Read().ScanLinkSources(gctx, func(src *store.LinkSource) error {
				if src.Wrapped == nil || src.ErasedAt != 0 {
					return nil
				}
				select {
				case srcs <- src:
					return nil
				case <-gctx.Done():
					return gctx.Err()
				}
			})
		})
		workers, wctx := errgroup.WithContext(gctx)
		for range max(1, runtime.GOMAXPROCS(0)) {
			workers.Go(func() error {
				for src := range srcs {
					opened, err := s.intake.OpenSource(src)
					if err != nil {
						return err
					}
					texts := make([]string, 0, len(opened.Texts))
					for _, t := range opened.Texts {
						texts = append(texts, t)
					}
					subjects := make([]string, len(src.Subjects))
					for i, su := range src.Subjects {
						subjects[i] = su.Name
					}
					select {
					case out <- s.SearchTerms(src.OrgID, src.ID, texts, subjects):
					case <-wctx.Done():
						return wctx.Err()
					}
				}
				return nil
			})
		}
		g.Go(func() error {
			defer close(out)
			return workers.Wait()
		})
		g.Go(func() error {
			var buf []store.SearchTerm
			for ts := range out {
				st.Reports++
				buf = append(buf, ts...)
				if len(buf) >= rebuildChunk {
					if err := q.PutSearchTerms(gctx, buf); err != nil {
						return err
					}
					st.Rows += len(buf)
					buf = buf[:0]
				}
			}
			st.Rows += len(buf)
			return q.PutSearchTerms(gctx, buf)
		})
		return g.Wait()
	})
	if err != nil {
		return st, fmt.Errorf("search: rebuild: %w", err)
	}
	// A report erased while the rebuild read it loses its rows now.
	if err := s.db.Tx(ctx, func(q store.Q) error { return q.DeleteErasedSearchTerms(ctx) }); err != nil {
		return st, fmt.Errorf("search: rebuild: %w", err)
	}
	st.Took = time.Since(start)
	return st, nil
}
