package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
)

// accountView is the account page's data.
type accountView struct {
	Name, Email, Role string
	TOTP              bool
	// Secret and URL are set while enrolling a new authenticator.
	Secret, URL string
}

func (s *site) accountData(q *req) (*accountView, error) {
	u, err := s.d.Staff.Me(q.ctx(), q.actor)
	if err != nil {
		return nil, err
	}
	return &accountView{Name: u.Name, Email: u.Email, Role: u.Role, TOTP: u.TOTP}, nil
}

func (s *site) account(w http.ResponseWriter, q *req) error {
	av, err := s.accountData(q)
	if err != nil {
		return err
	}
	v := s.newView(q, "account.title")
	v.Data = av
	if q.r.URL.Query().Get("done") == "totp" {
		v.Notice = q.L.T("account.totp_on")
	}
	s.render(w, q, http.StatusOK, "account", v)
	return nil
}

// totpStart makes a new TOTP secret and shows it; nothing is stored until a
// code from the app confirms it.
func (s *site) totpStart(w http.ResponseWriter, q *req) error {
	av, err := s.accountData(q)
	if err != nil {
		return err
	}
	if av.URL, av.Secret, err = s.d.Staff.NewTOTP(q.ctx(), q.actor); err != nil {
		return err
	}
	v := s.newView(q, "account.title")
	v.Data = av
	s.render(w, q, http.StatusOK, "account", v)
	return nil
}

func (s *site) totpConfirm(w http.ResponseWriter, q *req) error {
	secret := q.r.PostFormValue("secret")
	err := s.d.Staff.EnrolTOTP(q.ctx(), q.actor, secret, q.r.PostFormValue("code"))
	if _, bad := invalid.As(err); bad {
		av, err := s.accountData(q)
		if err != nil {
			return err
		}
		if url, err := s.d.Staff.TOTPURL(q.ctx(), q.actor, secret); err == nil {
			av.Secret, av.URL = strings.TrimSpace(secret), url
		}
		v := s.newView(q, "account.title")
		v.Data = av
		v.Errors["code"] = q.L.T("account.bad_code")
		s.render(w, q, http.StatusUnprocessableEntity, "account", v)
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, q, "/app/account?done=totp")
}

// adminView is the admin page's data.
type adminView struct {
	Orgs         []*staff.OrgView
	OrgNames     map[string]string
	Users        []*staff.UserView
	Roles        []auth.Role
	OrgKinds     []string
	Fingerprints map[string]string
	// Token is a new API token, shown once.
	Token string
}

func (s *site) adminData(q *req) (*adminView, error) {
	if !auth.Can(q.actor, auth.ManageUsers, auth.Resource{OrgID: q.actor.OrgID}) {
		return nil, errForbidden
	}
	orgs, names, err := s.orgNames(q)
	if err != nil {
		return nil, err
	}
	users, err := s.d.Staff.ListUsers(q.ctx(), q.actor)
	if err != nil {
		return nil, err
	}
	return &adminView{Orgs: orgs, OrgNames: names, Users: users, Roles: auth.Roles, OrgKinds: staff.OrgKinds, Fingerprints: s.d.KeyFingerprints}, nil
}

func (s *site) admin(w http.ResponseWriter, q *req) error {
	av, err := s.adminData(q)
	if err != nil {
		return err
	}
	v := s.newView(q, "admin.title")
	v.Data = av
	if d := q.r.URL.Query().Get("done"); d != "" {
		v.Notice = q.L.TOr("admin.done.", d)
	}
	s.render(w, q, http.StatusOK, "admin", v)
	return nil
}

// adminRefused re-renders the admin page with a refused form's message.
func (s *site) adminRefused(w http.ResponseWriter, q *req, field string, err error) error {
	av, err2 := s.adminData(q)
	if err2 != nil {
		return err2
	}
	msg := ""
	if fe, ok := s.refusal(q, err); ok {
		msg = fe
	} else {
		return err
	}
	v := s.newView(q, "admin.title")
	v.Data = av
	v.Form = q.r.PostForm
	v.Errors[field] = msg
	v.Error = msg
	s.render(w, q, http.StatusUnprocessableEntity, "admin", v)
	return nil
}

func (s *site) adminCreateOrg(w http.ResponseWriter, q *req) error {
	in := &staff.OrgIn{Name: strings.TrimSpace(q.r.PostFormValue("name")), Kind: q.r.PostFormValue("kind"),
		Country: strings.ToUpper(strings.TrimSpace(q.r.PostFormValue("country"))), ReceivesPublic: q.r.PostFormValue("receives_public") == "yes"}
	if _, err := s.d.Staff.CreateOrg(q.ctx(), q.actor, in); err != nil {
		return s.adminRefused(w, q, "org", err)
	}
	return redirect(w, q, "/app/admin?done=org")
}

func (s *site) adminCreateUser(w http.ResponseWriter, q *req) error {
	in := &staff.UserIn{OrgID: q.r.PostFormValue("org"), Email: strings.TrimSpace(q.r.PostFormValue("email")),
		Name: strings.TrimSpace(q.r.PostFormValue("name")), Role: q.r.PostFormValue("role"), Password: q.r.PostFormValue("password")}
	if _, err := s.d.Staff.CreateUser(q.ctx(), q.actor, in); err != nil {
		return s.adminRefused(w, q, "user", err)
	}
	return redirect(w, q, "/app/admin?done=user")
}

func (s *site) adminDisableUser(w http.ResponseWriter, q *req) error {
	disabled := q.r.PostFormValue("disabled") == "yes"
	if err := s.d.Staff.SetDisabled(q.ctx(), q.actor, q.r.PathValue("id"), disabled); err != nil {
		return s.adminRefused(w, q, "users", err)
	}
	return redirect(w, q, "/app/admin?done=disabled")
}

func (s *site) adminCreateToken(w http.ResponseWriter, q *req) error {
	days, _ := strconv.Atoi(q.r.PostFormValue("days"))
	if days < 0 || days > 3650 {
		days = 0
	}
	tok, err := s.d.Staff.CreateToken(q.ctx(), q.actor, q.r.PostFormValue("user"), strings.TrimSpace(q.r.PostFormValue("name")), time.Duration(days)*24*time.Hour)
	if err != nil {
		return s.adminRefused(w, q, "token", err)
	}
	av, err := s.adminData(q)
	if err != nil {
		return err
	}
	av.Token = tok
	v := s.newView(q, "admin.title")
	v.Data = av
	v.Notice = q.L.T("admin.done.token")
	s.render(w, q, http.StatusOK, "admin", v)
	return nil
}
