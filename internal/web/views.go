package web

import (
	"net/http"
	"net/url"

	"github.com/vigil-project/vigil/internal/views"
)

// Saved list views on the triage queue and the case list: package views
// checks and keeps them, as it does for /api/v1/views.

// savedViews is the saved-views box of a list page.
type savedViews struct {
	List  string
	Views []savedLink
	// Query is the page's filters as a view would keep them.
	Query string
}

// savedLink is a saved view with the address that opens it.
type savedLink struct {
	views.View
	URL string
}

// mountViews adds the saved views' forms.
func (s *site) mountViews(mux *http.ServeMux) {
	mux.Handle("POST /app/views", s.staffPage(true, s.viewSave))
	mux.Handle("POST /app/views/{id}/delete", s.staffPage(true, s.viewDelete))
}

// loadViews fills the saved-views box of list for q's actor; nil when the
// service is absent or the actor keeps no views of it.
func (s *site) loadViews(q *req, list string, f url.Values) *savedViews {
	if s.d.Views == nil {
		return nil
	}
	vs, err := s.d.Views.List(q.ctx(), q.actor, list)
	if err != nil {
		s.log.WarnContext(q.ctx(), "web: saved views", "list", list, "err", err)
		return nil
	}
	keep := url.Values{}
	for k, v := range f {
		if k != "after" && k != "before" && k != "done" && k != "lang" {
			keep[k] = v
		}
	}
	sv := &savedViews{List: list, Query: keep.Encode()}
	for _, v := range vs {
		u := listPath(v.List)
		if v.Query != "" {
			u += "?" + v.Query
		}
		sv.Views = append(sv.Views, savedLink{View: v, URL: u})
	}
	return sv
}

// listPath is where a list's page is.
func listPath(list string) string {
	if list == views.Triage {
		return "/app/triage"
	}
	return "/app/cases"
}

func (s *site) viewSave(w http.ResponseWriter, q *req) error {
	if s.d.Views == nil {
		return errNotFound
	}
	in := &views.In{List: q.r.PostFormValue("list"), Name: q.r.PostFormValue("name"), Query: q.r.PostFormValue("query")}
	v, err := s.d.Views.Save(q.ctx(), q.actor, in)
	if err != nil {
		return err
	}
	to := listPath(v.List)
	if v.Query != "" {
		to += "?" + v.Query
	}
	return redirect(w, q, to)
}

func (s *site) viewDelete(w http.ResponseWriter, q *req) error {
	if s.d.Views == nil {
		return errNotFound
	}
	if err := s.d.Views.Delete(q.ctx(), q.actor, q.r.PathValue("id")); err != nil {
		return err
	}
	list := q.r.PostFormValue("list")
	if list != views.Triage {
		list = views.Cases
	}
	return redirect(w, q, listPath(list))
}
