package web

import (
	"net/http"
	"net/url"

	"github.com/vigil-project/vigil/internal/intake"
)

// The conversation between staff and a report's reporter: staff write
// from the report's block (case page or report page), the reporter reads
// and answers on the track page with the tracking code and secret. intake
// decides, authorises, seals and audits, as it does for the API. Nothing
// about the conversation is kept in the reporter's browser: the code and
// secret come back in each form post, never in a cookie or the address.

// mountTalk adds the staff's and the reporter's message forms.
func (s *site) mountTalk(mux *http.ServeMux) {
	mux.Handle("POST /app/reports/{id}/messages", s.staffPage(false, s.reportMessage))
	mux.Handle("POST /track/messages", s.public(s.trackReply))
}

func (s *site) reportMessage(w http.ResponseWriter, q *req) error {
	id, caseID := q.r.PathValue("id"), q.r.PostFormValue("case")
	m, err := s.d.Intake.WriteToReporter(q.ctx(), q.actor, id, &intake.MessageIn{Text: q.r.PostFormValue("text")})
	if err != nil {
		if caseID != "" {
			return s.actionError(w, q, caseID, "message:"+id, err)
		}
		return err
	}
	if caseID != "" {
		return redirect(w, q, "/app/cases/"+url.PathEscape(caseID)+"?done=message_sent#msg-"+m.ID)
	}
	return redirect(w, q, "/app/reports/"+url.PathEscape(id)+"#msg-"+m.ID)
}

// trackReply adds the reporter's answer and shows the track page again,
// with the conversation.
func (s *site) trackReply(w http.ResponseWriter, q *req) error {
	return s.track(w, q, true)
}
