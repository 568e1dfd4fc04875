package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
)

// The staff intake form (/app/intake): a report that came by phone, in
// person, in a chat or by letter, entered by the staff member who took it.
// It has the public form's fields (the "report-fields" partial) and goes
// through the same intake.Service.Submit (one door), which records the
// staff member as who took it; the page then shows the tracking code and
// secret for staff to pass on.

// intakeForm is the staff intake page's data.
type intakeForm struct {
	*reportForm
	Channels  []string
	Languages []string
	Today     string
	// Ack is the filed report's acknowledgement, shown once after filing.
	Ack *intake.Ack
}

// intakeLanguages are the narrative languages the form offers.
var intakeLanguages = []string{"en", "zh", "km", "th", "vi", "id"}

// mountIntake adds the staff intake form.
func (s *site) mountIntake(mux *http.ServeMux) {
	mux.Handle("GET /app/intake", s.staffPage(false, s.intakeForm))
	mux.Handle("POST /app/intake", s.staffPage(false, s.intakeSubmit))
}

func canIntake(a auth.Actor) bool {
	return a.Role != auth.Integration && auth.Can(a, auth.CreateReport, auth.Resource{OrgID: a.OrgID})
}

func (s *site) intakeView(q *req) *view {
	v := s.newView(q, "intake.title")
	v.Data = &intakeForm{reportForm: s.reportFormData(), Channels: intakeChannels(), Languages: intakeLanguages, Today: time.Now().In(q.L.Zone()).Format(time.DateOnly)}
	return v
}

// intakeChannels are the staff channels a report can be entered as: every
// staff channel that is also a report channel.
func intakeChannels() []string {
	return slices.DeleteFunc(slices.Clone(intake.StaffChannels), func(c string) bool { return !slices.Contains(intake.Channels, c) })
}

func (s *site) intakeForm(w http.ResponseWriter, q *req) error {
	if !canIntake(q.actor) {
		return auth.ErrForbidden
	}
	v := s.intakeView(q)
	v.Form.Set("language", q.L.Code)
	v.Form.Set("contacted_on", v.Data.(*intakeForm).Today)
	s.render(w, q, http.StatusOK, "intake", v)
	return nil
}

func (s *site) intakeSubmit(w http.ResponseWriter, q *req) error {
	if !canIntake(q.actor) {
		return auth.ErrForbidden
	}
	if err := q.r.ParseForm(); err != nil {
		return err
	}
	v := s.intakeView(q)
	v.Form = q.r.PostForm
	f := v.Form
	sub := submissionFrom(f, strings.TrimSpace(f.Get("language")))
	sub.Channel = f.Get("channel")
	sub.ContactedOn = strings.TrimSpace(f.Get("contacted_on"))
	// The form offers staff channels only; the service checks the rest.
	if !slices.Contains(intakeChannels(), sub.Channel) {
		return s.intakeError(w, q, v, invalid.Field("channel", "invalid_value", "%q is not one of %s", sub.Channel, strings.Join(intakeChannels(), ", ")))
	}
	ack, err := s.d.Intake.Submit(q.ctx(), q.actor, sub)
	if err != nil {
		return s.intakeError(w, q, v, err)
	}
	v.Data.(*intakeForm).Ack = ack
	v.Form = nil
	v.Notice = q.L.T("intake.done")
	s.render(w, q, http.StatusCreated, "intake", v)
	return nil
}

// intakeError shows the form again with what was typed and the refusal
// beside its field, or returns err when it is not a refusal.
func (s *site) intakeError(w http.ResponseWriter, q *req, v *view, err error) error {
	msg, ok := s.refusal(q, err)
	if !ok {
		return err
	}
	v.Error = msg
	if fe, isField := invalid.As(err); isField {
		field := formField(fe.Field)
		switch fe.Field {
		case "channel", "contacted_on", "language":
			field = fe.Field
		}
		if field != "" {
			v.Errors[field] = msg
			v.Error = q.L.T("err.check_fields")
		}
	}
	s.render(w, q, answer.Of(err).Status, "intake", v)
	return nil
}
