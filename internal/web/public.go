package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/api"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// Nationalities offered on the report form, most frequent among victims
// first; anything else goes in the narrative.
var Nationalities = []string{"KH", "CN", "TW", "TH", "VN", "MM", "LA", "ID", "PH", "MY", "IN", "KE", "UG", "ET"}

// Relationships are how a reporter can be related to the person held.
var Relationships = []string{"self", "family", "friend", "other"}

// reportForm is what the report template needs besides the typed values.
type reportForm struct {
	IncidentTypes []string
	AgeBands      []string
	Genders       []string
	Nationalities []string
	Relationships []string
	Places        []string
}

func (s *site) reportFormData() *reportForm {
	return &reportForm{IncidentTypes: intake.IncidentTypes, AgeBands: intake.AgeBands, Genders: intake.Genders,
		Nationalities: Nationalities, Relationships: Relationships, Places: placeSuggestions()}
}

// placeSuggestions lists the gazetteer's names and aliases for the place
// field's datalist, so a reporter can pick the spelling they know.
func placeSuggestions() []string {
	var out []string
	for _, p := range gazetteer.Default().All() {
		out = append(out, p.Name)
		out = append(out, p.Aliases...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (s *site) reportForm(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = s.reportFormData()
	s.render(w, q, http.StatusOK, "report", v)
	return nil
}

// receiptCookie carries the new report's secret from the form post to the
// receipt page, once, so the secret never appears in a URL.
const receiptCookie = "vigil_receipt"

// MaxAttachments is how many files the report form takes.
const MaxAttachments = 3

// formFile is an attachment read from the report form.
type formFile struct {
	name string
	data []byte
}

// readAttachments reads and checks the form's files before anything is
// stored, so a bad file never leaves a half-filed report.
func readAttachments(r *http.Request) ([]formFile, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []formFile
	for _, fh := range r.MultipartForm.File["attachment"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		if len(out) == MaxAttachments {
			return nil, invalid.Field("attachment", "too_many", "at most %d files", MaxAttachments)
		}
		if fh.Size > intake.MaxAttachment {
			return nil, invalid.Field("attachment", "too_large", "%q is larger than %d bytes", fh.Filename, intake.MaxAttachment)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, invalid.Field("attachment", "unreadable", "%q could not be read", fh.Filename)
		}
		data, err := io.ReadAll(io.LimitReader(f, intake.MaxAttachment+1))
		f.Close()
		if err != nil {
			return nil, invalid.Field("attachment", "unreadable", "%q could not be read", fh.Filename)
		}
		if _, err := intake.CheckAttachment("attachment", data); err != nil {
			return nil, err
		}
		out = append(out, formFile{name: fh.Filename, data: data})
	}
	return out, nil
}

func (s *site) reportSubmit(w http.ResponseWriter, q *req) error {
	var err error
	if strings.HasPrefix(q.r.Header.Get("Content-Type"), "multipart/form-data") {
		err = q.r.ParseMultipartForm(2 << 20)
	} else {
		err = q.r.ParseForm()
	}
	if err != nil {
		return &statusError{http.StatusRequestEntityTooLarge, "err.too_large"}
	}
	defer func() {
		if q.r.MultipartForm != nil {
			q.r.MultipartForm.RemoveAll()
		}
	}()
	f := q.r.PostForm
	v := s.publicView(q)
	v.Form = f
	v.Data = s.reportFormData()
	if !s.limit.allow(q.r) {
		v.Error = q.L.T("err.rate_limited")
		s.render(w, q, http.StatusTooManyRequests, "report", v)
		return nil
	}
	files, err := readAttachments(q.r)
	var ack *intake.Ack
	if err == nil {
		ack, err = s.d.Intake.Submit(q.ctx(), auth.Actor{}, submissionFrom(f, q.L.Code))
	}
	if err != nil {
		fe, ok := invalid.As(err)
		if !ok {
			return err
		}
		field := formField(fe.Field)
		msg := s.fieldMessage(q.L, fe)
		if field == "" {
			v.Error = msg
		} else {
			v.Errors[field] = msg
			v.Error = q.L.T("err.check_fields")
		}
		s.render(w, q, http.StatusUnprocessableEntity, "report", v)
		return nil
	}
	for _, ff := range files {
		// The report is stored; a file that fails now is logged, and the
		// reporter can still send it later with the tracking code.
		if _, err := s.d.Intake.AttachWithSecret(q.ctx(), ack.TrackingCode, ack.Secret, ff.name, ff.data); err != nil {
			s.log.ErrorContext(q.ctx(), "web: attachment", "report", ack.ID, "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: ack.TrackingCode + "|" + ack.Secret, Path: "/receipt/",
		MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.d.Cfg.SecureCookies})
	return redirect(w, q, "/receipt/"+url.PathEscape(ack.TrackingCode))
}

// submissionFrom builds a submission from the report form.
func submissionFrom(f url.Values, lang string) *intake.Submission {
	get := func(k string) string { return strings.TrimSpace(f.Get(k)) }
	sub := &intake.Submission{Language: lang, Channel: "web", Narrative: f.Get("narrative"), JobAd: strings.TrimSpace(f.Get("job_ad"))}
	for _, t := range f["incident_type"] {
		if !slices.Contains(sub.IncidentTypes, t) {
			sub.IncidentTypes = append(sub.IncidentTypes, t)
		}
	}
	for _, p := range strings.FieldsFunc(f.Get("place"), func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == ';' || r == '\n' }) {
		if p = strings.TrimSpace(p); p != "" {
			sub.Places = append(sub.Places, intake.PlaceIn{Name: p})
		}
	}
	vi := intake.VictimIn{Name: get("victim_name"), Nationality: get("victim_nationality"), AgeBand: get("victim_age_band"),
		Gender: get("victim_gender"), StillHeld: get("still_held") == "yes"}
	if vi != (intake.VictimIn{}) || get("still_held") != "" {
		sub.Victims = []intake.VictimIn{vi}
	}
	rp := intake.Reporter{Name: get("reporter_name"), Contact: get("reporter_contact"), Relationship: get("relationship")}
	if rp.Name != "" || rp.Contact != "" || rp.Relationship != "" {
		safe := get("safe_to_contact") == "yes"
		rp.SafeToContact = &safe
		sub.Reporter = &rp
	}
	return sub
}

// formField maps a submission field ("victims[0].nationality") to the
// form's input name ("victim_nationality"); "" for the page as a whole.
func formField(field string) string {
	switch {
	case field == "narrative", field == "job_ad", field == "attachment":
		return field
	case strings.HasPrefix(field, "places"):
		return "place"
	case strings.HasPrefix(field, "incident_types"):
		return "incident_type"
	case strings.HasPrefix(field, "victims"):
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			return "victim_" + field[i+1:]
		}
		return "victim_name"
	case field == "reporter.relationship":
		return "relationship"
	case strings.HasPrefix(field, "reporter."):
		return "reporter_" + strings.TrimPrefix(field, "reporter.")
	}
	return ""
}

// receiptView is the receipt page's data.
type receiptView struct {
	Code, Secret string
	Status       string
	LastAction   string
	// Download says whether the ledger receipt can be downloaded.
	Download bool
}

func (s *site) receipt(w http.ResponseWriter, q *req) error {
	code := q.r.PathValue("code")
	v := s.publicView(q)
	rv := &receiptView{Code: code}
	if c, err := q.r.Cookie(receiptCookie); err == nil {
		if cc, secret, ok := strings.Cut(c.Value, "|"); ok && cc == code {
			if st, err := s.d.Intake.Track(q.ctx(), code, secret); err == nil {
				rv.Secret, rv.Status, rv.LastAction = secret, st.Status, st.LastAction
				rv.Download = s.d.Receipts != nil
			}
		}
		// Shown once: the secret leaves the browser with this page.
		http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: "", Path: "/receipt/", MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.d.Cfg.SecureCookies})
	}
	v.Data = rv
	s.render(w, q, http.StatusOK, "receipt", v)
	return nil
}

func (s *site) receiptDownload(w http.ResponseWriter, q *req) error {
	if s.d.Receipts == nil {
		return errNotFound
	}
	if !s.limit.allow(q.r) {
		return &statusError{http.StatusTooManyRequests, "err.rate_limited"}
	}
	code, secret := strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("code"))), strings.TrimSpace(q.r.PostFormValue("secret"))
	b, err := s.d.Receipts.ReceiptFor(q.ctx(), code, secret)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &statusError{http.StatusNotFound, "track.not_found"}
		}
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="receipt.json"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
	return nil
}

// trackView is the track page's data.
type trackView struct {
	Status     string
	LastAction string
}

func (s *site) trackForm(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = &trackView{}
	s.render(w, q, http.StatusOK, "track", v)
	return nil
}

func (s *site) trackSubmit(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	code := strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("code")))
	secret := strings.TrimSpace(q.r.PostFormValue("secret"))
	v.Form = url.Values{"code": {code}}
	tv := &trackView{}
	v.Data = tv
	status := http.StatusOK
	switch {
	case !s.limit.allow(q.r):
		v.Error, status = q.L.T("err.rate_limited"), http.StatusTooManyRequests
	case code == "" || len(code) > 40:
		v.Errors["code"], status = q.L.T("err.code.required"), http.StatusUnprocessableEntity
	case secret == "" || len(secret) > 100:
		v.Errors["secret"], status = q.L.T("err.code.required"), http.StatusUnprocessableEntity
	default:
		st, err := s.d.Intake.Track(q.ctx(), code, secret)
		if errors.Is(err, store.ErrNotFound) {
			v.Error, status = q.L.T("track.not_found"), http.StatusNotFound
			break
		}
		if err != nil {
			return err
		}
		tv.Status, tv.LastAction = st.Status, st.LastAction
	}
	s.render(w, q, status, "track", v)
	return nil
}

// checkView is the check page's data.
type checkView struct {
	Asked       bool
	Unavailable bool
	Answer      *CheckAnswer
}

func (s *site) checkForm(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = &checkView{}
	s.render(w, q, http.StatusOK, "check", v)
	return nil
}

// MaxCheck is the longest text the check page accepts (a pasted job ad).
const MaxCheck = 5000

func (s *site) checkSubmit(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	text := strings.TrimSpace(q.r.PostFormValue("q"))
	v.Form = url.Values{"q": {text}}
	cv := &checkView{}
	v.Data = cv
	status := http.StatusOK
	switch {
	case !s.limit.allow(q.r):
		v.Error, status = q.L.T("err.rate_limited"), http.StatusTooManyRequests
	case text == "":
		v.Errors["q"], status = q.L.T("err.code.required"), http.StatusUnprocessableEntity
	case len([]rune(text)) > MaxCheck:
		v.Errors["q"], status = q.L.T("err.code.too_long"), http.StatusUnprocessableEntity
	case s.d.Checker == nil:
		cv.Asked, cv.Unavailable = true, true
	default:
		ans, err := s.d.Checker.Check(q.ctx(), text)
		if err != nil {
			if fe, ok := invalid.As(err); ok {
				v.Errors["q"], status = s.fieldMessage(q.L, fe), http.StatusUnprocessableEntity
				break
			}
			return err
		}
		cv.Asked, cv.Answer = true, ans
	}
	s.render(w, q, status, "check", v)
	return nil
}

// weather is the neutral page "leave quickly" goes to.
func (s *site) weather(w http.ResponseWriter, q *req) error {
	v := s.newView(q, "weather.title")
	s.render(w, q, http.StatusOK, "weather", v)
	return nil
}

func (s *site) loginForm(w http.ResponseWriter, q *req) error {
	if _, err := s.sessionActor(q.r); err == nil {
		return redirect(w, q, "/app")
	}
	v := s.newView(q, "login.title")
	v.Form = url.Values{"next": {q.r.URL.Query().Get("next")}}
	s.render(w, q, http.StatusOK, "login", v)
	return nil
}

func (s *site) loginSubmit(w http.ResponseWriter, q *req) error {
	f := url.Values{"email": {q.r.PostFormValue("email")}, "next": {q.r.PostFormValue("next")}}
	v := s.newView(q, "login.title")
	v.Form = f
	if !s.limit.allow(q.r) {
		v.Error = q.L.T("err.rate_limited")
		s.render(w, q, http.StatusTooManyRequests, "login", v)
		return nil
	}
	value, _, err := s.d.Staff.Login(q.ctx(), q.r.PostFormValue("email"), q.r.PostFormValue("password"), q.r.PostFormValue("code"))
	switch {
	case errors.Is(err, staff.ErrSecondFactor):
		v.Errors["code"] = q.L.T("login.need_code")
		s.render(w, q, http.StatusUnauthorized, "login", v)
		return nil
	case errors.Is(err, invalid.ErrUnauthenticated):
		v.Error = q.L.T("login.failed")
		s.render(w, q, http.StatusUnauthorized, "login", v)
		return nil
	case err != nil:
		return err
	}
	http.SetCookie(w, s.sessionCookie(value, 0))
	next := f.Get("next")
	if !strings.HasPrefix(next, "/app") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		next = "/app"
	}
	return redirect(w, q, next)
}

// sessionCookie is the staff session cookie: HttpOnly, SameSite=Strict,
// Secure unless configured off; it lives as long as the browser session and
// the server ends it after SessionTTL without activity.
func (s *site) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: api.SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.d.Cfg.SecureCookies}
}

func (s *site) logout(w http.ResponseWriter, q *req) error {
	if c, err := q.r.Cookie(api.SessionCookie); err == nil {
		if err := s.d.Staff.Logout(q.ctx(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, s.sessionCookie("", -1))
	return redirect(w, q, "/login")
}

// home sends each role to where its work is.
func (s *site) home(w http.ResponseWriter, q *req) error {
	switch q.actor.Role {
	case auth.Partner:
		return redirect(w, q, "/app/referrals")
	case auth.Admin, auth.Operator:
		return redirect(w, q, "/app/admin")
	}
	return redirect(w, q, "/app/triage")
}
