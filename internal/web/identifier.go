package web

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/links"
)

// The identifier page: where an identifier was seen, as links.Service
// decides the viewer may see it (as GET /api/v1/identifiers/{id} does).

// identifierView is the identifier page's data.
type identifierView struct {
	P *links.IdentifierPage
	// Limit is how many reports were asked for; More says there are
	// readable reports beyond it.
	Limit int
	More  bool
}

func (s *site) identifierPage(w http.ResponseWriter, q *req) error {
	if s.d.Links == nil {
		return errNotFound
	}
	const limit = 50
	p, err := s.d.Links.Identifier(q.ctx(), q.actor, q.r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	v := s.newView(q, "ident.title")
	v.Data = &identifierView{P: p, Limit: limit, More: p.Readable > len(p.Reports)}
	s.render(w, q, http.StatusOK, "identifier", v)
	return nil
}
