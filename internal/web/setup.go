package web

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/staff"
)

// The first-run setup page: while no account exists, whoever has the link
// the server printed at start (/setup?token=…) creates the first
// organisation and its admin. The token is random per process and checked
// in constant time; once an account exists the page is gone (404), token or
// not, so it cannot be used to take over an installation.

// setupData is what the setup page shows besides the form.
type setupData struct {
	OrgKinds []string
	// LogOrigin is the ledger's name in its checkpoints; Placeholder says
	// it is the default, which should be changed before the first report.
	LogOrigin   string
	Placeholder bool
	// Renamable says setup offers to change the name (it refuses once the
	// ledger holds an entry).
	Renamable bool
}

func (s *site) mountSetup(mux *http.ServeMux) {
	mux.Handle("GET /setup", s.public(s.setupForm))
	mux.Handle("POST /setup", s.public(s.setupSubmit))
}

// setupOpen answers whether the setup page may be shown for token.
func (s *site) setupOpen(q *req, token string) (bool, error) {
	if s.d.SetupToken == "" || subtle.ConstantTimeCompare([]byte(token), []byte(s.d.SetupToken)) != 1 {
		return false, nil
	}
	return s.d.Staff.NeedsSetup(q.ctx())
}

func (s *site) setupView(q *req, f url.Values) *view {
	v := s.newView(q, "setup.title")
	v.Form = f
	origin := ""
	if s.d.Ledger != nil {
		origin = s.d.Ledger.Origin()
	} else if s.d.Cfg != nil {
		origin = s.d.Cfg.LogOrigin
	}
	v.Data = setupData{OrgKinds: staff.OrgKinds, LogOrigin: origin, Placeholder: origin == "" || origin == config.DefaultLogOrigin, Renamable: s.d.Ledger != nil}
	if _, sent := v.Form["log_origin"]; !sent {
		v.Form.Set("log_origin", origin)
	}
	return v
}

// setupFields maps the setup service's field names to the form's.
var setupFields = map[string]string{
	"org.name": "org_name", "org.kind": "kind", "org.country": "country",
	"admin.name": "name", "admin.email": "email", "admin.password": "password",
	"log_origin": "log_origin",
}

func (s *site) setupForm(w http.ResponseWriter, q *req) error {
	token := q.r.URL.Query().Get("token")
	if ok, err := s.setupOpen(q, token); err != nil {
		return err
	} else if !ok {
		return errNotFound
	}
	v := s.setupView(q, url.Values{"token": {token}, "receives_public": {"yes"}})
	s.render(w, q, http.StatusOK, "setup", v)
	return nil
}

func (s *site) setupSubmit(w http.ResponseWriter, q *req) error {
	token := q.r.PostFormValue("token")
	if ok, err := s.setupOpen(q, token); err != nil {
		return err
	} else if !ok {
		return errNotFound
	}
	f := url.Values{}
	for _, k := range []string{"token", "org_name", "kind", "country", "receives_public", "name", "email", "log_origin"} {
		f.Set(k, strings.TrimSpace(q.r.PostFormValue(k)))
	}
	in := &staff.SetupIn{
		Org:   staff.OrgIn{Name: f.Get("org_name"), Kind: f.Get("kind"), Country: strings.ToUpper(f.Get("country")), ReceivesPublic: f.Get("receives_public") == "yes"},
		Admin: staff.UserIn{Email: f.Get("email"), Name: f.Get("name"), Password: q.r.PostFormValue("password")},
	}
	if q.r.PostFormValue("password") != q.r.PostFormValue("password2") {
		v := s.setupView(q, f)
		v.Errors["password2"] = q.L.T("setup.password_mismatch")
		s.render(w, q, http.StatusUnprocessableEntity, "setup", v)
		return nil
	}
	var err error
	_, named := q.r.PostForm["log_origin"]
	if origin := f.Get("log_origin"); s.d.Ledger != nil && named && origin != s.d.Ledger.Origin() {
		// The ledger is named first: a refused name leaves nothing half
		// set up, and a name set before a refused account stays set.
		if err = s.d.Ledger.Rename(q.ctx(), origin); errors.Is(err, ledger.ErrStarted) {
			v := s.setupView(q, f)
			v.Errors["log_origin"] = q.L.T("setup.ledger_started")
			v.Error = v.Errors["log_origin"]
			s.render(w, q, http.StatusConflict, "setup", v)
			return nil
		}
	}
	if err == nil {
		_, _, err = s.d.Staff.Setup(q.ctx(), in)
	}
	if errors.Is(err, staff.ErrSetUp) {
		return errNotFound
	}
	if err != nil {
		msg, ok := s.refusal(q, err)
		if !ok {
			return err
		}
		v := s.setupView(q, f)
		if fe, ok := invalid.As(err); ok {
			v.Errors[setupFields[fe.Field]] = msg
		}
		v.Error = msg
		s.render(w, q, http.StatusUnprocessableEntity, "setup", v)
		return nil
	}
	return redirect(w, q, "/login?setup=done")
}
