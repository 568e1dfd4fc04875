package links

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/store"
)

// RebuildStats says what a rebuild found and where its time went.
type RebuildStats struct {
	Reports, Identifiers, Occurrences, Clusters int
	// Read is reading, opening and extracting every report (on every
	// core); Write is loading the index in one transaction.
	Read, Write time.Duration
	// Relinked counts reports filed during the rebuild and linked after it.
	Relinked int
	// Changed counts the rows the rebuild had to write: none when the index
	// was right, every row when it was empty.
	Changed store.SyncStats
}

func (st RebuildStats) String() string {
	return fmt.Sprintf("%d reports, %d identifiers, %d occurrences, %d clusters (read and extract %v, compare and write %v: %d rows inserted, %d updated, %d deleted; %d filed meanwhile and linked after)",
		st.Reports, st.Identifiers, st.Occurrences, st.Clusters, st.Read.Round(time.Millisecond), st.Write.Round(time.Millisecond),
		st.Changed.Inserted, st.Changed.Updated, st.Changed.Deleted, st.Relinked)
}

// extracted is one report's identifiers, from a worker.
type extracted struct {
	id, orgID  string
	receivedAt int64
	types      []string
	found      []found
}

// rebuildReport is a report as the rebuild keeps it in memory.
type rebuildReport struct {
	id, orgID  string
	receivedAt int64
	types      []string
	refs       []store.LinkRef
}

// rebuildOcc is one occurrence, by index: compact, because a million
// reports have millions of them.
type rebuildOcc struct {
	ident, report int32
	org           int32
	conf          float32
	role          string
}

// rebuildSet is the whole index as a rebuild computes it in memory.
type rebuildSet struct {
	reports  []*rebuildReport
	identIdx map[string]int32
	idents   []*store.Identifier
	orgIdx   map[string]int32
	orgs     []string
	occs     []rebuildOcc
	// Ranks of reports, identifiers and organisations by id (see order).
	reportRank, identRank, orgRank []int32
}

// Rebuild recomputes the whole index from the reports, in bulk: every
// report is read, opened and extracted on every core (the same extraction
// as for a new report); identifiers, their aggregates, occurrences and
// clusters (connected components, union-find) are computed in memory; and
// the stored index is made equal to it in one transaction — compared table
// by table in key order, so only what differs is written (COPY on
// PostgreSQL) — and readers see the old index or the new one, never half of
// either. Reports filed while it ran are linked after it, one by one.
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	defer s.Changed() // the published range may change
	var st RebuildStats
	start := time.Now()
	set, err := s.readAll(ctx)
	if err != nil {
		return st, fmt.Errorf("links: rebuild: read: %w", err)
	}
	st.Reports, st.Identifiers, st.Occurrences = len(set.reports), len(set.idents), len(set.occs)
	set.order()
	ix, clusters := set.index()
	st.Clusters = clusters
	st.Read = time.Since(start)

	start = time.Now()
	if st.Changed, err = s.writeIndex(ctx, ix); err != nil {
		return st, fmt.Errorf("links: rebuild: write: %w", err)
	}
	st.Write = time.Since(start)

	if st.Relinked, err = s.relinkMissing(ctx); err != nil {
		return st, err
	}
	return st, nil
}

// readAll reads, opens and extracts every report on every core and
// collects what was found.
func (s *Service) readAll(ctx context.Context) (*rebuildSet, error) {
	set := &rebuildSet{identIdx: map[string]int32{}, orgIdx: map[string]int32{}}
	srcs := make(chan *store.LinkSource, 256)
	out := make(chan *extracted, 256)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(srcs)
		return s.db.Read().ScanLinkSources(gctx, func(src *store.LinkSource) error {
			select {
			case srcs <- src:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	})
	workers := max(1, runtime.GOMAXPROCS(0))
	wg, _ := errgroup.WithContext(gctx)
	for range workers {
		wg.Go(func() error {
			for src := range srcs {
				opened, err := s.intake.OpenSource(src)
				if err != nil {
					return err
				}
				fs := s.find(opened.Region, src.Subjects, opened.Texts, opened.Sealed)
				select {
				case out <- &extracted{id: src.ID, orgID: src.OrgID, receivedAt: src.ReceivedAt, types: src.IncidentTypes, found: fs}:
				case <-gctx.Done():
					return gctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(out)
		return wg.Wait()
	})
	g.Go(func() error {
		for e := range out {
			s.collect(set, e)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return set, nil
}

// collect adds one report's identifiers to set (one goroutine only).
func (s *Service) collect(set *rebuildSet, e *extracted) {
	ri := int32(len(set.reports))
	rr := &rebuildReport{id: e.id, orgID: e.orgID, receivedAt: e.receivedAt, types: e.types, refs: make([]store.LinkRef, len(e.found))}
	set.reports = append(set.reports, rr)
	oi, ok := set.orgIdx[e.orgID]
	if !ok {
		oi = int32(len(set.orgs))
		set.orgIdx[e.orgID] = oi
		set.orgs = append(set.orgs, e.orgID)
	}
	for k, f := range e.found {
		ii, ok := set.identIdx[f.id]
		if !ok {
			ii = int32(len(set.idents))
			set.identIdx[f.id] = ii
			set.idents = append(set.idents, s.identifier(f))
		}
		set.idents[ii].Side = joinSide(set.idents[ii].Side, sideOf(f.role))
		rr.refs[k] = store.LinkRef{IdentifierID: f.id, Role: f.role}
		set.occs = append(set.occs, rebuildOcc{ident: ii, report: ri, org: oi, conf: float32(f.confidence), role: f.role})
	}
}

// order ranks reports, identifiers and organisations by id (workers finish
// out of order) and sorts the occurrences by identifier, organisation and
// report, so the index is written in key order.
func (set *rebuildSet) order() {
	set.reportRank = rankBy(len(set.reports), func(i int) string { return set.reports[i].id })
	set.identRank = rankBy(len(set.idents), func(i int) string { return set.idents[i].ID })
	set.orgRank = rankBy(len(set.orgs), func(i int) string { return set.orgs[i] })
	slices.SortFunc(set.occs, func(a, b rebuildOcc) int {
		if c := set.identRank[a.ident] - set.identRank[b.ident]; c != 0 {
			return int(c)
		}
		if c := set.orgRank[a.org] - set.orgRank[b.org]; c != 0 {
			return int(c)
		}
		return int(set.reportRank[a.report] - set.reportRank[b.report])
	})
}

// index computes each identifier's aggregates and the clusters (reports
// joined by a linking identifier, union-find over report ranks) one run of
// occurrences at a time, and returns the index to store and how many
// clusters it has. order must have run.
func (set *rebuildSet) index() (*store.LinkIndex, int) {
	parent := make([]int32, len(set.reports))
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	occs := set.occs
	for lo := 0; lo < len(occs); {
		hi := lo
		for hi < len(occs) && occs[hi].ident == occs[lo].ident {
			hi++
		}
		ident := set.idents[occs[lo].ident]
		for k := lo; k < hi; k++ {
			r := set.reports[occs[k].report]
			addReport(ident, r.receivedAt, k == lo || occs[k].org != occs[k-1].org, r.types)
		}
		if linking(ident.Kind) {
			root := find(set.reportRank[occs[lo].report])
			for k := lo + 1; k < hi; k++ {
				other := find(set.reportRank[occs[k].report])
				if other < root {
					parent[root], root = other, other
				} else if other > root {
					parent[other] = root
				}
			}
		}
		lo = hi
	}
	byRank := make([]*rebuildReport, len(set.reports))
	for i, r := range set.reports {
		byRank[set.reportRank[i]] = r
	}
	now := store.Now()
	links := make([]*store.ReportLink, len(byRank))
	roots := 0
	for rank, r := range byRank {
		root := find(int32(rank))
		if root == int32(rank) {
			roots++
		}
		links[rank] = &store.ReportLink{ReportID: r.id, ClusterID: byRank[root].id, LinkedAt: now, Identifiers: r.refs}
	}
	identsByRank := make([]*store.Identifier, len(set.idents))
	for i, id := range set.idents {
		identsByRank[set.identRank[i]] = id
	}
	o := &store.Occurrence{}
	return &store.LinkIndex{Identifiers: identsByRank, Links: links, Occurrences: len(occs), Occurrence: func(n int) *store.Occurrence {
		c := occs[n]
		*o = store.Occurrence{IdentifierID: set.idents[c.ident].ID, OrgID: set.orgs[c.org], ReportID: set.reports[c.report].id, Role: c.role, Confidence: float64(c.conf)}
		return o
	}}, roots
}

// writeIndex makes the stored index equal to ix in one transaction, writing
// only what differs, and refreshes the planner's statistics after a large
// change.
func (s *Service) writeIndex(ctx context.Context, ix *store.LinkIndex) (store.SyncStats, error) {
	var changed store.SyncStats
	err := s.db.Bulk(ctx, func(q store.Q) error {
		if err := q.LockLinks(ctx); err != nil {
			return err
		}
		var err error
		changed, err = q.SyncLinks(ctx, ix)
		return err
	})
	if err != nil {
		return changed, err
	}
	if changed.Inserted+changed.Deleted > 100_000 {
		if err := s.db.AnalyzeLinks(ctx); err != nil {
			return changed, err
		}
	}
	return changed, nil
}

// relinkMissing links the reports filed while the rebuild read: their jobs
// linked them into the old index, which is gone. It returns how many.
func (s *Service) relinkMissing(ctx context.Context) (int, error) {
	missing, err := s.db.Read().UnlinkedReports(ctx)
	if err != nil {
		return 0, err
	}
	for _, id := range missing {
		if err := s.Process(ctx, id); err != nil {
			return 0, fmt.Errorf("links: rebuild: link %s: %w", id, err)
		}
	}
	return len(missing), nil
}

// rankBy returns each of n items' position when sorted by key.
func rankBy(n int, key func(int) string) []int32 {
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(key(int(a)), key(int(b))) })
	rank := make([]int32, n)
	for pos, i := range order {
		rank[i] = int32(pos)
	}
	return rank
}
