package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/links"
)

// The protected identifiers page: coordinators and admins register their
// organisation's own and partners' contacts, which the public check then
// answers as known legitimate contacts (links.Service.Protect). The link
// service authorises, normalises and audits; the page only shows it.

func canProtect(a auth.Actor) bool {
	return auth.Can(a, auth.ManageProtected, auth.Resource{OrgID: a.OrgID})
}

// protectedPage renders the list and the form, with the notice or the
// refusal given.
func (s *site) protectedPage(w http.ResponseWriter, q *req, status int, notice string, refused error) error {
	items, err := s.d.Links.ListProtected(q.ctx(), q.actor)
	if err != nil {
		return err
	}
	v := s.newView(q, "protected.title")
	v.Data = struct{ Items []links.ProtectedView }{items}
	v.Notice = notice
	if refused != nil {
		msg, ok := s.refusal(q, refused)
		if !ok {
			return refused
		}
		v.Form = q.r.PostForm
		v.Errors["protected"] = msg
		v.Error = msg
	}
	s.render(w, q, status, "protected", v)
	return nil
}

func (s *site) protected(w http.ResponseWriter, q *req) error {
	notice := ""
	switch q.r.URL.Query().Get("done") {
	case "added":
		notice = q.L.T("protected.done.added")
	case "removed":
		notice = q.L.T("protected.done.removed")
	}
	return s.protectedPage(w, q, http.StatusOK, notice, nil)
}

func (s *site) protectedAdd(w http.ResponseWriter, q *req) error {
	in := &links.ProtectIn{Value: q.r.PostFormValue("value"), Country: strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("country"))), Note: q.r.PostFormValue("note")}
	if _, err := s.d.Links.Protect(q.ctx(), q.actor, in); err != nil {
		return s.protectedPage(w, q, answer.Of(err).Status, "", err)
	}
	return redirect(w, q, "/app/protected?done=added")
}

func (s *site) protectedRemove(w http.ResponseWriter, q *req) error {
	if err := s.d.Links.Unprotect(q.ctx(), q.actor, q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, q, "/app/protected?done=removed")
}

// reportVerified sets or takes back a report's verified mark from the
// report page (links.Service.SetVerified authorises and audits).
func (s *site) reportVerified(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	if _, err := s.d.Links.SetVerified(q.ctx(), q.actor, id, &links.VerifyIn{Verified: q.r.PostFormValue("verified") == "yes"}); err != nil {
		return err
	}
	return redirect(w, q, "/app/reports/"+url.PathEscape(id))
}
