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

// Rebuild recomputes the whole index from the reports, in bulk: every
// report is read, opened and extracted on every core (the same extraction
// as for a new report); identifiers, their aggregates, occurrences and
// clusters (connected components, union-find) are computed in memory; and
// the stored index is made equal to it in one transaction — compared table
// by table in key order, so only what differs is written (COPY on
// PostgreSQL) — and readers see the old index or the new one, never half of
// either. Reports filed while it ran are linked after it, one by one.
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	var st RebuildStats
	start := time.Now()
	var reports []*rebuildReport
	identIdx := map[string]int32{}
	var idents []*store.Identifier
	orgIdx := map[string]int32{}
	var orgs []string
	var occs []rebuildOcc

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
			ri := int32(len(reports))
			rr := &rebuildReport{id: e.id, orgID: e.orgID, receivedAt: e.receivedAt, types: e.types, refs: make([]store.LinkRef, len(e.found))}
			reports = append(reports, rr)
			oi, ok := orgIdx[e.orgID]
			if !ok {
				oi = int32(len(orgs))
				orgIdx[e.orgID] = oi
				orgs = append(orgs, e.orgID)
			}
			for k, f := range e.found {
				ii, ok := identIdx[f.id]
				if !ok {
					ii = int32(len(idents))
					identIdx[f.id] = ii
					idents = append(idents, s.identifier(f))
				}
				idents[ii].Side = joinSide(idents[ii].Side, sideOf(f.role))
				rr.refs[k] = store.LinkRef{IdentifierID: f.id, Role: f.role}
				occs = append(occs, rebuildOcc{ident: ii, report: ri, org: oi, conf: float32(f.confidence), role: f.role})
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return st, fmt.Errorf("links: rebuild: read: %w", err)
	}
	st.Reports, st.Identifiers, st.Occurrences = len(reports), len(idents), len(occs)

	// Workers finish out of order: rank reports, identifiers and
	// organisations by id so the index is written in key order.
	reportRank := rankBy(len(reports), func(i int) string { return reports[i].id })
	identRank := rankBy(len(idents), func(i int) string { return idents[i].ID })
	orgRank := rankBy(len(orgs), func(i int) string { return orgs[i] })
	slices.SortFunc(occs, func(a, b rebuildOcc) int {
		if c := identRank[a.ident] - identRank[b.ident]; c != 0 {
			return int(c)
		}
		if c := orgRank[a.org] - orgRank[b.org]; c != 0 {
			return int(c)
		}
		return int(reportRank[a.report] - reportRank[b.report])
	})

	// Aggregates and clusters, one identifier (a run of occs) at a time.
	parent := make([]int32, len(reports)) // union-find over report ranks
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
	for lo := 0; lo < len(occs); {
		hi := lo
		for hi < len(occs) && occs[hi].ident == occs[lo].ident {
			hi++
		}
		ident := idents[occs[lo].ident]
		for k := lo; k < hi; k++ {
			r := reports[occs[k].report]
			addReport(ident, r.receivedAt, k == lo || occs[k].org != occs[k-1].org, r.types)
		}
		if linking(ident.Kind) {
			root := find(reportRank[occs[lo].report])
			for k := lo + 1; k < hi; k++ {
				other := find(reportRank[occs[k].report])
				if other < root {
					parent[root], root = other, other
				} else if other > root {
					parent[other] = root
				}
			}
		}
		lo = hi
	}
	byRank := make([]*rebuildReport, len(reports))
	for i, r := range reports {
		byRank[reportRank[i]] = r
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
	st.Clusters = roots
	identsByRank := make([]*store.Identifier, len(idents))
	for i, id := range idents {
		identsByRank[identRank[i]] = id
	}
	st.Read = time.Since(start)

	start = time.Now()
	o := &store.Occurrence{}
	ix := &store.LinkIndex{Identifiers: identsByRank, Links: links, Occurrences: len(occs), Occurrence: func(n int) *store.Occurrence {
		c := occs[n]
		*o = store.Occurrence{IdentifierID: idents[c.ident].ID, OrgID: orgs[c.org], ReportID: reports[c.report].id, Role: c.role, Confidence: float64(c.conf)}
		return o
	}}
	err := s.db.Bulk(ctx, func(q store.Q) error {
		if err := q.LockLinks(ctx); err != nil {
			return err
		}
		var err error
		st.Changed, err = q.SyncLinks(ctx, ix)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("links: rebuild: write: %w", err)
	}
	if st.Changed.Inserted+st.Changed.Deleted > 100_000 {
		if err := s.db.AnalyzeLinks(ctx); err != nil {
			return st, err
		}
	}
	st.Write = time.Since(start)

	// Reports filed while the rebuild read were linked by their jobs into
	// the old index, which is gone: link them again.
	missing, err := s.db.Read().UnlinkedReports(ctx)
	if err != nil {
		return st, err
	}
	for _, id := range missing {
		if err := s.Process(ctx, id); err != nil {
			return st, fmt.Errorf("links: rebuild: link %s: %w", id, err)
		}
	}
	st.Relinked = len(missing)
	return st, nil
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
