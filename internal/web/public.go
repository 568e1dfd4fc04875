package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/gazetteer"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/links"
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

// reportInputs are the report form's text inputs and the most bytes each
// may carry (a character is at most 4 bytes of UTF-8). Anything longer is
// refused, naming the input, before more of the body is read.
var reportInputs = map[string]int{
	"narrative": 4 * intake.MaxNarrative, "job_ad": 4 * intake.MaxNarrative, "place": 4 * intake.MaxPlaces * intake.MaxName,
	"reporter_name": 4 * intake.MaxName, "reporter_contact": 4 * intake.MaxContact, "relationship": 4 * intake.MaxName,
	"victim_name": 4 * intake.MaxName, "victim_nationality": 16, "victim_age_band": 32, "victim_gender": 32,
	"incident_type": 64, "still_held": 16, "safe_to_contact": 16,
}

// Other limits on a posted report form: bytes of an input it does not
// have (read and dropped) and how many parts it may have in all.
const (
	maxOtherInput = 1 << 10
	maxFormParts  = 64
)

// reportPost is what the report form sent.
type reportPost struct {
	form url.Values
	// uploads are the files received and checked, not yet stored.
	uploads []*intake.Upload
	// refused is why files were left out while the report goes on (an
	// intake.Refused* reason), or "".
	refused string
	// filesChosen says whether the reporter sent any file: if the form is
	// shown again, they must choose the files again.
	filesChosen bool
}

func (p *reportPost) release() {
	for _, u := range p.uploads {
		u.Release()
	}
}

// readReportForm reads the posted report form a part at a time: each text
// input up to its limit, each file through intake.ReceiveUpload (which
// counts it against the upload quotas as it arrives and checks it in full).
// Nothing is written to disk. The returned post is never nil, so what was
// typed can be shown again whatever the error.
func (s *site) readReportForm(q *req) (*reportPost, error) {
	p := &reportPost{form: url.Values{}}
	r := q.r
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		r.Body = http.MaxBytesReader(nil, r.Body, s.d.Cfg.BodyLimit)
		if err := r.ParseForm(); err != nil {
			return p, &statusError{http.StatusRequestEntityTooLarge, "err.too_large"}
		}
		for k, vs := range r.PostForm {
			if _, ok := reportInputs[k]; ok {
				p.form[k] = vs
			}
		}
		return p, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return p, &statusError{http.StatusBadRequest, "err.code.invalid"}
	}
	var text int64
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return p, nil
		}
		if err != nil {
			return p, bodyError(err)
		}
		if n == maxFormParts {
			return p, &statusError{http.StatusRequestEntityTooLarge, "err.too_large"}
		}
		name := part.FormName()
		if name == "attachment" {
			if err := s.readFile(q, p, part); err != nil {
				return p, err
			}
			continue
		}
		limit, known := reportInputs[name]
		if !known {
			limit = maxOtherInput
		}
		b, err := io.ReadAll(io.LimitReader(part, int64(limit)+1))
		if err != nil {
			return p, bodyError(err)
		}
		text += int64(len(b))
		if len(b) > limit {
			if known {
				p.form.Add(name, strings.ToValidUTF8(string(b[:limit]), ""))
			}
			return p, oversize{invalid.Field(name, "too_long", "is longer than %d bytes", limit)}
		}
		if text > s.d.Cfg.BodyLimit {
			return p, &statusError{http.StatusRequestEntityTooLarge, "err.too_large"}
		}
		if known {
			p.form.Add(name, string(b))
		}
	}
}

// readFile receives one file of the report form. Once a quota or the disk
// watermark refuses a file, the later ones are skipped unread (the reader
// moves past them) and the report goes on without them.
func (s *site) readFile(q *req, p *reportPost, part *multipart.Part) error {
	name := part.FileName()
	if name == "" {
		// An empty file input still sends a part.
		if _, err := io.Copy(io.Discard, io.LimitReader(part, 1)); err != nil {
			return bodyError(err)
		}
		return nil
	}
	p.filesChosen = true
	if len(p.uploads) == MaxAttachments {
		return invalid.Field("attachment", "too_many", "at most %d files", MaxAttachments)
	}
	if p.refused != "" {
		return nil
	}
	up, err := s.d.Intake.ReceiveUpload(q.ctx(), s.limit.Key(q.r), "attachment", name, part)
	if re, ok := intake.AsRefused(err); ok {
		p.refused = re.Reason
		return nil
	}
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return bodyError(err)
		}
		return err
	}
	p.uploads = append(p.uploads, up)
	return nil
}

// oversize marks a field refused for its size while the form was read:
// 413, where the same refusal after reading would be 422.
type oversize struct{ err error }

func (e oversize) Error() string { return e.err.Error() }
func (e oversize) Unwrap() error { return e.err }

// bodyError is the page for a body that could not be read: too large, or
// broken off.
func bodyError(err error) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return &statusError{http.StatusRequestEntityTooLarge, "err.too_large"}
	}
	return &statusError{http.StatusBadRequest, "err.code.unreadable"}
}

// refusedFailed is the receipt's reason when a file could not be stored
// for a fault on our side.
const refusedFailed = "failed"

func (s *site) reportSubmit(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = s.reportFormData()
	// The limit comes before the body is read: a refused post costs
	// nothing, and the connection is closed rather than drained.
	if !s.limit.Allow(q.r) {
		w.Header().Set("Connection", "close")
		w.Header().Set("Retry-After", "60")
		v.Error = q.L.T("err.rate_limited_report")
		s.render(w, q, http.StatusTooManyRequests, "report", v)
		return nil
	}
	p, err := s.readReportForm(q)
	v.Form = p.form
	if err != nil {
		p.release()
		// What is left of the body is not read.
		w.Header().Set("Connection", "close")
		return s.reportError(w, q, v, p, err)
	}
	ctx := q.ctx()
	ack, err := s.d.Intake.Submit(ctx, auth.Actor{}, submissionFrom(p.form, q.L.Code))
	if err != nil {
		p.release()
		return s.reportError(w, q, v, p, err)
	}
	refused := p.refused
	for _, up := range p.uploads {
		// The report is stored; a file that fails now is left out and the
		// receipt says so.
		if _, err := s.d.Intake.AttachUpload(ctx, ack.TrackingCode, ack.Secret, up); err != nil {
			if re, ok := intake.AsRefused(err); ok {
				refused = re.Reason
			} else {
				s.log.ErrorContext(ctx, "web: attachment", "report", ack.ID, "err", err)
				refused = refusedFailed
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: receiptCookie, Value: ack.TrackingCode + "|" + ack.Secret + "|" + refused, Path: "/receipt/",
		MaxAge: 600, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: s.d.Cfg.SecureCookies})
	return redirect(w, q, "/receipt/"+url.PathEscape(ack.TrackingCode))
}

// reportError shows the report form again with what was typed and why it
// was not filed: a field to fix (422, or 413 for too much), the database
// unavailable (503: nothing was saved, try again in a minute), or a fault
// of ours (500).
func (s *site) reportError(w http.ResponseWriter, q *req, v *view, p *reportPost, err error) error {
	var se *statusError
	status := http.StatusUnprocessableEntity
	switch fe, isField := invalid.As(err); {
	case store.IsUnavailable(err):
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", answer.RetryOutage)
		v.Error = q.L.T("err.unavailable_report")
	case errors.Is(err, intake.ErrNotAccepting):
		status = http.StatusServiceUnavailable
		v.Error = q.L.T("err.not_accepting_report")
	case errors.As(err, &se):
		status = se.status
		v.Error = q.L.T(se.key)
	case isField:
		if errors.As(err, new(oversize)) || fe.Code == "too_large" {
			status = http.StatusRequestEntityTooLarge
		}
		field := formField(fe.Field)
		if _, ok := reportInputs[fe.Field]; ok {
			field = fe.Field
		}
		msg := s.fieldMessage(q.L, fe)
		if field == "" {
			v.Error = msg
		} else {
			v.Errors[field] = msg
			v.Error = q.L.T("err.check_fields")
		}
	default:
		// A fault of ours: logged, and what was typed is still shown.
		s.log.ErrorContext(q.ctx(), "web: page failed", "method", q.r.Method, "path", q.r.URL.Path, "err", err)
		status = http.StatusInternalServerError
		v.Error = q.L.T("err.internal")
	}
	if p.filesChosen {
		v.Notice = q.L.T("report.files_again")
	}
	s.render(w, q, status, "report", v)
	return nil
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
	// Refused is why the files sent with the report were not stored (one
	// of refusedReasons), or "".
	Refused string
}

// refusedReasons are the reasons a receipt can give for files left out;
// each has a message "receipt.files_refused.<reason>".
var refusedReasons = []string{intake.RefusedClientQuota, intake.RefusedHourlyQuota, intake.RefusedDiskSpace, refusedFailed}

func (s *site) receipt(w http.ResponseWriter, q *req) error {
	code := q.r.PathValue("code")
	v := s.publicView(q)
	rv := &receiptView{Code: code}
	if c, err := q.r.Cookie(receiptCookie); err == nil {
		if cc, rest, ok := strings.Cut(c.Value, "|"); ok && cc == code {
			secret, refused, _ := strings.Cut(rest, "|")
			if st, err := s.d.Intake.Track(q.ctx(), code, secret); err == nil {
				rv.Secret, rv.Status, rv.LastAction = secret, st.Status, st.LastAction
				rv.Download = true
				if slices.Contains(refusedReasons, refused) {
					rv.Refused = refused
				}
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
	if !s.limit.Allow(q.r) {
		return &statusError{http.StatusTooManyRequests, "err.rate_limited"}
	}
	code, secret := strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("code"))), strings.TrimSpace(q.r.PostFormValue("secret"))
	rc, err := s.d.Intake.Receipt(q.ctx(), code, secret)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return &statusError{http.StatusNotFound, "track.not_found"}
		}
		return err
	}
	b, err := json.MarshalIndent(rc, "", "  ")
	if err != nil {
		return fmt.Errorf("web: receipt: %w", err)
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
	// Code and Secret are sent back in the reply form (the page keeps
	// them for the next post, nothing else does); Messages is the
	// conversation with staff.
	Code, Secret string
	Messages     []intake.MessageView
	Sent         bool
}

func (s *site) trackForm(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = &trackView{}
	s.render(w, q, http.StatusOK, "track", v)
	return nil
}

func (s *site) trackSubmit(w http.ResponseWriter, q *req) error {
	return s.track(w, q, false)
}

// track shows the status and the conversation of the report with the
// posted code and secret, adding the reporter's message first when reply.
func (s *site) track(w http.ResponseWriter, q *req, reply bool) error {
	v := s.publicView(q)
	code := strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("code")))
	secret := strings.TrimSpace(q.r.PostFormValue("secret"))
	v.Form = url.Values{"code": {code}}
	tv := &trackView{}
	v.Data = tv
	status := http.StatusOK
	switch {
	case !s.limit.Allow(q.r):
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
		tv.Status, tv.LastAction, tv.Code, tv.Secret = st.Status, st.LastAction, code, secret
		if reply {
			text := q.r.PostFormValue("text")
			if _, err := s.d.Intake.Reply(q.ctx(), code, secret, &intake.MessageIn{Text: text, Language: q.L.Code}); err != nil {
				msg, ok := s.refusal(q, err)
				if !ok {
					return err
				}
				v.Errors["text"], status = msg, answer.Of(err).Status
				v.Form.Set("text", text)
			} else {
				tv.Sent = true
			}
		}
		if tv.Messages, err = s.d.Intake.Conversation(q.ctx(), code, secret, false); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, q, status, "track", v)
	return nil
}

// checkView is the check page's data.
type checkView struct {
	Asked       bool
	Unavailable bool
	Answer      *links.TextAnswer
}

func (s *site) checkForm(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	v.Data = &checkView{}
	s.render(w, q, http.StatusOK, "check", v)
	return nil
}

func (s *site) checkSubmit(w http.ResponseWriter, q *req) error {
	v := s.publicView(q)
	text := strings.TrimSpace(q.r.PostFormValue("q"))
	v.Form = url.Values{"q": {text}}
	cv := &checkView{}
	v.Data = cv
	status := http.StatusOK
	switch {
	case !s.limit.Allow(q.r):
		v.Error, status = q.L.T("err.rate_limited"), http.StatusTooManyRequests
	case s.d.Links == nil:
		cv.Asked, cv.Unavailable = true, true
	default:
		// The link service validates the text, bands the answer and
		// words the lure check's reasons, as it does for the API.
		ans, err := s.d.Links.CheckText(q.ctx(), q.actor, text, q.L.Code)
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
	if q.r.URL.Query().Get("setup") == "done" {
		v.Notice = q.L.T("setup.done")
	}
	if q.r.URL.Query().Get("reset") == "done" {
		v.Notice = q.L.T("reset.done")
	}
	s.render(w, q, http.StatusOK, "login", v)
	return nil
}

func (s *site) loginSubmit(w http.ResponseWriter, q *req) error {
	f := url.Values{"email": {q.r.PostFormValue("email")}, "next": {q.r.PostFormValue("next")}}
	v := s.newView(q, "login.title")
	v.Form = f
	if !s.limit.Allow(q.r) {
		v.Error = q.L.T("err.rate_limited")
		s.render(w, q, http.StatusTooManyRequests, "login", v)
		return nil
	}
	value, a, err := s.d.Staff.Login(q.ctx(), q.r.PostFormValue("email"), q.r.PostFormValue("password"), q.r.PostFormValue("code"))
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		w.Header().Set("Retry-After", answer.Of(err).RetryAfter)
		v.Error = q.L.T("login.locked", minutesUntil(locked.Until))
		s.render(w, q, http.StatusTooManyRequests, "login", v)
		return nil
	case errors.Is(err, auth.ErrBusy):
		w.Header().Set("Retry-After", "5")
		v.Error = q.L.T("login.busy")
		s.render(w, q, http.StatusServiceUnavailable, "login", v)
		return nil
	case errors.Is(err, auth.ErrUnauthenticated):
		v.Error = q.L.T("login.failed")
		s.render(w, q, http.StatusUnauthorized, "login", v)
		return nil
	case err != nil:
		return err
	}
	http.SetCookie(w, s.sessionCookie(value, 0))
	if a.MustEnrolTOTP {
		return redirect(w, q, "/app/account")
	}
	next := f.Get("next")
	if !isLocalPath(next) {
		next = "/app"
	}
	return redirect(w, q, next)
}

// sessionCookie is the staff session cookie: HttpOnly, SameSite=Strict,
// Secure unless configured off; it lives as long as the browser session and
// the server ends it after SessionTTL without activity.
func (s *site) sessionCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: staff.SessionCookie, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.d.Cfg.SecureCookies}
}

func (s *site) logout(w http.ResponseWriter, q *req) error {
	if c, err := q.r.Cookie(staff.SessionCookie); err == nil {
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
