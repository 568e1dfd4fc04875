package links

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/spill"
	"github.com/vigil-project/vigil/internal/store"
)

// RebuildStats says what a rebuild found and where its time went.
type RebuildStats struct {
	Reports, Identifiers, Occurrences, Clusters int
	// Read is reading, opening and extracting every report (on every
	// core) and spilling what was found; Write is computing the index a
	// shard at a time and loading it, in one transaction: of it, Links is
	// writing the reports' cluster rows and Finish rebuilding dropped
	// indexes, marking identifiers to weigh, committing and refreshing the
	// planner's statistics. Relink is linking the reports filed meanwhile.
	Read, Write, Links, Finish, Relink time.Duration
	// Relinked counts reports filed during the rebuild and linked after it.
	Relinked int
	// Changed counts the rows the rebuild had to write: none when the index
	// was right, every row when it was empty.
	Changed store.SyncStats
}

func (st RebuildStats) String() string {
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	return fmt.Sprintf("%d reports, %d identifiers, %d occurrences, %d clusters (read and extract %v, compare and write %v, of which report links %v and finishing %v: %d rows inserted, %d updated, %d deleted; %d filed meanwhile and linked after in %v)",
		st.Reports, st.Identifiers, st.Occurrences, st.Clusters, ms(st.Read), ms(st.Write), ms(st.Links), ms(st.Finish),
		st.Changed.Inserted, st.Changed.Updated, st.Changed.Deleted, st.Relinked, ms(st.Relink))
}

// extracted is one report's identifiers, from a worker.
type extracted struct {
	seq        int // its place in the scan, which is in id order
	id, orgID  string
	receivedAt int64
	types      []string
	found      []found
}

// rebuildBuckets is how many spill files the occurrences are dealt into,
// by the first two hex digits of their identifier's id (a keyed hash, so
// they spread evenly); consecutive buckets are read back together as
// shards of at most shardOccurrences.
const rebuildBuckets = 64

// shardOccurrences bounds a shard: about 200 bytes of memory each while
// the shard is computed (the occurrence and its share of an identifier).
const shardOccurrences = 2_000_000

// linkChunk is how many reports' link rows are compared and written at a
// time.
const linkChunk = 50_000

// bucketLo is the lowest identifier id of bucket k ("" for the first).
func bucketLo(k int) string {
	if k == 0 {
		return ""
	}
	return fmt.Sprintf("%02x", k*256/rebuildBuckets)
}

// bucketOf is the bucket of an identifier id: the last whose lowest id is
// not above it. Ids are lower-case hex, read directly; anything else is
// searched for.
func bucketOf(id string) int {
	if len(id) >= 2 {
		if hi, lo := unhex(id[0]), unhex(id[1]); hi >= 0 && lo >= 0 {
			return (hi<<4 | lo) * rebuildBuckets / 256
		}
	}
	return sort.Search(rebuildBuckets, func(k int) bool { return k > 0 && bucketLo(k) > id }) - 1
}

// unhex is the value of a lower-case hex digit, or -1.
func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	}
	return -1
}

// rebuildPass is what a rebuild's reading leaves: every report's id in id
// order (its rank), in memory, about 45 bytes a report; each report's
// identifiers and every occurrence, spilled to disk.
type rebuildPass struct {
	ids  []byte // report ids end to end, in rank order
	ends []int  // where each ends in ids
	// Organisations and sets of incident types, each kept once.
	orgs     []string
	orgIdx   map[string]int32
	typeSets [][]string
	typeIdx  map[string]int32
	// refs holds each report's identifiers, in rank order; buckets every
	// occurrence with its identifier's kind and value.
	refs    *spill.File
	buckets [rebuildBuckets]*spill.File
	rec     record
}

func (s *Service) newPass() (*rebuildPass, error) {
	p := &rebuildPass{orgIdx: map[string]int32{}, typeIdx: map[string]int32{}}
	var err error
	if p.refs, err = spill.New(s.SpillDir); err != nil {
		return nil, err
	}
	for k := range p.buckets {
		if p.buckets[k], err = spill.New(s.SpillDir); err != nil {
			p.close()
			return nil, err
		}
	}
	return p, nil
}

func (p *rebuildPass) close() {
	if p.refs != nil {
		p.refs.Close()
	}
	for _, b := range p.buckets {
		if b != nil {
			b.Close()
		}
	}
}

func (p *rebuildPass) reports() int { return len(p.ends) }

// occurrences is how many occurrences were spilled.
func (p *rebuildPass) occurrences() int {
	n := 0
	for _, b := range p.buckets {
		n += b.Len()
	}
	return n
}

// id is the id of the report of rank r.
func (p *rebuildPass) id(r int) string { return string(p.idBytes(r)) }

// idBytes is id without a copy.
func (p *rebuildPass) idBytes(r int) []byte {
	lo := 0
	if r > 0 {
		lo = p.ends[r-1]
	}
	return p.ids[lo:p.ends[r]]
}

// Rebuild recomputes the whole index from the reports, in bulk and in
// bounded memory. Every report is read (in id order), opened and
// extracted on every core (the same extraction as for a new report); its
// identifiers are spilled to encrypted temporary files (package spill), dealt
// by identifier into buckets. Then, in one transaction, the buckets are
// read back a shard at a time: each shard's identifiers, their aggregates
// and occurrences are computed in memory, the reports they join are
// merged into clusters (union-find over report ranks, the one structure
// that spans shards, 4 bytes a report), and the stored index's range is
// made equal to it — compared in key order, so only what differs is
// written (COPY on PostgreSQL); the reports' cluster rows follow, a chunk
// of reports at a time. Readers see the old index or the new one, never
// half of either. Reports filed while it ran are linked after it, one by
// one. What stays in memory for the whole rebuild is about 50 bytes a
// report; the rest is bounded by a shard.
func (s *Service) Rebuild(ctx context.Context) (RebuildStats, error) {
	defer s.Changed() // the published range may change
	var st RebuildStats
	start := time.Now()
	p, err := s.readAll(ctx)
	if err != nil {
		return st, fmt.Errorf("links: rebuild: read: %w", err)
	}
	defer p.close()
	st.Reports, st.Occurrences = p.reports(), p.occurrences()
	st.Read = time.Since(start)
	if s.afterRead != nil {
		s.afterRead()
	}

	start = time.Now()
	if err := s.writeIndex(ctx, p, &st); err != nil {
		return st, fmt.Errorf("links: rebuild: write: %w", err)
	}
	st.Write = time.Since(start)

	start = time.Now()
	if st.Relinked, err = s.relinkMissing(ctx, p); err != nil {
		return st, err
	}
	st.Relink = time.Since(start)
	return st, nil
}

// readAll reads, opens and extracts every report on every core and
// spills what was found.
func (s *Service) readAll(ctx context.Context) (*rebuildPass, error) {
	p, err := s.newPass()
	if err != nil {
		return nil, err
	}
	type source struct {
		seq int
		src *store.LinkSource
	}
	srcs := make(chan source, 256)
	out := make(chan *extracted, 256)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(srcs)
		seq := 0
		return s.db.Read().ScanLinkSources(gctx, func(src *store.LinkSource) error {
			select {
			case srcs <- source{seq, src}:
				seq++
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
			for in := range srcs {
				src := in.src
				opened, err := s.intake.OpenSource(src)
				if err != nil {
					return err
				}
				fs := s.find(opened.Region, src.Subjects, opened.Texts, opened.Sealed)
				select {
				case out <- &extracted{seq: in.seq, id: src.ID, orgID: src.OrgID, receivedAt: src.ReceivedAt, types: src.IncidentTypes, found: fs}:
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
		// Workers finish out of order: the reports are spilled in the
		// scan's order, so a report's rank is its place in id order.
		waiting := map[int]*extracted{}
		for e := range out {
			waiting[e.seq] = e
			for next := p.reports(); waiting[next] != nil; next = p.reports() {
				e := waiting[next]
				delete(waiting, next)
				if err := p.add(e); err != nil {
					return err
				}
				if n := p.reports(); n%100_000 == 0 {
					s.log.InfoContext(ctx, "links rebuild: read", "reports", n, "occurrences", p.occurrences())
				}
			}
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		p.close()
		return nil, err
	}
	return p, nil
}

// add spills one report's identifiers, the report of the next rank (one
// goroutine only).
func (p *rebuildPass) add(e *extracted) error {
	rank := p.reports()
	if rank > 0 && e.id <= p.id(rank-1) {
		return fmt.Errorf("reports not read in id order (%s after %s): is the database's collation byte order?", e.id, p.id(rank-1))
	}
	p.ids = append(p.ids, e.id...)
	p.ends = append(p.ends, len(p.ids))
	org, ok := p.orgIdx[e.orgID]
	if !ok {
		org = int32(len(p.orgs))
		p.orgIdx[e.orgID] = org
		p.orgs = append(p.orgs, e.orgID)
	}
	key := strings.Join(e.types, "\x00")
	types, ok := p.typeIdx[key]
	if !ok {
		types = int32(len(p.typeSets))
		p.typeIdx[key] = types
		p.typeSets = append(p.typeSets, e.types)
	}
	r := &p.rec
	r.b = r.b[:0]
	r.uint(uint64(len(e.found)))
	for _, f := range e.found {
		r.str(f.id)
		r.str(f.role)
	}
	if err := p.refs.Put(r.b); err != nil {
		return err
	}
	for _, f := range e.found {
		r.b = r.b[:0]
		r.uint(uint64(rank))
		r.uint(uint64(org))
		r.uint(uint64(types))
		r.int(e.receivedAt)
		r.u64(math.Float64bits(f.confidence))
		r.str(f.id)
		r.str(f.kind)
		r.str(f.value)
		r.str(f.role)
		if err := p.buckets[bucketOf(f.id)].Put(r.b); err != nil {
			return err
		}
	}
	return nil
}

// shardOcc is one occurrence of a shard, by index: compact, because a
// shard has millions of them.
type shardOcc struct {
	ident, report, org int32 // org by rank
	types              int32
	conf               float64 // as extracted: a new report's link stores the same
	at                 int64
	role               string
}

// shard is a shard's identifiers and occurrences, computed: those of
// buckets first to last.
type shard struct {
	first, last int
	idents      []*store.Identifier
	occs        []shardOcc
}

// loadShard reads buckets [first, last] back and computes their
// identifiers (sealed) and occurrences in (identifier, organisation,
// report) order.
func (s *Service) loadShard(p *rebuildPass, first, last int, orgRank []int32) (*shard, error) {
	sh := &shard{first: first, last: last}
	identIdx := map[string]int32{}
	names := map[string]string{} // kinds and roles, each kept once
	name := func(b []byte) string {
		n, ok := names[string(b)]
		if !ok {
			n = string(b)
			names[n] = n
		}
		return n
	}
	for k := first; k <= last; k++ {
		rd, err := p.buckets[k].Read()
		if err != nil {
			return nil, err
		}
		for {
			b, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, err
			}
			r := recordReader{b: b}
			o := shardOcc{report: int32(r.index(p.reports())), org: orgRank[r.index(len(orgRank))], types: int32(r.index(len(p.typeSets))), at: r.int(), conf: math.Float64frombits(r.u64())}
			id, kind, value, role := r.str(), r.str(), r.str(), r.str()
			if r.bad {
				return nil, fmt.Errorf("spill: a short record")
			}
			o.role = name(role)
			ii, ok := identIdx[string(id)]
			if !ok {
				ii = int32(len(sh.idents))
				f := found{id: string(id), kind: name(kind), value: string(value)}
				identIdx[f.id] = ii
				sh.idents = append(sh.idents, s.identifier(f))
			}
			o.ident = ii
			sh.idents[ii].Side = joinSide(sh.idents[ii].Side, sideOf(o.role))
			sh.occs = append(sh.occs, o)
		}
	}
	rank := rankBy(len(sh.idents), func(i int) string { return sh.idents[i].ID })
	byRank := make([]*store.Identifier, len(sh.idents))
	for i, id := range sh.idents {
		byRank[rank[i]] = id
	}
	sh.idents = byRank
	for i := range sh.occs {
		sh.occs[i].ident = rank[sh.occs[i].ident]
	}
	slices.SortFunc(sh.occs, func(a, b shardOcc) int {
		if c := a.ident - b.ident; c != 0 {
			return int(c)
		}
		if c := a.org - b.org; c != 0 {
			return int(c)
		}
		return int(a.report - b.report)
	})
	return sh, nil
}

// unionFind joins reports into clusters by rank; a cluster's root is its
// lowest rank, so its id is its first report's.
type unionFind []int32

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = int32(i)
	}
	return u
}

func (u unionFind) find(x int32) int32 {
	for u[x] != x {
		u[x] = u[u[x]]
		x = u[x]
	}
	return x
}

// index computes each identifier's aggregates one run of occurrences at a
// time and joins the reports a linking identifier names.
func (sh *shard) index(p *rebuildPass, clusters unionFind) {
	occs := sh.occs
	for lo := 0; lo < len(occs); {
		hi := lo
		for hi < len(occs) && occs[hi].ident == occs[lo].ident {
			hi++
		}
		ident := sh.idents[occs[lo].ident]
		for k := lo; k < hi; k++ {
			addReport(ident, occs[k].at, k == lo || occs[k].org != occs[k-1].org, p.typeSets[occs[k].types])
		}
		if linking(ident.Kind) {
			root := clusters.find(occs[lo].report)
			for k := lo + 1; k < hi; k++ {
				other := clusters.find(occs[k].report)
				if other < root {
					clusters[root], root = other, other
				} else if other > root {
					clusters[other] = root
				}
			}
		}
		lo = hi
	}
}

// writeIndex computes the index shard by shard and makes the stored index
// equal to it in one transaction, writing only what differs, then
// refreshes the planner's statistics after a large change.
func (s *Service) writeIndex(ctx context.Context, p *rebuildPass, st *RebuildStats) error {
	orgRank := rankBy(len(p.orgs), func(i int) string { return p.orgs[i] })
	orgByRank := make([]string, len(p.orgs))
	for i, o := range p.orgs {
		orgByRank[orgRank[i]] = o
	}
	clusters := newUnionFind(p.reports())
	var ls store.LinkSync
	var finish time.Time
	err := s.db.Bulk(ctx, func(q store.Q) error {
		if err := q.LockLinks(ctx); err != nil {
			return err
		}
		// The next shard is read back and computed while this one is
		// written: two shards in memory at most.
		g, gctx := errgroup.WithContext(ctx)
		loaded := make(chan *shard)
		g.Go(func() error {
			defer close(loaded)
			for first := 0; first < rebuildBuckets; {
				last, n := first, p.buckets[first].Len()
				for last+1 < rebuildBuckets && n+p.buckets[last+1].Len() <= s.shardOccurrences {
					last++
					n += p.buckets[last].Len()
				}
				sh, err := s.loadShard(p, first, last, orgRank)
				if err != nil {
					return err
				}
				select {
				case loaded <- sh:
				case <-gctx.Done():
					return gctx.Err()
				}
				first = last + 1
			}
			return nil
		})
		g.Go(func() error {
			for sh := range loaded {
				sh.index(p, clusters)
				st.Identifiers += len(sh.idents)
				o, at := &store.Occurrence{}, -1
				part := &store.LinkShard{Lo: bucketLo(sh.first), Identifiers: sh.idents, Occurrences: len(sh.occs), Occurrence: func(n int) *store.Occurrence {
					if n != at { // asked for the same one several times in a row
						c := sh.occs[n]
						*o = store.Occurrence{IdentifierID: sh.idents[c.ident].ID, OrgID: orgByRank[c.org], ReportID: p.id(int(c.report)), Role: c.role, Confidence: c.conf}
						at = n
					}
					return o
				}}
				if sh.last+1 < rebuildBuckets {
					part.Hi = bucketLo(sh.last + 1)
				}
				if err := q.SyncLinkShard(gctx, &ls, part); err != nil {
					return err
				}
				s.log.InfoContext(ctx, "links rebuild: shard written", "buckets", fmt.Sprintf("%d-%d of %d", sh.first, sh.last, rebuildBuckets),
					"identifiers", len(sh.idents), "occurrences", len(sh.occs))
			}
			return nil
		})
		if err := g.Wait(); err != nil {
			return err
		}
		start := time.Now()
		var err error
		st.Clusters, err = s.syncReportLinks(ctx, q, &ls, p, clusters)
		if err != nil {
			return err
		}
		st.Links = time.Since(start)
		finish = time.Now()
		return q.FinishLinkSync(ctx, &ls)
	})
	st.Changed = ls.Changed
	if err != nil {
		return err
	}
	if ls.Changed.Inserted+ls.Changed.Deleted > 100_000 {
		err = s.db.AnalyzeLinks(ctx)
	}
	st.Finish = time.Since(finish)
	return err
}

// syncReportLinks writes every report's cluster and identifiers, a chunk
// of reports at a time, and returns how many clusters there are. The
// union-find must be complete.
func (s *Service) syncReportLinks(ctx context.Context, q store.Q, ls *store.LinkSync, p *rebuildPass, clusters unionFind) (int, error) {
	rd, err := p.refs.Read()
	if err != nil {
		return 0, err
	}
	now := store.Now()
	roots := 0
	n := p.reports()
	for lo := 0; lo == 0 || lo < n; lo += s.linkChunk {
		hi := min(n, lo+s.linkChunk)
		links := make([]*store.ReportLink, 0, hi-lo)
		for rank := lo; rank < hi; rank++ {
			b, err := rd.Next()
			if err != nil {
				return 0, err
			}
			r := recordReader{b: b}
			refs := make([]store.LinkRef, r.index(len(b))) // each ref takes at least two bytes
			for k := range refs {
				refs[k] = store.LinkRef{IdentifierID: string(r.str()), Role: string(r.str())}
			}
			if r.bad {
				return 0, fmt.Errorf("spill: a short record")
			}
			root := clusters.find(int32(rank))
			if root == int32(rank) {
				roots++
			}
			links = append(links, &store.ReportLink{ReportID: p.id(rank), ClusterID: p.id(int(root)), LinkedAt: now, Identifiers: refs})
		}
		loKey, hiKey := "", ""
		if lo > 0 {
			loKey = p.id(lo)
		}
		if hi < n {
			hiKey = p.id(hi)
		}
		if err := q.SyncReportLinks(ctx, ls, loKey, hiKey, links); err != nil {
			return 0, err
		}
		if hi == n || hi%500_000 == 0 {
			s.log.InfoContext(ctx, "links rebuild: report links written", "reports", hi, "total", n)
		}
	}
	return roots, nil
}

// relinkMissing links the reports filed while the rebuild read, which are
// the reports it did not read: their jobs linked them into the old index,
// which is gone. It returns how many. Every report is visited in id order
// beside the ids read (also in id order), reading only the primary key's
// index: asking the link index which reports it lacks took 3.4 s at a
// million reports on SQLite, this a fraction of that.
func (s *Service) relinkMissing(ctx context.Context, p *rebuildPass) (int, error) {
	var missing []string
	r := 0
	err := s.db.Read().ScanReportIDs(ctx, func(id []byte) error {
		for r < p.reports() && bytes.Compare(p.idBytes(r), id) < 0 {
			r++ // read by the rebuild and deleted since
		}
		if r < p.reports() && bytes.Equal(p.idBytes(r), id) {
			r++
			return nil
		}
		missing = append(missing, string(id))
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("links: rebuild: %w", err)
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
