package links

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/vigil-project/vigil/internal/jobs"
	"github.com/vigil-project/vigil/internal/store"
)

// ProcessBatch is Process for many reports at once (the linking job's
// batch): the reports are read together (GetLinkSources), opened and
// extracted on every core, and all are linked in one transaction holding
// the link lock once, in the order given, so the index is the one Process
// would leave linking them one by one in that order; what each report
// reads of the index as it stood before the batch is read for all of them
// at its start (linkBatch.prefetch). When that transaction fails, each
// report is linked in a transaction of its own, so one report's failure
// is only its own. It returns the reports that failed, with their errors.
func (s *Service) ProcessBatch(ctx context.Context, reportIDs []string) (failed map[string]error) {
	defer s.Changed() // the published range may change
	failed = map[string]error{}
	type item struct {
		src *store.LinkSource
		fs  []found
		err error
	}
	reportIDs = uniq(reportIDs)
	items := make([]item, len(reportIDs))
	srcs, err := s.db.Read().GetLinkSources(ctx, reportIDs)
	if err != nil {
		return jobs.FailAll(reportIDs, err)
	}
	var wg sync.WaitGroup
	workers := min(len(reportIDs), max(1, runtime.GOMAXPROCS(0)))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(reportIDs); i += workers {
				it := &items[i]
				if it.src = srcs[reportIDs[i]]; it.src == nil {
					it.err = fmt.Errorf("links: report %s: %w", reportIDs[i], store.ErrNotFound)
					continue
				}
				opened, err := s.intake.OpenSource(it.src)
				if err != nil {
					it.err = err
					continue
				}
				it.fs = s.find(opened.Region, it.src.Subjects, opened.Texts, opened.Sealed)
			}
		})
	}
	wg.Wait()
	var ready []*item
	for i := range items {
		if items[i].err != nil {
			failed[reportIDs[i]] = items[i].err
			continue
		}
		ready = append(ready, &items[i])
	}
	if len(ready) == 0 {
		return failed
	}
	err = s.db.LinkTx(ctx, func(q store.Q) error {
		b := newLinkBatch()
		ids := make([]string, len(ready))
		for k, it := range ready {
			ids[k] = it.src.ID
		}
		var err error
		if b.links, err = q.GetReportLinks(ctx, ids); err != nil {
			return err
		}
		srcs := make([]*store.LinkSource, len(ready))
		fss := make([][]found, len(ready))
		for k, it := range ready {
			srcs[k], fss[k] = it.src, it.fs
		}
		if err := b.prefetch(ctx, q, srcs, fss); err != nil {
			return err
		}
		for _, it := range ready {
			if err := s.linkLocked(ctx, q, it.src, it.fs, b); err != nil {
				return fmt.Errorf("report %s: %w", it.src.ID, err)
			}
		}
		return b.flush(ctx, q.Deferred())
	})
	if err == nil {
		return failed
	}
	s.log.Warn("links: batch failed, linking its reports one by one", "reports", len(ready), "err", err)
	for _, it := range ready {
		if err := s.db.LinkTx(ctx, func(q store.Q) error { return s.link(ctx, q, it.src, it.fs) }); err != nil {
			failed[it.src.ID] = err
		}
	}
	return failed
}

// uniq is ids with each id once, in first-seen order.
func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// orgIdent is an identifier in an organisation.
type orgIdent struct{ org, ident string }

// linkBatch is what linking several reports in one transaction keeps
// between them: the identifiers and occurrences are written once, at the
// end (flush), so what a later report of the batch would have read of them
// from the database is read here. The link rows and cluster merges are
// written as each report is linked; clusters are followed here too, for
// the reports whose occurrences are not written yet.
type linkBatch struct {
	// idents are the identifiers read or made, with the batch's reports
	// counted in, asked the ids looked up (found or not); touched lists
	// those to write, in first-touched order.
	idents  map[string]*store.Identifier
	asked   map[string]bool
	touched []string
	written map[string]bool
	// occ are the occurrences to write.
	occ []*store.Occurrence
	// inOrg marks each identifier in each organisation that a report of
	// the batch added; reportsOf lists the batch's reports that added
	// each identifier, and cluster is each linked report's cluster now.
	inOrg     map[orgIdent]bool
	reportsOf map[string][]string
	cluster   map[string]string
	// links, when not nil, are the link rows of the batch's reports read
	// at its start (a report without one is not linked yet), their
	// clusters followed through the batch's merges.
	links map[string]*store.ReportLink
	// seen and others, when pre is set, are what SeenInOrg and
	// ClustersSharing read for every report of the batch, read at its
	// start (see prefetch); renamed maps each cluster merged since into
	// the one it was merged into.
	pre     bool
	seen    map[store.OrgProbe]bool
	others  map[store.ShareProbe]store.Sharer
	renamed map[string]string
	// cases, when pre is set, are the reports of the open cases that a
	// report of the batch may come to share a cluster with, read at its
	// start (casesLinkedTo); put are the batch's link rows, written at
	// flush with their clusters then.
	cases []store.OpenCaseReport
	put   []*store.ReportLink
	// probe, when set, is what linking the one report of a batch of one
	// read at its start (store.Q.ProbeLinks).
	probe *store.LinkProbe
}

func newLinkBatch() *linkBatch {
	return &linkBatch{idents: map[string]*store.Identifier{}, asked: map[string]bool{}, written: map[string]bool{}, inOrg: map[orgIdent]bool{},
		reportsOf: map[string][]string{}, cluster: map[string]string{}, renamed: map[string]string{}}
}

// prefetch reads at the batch's start, for all its reports at once, what
// linking each would read of the index one statement at a time: the
// identifiers they found, whether each occurs in another report of the
// report's organisation, and one other report having each linking
// identifier with its cluster. The identifiers and occurrences are written
// only at flush, so these reads are what each report would have read
// later in the batch; the clusters are followed through the batch's
// merges and link rows as it goes (seenIn, clustersSharingBefore).
func (b *linkBatch) prefetch(ctx context.Context, q store.Q, srcs []*store.LinkSource, fss [][]found) error {
	var all []string
	var seen []store.OrgProbe
	var share []store.ShareProbe
	for k, r := range srcs {
		ids := map[string]bool{}
		for _, f := range fss[k] {
			if ids[f.id] {
				continue
			}
			ids[f.id] = true
			all = append(all, f.id)
			seen = append(seen, store.OrgProbe{IdentifierID: f.id, OrgID: r.OrgID, ExceptReport: r.ID})
			if linking(f.kind) {
				share = append(share, store.ShareProbe{ReportID: r.ID, IdentifierID: f.id})
			}
		}
	}
	if err := b.read(ctx, q, all); err != nil {
		return err
	}
	var err error
	if b.seen, err = q.SeenInOrgMany(ctx, seen); err != nil {
		return err
	}
	if b.others, err = q.OthersSharing(ctx, share); err != nil {
		return err
	}
	// The clusters a report of the batch may join: those of the reports
	// sharing its identifiers, its own before, and a new one named by a
	// report of the batch.
	var orgs, clusters, reports []string
	for _, sh := range b.others {
		if sh.ClusterID != "" {
			clusters = append(clusters, sh.ClusterID)
		}
	}
	for _, l := range b.links {
		clusters = append(clusters, l.ClusterID)
	}
	for _, r := range srcs {
		orgs = append(orgs, r.OrgID)
		reports = append(reports, r.ID)
	}
	clusters = append(clusters, reports...)
	slices.Sort(orgs)
	slices.Sort(clusters)
	if b.cases, err = q.OpenCaseReports(ctx, slices.Compact(orgs), slices.Compact(clusters), reports); err != nil {
		return err
	}
	b.pre = true
	return nil
}

// clusterOf is a report's cluster now, given the one it had before the
// batch ("" for none).
func (b *linkBatch) clusterOf(reportID, before string) string {
	if c, ok := b.cluster[reportID]; ok {
		return c
	}
	if before == "" {
		return ""
	}
	return b.follow(before)
}

// casesLinkedTo is OpenCasesLinkedTo(r's organisation, cluster, r) now:
// the open cases of r's organisation holding another report of the
// cluster and not r, by case id.
func (b *linkBatch) casesLinkedTo(r *store.LinkSource, cluster string) []store.CaseOwner {
	holds := map[string]bool{}
	for _, c := range b.cases {
		if c.ReportID == r.ID {
			holds[c.CaseID] = true
		}
	}
	var out []store.CaseOwner
	for _, c := range b.cases {
		if c.OrgID != r.OrgID || c.ReportID == r.ID || holds[c.CaseID] || b.clusterOf(c.ReportID, c.ClusterID) != cluster {
			continue
		}
		if o := (store.CaseOwner{CaseID: c.CaseID, UserID: c.UserID}); !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(x, y store.CaseOwner) int { return strings.Compare(x.CaseID, y.CaseID) })
	return out
}

// seenIn is SeenInOrg(ids, r's organisation, r) as of the batch's start.
func (b *linkBatch) seenIn(r *store.LinkSource, ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = b.seen[store.OrgProbe{IdentifierID: id, OrgID: r.OrgID, ExceptReport: r.ID}]
	}
	return out
}

// clustersSharingBefore is ClustersSharing(reportID, ids) for the
// occurrences written before the batch: each other report's cluster now,
// its link row written in the batch or its earlier cluster followed
// through the batch's merges.
func (b *linkBatch) clustersSharingBefore(reportID string, ids []string) []string {
	var out []string
	for _, id := range ids {
		sh, ok := b.others[store.ShareProbe{ReportID: reportID, IdentifierID: id}]
		if !ok {
			continue
		}
		if c := b.clusterOf(sh.ReportID, sh.ClusterID); c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// follow returns what cluster c is called after the batch's merges.
func (b *linkBatch) follow(c string) string {
	for {
		into, ok := b.renamed[c]
		if !ok {
			return c
		}
		c = into
	}
}

// read reads the identifiers of ids the batch has not looked up yet (those
// stored; the others are new). The batch writes identifiers only at flush,
// so an identifier looked up and not found is not looked up again.
func (b *linkBatch) read(ctx context.Context, q store.Q, ids []string) error {
	var want []string
	for _, id := range ids {
		if _, ok := b.idents[id]; !ok && !b.asked[id] {
			b.asked[id] = true
			want = append(want, id)
		}
	}
	const chunk = 1000
	for start := 0; start < len(want); start += chunk {
		got, err := q.GetIdentifiers(ctx, want[start:min(len(want), start+chunk)])
		if err != nil {
			return err
		}
		for _, i := range got {
			b.idents[i.ID] = i
		}
	}
	return nil
}

// reportLink returns a report's link row as it is now.
func (b *linkBatch) reportLink(ctx context.Context, q store.Q, reportID string) (*store.ReportLink, error) {
	if b.links == nil {
		return q.GetReportLink(ctx, reportID)
	}
	l, ok := b.links[reportID]
	if !ok {
		return nil, fmt.Errorf("links: report link %s: %w", reportID, store.ErrNotFound)
	}
	return l, nil
}

// touch marks an identifier of the batch to be written.
func (b *linkBatch) touch(id string) {
	if !b.written[id] {
		b.written[id] = true
		b.touched = append(b.touched, id)
	}
}

// add keeps report r's new occurrences.
func (b *linkBatch) add(r *store.LinkSource, occ []*store.Occurrence) {
	b.occ = append(b.occ, occ...)
	for _, o := range occ {
		b.inOrg[orgIdent{r.OrgID, o.IdentifierID}] = true
		b.reportsOf[o.IdentifierID] = append(b.reportsOf[o.IdentifierID], r.ID)
	}
}

// clustersSharing is ClustersSharing for the occurrences the batch has not
// written: the clusters of its reports other than reportID that added any
// of the identifiers.
func (b *linkBatch) clustersSharing(reportID string, ids []string) []string {
	var out []string
	for _, id := range ids {
		for _, other := range b.reportsOf[id] {
			if c, ok := b.cluster[other]; ok && other != reportID && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// merge follows MergeClusters(into, from) and report reportID's new
// cluster, into.
func (b *linkBatch) merge(reportID, into string, from []string) {
	if len(from) > 0 {
		for _, f := range from {
			b.renamed[f] = into
		}
		for r, c := range b.cluster {
			if slices.Contains(from, c) {
				b.cluster[r] = into
			}
		}
		for _, l := range b.links {
			if slices.Contains(from, l.ClusterID) {
				l.ClusterID = into
			}
		}
	}
	b.cluster[reportID] = into
}

// flush writes the batch's identifiers, occurrences and link rows (each
// in the cluster its report is in now).
func (b *linkBatch) flush(ctx context.Context, q store.Q) error {
	idents := make([]*store.Identifier, len(b.touched))
	for k, id := range b.touched {
		idents[k] = b.idents[id]
	}
	if err := q.PutIdentifiers(ctx, idents); err != nil {
		return err
	}
	if err := q.PutOccurrences(ctx, b.occ); err != nil {
		return err
	}
	for _, l := range b.put {
		l.ClusterID = b.cluster[l.ReportID]
	}
	return q.PutReportLinks(ctx, b.put)
}
