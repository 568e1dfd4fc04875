package web

import (
	"errors"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/zone"
)

// accountView is the account page's data.
type accountView struct {
	Name, Email, Role string
	TOTP              bool
	// MustEnrol: the organisation requires a second factor of this role
	// and the account has none; nothing else opens until it does.
	MustEnrol bool
	// Secret and URL are set while enrolling a new authenticator.
	Secret, URL string
	// TimeZone is the user's own choice ("": its organisation's), Zone
	// the one its pages use, and Zones suggestions for the form.
	TimeZone, Zone string
	Zones          []string
}

func (s *site) accountData(q *req) (*accountView, error) {
	u, err := s.d.Staff.Me(q.ctx(), q.actor)
	if err != nil {
		return nil, err
	}
	return &accountView{Name: u.Name, Email: u.Email, Role: u.Role, TOTP: u.TOTP, MustEnrol: q.actor.MustEnrolTOTP,
		TimeZone: u.TimeZone, Zone: q.L.Zone().String(), Zones: zone.Common()}, nil
}

// accountPage renders the account page with av, the notice and the field
// errors given.
func (s *site) accountPage(w http.ResponseWriter, q *req, status int, av *accountView, notice string, errs map[string]string) {
	v := s.newView(q, "account.title")
	v.Data = av
	v.Notice = notice
	for k, e := range errs {
		v.Errors[k] = e
	}
	s.render(w, q, status, "account", v)
}

// minutesUntil is the whole minutes, at least one, until t: what a
// locked-out user is told to wait.
func minutesUntil(t time.Time) int {
	return max(1, int(time.Until(t).Round(time.Minute)/time.Minute))
}

// fieldErrors turns the errors a credential change may answer into the
// account page's field errors; ok is false for any other error.
func fieldErrors(q *req, err error) (errs map[string]string, status int, ok bool) {
	var locked *auth.LockedError
	if errors.As(err, &locked) {
		return map[string]string{"password": q.L.T("login.locked", minutesUntil(locked.Until))}, http.StatusTooManyRequests, true
	}
	fe, bad := invalid.As(err)
	if !bad {
		return nil, 0, false
	}
	key := map[string]string{"password": "account.bad_password", "current_password": "account.bad_password",
		"code": "account.bad_code"}[fe.Field]
	if fe.Field == "new_password" {
		key = "account.new_password_" + fe.Code
	}
	if !q.L.Has(key) {
		return nil, 0, false
	}
	msg := q.L.T(key)
	if fe.Code == "too_short" {
		msg = q.L.T(key, auth.MinPasswordLen)
	}
	return map[string]string{fe.Field: msg}, http.StatusUnprocessableEntity, true
}

func (s *site) account(w http.ResponseWriter, q *req) error {
	av, err := s.accountData(q)
	if err != nil {
		return err
	}
	notice := ""
	switch {
	case q.r.URL.Query().Get("done") == "totp":
		notice = q.L.T("account.totp_on")
	case q.r.URL.Query().Get("done") == "password":
		notice = q.L.T("account.password_changed")
	case q.r.URL.Query().Get("done") == "zone":
		notice = q.L.T("account.zone_saved")
	case av.MustEnrol:
		notice = q.L.T("account.need_totp")
	}
	s.accountPage(w, q, http.StatusOK, av, notice, nil)
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
	s.accountPage(w, q, http.StatusOK, av, "", nil)
	return nil
}

// totpConfirm turns the second factor on once the password and a code
// from the app check out.
func (s *site) totpConfirm(w http.ResponseWriter, q *req) error {
	secret := q.r.PostFormValue("secret")
	err := s.d.Staff.EnrolTOTP(q.ctx(), q.actor, q.r.PostFormValue("password"), secret, q.r.PostFormValue("code"))
	if errs, status, ok := fieldErrors(q, err); ok {
		av, err := s.accountData(q)
		if err != nil {
			return err
		}
		if url, err := s.d.Staff.TOTPURL(q.ctx(), q.actor, secret); err == nil {
			av.Secret, av.URL = strings.TrimSpace(secret), url
		}
		s.accountPage(w, q, status, av, "", errs)
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, q, "/app/account?done=totp")
}

// passwordChange changes the password once the current one checks out,
// ending the account's other sessions.
func (s *site) passwordChange(w http.ResponseWriter, q *req) error {
	next := q.r.PostFormValue("new_password")
	var err error
	if next != q.r.PostFormValue("repeat_password") {
		err = invalid.Field("new_password", "mismatch", "the two new passwords differ")
	} else {
		session := ""
		if c, cerr := q.r.Cookie(staff.SessionCookie); cerr == nil {
			session = c.Value
		}
		err = s.d.Staff.ChangePassword(q.ctx(), q.actor, session, q.r.PostFormValue("current_password"), next)
	}
	if errs, status, ok := fieldErrors(q, err); ok {
		av, err := s.accountData(q)
		if err != nil {
			return err
		}
		s.accountPage(w, q, status, av, "", errs)
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, q, "/app/account?done=password")
}

// timeZoneChange saves the user's own time zone ("": its
// organisation's).
func (s *site) timeZoneChange(w http.ResponseWriter, q *req) error {
	_, err := s.d.Staff.SetTimeZone(q.ctx(), q.actor, strings.TrimSpace(q.r.PostFormValue("time_zone")))
	if fe, ok := invalid.As(err); ok {
		av, err := s.accountData(q)
		if err != nil {
			return err
		}
		s.accountPage(w, q, http.StatusUnprocessableEntity, av, "", map[string]string{fe.Field: s.fieldMessage(q.L, fe)})
		return nil
	}
	if err != nil {
		return err
	}
	return redirect(w, q, "/app/account?done=zone")
}

// adminView is the admin page's data: for an admin, its own
// organisation's accounts and integration tokens; for an operator, the
// organisations and the form for an organisation's first admin.
type adminView struct {
	Orgs     []*staff.OrgView
	OrgNames map[string]string
	// CanOrgs: the actor creates organisations (an operator).
	CanOrgs bool
	// CanWebhooks: the actor manages the organisation's webhooks (the
	// link to their page).
	CanWebhooks bool
	// UserOrgs are the organisations the actor adds accounts to.
	UserOrgs []*staff.OrgView
	// Users are the accounts the actor manages (an admin's organisation's).
	Users []*staff.UserView
	// Roles are the roles the actor may give, least privileged first.
	Roles        []auth.Role
	OrgKinds     []string
	Fingerprints map[string]string
	// Integrations are the enabled integration accounts the actor makes
	// tokens for; Tokens the tokens it manages.
	Integrations []*staff.UserView
	Tokens       []*staff.TokenView
	// Token is a new API token, shown once.
	Token string
	// Reset is a one-time password reset link just made, shown once, and
	// ResetFor the e-mail address of the account it is for.
	Reset, ResetFor string
	// TOTPOptional: the admin's organisation lets its admins and
	// coordinators sign in without a second factor.
	TOTPOptional bool
	// Own is the admin's own organisation, whose settings it changes.
	Own *staff.OrgView
	// Zones are suggestions for the organisation's time zone.
	Zones []string
}

// canAdmin reports whether a may open the admin page: an admin manages its
// organisation's accounts, an operator the organisations.
func canAdmin(a auth.Actor) bool {
	own := auth.Resource{OrgID: a.OrgID}
	return auth.Can(a, auth.ManageUsers, own) || auth.Can(a, auth.ManageOrgs, own)
}

func (s *site) adminData(q *req) (*adminView, error) {
	a := q.actor
	if !canAdmin(a) {
		return nil, errForbidden
	}
	orgs, names, err := s.orgNames(q)
	if err != nil {
		return nil, err
	}
	av := &adminView{Orgs: orgs, OrgNames: names, OrgKinds: staff.OrgKinds, Fingerprints: s.d.KeyFingerprints,
		CanOrgs: auth.Can(a, auth.ManageOrgs, auth.Resource{OrgID: a.OrgID}), Zones: zone.Common()}
	av.CanWebhooks = s.d.Webhooks != nil && canWebhooks(a)
	if s.d.Ledger != nil {
		// Setup may have renamed the ledger, and with it changed its key,
		// since the server started.
		av.Fingerprints = maps.Clone(s.d.KeyFingerprints)
		if av.Fingerprints == nil {
			av.Fingerprints = map[string]string{}
		}
		av.Fingerprints["ledger verifier key"] = s.d.Ledger.VerifierKey()
	}
	for _, r := range auth.Roles {
		if auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: a.OrgID, Account: &auth.Account{Role: r}, NoAdmin: true}) {
			av.Roles = append(av.Roles, r)
		}
	}
	for _, o := range orgs {
		if av.CanOrgs || o.ID == a.OrgID {
			av.UserOrgs = append(av.UserOrgs, o)
		}
	}
	if !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: a.OrgID}) {
		return av, nil
	}
	if av.Users, err = s.d.Staff.ListUsers(q.ctx(), a); err != nil {
		return nil, err
	}
	for _, o := range orgs {
		if o.ID == a.OrgID {
			av.TOTPOptional, av.Own = o.TOTPOptional, o
		}
	}
	for _, u := range av.Users {
		if u.Role == string(auth.Integration) && !u.Disabled {
			av.Integrations = append(av.Integrations, u)
		}
	}
	if av.Tokens, err = s.d.Staff.ListTokens(q.ctx(), a); err != nil {
		return nil, err
	}
	return av, nil
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
	msg, ok := s.refusal(q, err)
	if !ok {
		return err
	}
	v := s.newView(q, "admin.title")
	v.Data = av
	v.Form = q.r.PostForm
	v.Errors[field] = msg
	v.Error = msg
	s.render(w, q, answer.Of(err).Status, "admin", v)
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
	if _, err := s.d.Staff.SetDisabled(q.ctx(), q.actor, q.r.PathValue("id"), disabled); err != nil {
		return s.adminRefused(w, q, "users", err)
	}
	return redirect(w, q, "/app/admin?done=disabled")
}

// adminUserAct changes one account from the admin page: its role, its
// lost second factor, or a lockout.
func (s *site) adminUserAct(w http.ResponseWriter, q *req) error {
	id, act := q.r.PathValue("id"), q.r.PathValue("act")
	var err error
	switch act {
	case "role":
		_, err = s.d.Staff.SetRole(q.ctx(), q.actor, id, q.r.PostFormValue("role"))
	case "totp-reset":
		_, err = s.d.Staff.ResetTOTP(q.ctx(), q.actor, id)
	case "unlock":
		err = s.d.Staff.Unlock(q.ctx(), q.actor, id)
	case "password-reset":
		return s.adminResetPassword(w, q, id)
	default:
		return errNotFound
	}
	if err != nil {
		return s.adminRefused(w, q, "users", err)
	}
	return redirect(w, q, "/app/admin?done="+act)
}

// adminResetPassword makes a one-time password reset link for account id
// and shows it this once, for the admin to give the user.
func (s *site) adminResetPassword(w http.ResponseWriter, q *req, id string) error {
	p, err := s.d.Staff.ResetPassword(q.ctx(), q.actor, id)
	if err != nil {
		return s.adminRefused(w, q, "users", err)
	}
	return s.adminOnce(w, q, "admin.done.password-reset", func(av *adminView) {
		av.Reset = p.Link(s.d.Cfg.PublicURL)
		for _, u := range av.Users {
			if u.ID == p.UserID {
				av.ResetFor = u.Email
			}
		}
	})
}

// adminOnce renders the admin page with a secret shown this once (a new
// token, a reset link), which show puts in the page's data.
func (s *site) adminOnce(w http.ResponseWriter, q *req, noticeKey string, show func(*adminView)) error {
	av, err := s.adminData(q)
	if err != nil {
		return err
	}
	show(av)
	v := s.newView(q, "admin.title")
	v.Data = av
	v.Notice = q.L.T(noticeKey)
	s.render(w, q, http.StatusOK, "admin", v)
	return nil
}

// adminOrgSettings saves the admin's own organisation's name, country,
// time zone and whether it receives public reports.
func (s *site) adminOrgSettings(w http.ResponseWriter, q *req) error {
	name, country := q.r.PostFormValue("name"), strings.TrimSpace(q.r.PostFormValue("country"))
	public := q.r.PostFormValue("receives_public") == "yes"
	tz := strings.TrimSpace(q.r.PostFormValue("time_zone"))
	c := &staff.OrgChange{Name: &name, Country: &country, ReceivesPublic: &public, TimeZone: &tz}
	if _, err := s.d.Staff.UpdateOrg(q.ctx(), q.actor, q.actor.OrgID, c); err != nil {
		return s.adminRefused(w, q, "settings", err)
	}
	return redirect(w, q, "/app/admin?done=settings")
}

// adminTOTP sets whether the admin's organisation requires a second
// factor of its admins and coordinators.
func (s *site) adminTOTP(w http.ResponseWriter, q *req) error {
	optional := q.r.PostFormValue("totp") == "optional"
	if _, err := s.d.Staff.SetTOTPOptional(q.ctx(), q.actor, q.actor.OrgID, optional); err != nil {
		return s.adminRefused(w, q, "users", err)
	}
	return redirect(w, q, "/app/admin?done=totp")
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
	return s.adminOnce(w, q, "admin.done.token", func(av *adminView) { av.Token = tok.Token })
}

func (s *site) adminRevokeToken(w http.ResponseWriter, q *req) error {
	if err := s.d.Staff.RevokeToken(q.ctx(), q.actor, q.r.PathValue("id")); err != nil {
		return s.adminRefused(w, q, "tokens", err)
	}
	return redirect(w, q, "/app/admin?done=revoked")
}
