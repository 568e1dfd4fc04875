package links

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/extract"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
)

// The types of a network's nodes besides identifiers, whose type is their
// kind (phone, telegram …).
const (
	NodeReport = "report" // a report the caller may open
	NodeCase   = "case"   // a case a report the caller may open is in
	// NodeHidden counts the reports naming one identifier that the caller
	// may not open: other organisations', and its own organisation's that
	// its role may not read. It says how many, never which.
	NodeHidden = "hidden"
)

// Node is a node of a network: a report the caller may open, a case such a
// report is in, an identifier, or a count of reports the caller may not
// open. Its ID is "r:" and the report's ID, "c:" and the case's, "i:" and
// the identifier's, or "h:" and the identifier the hidden reports name.
type Node struct {
	ID   string `json:"id"`
	Type string `json:"type"` // report, case, hidden, or an identifier kind
	// Label is a report's date and language, a case's title or an
	// identifier's value (see label); empty for a count of hidden reports.
	Label string `json:"label"`
	// Own says a report node belongs to the caller's organisation.
	Own bool `json:"own,omitempty"`
	// Count is how many reports a hidden node stands for.
	Count int `json:"count,omitempty"`
}

// Edge joins a report to an identifier it contains (Role: its role
// there), a report to a case it is in, or a count of hidden reports to the
// identifier they name.
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

// Network is NetworkOf one report.
func (s *Service) Network(ctx context.Context, a auth.Actor, reportID string, depth, max int) (*Network, error) {
	return s.NetworkOf(ctx, a, []string{reportID}, depth, max)
}

// NetworkOf returns the reports and identifiers within depth hops of some
// reports (report → identifier → report is two hops), at most max nodes,
// and the cases each report in it is in: the network across cases. a must
// read the links of every one of the reports.
//
// Only what a may open is listed: a report that a may not open (another
// organisation's, or one of its own that its role may not read, as
// auth.Can decides through intake) is no node of its own and the network
// goes no further through it. The reports an identifier leads to that a
// may not open are one node per identifier, with their count and nothing
// else: no ID, date or language. Victim-side identifiers, places and
// bare domains are left out; an identifier is labelled with its value only
// when it is public or in a report of a's organisation. A case is shown
// only if a may read it.
func (s *Service) NetworkOf(ctx context.Context, a auth.Actor, reportIDs []string, depth, max int) (*Network, error) {
	if len(reportIDs) == 0 {
		return nil, invalid.Field("id", "required", "name a report")
	}
	for _, id := range reportIDs {
		if _, err := s.readable(ctx, a, id); err != nil {
			return nil, err
		}
	}
	if depth < 1 || depth > 6 {
		return nil, invalid.Field("depth", "invalid_value", "must be from 1 to 6")
	}
	if max < 2 || max > 1000 {
		return nil, invalid.Field("max", "invalid_value", "must be from 2 to 1000")
	}
	b := &netBuilder{s: s, a: a, q: s.db.Read(), max: max,
		net:   &Network{Nodes: []Node{}, Edges: []Edge{}},
		seen:  map[string]bool{},
		edges: map[Edge]bool{}, idents: map[string]*store.Identifier{}, expanded: map[string]bool{}}
	frontier := []string{}
	for _, id := range reportIDs {
		if b.seen["r:"+id] {
			continue
		}
		if !b.add(Node{ID: "r:" + id, Type: NodeReport}) {
			break
		}
		frontier = append(frontier, id)
	}
	if err := b.walk(ctx, frontier, depth); err != nil {
		return nil, err
	}
	if err := b.cases(ctx); err != nil {
		return nil, err
	}
	return b.label(ctx)
}

// netBuilder builds one network.
type netBuilder struct {
	s   *Service
	a   auth.Actor
	q   store.Q
	max int
	net *Network
	// seen holds the node IDs added; edges the edges.
	seen     map[string]bool
	edges    map[Edge]bool
	idents   map[string]*store.Identifier // identifier nodes, by node ID
	expanded map[string]bool              // identifiers whose reports were looked up
}

// add adds a node unless the network is full (then it is truncated and
// add says false).
func (b *netBuilder) add(n Node) bool {
	if b.seen[n.ID] {
		return true
	}
	if len(b.net.Nodes) >= b.max {
		b.net.Truncated = true
		return false
	}
	b.seen[n.ID] = true
	b.net.Nodes = append(b.net.Nodes, n)
	return true
}

func (b *netBuilder) edge(e Edge) {
	if k := (Edge{From: e.From, To: e.To}); !b.edges[k] {
		b.edges[k] = true
		b.net.Edges = append(b.net.Edges, e)
	}
}

// walk goes out from the frontier's reports, two hops at a time, until
// depth or the network is full.
func (b *netBuilder) walk(ctx context.Context, frontier []string, depth int) error {
	for hop := 0; hop < depth && len(frontier) > 0; hop += 2 {
		linksOf, err := b.q.GetReportLinks(ctx, frontier)
		if err != nil {
			return err
		}
		var next []string
		for _, rid := range frontier {
			l := linksOf[rid]
			if l == nil {
				continue
			}
			var ids []string
			roles := map[string]string{}
			for _, ref := range l.Identifiers {
				ids = append(ids, ref.IdentifierID)
				roles[ref.IdentifierID] = ref.Role
			}
			of, err := b.q.GetIdentifiers(ctx, ids)
			if err != nil {
				return err
			}
			for _, i := range of {
				if i.VictimSide() || !linking(i.Kind) {
					continue
				}
				nid := "i:" + i.ID
				if !b.add(Node{ID: nid, Type: i.Kind}) {
					return nil
				}
				b.idents[nid] = i
				b.edge(Edge{From: "r:" + rid, To: nid, Role: roles[i.ID]})
				if hop+1 >= depth || b.expanded[i.ID] {
					continue
				}
				b.expanded[i.ID] = true
				more, full, err := b.reportsOf(ctx, i)
				if err != nil {
					return err
				}
				next = append(next, more...)
				if full {
					return nil
				}
			}
		}
		frontier = next
	}
	return nil
}

// reportsOf adds the reports naming identifier i: a node and an edge for
// each one a may open, and one node counting those it may not. It returns
// the reports new to the network, and whether the network is full.
//
// A reader of links reads its own organisation's reports only (auth.Can
// gives partners, who may open another organisation's referred report, no
// ReadLinks): every other organisation's report is counted, as the
// identifier page counts it, and each of its own is asked of intake.
func (b *netBuilder) reportsOf(ctx context.Context, i *store.Identifier) (news []string, full bool, err error) {
	nid := "i:" + i.ID
	// The reports in every organisation are the identifier's count
	// (linking counts each occurrence it writes into it, in the same
	// transaction); the caller's own are counted from the key.
	own, err := b.q.CountOwnOccurrences(ctx, i.ID, b.a.OrgID)
	if err != nil {
		return nil, false, err
	}
	hidden := i.ReportCount - own
	occ, err := b.q.OrgOccurrences(ctx, i.ID, b.a.OrgID, "", b.max)
	if err != nil {
		return nil, false, err
	}
	// Which of the reports not yet in the network a may read, asked at once.
	var ask []string
	for _, o := range occ {
		if o.Role != string(extract.RoleVictimContact) && !b.seen["r:"+o.ReportID] {
			ask = append(ask, o.ReportID)
		}
	}
	readable, err := b.s.intake.AuthorizeEach(ctx, b.a, ask, auth.ReadReport)
	if err != nil {
		return nil, false, err
	}
	for _, o := range occ {
		if o.Role == string(extract.RoleVictimContact) {
			continue
		}
		rn := "r:" + o.ReportID
		if b.seen[rn] {
			b.edge(Edge{From: rn, To: nid, Role: o.Role})
			continue
		}
		if readable[o.ReportID] == nil {
			hidden++
			continue
		}
		if !b.add(Node{ID: rn, Type: NodeReport}) {
			return news, true, nil
		}
		b.edge(Edge{From: rn, To: nid, Role: o.Role})
		news = append(news, o.ReportID)
	}
	if hidden > 0 {
		hn := "h:" + i.ID
		if !b.add(Node{ID: hn, Type: NodeHidden, Count: hidden}) {
			return news, true, nil
		}
		b.edge(Edge{From: hn, To: nid})
	}
	return news, false, nil
}

// cases adds the cases the network's reports are in, those a may read,
// as long as the network has room.
func (b *netBuilder) cases(ctx context.Context) error {
	var reports []string
	for _, n := range b.net.Nodes {
		if n.Type == NodeReport {
			reports = append(reports, strings.TrimPrefix(n.ID, "r:"))
		}
	}
	of, err := b.q.CaseIDsOfReports(ctx, reports)
	if err != nil {
		return err
	}
	readable := map[string]bool{}
	for _, rid := range reports {
		for _, cid := range of[rid] {
			ok, known := readable[cid]
			if !known {
				if ok, err = b.caseReadable(ctx, cid); err != nil {
					return err
				}
				readable[cid] = ok
			}
			if !ok {
				continue
			}
			if !b.seen["c:"+cid] && !b.add(Node{ID: "c:" + cid, Type: NodeCase}) {
				return nil
			}
			b.edge(Edge{From: "r:" + rid, To: "c:" + cid})
		}
	}
	return nil
}

// caseReadable says whether a may read a case, as casework decides it: its
// organisation and its referrals, asked of auth.Can.
func (b *netBuilder) caseReadable(ctx context.Context, id string) (bool, error) {
	c, err := b.q.GetCase(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	res := auth.Resource{OrgID: c.OrgID}
	refs, err := b.q.ListReferrals(ctx, c.ID, "")
	if err != nil {
		return false, err
	}
	for _, r := range refs {
		res.AddReferral(b.a, r.ToOrgID, r.Shared)
	}
	return auth.Can(b.a, auth.ReadCase, res), nil
}

// label labels a network's nodes: the date and language of a report, a
// case's title, and an identifier's value when it is public or in one of
// the caller's organisation's reports (which the caller may read), else
// only that it is in another organisation's. A count of hidden reports
// has no label.
func (b *netBuilder) label(ctx context.Context) (*Network, error) {
	var reportIDs, private []string
	cases := map[string]string{}
	for _, n := range b.net.Nodes {
		switch n.Type {
		case NodeReport:
			reportIDs = append(reportIDs, strings.TrimPrefix(n.ID, "r:"))
		case NodeCase:
			cases[strings.TrimPrefix(n.ID, "c:")] = ""
		case NodeHidden:
		default:
			if i := b.idents[n.ID]; !i.Public() {
				private = append(private, i.ID)
			}
		}
	}
	reports, err := b.q.GetReports(ctx, reportIDs)
	if err != nil {
		return nil, err
	}
	for id := range cases {
		c, err := b.q.GetCase(ctx, id)
		if err != nil {
			return nil, err
		}
		cases[id] = c.Title
	}
	own := map[string]bool{}
	for len(private) > 0 {
		chunk := private[:min(len(private), 500)]
		private = private[len(chunk):]
		seen, err := b.q.SeenInOrg(ctx, chunk, b.a.OrgID, "")
		if err != nil {
			return nil, err
		}
		maps.Copy(own, seen)
	}
	for k, n := range b.net.Nodes {
		switch n.Type {
		case NodeHidden:
			continue
		case NodeCase:
			n.Label = cases[strings.TrimPrefix(n.ID, "c:")]
		case NodeReport:
			r, ok := reports[strings.TrimPrefix(n.ID, "r:")]
			if !ok {
				return nil, fmt.Errorf("links: network: report %s: %w", n.ID, store.ErrNotFound)
			}
			n.Own = r.OrgID == b.a.OrgID
			n.Label = "report " + store.Time(r.ReceivedAt).Format("2006-01-02") + " (" + r.Language + ")"
		default:
			i := b.idents[n.ID]
			n.Label = "in another organisation's report"
			if i.Public() || own[i.ID] {
				if n.Label, err = b.s.open(i); err != nil {
					return nil, err
				}
			}
		}
		b.net.Nodes[k] = n
	}
	return b.net, nil
}
