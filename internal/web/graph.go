package web

import (
	"encoding/json"
	"net/http"

	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/links"
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

func (s *site) buildGraph(q *req, c *casework.CaseView) *graph {
	g := &graph{Nodes: []graphNode{}, Edges: []graphEdge{}, seen: map[string]bool{}}
	caseNode := "case:" + c.ID
	g.node(caseNode, c.Title, "case", "/app/cases/"+c.ID)
	for _, r := range c.Reports {
		rn := "report:" + r.ID
		g.node(rn, q.L.T("case.report")+" "+shortID(r.ID), "report", "")
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
	return g
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
		label := id.Value
		switch id.Kind {
		case "phone", "email", "url", "domain", "telegram":
			// The value says what it is.
		default:
			label = id.Kind + " " + id.Value // whatsapp +855…, line …, tron T…
		}
		n := "identifier:" + id.ID
		g.node(n, label, "identifier", "")
		g.edge(reportNode, n, id.Role)
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

func (s *site) network(w http.ResponseWriter, q *req) error {
	c, err := s.d.Casework.Get(q.ctx(), q.actor, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	v := s.newView(q, "network.title")
	v.Data = c
	s.render(w, q, http.StatusOK, "network", v)
	return nil
}

func (s *site) graphJSON(w http.ResponseWriter, q *req) error {
	c, err := s.d.Casework.Get(q.ctx(), q.actor, q.r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(s.buildGraph(q, c))
}
