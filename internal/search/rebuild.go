package search

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/seal"
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

// row is one row of the index in memory during a rebuild: the term's
// hash and the report's place in the rebuild's list of report ids (89
// rows a report on the generated data: a compact row keeps a million
// reports' rows in about 2 GB).
type row struct {
	term   [seal.SearchTermSize]byte
	report uint32
}

// Rebuild recomputes the whole search index from the reports, in one
// transaction: every report not erased is read, opened and cut into terms
// on every core (the same terms as intake's: the latest version of each
// statement, and the subjects' names), the rows are sorted in the index's
// key order, and the index is replaced by them (store.LoadSearchIndex:
// copied in key order), each report's hashes listed in one search_docs
// row as they come. Intake waits for the rebuild to commit; on SQLite
// searches read the old index meanwhile, on PostgreSQL they wait too. Versions a statement had before its latest are
// not indexed by a rebuild (intake indexes each as it is written).
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	var st RebuildStats
	start := time.Now()
	err := s.db.Bulk(ctx, func(q store.Q) error {
		// Emptying the index first takes the write lock, so no report is
		// filed between the read below and the commit.
		if err := q.ClearSearchIndex(ctx); err != nil {
			return err
		}
		var ids []string
		// Rows go to 256 buckets by the first byte of their term, each
		// sorted on its own.
		var buckets [256][]row
		srcs := make(chan *store.LinkSource, 256)
		type terms struct {
			id string
			ts []store.SearchTerm
		}
		out := make(chan terms, 256)
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
					case out <- terms{src.ID, s.SearchTerms(src.OrgID, src.ID, texts, subjects)}:
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
			// Each report's search_docs row is written as it comes, a
			// thousand reports at a time.
			var docs []store.SearchTerm
			reports := 0
			for t := range out {
				if len(ids) == math.MaxUint32 {
					return fmt.Errorf("more than %d reports", math.MaxUint32)
				}
				ids = append(ids, t.id)
				for _, term := range t.ts {
					var r row
					copy(r.term[:], term.Term)
					r.report = uint32(len(ids) - 1)
					buckets[r.term[0]] = append(buckets[r.term[0]], r)
				}
				docs = append(docs, t.ts...)
				if reports++; reports == 1000 {
					if err := q.PutSearchDocs(gctx, docs); err != nil {
						return err
					}
					docs, reports = docs[:0], 0
				}
			}
			return q.PutSearchDocs(gctx, docs)
		})
		if err := g.Wait(); err != nil {
			return err
		}
		st.Reports = len(ids)

		// Sort the buckets on every core; drop repeated rows.
		sorter, _ := errgroup.WithContext(ctx)
		sorter.SetLimit(max(1, runtime.GOMAXPROCS(0)))
		for i := range buckets {
			sorter.Go(func() error {
				b := buckets[i]
				slices.SortFunc(b, func(x, y row) int {
					if c := bytes.Compare(x.term[:], y.term[:]); c != 0 {
						return c
					}
					return strings.Compare(ids[x.report], ids[y.report])
				})
				buckets[i] = slices.Compact(b)
				return nil
			})
		}
		sorter.Wait()
		all := make([]row, 0, func() int {
			n := 0
			for _, b := range buckets {
				n += len(b)
			}
			return n
		}())
		for i := range buckets {
			all = append(all, buckets[i]...)
			buckets[i] = nil
		}
		st.Rows = len(all)
		return q.LoadSearchIndex(ctx, len(all), func(i int) store.SearchTerm {
			return store.SearchTerm{Term: all[i].term[:], ReportID: ids[all[i].report]}
		})
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
