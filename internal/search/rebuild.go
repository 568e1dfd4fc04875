package search

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/spill"
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

// row is one row of the index during a rebuild: the term's hash and the
// report's place in the rebuild's list of report ids (89 rows a report on
// the generated data: 89 million rows at a million reports, 890 million
// at ten, so they are spilled to disk and sorted a bucket at a time).
type row struct {
	term   [seal.SearchTermSize]byte
	report uint32
}

// Rebuild recomputes the whole search index from the reports, in one
// transaction: every report not erased is read, opened and cut into terms
// on every core (the same terms as intake's: the latest version of each
// statement, and the subjects' names), the rows are spilled to 256
// encrypted temporary files by their term's first byte (package spill),
// each file is read back and sorted in the index's key order in turn (the
// next while one is loaded), and the index is replaced by them
// (store.LoadSearchIndex: copied in key order), each report's hashes
// listed in one search_docs row as they come. Memory holds the report ids
// (about 50 bytes a report) and two buckets of rows, not every row. Intake
// waits for the rebuild to commit; on SQLite searches read the old index
// meanwhile, on PostgreSQL they wait too. Versions a statement had before
// its latest are not indexed by a rebuild (intake indexes each as it is
// written).
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
		// Rows go to 256 spill files by the first byte of their term.
		var buckets [256]*spill.File
		defer func() {
			for _, b := range buckets {
				if b != nil {
					b.Close()
				}
			}
		}()
		for i := range buckets {
			var err error
			if buckets[i], err = spill.New(s.SpillDir); err != nil {
				return err
			}
		}
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
				if len(ids)%100_000 == 0 {
					s.log.InfoContext(ctx, "search rebuild: read", "reports", len(ids))
				}
				var rec [rowSize]byte
				binary.LittleEndian.PutUint32(rec[seal.SearchTermSize:], uint32(len(ids)-1))
				for _, term := range t.ts {
					copy(rec[:seal.SearchTermSize], term.Term)
					if err := buckets[rec[0]].Put(rec[:]); err != nil {
						return err
					}
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

		// Each bucket is read back, sorted (repeated rows dropped) and
		// loaded in turn; the next is sorted while one is loaded.
		lg, lctx := errgroup.WithContext(ctx)
		sorted := make(chan []row)
		lg.Go(func() error {
			defer close(sorted)
			for _, bucket := range buckets {
				b, err := readRows(bucket, len(ids))
				if err != nil {
					return err
				}
				slices.SortFunc(b, func(x, y row) int {
					if c := bytes.Compare(x.term[:], y.term[:]); c != 0 {
						return c
					}
					return strings.Compare(ids[x.report], ids[y.report])
				})
				select {
				case sorted <- slices.Compact(b):
				case <-lctx.Done():
					return lctx.Err()
				}
			}
			return nil
		})
		lg.Go(func() error {
			loadedBuckets := 0
			for b := range sorted {
				st.Rows += len(b)
				if err := q.LoadSearchIndex(lctx, len(b), func(i int) store.SearchTerm {
					return store.SearchTerm{Term: b[i].term[:], ReportID: ids[b[i].report]}
				}); err != nil {
					return err
				}
				if loadedBuckets++; loadedBuckets%64 == 0 {
					s.log.InfoContext(ctx, "search rebuild: rows written", "buckets", fmt.Sprintf("%d of %d", loadedBuckets, len(buckets)), "rows", st.Rows)
				}
			}
			return nil
		})
		if err := lg.Wait(); err != nil {
			return err
		}
		return q.AnalyzeSearchIndex(ctx)
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

// rowSize is a spilled row: the term, then the report's place.
const rowSize = seal.SearchTermSize + 4

// readRows reads a bucket's spilled rows back, of reports places below n.
func readRows(f *spill.File, n int) ([]row, error) {
	rd, err := f.Read()
	if err != nil {
		return nil, err
	}
	rows := make([]row, 0, f.Len())
	for {
		rec, err := rd.Next()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if len(rec) != rowSize {
			return nil, fmt.Errorf("spill: a row of %d bytes", len(rec))
		}
		var r row
		copy(r.term[:], rec)
		r.report = binary.LittleEndian.Uint32(rec[seal.SearchTermSize:])
		if int64(r.report) >= int64(n) {
			return nil, fmt.Errorf("spill: a row of report %d of %d", r.report, n)
		}
		rows = append(rows, r)
	}
}
