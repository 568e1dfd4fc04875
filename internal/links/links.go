// Package links extracts identifiers (phones, handles, wallets, URLs,
// companies …) from every report, keeps an index of where each appears, and
// groups reports that share them into clusters, so networks of recruiters
// become visible. No identifier is stored in plaintext: each is found by its
// blind index (a keyed hash) and its value is sealed. The public check
// answers only for an identifier a report's text marks as the recruiter's
// (or staff confirm), never for one any report has as a reporter's or
// victim's contact, nor one staff marked victim-side.
package links

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/notify"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Service runs the link index.
type Service struct {
	db     *store.DB
	keys   *seal.Keyring
	intake *intake.Service
	log    *slog.Logger
	// lure scores job ads against the index; nil until EnableLure.
	lure *lureScorers
	// Hits reads a report's screening hits for the identifier page; nil:
	// the page lists none. Set once before serving.
	Hits HitReader
	// pub keeps the published range of the public check (range.go).
	pub *publisher
	// SpillDir is where a rebuild keeps its temporary files (package spill):
	// the data directory, not a temporary file system that may be memory.
	// "": the system's temporary directory. Set once before use.
	SpillDir string
	// A rebuild's shard and link chunk sizes (rebuild.go); tests make
	// them small.
	shardOccurrences, linkChunk int
	// afterRead, when set (by tests), runs when a rebuild has read every
	// report and before it writes.
	afterRead func()
}

// New returns the link service.
func New(db *store.DB, keys *seal.Keyring, in *intake.Service, logger *slog.Logger) *Service {
	return &Service{db: db, keys: keys, intake: in, log: logger, pub: newPublisher(), shardOccurrences: shardOccurrences, linkChunk: linkChunk}
}

// linking reports whether identifiers of kind join reports into clusters.
// Places and bare domains are shared by too many unrelated reports.
func linking(kind string) bool {
	return kind != string(extract.KindPlace) && kind != string(extract.KindDomain)
}

// found is one identifier of a report, ready to store.
type found struct {
	id          string // the blind index of kind and value
	kind, value string // value in plaintext: sealed before it is stored
	role        string
	confidence  float64
}

// sideOf is what an occurrence's role says of an identifier's side: a
// contact (a reporter's or victim's contact field, or text such as "my
// number") is victim-side; text that marks the recruiter or the compound is
// recruiter-side; anything else (a payment, no role) says nothing.
func sideOf(role string) string {
	switch extract.Role(role) {
	case extract.RoleVictimContact:
		return store.SideVictim
	case extract.RoleRecruiter, extract.RoleCompound:
		return store.SideRecruiter
	}
	return ""
}

// joinSide is the side of an identifier seen with sides a and b: victim
// over recruiter over nothing, whatever the order the reports came in.
func joinSide(a, b string) string {
	switch {
	case a == store.SideVictim || b == store.SideVictim:
		return store.SideVictim
	case a == store.SideRecruiter || b == store.SideRecruiter:
		return store.SideRecruiter
	}
	return ""
}

// identifier is a new identifier row for f, its value sealed.
func (s *Service) identifier(f found) *store.Identifier {
	return &store.Identifier{ID: f.id, Kind: f.kind, Sealed: s.keys.SealIdentifier(f.id, f.value)}
}

// find finds every identifier of a report in its opened content: its
// statements (testimony, job ads, notes), its subjects, and its reporter's
// and victims' contacts. An identifier's id is its blind index, the same
// whichever of them names it, so a victim's contact written in another
// report's narrative is the same identifier. The same code runs for a new
// report and for a rebuild, so both give the same index. It returns the
// identifiers in id order, each once; one that is a contact anywhere in
// the report keeps the contact role.
func (s *Service) find(country string, subjects []store.Subject, texts map[string]string, sealed *intake.Sealed) []found {
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	byKey := map[string]found{}
	contact := string(extract.RoleVictimContact)
	add := func(f found) {
		f.id = s.keys.BlindIndex(f.kind, f.value)
		if old, ok := byKey[f.id]; ok {
			if old.role == contact || f.role == contact {
				old.role, old.confidence = contact, max(old.confidence, f.confidence)
				byKey[f.id] = old
				return
			}
			if old.confidence >= f.confidence && (old.role != "" || f.role == "") {
				return
			}
		}
		byKey[f.id] = f
	}
	opt := extract.Options{Region: country, NoPlaces: true}
	for _, k := range keys {
		for _, h := range extract.Text(texts[k], opt) {
			add(found{kind: string(h.Kind), value: h.Value, role: string(h.Role), confidence: h.Confidence})
		}
	}
	for _, sub := range subjects {
		if sub.Type == "company" {
			if h, ok := extract.Normalize(extract.KindCompany, sub.Name, country); ok {
				add(found{kind: string(h.Kind), value: h.Value, role: string(extract.RoleRecruiter), confidence: 0.9})
			}
		}
	}
	if sealed != nil {
		var contacts []string
		if sealed.Reporter != nil {
			contacts = append(contacts, sealed.Reporter.Contact)
		}
		for _, v := range sealed.Victims {
			contacts = append(contacts, v.Contact, v.Passport)
		}
		for _, c := range contacts {
			if c == "" {
				continue
			}
			for _, h := range extract.Text(c, opt) {
				add(found{kind: string(h.Kind), value: h.Value, role: contact, confidence: h.Confidence})
			}
		}
	}
	out := make([]found, 0, len(byKey))
	for _, f := range byKey {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// Process indexes a report's identifiers and updates the clusters. It is
// idempotent: processing a report again adds only what is new.
func (s *Service) Process(ctx context.Context, reportID string) error {
	defer s.Changed() // the published range may change
	_, _, err := s.ProcessTimed(ctx, reportID)
	return err
}

// ProcessTimed is Process, saying how long reading and extracting the
// report took and how long the index update (its transaction) took.
func (s *Service) ProcessTimed(ctx context.Context, reportID string) (extract, update time.Duration, err error) {
	start := time.Now()
	src, err := s.db.Read().GetLinkSource(ctx, reportID)
	if err != nil {
		return 0, 0, err
	}
	opened, err := s.intake.OpenSource(src)
	if err != nil {
		return 0, 0, err
	}
	fs := s.find(opened.Region, src.Subjects, opened.Texts, opened.Sealed)
	extract = time.Since(start)
	start = time.Now()
	err = s.db.LinkTx(ctx, func(q store.Q) error { return s.link(ctx, q, src, fs) })
	return extract, time.Since(start), err
}

// link adds a report's identifiers to the index and joins the report to the
// cluster of every report it shares a linking identifier with. Its cost
// does not grow with how often an identifier was seen: aggregates are
// updated by increment, and one other report per identifier finds its
// cluster (every report sharing an identifier is in one cluster).
func (s *Service) link(ctx context.Context, q store.Q, r *store.LinkSource, fs []found) error {
	if err := q.LockLinks(ctx); err != nil {
		return err
	}
	b := newLinkBatch()
	// The report's link row, whether its identifiers occur elsewhere in its
	// organisation and the clusters sharing them, in one statement (for
	// every identifier it names, a superset of those linkLocked asks about).
	var ids, linkIDs []string
	for _, f := range fs {
		ids = append(ids, f.id)
		if linking(f.kind) {
			linkIDs = append(linkIDs, f.id)
		}
	}
	// The identifiers are read with it (those of a report linked before
	// too, a superset of what linkLocked reads): on PostgreSQL the two
	// go with the transaction's BEGIN in one round trip.
	all := uniq(ids)
	p, idents, err := q.ProbeLinksAndRead(ctx, r.ID, r.OrgID, all, linkIDs)
	if err != nil {
		return err
	}
	for _, id := range all {
		b.asked[id] = true
	}
	for _, i := range idents {
		b.idents[i.ID] = i
	}
	if p != nil {
		b.probe = p
		b.links = map[string]*store.ReportLink{}
		if p.Link != nil {
			b.links[r.ID] = p.Link
		}
	}
	if err := s.linkLocked(ctx, q, r, fs, b); err != nil {
		return err
	}
	return b.flush(ctx, q.Deferred())
}

// linkLocked is link in a transaction that holds the link lock, as one
// report of batch b: the identifiers and occurrences it writes are kept in
// b until b.flush, and what later reports of b read of them is read from b.
func (s *Service) linkLocked(ctx context.Context, q store.Q, r *store.LinkSource, fs []found, b *linkBatch) error {
	prev, err := b.reportLink(ctx, q, r.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	have := map[string]bool{}
	var refs []store.LinkRef
	if prev != nil {
		refs = prev.Identifiers
		for _, ref := range refs {
			have[ref.IdentifierID] = true
		}
	}
	var news []found
	var occ []*store.Occurrence
	for _, f := range fs {
		if have[f.id] {
			continue
		}
		news = append(news, f)
		occ = append(occ, &store.Occurrence{IdentifierID: f.id, ReportID: r.ID, OrgID: r.OrgID, Role: f.role, Confidence: f.confidence})
		refs = append(refs, store.LinkRef{IdentifierID: f.id, Role: f.role})
	}
	if prev != nil && len(news) == 0 {
		return nil
	}
	// Aggregates and sides: read the identifiers that exist (those the
	// batch has not read yet), count this report in, and keep them all to
	// be written back in one statement (new ones start at zero, their
	// values sealed).
	ids := make([]string, len(news))
	for k, n := range news {
		ids[k] = n.id
	}
	if err := b.read(ctx, q, ids); err != nil {
		return err
	}
	var seen map[string]bool
	switch {
	case b.pre:
		seen = b.seenIn(r, ids)
	case b.probe != nil:
		seen = b.probe.Seen
	default:
		if seen, err = q.SeenInOrg(ctx, ids, r.OrgID, r.ID); err != nil {
			return err
		}
	}
	for _, n := range news {
		i, ok := b.idents[n.id]
		if !ok {
			i = s.identifier(n)
			b.idents[n.id] = i
		}
		i.Side = joinSide(i.Side, sideOf(n.role))
		addReport(i, r.ReceivedAt, !seen[n.id] && !b.inOrg[orgIdent{r.OrgID, n.id}], r.IncidentTypes)
		b.touch(n.id)
	}
	b.add(r, occ)

	// Clusters: every report sharing an identifier is in one cluster, so
	// one other report per identifier names it.
	var linkIDs []string
	for _, f := range fs {
		if linking(f.kind) {
			linkIDs = append(linkIDs, f.id)
		}
	}
	var clusters []string
	switch {
	case b.pre:
		clusters = b.clustersSharingBefore(r.ID, linkIDs)
	case b.probe != nil:
		clusters = slices.Clone(b.probe.Clusters)
	default:
		if clusters, err = q.ClustersSharing(ctx, r.ID, linkIDs); err != nil {
			return err
		}
	}
	clusters = append(clusters, b.clustersSharing(r.ID, linkIDs)...)
	if prev != nil {
		clusters = append(clusters, prev.ClusterID)
	}
	into := r.ID
	for _, c := range clusters {
		into = min(into, c)
	}
	var from []string
	for _, c := range clusters {
		if c != into && !slices.Contains(from, c) {
			from = append(from, c)
		}
	}
	if err := q.MergeClusters(ctx, into, from); err != nil {
		return err
	}
	b.merge(r.ID, into, from)
	sort.Slice(refs, func(i, j int) bool { return refs[i].IdentifierID < refs[j].IdentifierID })
	link := &store.ReportLink{ReportID: r.ID, ClusterID: into, LinkedAt: store.Now(), Identifiers: refs}
	if b.pre {
		b.put = append(b.put, link) // written at flush
	} else if err := q.Deferred().PutReportLink(ctx, link); err != nil { // nothing reads it before the commit
		return err
	}
	if len(clusters) == 0 {
		return nil
	}
	// The report now shares an identifier with others: the owners of their
	// organisation's open cases are told, once per case and report.
	var cases []store.CaseOwner
	if b.pre {
		cases = b.casesLinkedTo(r, into)
	} else if cases, err = q.OpenCasesLinkedTo(ctx, r.OrgID, into, r.ID); err != nil {
		return err
	}
	for _, c := range cases {
		if err := notify.AddOnce(ctx, q, auth.Actor{}, c.UserID, notify.ReportLinked, "report", r.ID, c.CaseID); err != nil {
			return err
		}
	}
	return nil
}

// addReport counts one more report in an identifier's aggregates: the
// report's time, whether its organisation is new to the identifier, and
// its incident types (kept sorted, so incremental linking and a rebuild
// agree).
func addReport(i *store.Identifier, at int64, newOrg bool, types []string) {
	i.ReportCount++
	if newOrg {
		i.OrgCount++
	}
	if i.FirstSeen == 0 || at < i.FirstSeen {
		i.FirstSeen = at
	}
	i.LastSeen = max(i.LastSeen, at)
	for _, t := range types {
		if !slices.Contains(i.Categories, t) {
			i.Categories = append(i.Categories, t)
		}
	}
	slices.Sort(i.Categories)
}

// Clusters returns report id → cluster id (for tests and the rebuild check).
func (s *Service) Clusters(ctx context.Context) (map[string]string, error) {
	return s.db.Read().AllClusters(ctx)
}

// IdentifierView is an identifier of a report with where else it appears.
type IdentifierView struct {
	// ID names the identifier (for POST /api/v1/identifiers/{id}/side).
	ID   string `json:"id"`
	Kind string `json:"kind"`
	// Value is empty when the identifier is a contact in this report: a
	// contact field is read only through an audited reveal.
	Value string `json:"value"`
	Role  string `json:"role,omitempty"`
	// Side is "victim" when a report or staff say it is a reporter's or
	// victim's contact, else "recruiter" when a report's text or staff
	// mark it as the recruiter's, else "". Public says whether the public
	// check answers for it: only for a recruiter-side one.
	Side   string `json:"side"`
	Public bool   `json:"public"`
	// OtherReports counts the other reports it appears in, in any
	// organisation; OtherOrgs the organisations besides the report's.
	OtherReports int    `json:"other_reports"`
	OtherOrgs    int    `json:"other_orgs"`
	FirstSeen    string `json:"first_seen,omitempty"`
	LastSeen     string `json:"last_seen,omitempty"`
	// ReportIDs lists the other reports of the caller's own organisation.
	ReportIDs []string `json:"report_ids"`
	// Held flags a burst of anonymous reports naming it (three or more in
	// 24 hours, none verified): the public check holds them back until
	// staff verify a report or mark the identifier wrongly reported.
	Held bool `json:"held"`
}

func month(us int64) string {
	if us == 0 {
		return ""
	}
	return store.Time(us).Format("2006-01")
}

// side is an identifier's side as staff see it: what reports and staff
// say together.
func side(i *store.Identifier) string {
	switch {
	case i.VictimSide():
		return store.SideVictim
	case i.Public():
		return store.SideRecruiter
	}
	return ""
}

// open opens an identifier's sealed value.
func (s *Service) open(i *store.Identifier) (string, error) {
	v, err := s.keys.OpenIdentifier(i.ID, i.Sealed)
	if err != nil {
		return "", fmt.Errorf("links: %w", err)
	}
	return v, nil
}

// readable checks a may read the report's links.
func (s *Service) readable(ctx context.Context, a auth.Actor, reportID string) (*store.Report, error) {
	return s.intake.Authorize(ctx, a, reportID, auth.ReadLinks)
}

// ReportIdentifiers lists a report's identifiers with their counts
// elsewhere. The report's own contacts show as kind only.
func (s *Service) ReportIdentifiers(ctx context.Context, a auth.Actor, reportID string) ([]IdentifierView, error) {
	r, err := s.readable(ctx, a, reportID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	l, err := q.GetReportLink(ctx, reportID)
	if errors.Is(err, store.ErrNotFound) {
		return []IdentifierView{}, nil // not linked yet
	}
	if err != nil {
		return nil, err
	}
	roles := map[string]string{}
	var ids []string
	for _, ref := range l.Identifiers {
		roles[ref.IdentifierID] = ref.Role
		ids = append(ids, ref.IdentifierID)
	}
	idents, err := q.GetIdentifiers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []IdentifierView{}
	for _, i := range idents {
		v := IdentifierView{ID: i.ID, Kind: i.Kind, Role: roles[i.ID], Side: side(i), Public: i.Public(), FirstSeen: month(i.FirstSeen), LastSeen: month(i.LastSeen),
			// The aggregates count this report and its organisation.
			OtherReports: max(0, i.ReportCount-1), OtherOrgs: max(0, i.OrgCount-1), ReportIDs: []string{}}
		if v.Role != string(extract.RoleVictimContact) {
			if v.Value, err = s.open(i); err != nil {
				return nil, err
			}
		}
		if i.VictimSide() || v.Role == string(extract.RoleVictimContact) {
			// A victim's or reporter's contact is counted in the caller's
			// organisation only: that another organisation holds a
			// report naming the same person's phone is itself what the
			// sealed contact hides. Its months span every report, so
			// they are left out too.
			own, err := q.CountOwnOccurrences(ctx, i.ID, a.OrgID)
			if err != nil {
				return nil, err
			}
			v.OtherReports, v.OtherOrgs, v.FirstSeen, v.LastSeen = max(0, own-1), 0, "", ""
		}
		if v.Public {
			if v.Held, err = s.held(ctx, q, i.ID); err != nil {
				return nil, err
			}
		}
		own, err := q.OrgOccurrences(ctx, i.ID, a.OrgID, r.ID, maxOwnReports)
		if err != nil {
			return nil, err
		}
		for _, o := range own {
			v.ReportIDs = append(v.ReportIDs, o.ReportID)
		}
		out = append(out, v)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Kind != out[j].Kind {
			return out[i].Kind < out[j].Kind
		}
		return out[i].Value < out[j].Value
	})
	return out, nil
}

// maxOwnReports bounds the list of the caller's own other reports per
// identifier.
const maxOwnReports = 50

// TopView is a recurring identifier.
type TopView struct {
	Kind       string   `json:"kind"`
	Value      string   `json:"value"`
	Reports    int      `json:"reports"`
	Orgs       int      `json:"orgs"`
	FirstSeen  string   `json:"first_seen"`
	LastSeen   string   `json:"last_seen"`
	Categories []string `json:"categories"`
}

// Top returns the public identifiers (those the public check answers for)
// seen in the most reports, last seen in [from, to).
func (s *Service) Top(ctx context.Context, a auth.Actor, from, to time.Time, limit int) ([]TopView, error) {
	if !auth.Can(a, auth.ReadLinks, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	ids, err := s.db.Read().TopIdentifiers(ctx, from.UnixMicro(), to.UnixMicro(), limit)
	if err != nil {
		return nil, err
	}
	out := []TopView{}
	for _, i := range ids {
		v, err := s.open(i)
		if err != nil {
			return nil, err
		}
		out = append(out, TopView{Kind: i.Kind, Value: v, Reports: i.ReportCount, Orgs: i.OrgCount, FirstSeen: month(i.FirstSeen), LastSeen: month(i.LastSeen), Categories: i.Categories})
	}
	return out, nil
}

// The bands of a public check: how many reports mention an identifier,
// coarsely. The public never learns an exact count: one that ticks up
// tells a recruiter checking his own number that someone just reported
// him.
const (
	BandNone = "none" // no report, or not an identifier the check answers for
	BandFew  = "few"  // 1 to 4 reports
	BandMany = "many" // 5 or more
)

// Bands are the bands, from fewest reports to most.
func Bands() []string { return []string{BandNone, BandFew, BandMany} }

// Band is the band of n reports.
func Band(n int) string {
	switch {
	case n <= 0:
		return BandNone
	case n < 5:
		return BandFew
	}
	return BandMany
}

// CheckAnswer is all the public learns from a check: aggregates in bands,
// never an exact count, report content or which organisation. Both doors
// (the API and the check page) give it as Check returns it.
//
// What a band means: Band counts only verified reports — reports staff
// triaged as credible (put in a case, or marked verified). It says people
// reported the identifier and staff found those reports credible; it does
// not say who owns the identifier today, that it is a scam, or that an
// identifier answered "none" is safe. UnverifiedReports is a weaker signal:
// reports no one has reviewed yet, shown only when they come from several
// independent sources (see assess).
type CheckAnswer struct {
	Value string `json:"value"`
	Coarse
}

// Check normalises a public query (a phone in any format, a handle, a URL,
// a wallet) and answers in aggregate, the number of reports in a band
// (see Band), for the public through any door. region (ISO 3166-1 alpha-2, may be
// empty) reads phone numbers written without a country code.
//
// A protected identifier (Protect) answers legitimate, whatever reports
// say. One staff marked wrongly reported (SetWronglyReported) answers as
// never reported. Otherwise it answers only for a public identifier: one a
// report's text marks as the recruiter's, or staff confirmed, and that no
// report or staff member says is a reporter's or victim's contact. For any
// other — a victim's number mentioned in someone else's narrative included
// — it answers as for an identifier never reported. Of a public one it
// counts verified reports in Band and independent unverified ones in
// UnverifiedReports (assess says which and why).
//
// The answer comes from the published range (Range) when it is current for
// the identifier: the version weighed everything marked when its build
// began, and no transaction of this process has marked the identifier since
// (every change to what the check reads of it marks it: a report naming it
// linked or verified, a side, protection or dispute set). It then says
// exactly what the database would, without reading it, so a flood of public
// checks costs the database nothing; an identifier changed since is read
// from the database until the next build (the server's RangeDebounce, 2 s,
// later). A change made through another server shows here at this server's
// next build (within its RangeRefresh, 10 s), as it does in the range.
func (s *Service) Check(ctx context.Context, query, region string) (*CheckAnswer, error) {
	return s.check(ctx, query, region, true)
}

// check is Check, reading the database even when the published range is
// current unless fromRange.
func (s *Service) check(ctx context.Context, query, region string, fromRange bool) (*CheckAnswer, error) {
	query = strings.TrimSpace(query)
	if query == "" {
		return nil, invalid.Field("q", "required", "give a phone number, handle, URL or wallet address")
	}
	if len(query) > 500 {
		return nil, invalid.Field("q", "too_long", "at most 500 characters")
	}
	region, err := intake.NormaliseCountry("country", region)
	if err != nil {
		return nil, err
	}
	h, ok := extract.Query(query, region)
	if !ok {
		return nil, invalid.Field("q", "not_an_identifier", "%q is not a phone number, handle, URL, e-mail or wallet address Vigil can read", query)
	}
	if fromRange {
		if ans, ok := s.published(string(h.Kind), h.Value); ok {
			return ans, nil
		}
	}
	return s.answer(ctx, string(h.Kind), h.Value)
}

// answer is the public check's answer for an identifier of kind and value
// in normalised form: Check's and the published range's (Publish), so the
// two cannot disagree.
func (s *Service) answer(ctx context.Context, kind, value string) (*CheckAnswer, error) {
	t, err := s.trust(ctx, kind, value)
	if err != nil {
		return nil, err
	}
	return answerFrom(kind, value, t), nil
}

// answerFrom is the check's answer for an identifier of kind and value
// given what it may say of it.
func answerFrom(kind, value string, t trustAnswer) *CheckAnswer {
	ans := &CheckAnswer{Value: value, Coarse: Coarse{Kind: kind, Band: BandNone, UnverifiedReports: BandNone, Categories: []string{}}}
	ans.Legitimate = t.protected
	if t.verified > 0 {
		ans.Reported, ans.Band, ans.FirstSeen, ans.LastSeen, ans.Categories = true, Band(t.verified), month(t.first), month(t.last), t.categories
	}
	if t.shown {
		ans.UnverifiedReports = Band(t.sources)
	}
	return ans
}

// ReportsFor counts the verified reports a public identifier appears in
// (0 for any other, and for a protected or wrongly reported one, as
// Check): the lure check's link-index signal, which anonymous reports
// alone must not move either.
//
// The value is normalised as the link index stores it (a Telegram handle
// with its "@", lower case): the lure check reads "golden_job_kh" where the
// index holds "@golden_job_kh". Phone numbers come already in E.164 and
// are left alone (normalising one without its country could misread it).
func (s *Service) ReportsFor(ctx context.Context, kind, value string) (int, error) {
	if k := extract.Kind(kind); k != extract.KindPhone && k != extract.KindWhatsApp {
		if h, ok := extract.Normalize(k, value, ""); ok && h.Kind == k {
			value = h.Value
		}
	}
	t, err := s.trust(ctx, kind, value)
	if err != nil {
		return 0, err
	}
	return t.verified, nil
}

// SideIn is a staff member's word on an identifier.
type SideIn struct {
	// Side is "victim" (a reporter's, victim's or family's contact: never
	// public) or "recruiter" (confirmed as the recruiter's: public unless a
	// report or any organisation says it is a victim's).
	Side   string `json:"side"`
	Reason string `json:"reason"`
}

// SideView is an identifier's side after a staff member's word.
type SideView struct {
	ID     string `json:"id"`
	Side   string `json:"side"`
	Public bool   `json:"public"`
}

// SetSide records a's organisation's word on an identifier: victim-side,
// which withdraws it from the public check for good, or recruiter-side,
// which lets the check answer for it unless a report has it as a
// reporter's or victim's contact or any organisation marked it
// victim-side. The caller must be allowed MarkIdentifier on a report of
// its own organisation that names the identifier (not found otherwise);
// the word is audited with its reason. Victim-side wins over recruiter-side
// whoever says it, so no organisation can expose what another protects.
func (s *Service) SetSide(ctx context.Context, a auth.Actor, identifierID string, in *SideIn) (*SideView, error) {
	defer s.Changed() // the published range may change
	if in.Side != store.SideVictim && in.Side != store.SideRecruiter {
		return nil, invalid.Field("side", "invalid_value", "want victim or recruiter")
	}
	reason := strings.TrimSpace(in.Reason)
	if n := utf8.RuneCountInString(reason); n < 5 || n > 1000 || !utf8.ValidString(reason) {
		return nil, invalid.Field("reason", "required", "say why, in 5 to 1000 characters")
	}
	// Any report of the caller's organisation naming it will do: access
	// to one is access to the identifier.
	if err := s.ownIdentifier(ctx, a, identifierID); err != nil {
		return nil, err
	}
	var out *SideView
	err := s.db.Tx(ctx, func(q store.Q) error {
		if err := q.PutIdentifierSide(ctx, &store.IdentifierSide{IdentifierID: identifierID, OrgID: a.OrgID, Side: in.Side, SetBy: a.UserID, SetAt: store.Now()}); err != nil {
			return err
		}
		is, err := q.GetIdentifiers(ctx, []string{identifierID})
		if err != nil {
			return err
		}
		if len(is) != 1 {
			return fmt.Errorf("identifier %s: %w", identifierID, store.ErrNotFound)
		}
		out = &SideView{ID: identifierID, Side: side(is[0]), Public: is[0].Public()}
		return audit.RecordReason(ctx, q, s.keys, a, "identifier.side", "identifier", identifierID, reason, map[string]string{"side": in.Side})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
