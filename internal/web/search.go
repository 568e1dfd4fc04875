package web

import (
	"net/http"
	"net/url"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/search"
)

// searchView is the search results page.
type searchView struct {
	Query   string
	Page    *search.Page
	Partner bool
	// Next is the URL of the next page, if any.
	Next string
}

// searchPage answers GET /app/search?q=…&cursor=…: the results, or the
// search form again with the refused field's message.
func (s *site) searchPage(w http.ResponseWriter, q *req) error {
	if s.d.Search == nil || !auth.Can(q.actor, auth.Search, auth.Resource{OrgID: q.actor.OrgID}) {
		return errNotFound
	}
	f := q.r.URL.Query()
	v := s.newView(q, "search.title")
	v.Form = f
	sv := &searchView{Query: f.Get("q"), Partner: q.actor.Role == auth.Partner}
	v.Data = sv
	if sv.Query == "" {
		s.render(w, q, http.StatusOK, "search", v)
		return nil
	}
	p, err := s.d.Search.Search(q.ctx(), q.actor, sv.Query, search.DefaultLimit, f.Get("cursor"))
	if fe, ok := invalid.As(err); ok {
		v.Error = s.fieldMessage(q.L, fe)
		v.Errors["q"] = v.Error
		s.render(w, q, http.StatusUnprocessableEntity, "search", v)
		return nil
	}
	if err != nil {
		return err
	}
	sv.Page = p
	if p.NextCursor != "" {
		sv.Next = "/app/search?q=" + url.QueryEscape(sv.Query) + "&cursor=" + url.QueryEscape(p.NextCursor) + "&lang=" + url.QueryEscape(q.L.Code)
	}
	s.render(w, q, http.StatusOK, "search", v)
	return nil
}

// canSearch tells the layout whether to show the search box.
func canSearch(a auth.Actor) bool {
	return !a.Public() && auth.Can(a, auth.Search, auth.Resource{OrgID: a.OrgID})
}
