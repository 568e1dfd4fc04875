package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
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
		text := q.L.T("notify." + n.Kind)
		if n.ActorID != "" {
			text = q.L.T("notify."+n.Kind, who)
		}
		items = append(items, noticeItem{ID: n.ID, Text: text, URL: notify.Path(n.ObjectType, n.ObjectID), At: n.CreatedAt, Read: n.Read})
	}
	settings, err := s.d.Notify.Settings(q.ctx(), q.actor)
	if err != nil {
		return err
	}
	// An organisation's admins see the e-mail that failed; for anyone
	// else the service refuses, and the section is not shown.
	failures, err := s.d.Notify.Failures(q.ctx(), q.actor)
	if err != nil && !errors.Is(err, auth.ErrForbidden) {
		return err
	}
	admin := err == nil
	type failureRow struct {
		*notify.Failure
		Next time.Time
	}
	rows := make([]failureRow, len(failures))
	for i, f := range failures {
		rows[i].Failure = f
		if f.NextAt != nil {
			rows[i].Next = *f.NextAt
		}
	}
	langs := make([]*Locale, 0, len(localeOrder))
	for _, code := range localeOrder {
		if l, ok := s.locales[code]; ok {
			langs = append(langs, l)
		}
	}
	v := s.newView(q, "notify.title")
	v.Data = struct {
		Items    []noticeItem
		More     string
		Settings *notify.Settings
		Modes    []string
		Langs    []*Locale
		MailOn   bool
		Admin    bool
		Failures []failureRow
	}{items, more(ns), settings, []string{notify.MailEach, notify.MailDigest, notify.MailNone}, langs, s.d.Notify.MailEnabled(), admin, rows}
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

// notificationSettings changes how the staff member is told by e-mail.
func (s *site) notificationSettings(w http.ResponseWriter, q *req) error {
	in := &notify.Settings{Mail: q.r.PostFormValue("mail"), Lang: q.r.PostFormValue("lang")}
	if _, err := s.d.Notify.SetSettings(q.ctx(), q.actor, in); err != nil {
		return err
	}
	return redirect(w, q, "/app/notifications")
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
