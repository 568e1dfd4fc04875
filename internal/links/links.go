// Package links extracts identifiers (phones, handles, wallets, URLs,
// companies …) from every report, keeps an index of where each appears, and
// groups reports that share them into clusters, so networks of recruiters
// become visible. Victims' own contact details are indexed only through a
// keyed hash and never counted by the public check.
package links

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
)

// Service runs the link index.
type Service struct {
	db     *store.DB
	keys   *seal.Keyring
	intake *intake.Service
	log    *slog.Logger
}

// New returns the link service.
func New(db *store.DB, keys *seal.Keyring, in *intake.Service, logger *slog.Logger) *Service {
	return &Service{db: db, keys: keys, intake: in, log: logger}
}

// linking reports whether identifiers of kind join reports into clusters.
// Places and bare domains are shared by too many unrelated reports.
func linking(kind string) bool {
	return kind != string(extract.KindPlace) && kind != string(extract.KindDomain)
}

// identifierID is the stable id of an identifier.
func identifierID(kind, value string) string {
	h := sha256.Sum256([]byte(kind + "\x00" + value))
	return hex.EncodeToString(h[:16])
}

// found is one identifier of a report, ready to store.
type found struct {
	kind, value string
	blind       bool
	role        string
	confidence  float64
}

// extractReport finds every identifier of a report: in its statements
// (testimony, job ads, notes), its subjects, and — through the blind index
// — its reporter's and victims' contacts.
func (s *Service) extractReport(ctx context.Context, r *store.Report) ([]found, error) {
	texts, err := s.intake.StatementText(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	byKey := map[string]found{}
	add := func(f found) {
		k := f.kind + "\x00" + f.value
		if old, ok := byKey[k]; ok && old.confidence >= f.confidence && (old.role != "" || f.role == "") {
			return
		}
		byKey[k] = f
	}
	opt := extract.Options{Region: r.Country, NoPlaces: true}
	for _, k := range keys {
		for _, h := range extract.Text(texts[k], opt) {
			f := found{kind: string(h.Kind), value: h.Value, role: string(h.Role), confidence: h.Confidence}
			if h.Role == extract.RoleVictimContact {
				f.value, f.blind = s.keys.BlindIndex(f.kind, h.Value), true
			}
			add(f)
		}
	}
	for _, sub := range r.Subjects {
		if sub.Type == "company" {
			if h, ok := extract.Normalize(extract.KindCompany, sub.Name, r.Country); ok {
				add(found{kind: string(h.Kind), value: h.Value, role: "recruiter", confidence: 0.9})
			}
		}
	}
	sealed, err := s.intake.SealedForProcessing(ctx, r.ID)
	if err != nil {
		return nil, err
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
				add(found{kind: string(h.Kind), value: s.keys.BlindIndex(string(h.Kind), h.Value), blind: true, role: string(extract.RoleVictimContact), confidence: h.Confidence})
			}
		}
	}
	out := make([]found, 0, len(byKey))
	for _, f := range byKey {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].kind+out[i].value < out[j].kind+out[j].value })
	return out, nil
}

// Process indexes a report's identifiers and updates the clusters. It is
// idempotent: processing a report again adds only what is new.
func (s *Service) Process(ctx context.Context, reportID string) error {
	r, err := s.db.Read().GetReport(ctx, reportID)
	if err != nil {
		return err
	}
	fs, err := s.extractReport(ctx, r)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		if err := s.store(ctx, q, r, fs); err != nil {
			return err
		}
		return s.cluster(ctx, q, r.ID)
	})
}

func (s *Service) store(ctx context.Context, q store.Q, r *store.Report, fs []found) error {
	now := store.Now()
	occ := make([]*store.Occurrence, 0, len(fs))
	for _, f := range fs {
		id := identifierID(f.kind, f.value)
		if err := q.EnsureIdentifier(ctx, id, f.kind, f.value, f.blind); err != nil {
			return err
		}
		occ = append(occ, &store.Occurrence{IdentifierID: id, ReportID: r.ID, OrgID: r.OrgID, Role: f.role, Confidence: f.confidence, SeenAt: now})
	}
	if err := q.PutOccurrences(ctx, occ); err != nil {
		return err
	}
	for _, o := range occ {
		if err := q.RefreshIdentifier(ctx, o.IdentifierID); err != nil {
			return err
		}
	}
	return nil
}

// cluster joins a report to the clusters of the reports it shares linking
// identifiers with. A cluster is named by its earliest report's id, so the
// incremental result equals a rebuild's.
func (s *Service) cluster(ctx context.Context, q store.Q, reportID string) error {
	occ, err := q.ReportOccurrences(ctx, reportID)
	if err != nil {
		return err
	}
	var ids []string
	for _, o := range occ {
		ids = append(ids, o.IdentifierID)
	}
	idents, err := q.GetIdentifiers(ctx, ids)
	if err != nil {
		return err
	}
	var link []string
	for _, i := range idents {
		if linking(i.Kind) {
			link = append(link, i.ID)
		}
	}
	others, err := q.ReportsSharing(ctx, reportID, link, 100000)
	if err != nil {
		return err
	}
	clusters, err := q.ClustersOf(ctx, append(others, reportID))
	if err != nil {
		return err
	}
	into := reportID
	for _, c := range clusters {
		if c < into {
			into = c
		}
	}
	var from []string
	for _, c := range clusters {
		if c != into {
			from = append(from, c)
		}
	}
	if err := q.MergeClusters(ctx, into, from); err != nil {
		return err
	}
	return q.SetCluster(ctx, reportID, into, store.Now())
}

// Rebuild recomputes the whole index from the reports: it extracts every
// report again, then computes the clusters as connected components in
// memory. It returns how many reports and clusters it found.
func (s *Service) Rebuild(ctx context.Context) (reports, clusters int, err error) {
	ids, err := s.db.Read().AllReportIDs(ctx)
	if err != nil {
		return 0, 0, err
	}
	if err := s.db.Tx(ctx, func(q store.Q) error { return q.ClearLinks(ctx) }); err != nil {
		return 0, 0, err
	}
	parent := map[string]string{}
	find := func(x string) string {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	union := func(a, b string) {
		ra, rb := find(a), find(b)
		if ra == rb {
			return
		}
		if rb < ra {
			ra, rb = rb, ra
		}
		parent[rb] = ra // the root is always the smallest id
	}
	firstWith := map[string]string{} // identifier → first report seen with it
	for _, id := range ids {
		r, err := s.db.Read().GetReport(ctx, id)
		if err != nil {
			return 0, 0, err
		}
		fs, err := s.extractReport(ctx, r)
		if err != nil {
			return 0, 0, err
		}
		if err := s.db.Tx(ctx, func(q store.Q) error { return s.store(ctx, q, r, fs) }); err != nil {
			return 0, 0, err
		}
		parent[id] = id
		for _, f := range fs {
			if !linking(f.kind) {
				continue
			}
			iid := identifierID(f.kind, f.value)
			if first, ok := firstWith[iid]; ok {
				union(first, id)
			} else {
				firstWith[iid] = id
			}
		}
	}
	roots := map[string]bool{}
	err = s.db.Tx(ctx, func(q store.Q) error {
		now := store.Now()
		for _, id := range ids {
			root := find(id)
			roots[root] = true
			if err := q.SetCluster(ctx, id, root, now); err != nil {
				return err
			}
		}
		return nil
	})
	return len(ids), len(roots), err
}

// Clusters returns report id → cluster id (for tests and the rebuild check).
func (s *Service) Clusters(ctx context.Context) (map[string]string, error) {
	return s.db.Read().AllClusters(ctx)
}

// IdentifierView is an identifier of a report with where else it appears.
type IdentifierView struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
	Role  string `json:"role,omitempty"`
	// OtherReports counts the other reports it appears in, in any
	// organisation; OtherOrgs the organisations besides the report's.
	OtherReports int    `json:"other_reports"`
	OtherOrgs    int    `json:"other_orgs"`
	FirstSeen    string `json:"first_seen,omitempty"`
	LastSeen     string `json:"last_seen,omitempty"`
	// ReportIDs lists the other reports of the caller's own organisation.
	ReportIDs []string `json:"report_ids"`
}

func month(us int64) string {
	if us == 0 {
		return ""
	}
	return store.Time(us).Format("2006-01")
}

// readable checks a may read the report's links.
func (s *Service) readable(ctx context.Context, a auth.Actor, reportID string) (*store.Report, error) {
	return s.intake.Authorize(ctx, a, reportID, auth.ReadLinks)
}

// ReportIdentifiers lists a report's identifiers with their counts
// elsewhere. Victims' contacts show as kind only (their value is sealed).
func (s *Service) ReportIdentifiers(ctx context.Context, a auth.Actor, reportID string) ([]IdentifierView, error) {
	r, err := s.readable(ctx, a, reportID)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	occ, err := q.ReportOccurrences(ctx, reportID)
	if err != nil {
		return nil, err
	}
	roles := map[string]string{}
	var ids []string
	for _, o := range occ {
		roles[o.IdentifierID] = o.Role
		ids = append(ids, o.IdentifierID)
	}
	idents, err := q.GetIdentifiers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := []IdentifierView{}
	for _, i := range idents {
		v := IdentifierView{Kind: i.Kind, Value: i.Value, Role: roles[i.ID], FirstSeen: month(i.FirstSeen), LastSeen: month(i.LastSeen), ReportIDs: []string{}}
		all, err := q.IdentifierOccurrences(ctx, i.ID, 10000)
		if err != nil {
			return nil, err
		}
		orgs := map[string]bool{}
		for _, o := range all {
			if o.ReportID == reportID {
				continue
			}
			v.OtherReports++
			if o.OrgID != r.OrgID {
				orgs[o.OrgID] = true
			}
			if o.OrgID == a.OrgID {
				v.ReportIDs = append(v.ReportIDs, o.ReportID)
			}
		}
		v.OtherOrgs = len(orgs)
		if i.Blind {
			v.Value = "" // a victim's contact: matched, never shown
		}
		out = append(out, v)
	}
	return out, nil
}

// Node and Edge make the network around a report for a graph view.
type Node struct {
	ID    string `json:"id"`
	Type  string `json:"type"` // report or identifier kind
	Label string `json:"label"`
	// Own says whether a report node belongs to the caller's organisation;
	// other organisations' reports are shown without detail.
	Own bool `json:"own,omitempty"`
}

// Edge joins a report to an identifier it contains.
type Edge struct {
	From string `json:"from"`
	To   string `json:"to"`
	Role string `json:"role,omitempty"`
}

// Network is a bounded graph.
type Network struct {
	Nodes     []Node `json:"nodes"`
	Edges     []Edge `json:"edges"`
	Truncated bool   `json:"truncated"`
}

// Network returns the reports and identifiers within depth hops of a
// report (report → identifier → report is two hops), at most max nodes.
// Victims' contacts are left out.
func (s *Service) Network(ctx context.Context, a auth.Actor, reportID string, depth, max int) (*Network, error) {
	if _, err := s.readable(ctx, a, reportID); err != nil {
		return nil, err
	}
	if depth < 1 || depth > 6 {
		return nil, invalid.Field("depth", "invalid_value", "must be from 1 to 6")
	}
	if max < 2 || max > 1000 {
		return nil, invalid.Field("max", "invalid_value", "must be from 2 to 1000")
	}
	q := s.db.Read()
	net := &Network{Nodes: []Node{}, Edges: []Edge{}}
	seen := map[string]bool{}
	addReport := func(id string) error {
		r, err := q.GetReport(ctx, id)
		if err != nil {
			return err
		}
		own := r.OrgID == a.OrgID
		label := "report in another organisation"
		if own {
			label = "report " + store.Time(r.ReceivedAt).Format("2006-01-02") + " (" + r.Language + ")"
		}
		net.Nodes = append(net.Nodes, Node{ID: "r:" + id, Type: "report", Label: label, Own: own})
		return nil
	}
	frontier := []string{reportID}
	seen["r:"+reportID] = true
	if err := addReport(reportID); err != nil {
		return nil, err
	}
	for hop := 0; hop < depth && len(frontier) > 0; hop += 2 {
		var next []string
		for _, rid := range frontier {
			occ, err := q.ReportOccurrences(ctx, rid)
			if err != nil {
				return nil, err
			}
			var ids []string
			roles := map[string]string{}
			for _, o := range occ {
				ids = append(ids, o.IdentifierID)
				roles[o.IdentifierID] = o.Role
			}
			idents, err := q.GetIdentifiers(ctx, ids)
			if err != nil {
				return nil, err
			}
			for _, i := range idents {
				if i.Blind || !linking(i.Kind) {
					continue
				}
				nid := "i:" + i.ID
				if !seen[nid] {
					if len(net.Nodes) >= max {
						net.Truncated = true
						return net, nil
					}
					seen[nid] = true
					net.Nodes = append(net.Nodes, Node{ID: nid, Type: i.Kind, Label: i.Value})
				}
				net.Edges = append(net.Edges, Edge{From: "r:" + rid, To: nid, Role: roles[i.ID]})
				if hop+1 >= depth {
					continue
				}
				more, err := q.IdentifierOccurrences(ctx, i.ID, max)
				if err != nil {
					return nil, err
				}
				for _, o := range more {
					rn := "r:" + o.ReportID
					if o.Role == string(extract.RoleVictimContact) {
						continue
					}
					if !seen[rn] {
						if len(net.Nodes) >= max {
							net.Truncated = true
							return net, nil
						}
						seen[rn] = true
						if err := addReport(o.ReportID); err != nil {
							return nil, err
						}
						next = append(next, o.ReportID)
					}
					if !slices.Contains(frontier, o.ReportID) {
						net.Edges = append(net.Edges, Edge{From: rn, To: nid, Role: o.Role})
					}
				}
			}
		}
		frontier = next
	}
	return net, nil
}

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

// Top returns the identifiers seen in the most reports, last seen in
// [from, to).
func (s *Service) Top(ctx context.Context, a auth.Actor, from, to time.Time, limit int) ([]TopView, error) {
	if !auth.Can(a, auth.ReadLinks, auth.Resource{OrgID: a.OrgID}) {
		return nil, invalid.ErrForbidden
	}
	ids, err := s.db.Read().TopIdentifiers(ctx, from.UnixMicro(), to.UnixMicro(), limit)
	if err != nil {
		return nil, err
	}
	out := []TopView{}
	for _, i := range ids {
		out = append(out, TopView{Kind: i.Kind, Value: i.Value, Reports: i.ReportCount, Orgs: i.OrgCount, FirstSeen: month(i.FirstSeen), LastSeen: month(i.LastSeen), Categories: i.Categories})
	}
	return out, nil
}

// CheckAnswer is all the public learns from a check: aggregates, never
// report content or which organisation.
type CheckAnswer struct {
	Kind       string   `json:"kind"`
	Value      string   `json:"value"`
	Reported   bool     `json:"reported"`
	Reports    int      `json:"reports"`
	FirstSeen  string   `json:"first_seen,omitempty"`
	LastSeen   string   `json:"last_seen,omitempty"`
	Categories []string `json:"categories"`
}

// Check normalises a public query (a phone in any format, a handle, a URL,
// a wallet) and answers in aggregate. region (ISO 3166-1 alpha-2, may be
// empty) reads phone numbers written without a country code. Victims' contacts are indexed only
// blind, so a check can never count or reveal them.
func (s *Service) Check(ctx context.Context, query, region string) (*CheckAnswer, error) {
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
	ans := &CheckAnswer{Kind: string(h.Kind), Value: h.Value, Categories: []string{}}
	i, err := s.db.Read().GetIdentifier(ctx, string(h.Kind), h.Value)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return ans, nil
		}
		return nil, err
	}
	if i.Blind || i.ReportCount == 0 {
		return ans, nil
	}
	ans.Reported, ans.Reports, ans.FirstSeen, ans.LastSeen, ans.Categories = true, i.ReportCount, month(i.FirstSeen), month(i.LastSeen), i.Categories
	return ans, nil
}

// ReportsFor counts the reports an identifier appears in (not as a victim's
// contact): the lure check's link-index signal.
func (s *Service) ReportsFor(ctx context.Context, kind, value string) (int, error) {
	i, err := s.db.Read().GetIdentifier(ctx, kind, value)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil
		}
		return 0, err
	}
	if i.Blind {
		return 0, nil
	}
	return i.ReportCount, nil
}
