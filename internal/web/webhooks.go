package web

import (
	"net/http"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/webhooks"
)

// The webhooks page (/app/admin/webhooks): an organisation's admins and
// coordinators register, switch off and on, and delete the HTTPS endpoints its events go to,
// and see each one's latest deliveries. The webhooks service authorises,
// validates, audits and sends; the page only shows it.

// webhookDeliveriesShown is how many of an endpoint's deliveries the page
// lists.
const webhookDeliveriesShown = 10

func canWebhooks(a auth.Actor) bool {
	return auth.Can(a, auth.ManageWebhooks, auth.Resource{OrgID: a.OrgID})
}

func (s *site) mountWebhooks(mux *http.ServeMux) {
	if s.d.Webhooks == nil {
		return
	}
	mux.Handle("GET /app/admin/webhooks", s.staffPage(false, s.webhooksList))
	mux.Handle("POST /app/admin/webhooks", s.staffPage(false, s.webhooksAdd))
	mux.Handle("POST /app/admin/webhooks/{id}/deleted", s.staffPage(false, s.webhooksDelete))
	mux.Handle("POST /app/admin/webhooks/{id}/enabled", s.staffPage(false, s.webhooksSwitch))
}

// webhookRow is an endpoint with its latest deliveries.
type webhookRow struct {
	webhooks.Endpoint
	Deliveries []webhooks.Delivery
}

// webhooksPage renders the list and the form, with the notice, the new
// secret (shown this once) or the refusal given.
func (s *site) webhooksPage(w http.ResponseWriter, q *req, status int, notice string, created *webhooks.Created, refused error) error {
	es, err := s.d.Webhooks.List(q.ctx(), q.actor)
	if err != nil {
		return err
	}
	rows := make([]webhookRow, 0, len(es))
	for _, e := range es {
		ds, err := s.d.Webhooks.Deliveries(q.ctx(), q.actor, e.ID, webhookDeliveriesShown)
		if err != nil {
			return err
		}
		rows = append(rows, webhookRow{Endpoint: e, Deliveries: ds})
	}
	v := s.newView(q, "webhooks.title")
	data := struct {
		Items   []webhookRow
		Events  []string
		Created *webhooks.Created
	}{rows, webhooks.Events, created}
	v.Data = data
	v.Notice = notice
	if refused != nil {
		msg, ok := s.refusal(q, refused)
		if !ok {
			return refused
		}
		v.Form = q.r.PostForm
		v.Errors["webhook"] = msg
		v.Error = msg
	}
	s.render(w, q, status, "webhooks", v)
	return nil
}

func (s *site) webhooksList(w http.ResponseWriter, q *req) error {
	notice := ""
	switch done := q.r.URL.Query().Get("done"); done {
	case "deleted", "disabled", "enabled":
		notice = q.L.T("webhooks.done." + done)
	}
	return s.webhooksPage(w, q, http.StatusOK, notice, nil, nil)
}

func (s *site) webhooksAdd(w http.ResponseWriter, q *req) error {
	in := &webhooks.EndpointIn{URL: q.r.PostFormValue("url"), Events: q.r.PostForm["events"]}
	c, err := s.d.Webhooks.Create(q.ctx(), q.actor, in)
	if err != nil {
		return s.webhooksPage(w, q, answer.Of(err).Status, "", nil, err)
	}
	// The secret is shown on this answer only: no redirect to a page that
	// could show it again.
	return s.webhooksPage(w, q, http.StatusOK, q.L.T("webhooks.done.added"), c, nil)
}

func (s *site) webhooksDelete(w http.ResponseWriter, q *req) error {
	if err := s.d.Webhooks.Delete(q.ctx(), q.actor, q.r.PathValue("id")); err != nil {
		return err
	}
	return redirect(w, q, "/app/admin/webhooks?done=deleted")
}

// webhooksSwitch switches an endpoint off (enabled=false) or on again.
func (s *site) webhooksSwitch(w http.ResponseWriter, q *req) error {
	on := q.r.PostFormValue("enabled") == "true"
	if _, err := s.d.Webhooks.SetEnabled(q.ctx(), q.actor, q.r.PathValue("id"), on); err != nil {
		return err
	}
	done := "disabled"
	if on {
		done = "enabled"
	}
	return redirect(w, q, "/app/admin/webhooks?done="+done)
}
