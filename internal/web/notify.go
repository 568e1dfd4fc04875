package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/notify"
)

// noticeItem is one notification as the bell's page shows it: a sentence
// and where it leads.
type noticeItem struct {
	ID, Text, URL string
	At            time.Time
	Read          bool
}

// notifications lists the staff member's notifications, newest first.
func (s *site) notifications(w http.ResponseWriter, q *req) error {
	ns, err := s.d.Notify.List(q.ctx(), q.actor, q.r.URL.Query().Get("before"), 50)
	if err != nil {
		return err
	}
	names := map[string]string{}
	items := make([]noticeItem, 0, len(ns))
	for _, n := range ns {
		who, ok := names[n.ActorID]
		if !ok {
			who = q.L.T("notify.someone")
			if u, err := s.d.DB.Read().GetUser(q.ctx(), n.ActorID); err == nil {
				who = u.Name
			}
			names[n.ActorID] = who
		}
		items = append(items, noticeItem{ID: n.ID, Text: q.L.T("notify."+n.Kind, who), URL: objectURL(n), At: n.CreatedAt.In(displayZone), Read: n.Read})
	}
	v := s.newView(q, "notify.title")
	v.Data = struct {
		Items []noticeItem
		More  string
	}{items, more(ns)}
	s.render(w, q, http.StatusOK, "notifications", v)
	return nil
}

// more is the cursor of the next page: the last id of a full page.
func more(ns []*notify.View) string {
	if len(ns) < 50 {
		return ""
	}
	return ns[len(ns)-1].ID
}

// objectURL is the page of a notification's object.
func objectURL(n *notify.View) string {
	switch n.ObjectType {
	case "case":
		return "/app/cases/" + url.PathEscape(n.ObjectID)
	case "report":
		return "/app/reports/" + url.PathEscape(n.ObjectID)
	}
	return "/app/notifications"
}

// notificationsRead marks one notification read and opens its object, or
// marks all read and shows the list again.
func (s *site) notificationsRead(w http.ResponseWriter, q *req) error {
	id := q.r.PathValue("id")
	if err := s.d.Notify.MarkRead(q.ctx(), q.actor, id); err != nil {
		return err
	}
	to := q.r.PostFormValue("to")
	if id == "" || !isLocalPath(to) {
		to = "/app/notifications"
	}
	return redirect(w, q, to)
}

// isLocalPath reports whether p is a path of this site's workspace, never
// another host: where a form may send the browser next.
func isLocalPath(p string) bool {
	return strings.HasPrefix(p, "/app") && !strings.HasPrefix(p, "//") && !strings.ContainsAny(p, "\\\r\n")
}
