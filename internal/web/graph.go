package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/links"
)

// The network of a case reaches as far as the API's network of a report
// does by default: a case's reports, their identifiers, and the reports
// (and their cases) that share them.
const (
	netDepth = 2
	netMax   = 100
)

// graphNode and graphEdge are cytoscape.js elements.
type graphNode struct {
	Data struct {
		ID    string `json:"id"`
		Label string `json:"label"`
		Kind  string `json:"kind"`
		URL   string `json:"url,omitempty"`
	} `json:"data"`
}

type graphEdge struct {
	Data struct {
		ID     string `json:"id"`
		Source string `json:"source"`
		Target string `json:"target"`
		Label  string `json:"label,omitempty"`
	} `json:"data"`
}

// graph is a case's network: the case, its reports, and the places,
// subjects and identifiers the reports name.
type graph struct {
	Nodes []graphNode `json:"nodes"`
	Edges []graphEdge `json:"edges"`
	seen  map[string]bool
}

func (g *graph) node(id, label, kind, url string) {
	if g.seen[id] {
		return
	}
	g.seen[id] = true
	var n graphNode
	n.Data.ID, n.Data.Label, n.Data.Kind, n.Data.URL = id, label, kind, url
	g.Nodes = append(g.Nodes, n)
}

func (g *graph) edge(from, to, label string) {
	id := from + ">" + to
	if g.seen[id] {
		return
	}
	g.seen[id] = true
	var e graphEdge
	e.Data.ID, e.Data.Source, e.Data.Target, e.Data.Label = id, from, to, label
	g.Edges = append(g.Edges, e)
}

// buildGraph is a case's network: the case, its reports with the places,
// subjects and identifiers they name, and, from the link service, the
// reports of other cases (and of none) that share an identifier with
// them, the cases those are in, and a count per identifier of the reports
// the viewer may not open (links.Service.NetworkOf decides all of it).
// Every report, case and identifier links to its page.
func (s *site) buildGraph(q *req, c *casework.CaseView, net *links.Network) *graph {
	g := &graph{Nodes: []graphNode{}, Edges: []graphEdge{}, seen: map[string]bool{}}
	caseNode := "case:" + c.ID
	g.node(caseNode, c.Title, "case", "/app/cases/"+c.ID)
	for _, r := range c.Reports {
		rn := "report:" + r.ID
		g.node(rn, q.L.T("case.report")+" "+shortID(r.ID), "report", "/app/cases/"+c.ID+"#report-"+r.ID)
		g.edge(caseNode, rn, "")
		for _, p := range r.Places {
			pn := "place:" + p.Key()
			g.node(pn, p.Name, "place", "")
			g.edge(rn, pn, "")
		}
		for _, su := range r.Subjects {
			sn := "subject:" + su.Name
			g.node(sn, su.Name, "subject", "")
			g.edge(rn, sn, su.Role)
		}
		s.addIdentifiers(q, g, rn, r.ID)
	}
	if net == nil {
		return g
	}
	for _, n := range net.Nodes {
		kind, id, _ := strings.Cut(n.ID, ":")
		switch n.Type {
		case links.NodeReport:
			g.node("report:"+id, q.L.T("case.report")+" "+shortID(id), "report", "/app/reports/"+id)
		case links.NodeCase:
			g.node("case:"+id, n.Label, "case", "/app/cases/"+id)
		case links.NodeHidden:
			g.node("hidden:"+id, q.L.T("network.hidden_n", q.L.Num(n.Count)), "hidden", "")
		default:
			if kind == "i" {
				g.node("identifier:"+id, identifierLabel(q, n.Type, n.Label), "identifier", "/app/identifiers/"+id)
			}
		}
	}
	names := map[string]string{"r": "report:", "c": "case:", "i": "identifier:", "h": "hidden:"}
	nodeOf := func(id string) string {
		kind, rest, _ := strings.Cut(id, ":")
		return names[kind] + rest
	}
	for _, e := range net.Edges {
		from, to := nodeOf(e.From), nodeOf(e.To)
		if strings.HasPrefix(to, "case:") {
			from, to = to, from // a case points to its reports
		}
		label := ""
		if e.Role != "" {
			label = q.L.TOr("idrole.", e.Role)
		}
		g.edge(from, to, label)
	}
	return g
}

// identifierLabel is what an identifier's node says: its value, with its
// kind where the value does not say what it is (whatsapp +855…, line …,
// tron T…).
func identifierLabel(q *req, kind, value string) string {
	switch kind {
	case "phone", "email", "url", "domain", "telegram":
		return value
	}
	return q.L.TOr("idkind.", kind) + " " + value
}

// caseNetwork is the network of a case's reports as the link service
// gives it to q's actor; nil, and no error, for staff who may not read
// links (intake), or a case without reports.
func (s *site) caseNetwork(q *req, c *casework.CaseView) (*links.Network, error) {
	if s.d.Links == nil || len(c.Reports) == 0 {
		return nil, nil
	}
	ids := make([]string, len(c.Reports))
	for i, r := range c.Reports {
		ids[i] = r.ID
	}
	net, err := s.d.Links.NetworkOf(q.ctx(), q.actor, ids, netDepth, netMax)
	if errors.Is(err, auth.ErrForbidden) {
		return nil, nil
	}
	return net, err
}

// addIdentifiers adds a report's identifiers (phones, handles, wallets …)
// to the graph, from the link index. Identifiers shared by reports join
// them in the picture.
func (s *site) addIdentifiers(q *req, g *graph, reportNode, reportID string) {
	if s.d.Links == nil {
		return
	}
	ids, err := s.d.Links.ReportIdentifiers(q.ctx(), q.actor, reportID)
	if err != nil {
		s.log.WarnContext(q.ctx(), "web: graph identifiers", "report", reportID, "err", err)
		return
	}
	for _, id := range shownIdentifiers(ids) {
		n := "identifier:" + id.ID
		g.node(n, identifierLabel(q, id.Kind, id.Value), "identifier", "/app/identifiers/"+id.ID)
		label := ""
		if id.Role != "" {
			label = q.L.TOr("idrole.", id.Role)
		}
		g.edge(reportNode, n, label)
	}
}

// shownIdentifiers are the identifiers a page lists: not the report's own
// contacts, which the link service gives by kind only (a contact is read
// through an audited reveal).
func shownIdentifiers(ids []links.IdentifierView) []links.IdentifierView {
	out := make([]links.IdentifierView, 0, len(ids))
	for _, i := range ids {
		if i.Value != "" {
			out = append(out, i)
		}
	}
	return out
}

// networkView is the network page's data: the case, and what the graph
// shows beyond it, as lists (for reading without the drawing, and on a
// phone).
type networkView struct {
	Case *casework.CaseView
	// Cases are the other cases the network reaches; Reports the reports
	// it reaches in no case the viewer may read; Hidden the counts of
	// reports the viewer may not open, by identifier.
	Cases     []netLink
	Reports   []netLink
	Hidden    []netHidden
	Truncated bool
}

type netLink struct{ ID, Label string }

type netHidden struct {
	Identifier string
	Count      int
}

// listNetwork lists what the network of case c reaches beyond it.
func listNetwork(q *req, c *casework.CaseView, net *links.Network) *networkView {
	v := &networkView{Case: c}
	if net == nil {
		return v
	}
	v.Truncated = net.Truncated
	inCase := map[string]bool{}
	for _, r := range c.Reports {
		inCase["r:"+r.ID] = true
	}
	hasCase := map[string]bool{}
	hangs := map[string]string{} // hidden node → identifier node
	for _, e := range net.Edges {
		if strings.HasPrefix(e.To, "c:") {
			hasCase[e.From] = true
		}
		if strings.HasPrefix(e.From, "h:") {
			hangs[e.From] = e.To
		}
	}
	labels := map[string]string{}
	for _, n := range net.Nodes {
		labels[n.ID] = identifierLabel(q, n.Type, n.Label)
	}
	for _, n := range net.Nodes {
		id := n.ID[strings.IndexByte(n.ID, ':')+1:]
		switch {
		case n.Type == links.NodeCase && id != c.ID:
			v.Cases = append(v.Cases, netLink{ID: id, Label: n.Label})
		case n.Type == links.NodeReport && !inCase[n.ID] && !hasCase[n.ID]:
			v.Reports = append(v.Reports, netLink{ID: id, Label: q.L.T("case.report") + " " + shortID(id)})
		case n.Type == links.NodeHidden:
			v.Hidden = append(v.Hidden, netHidden{Identifier: labels[hangs[n.ID]], Count: n.Count})
		}
	}
	return v
}

func (s *site) network(w http.ResponseWriter, q *req) error {
	c, err := s.d.Casework.Get(q.ctx(), q.actor, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	net, err := s.caseNetwork(q, c)
	if err != nil {
		return err
	}
	v := s.newView(q, "network.title")
	v.Data = listNetwork(q, c, net)
	s.render(w, q, http.StatusOK, "network", v)
	return nil
}

func (s *site) graphJSON(w http.ResponseWriter, q *req) error {
	c, err := s.d.Casework.Get(q.ctx(), q.actor, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	net, err := s.caseNetwork(q, c)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(s.buildGraph(q, c, net))
}
