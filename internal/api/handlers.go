package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/casework"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

func (api *API) submitReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var sub intake.Submission
	if err := decodeJSON(r, api.bodyLimit, &sub); err != nil {
		return err
	}
	ack, err := api.svc.Intake.Submit(r.Context(), a, &sub)
	if err != nil {
		return err
	}
	api.metrics.ReportsReceived.Inc()
	w.Header().Set("Location", "/api/v1/reports/"+ack.ID)
	writeJSON(w, http.StatusCreated, ack)
	return nil
}

// trackArgs reads a tracking request's code (from the path) and secret
// (see trackSecret).
func trackArgs(r *http.Request) (code, secret string, err error) {
	if secret, err = trackSecret(r); err != nil {
		return "", "", err
	}
	code = strings.ToUpper(r.PathValue("code"))
	if len(code) > 40 {
		return "", "", invalid.Field("code", "invalid_value", "is not a tracking code")
	}
	return code, secret, nil
}

// trackSecret reads the tracking secret from the X-Tracking-Secret header
// (preferred: it stays out of logs) or the secret query parameter.
func trackSecret(r *http.Request) (string, error) {
	s := r.Header.Get("X-Tracking-Secret")
	if s == "" {
		s = r.URL.Query().Get("secret")
	}
	if s == "" {
		return "", invalid.Field("secret", "required", "send the secret you were given with the tracking code (X-Tracking-Secret header)")
	}
	if len(s) > 100 {
		return "", invalid.Field("secret", "invalid_value", "is not a tracking secret")
	}
	return s, nil
}

func (api *API) track(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	code, secret, err := trackArgs(r)
	if err != nil {
		return err
	}
	st, err := api.svc.Intake.Track(r.Context(), code, secret)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// trackReceipt gives the reporter the ledger receipt of the report's first
// statement, as the pages' download does.
func (api *API) trackReceipt(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	code, secret, err := trackArgs(r)
	if err != nil {
		return err
	}
	rc, err := api.svc.Intake.Receipt(r.Context(), code, secret)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, rc)
	return nil
}

func boolParam(r *http.Request, name string) (*bool, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return nil, nil
	}
	switch s {
	case "true", "1":
		t := true
		return &t, nil
	case "false", "0":
		f := false
		return &f, nil
	}
	return nil, invalid.Field(name, "invalid_value", "must be true or false")
}

func (api *API) listReports(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	urgent, err := boolParam(r, "urgent")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	rs, err := api.svc.Intake.List(r.Context(), a, intake.ListFilter{Status: q.Get("status"), Language: q.Get("language"),
		IncidentType: q.Get("incident_type"), Urgent: urgent, Before: cursor, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(rs, limit, func(v *intake.ReportView) string { return v.ID }))
	return nil
}

func (api *API) getReport(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	v, err := api.svc.Intake.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// ReasonIn carries the reason for an audited action.
type ReasonIn struct {
	Reason string `json:"reason"`
}

func (api *API) reveal(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in ReasonIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	s, err := api.svc.Intake.Reveal(r.Context(), a, r.PathValue("id"), in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

func (api *API) erase(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in ReasonIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if err := api.svc.Intake.Erase(r.Context(), a, r.PathValue("id"), in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (api *API) addStatement(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in intake.StatementIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Intake.AddStatement(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// VersionIn is a corrected text for a statement.
type VersionIn struct {
	Text string `json:"text"`
}

func (api *API) addVersion(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in VersionIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Intake.AddVersion(r.Context(), a, r.PathValue("id"), r.PathValue("sid"), in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

func (api *API) createCase(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.CaseIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Casework.Create(r.Context(), a, &in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/cases/"+v.ID)
	return writeTagged(w, http.StatusCreated, v.Version, v)
}

func (api *API) listCases(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	cs, err := api.svc.Casework.List(r.Context(), a, casework.ListFilter{Status: q.Get("status"), AssigneeID: q.Get("assignee_id"),
		Urgency: q.Get("urgency"), Before: cursor, Limit: limit})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(cs, limit, func(v *casework.CaseView) string { return v.ID }))
	return nil
}

func (api *API) getCase(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	v, err := api.svc.Casework.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, v.Version, v)
}

func (api *API) updateCase(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var p casework.Patch
	if err := decodeJSON(r, api.bodyLimit, &p); err != nil {
		return err
	}
	ver, err := ifMatch(r)
	if err != nil {
		return err
	}
	v, err := api.svc.Casework.Update(r.Context(), a, r.PathValue("id"), ver, &p)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, v.Version, v)
}

func (api *API) refer(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.ReferralIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Casework.Refer(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusCreated, v.Version, v)
}

func (api *API) listReferrals(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	refs, err := api.svc.Casework.Referrals(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(refs, 0, func(v *casework.ReferralView) string { return v.ID }))
	return nil
}

func (api *API) getReferral(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	v, err := api.svc.Casework.GetReferral(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, v.Version, v)
}

func (api *API) respond(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in casework.ResponseIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	ver, err := optionalIfMatch(r)
	if err != nil {
		return err
	}
	v, err := api.svc.Casework.Respond(r.Context(), a, r.PathValue("id"), ver, &in)
	if err != nil {
		return err
	}
	return writeTagged(w, http.StatusOK, v.Version, v)
}

func (api *API) listOrgs(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	os, err := api.svc.Staff.ListOrgs(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(os, 0, func(v *staff.OrgView) string { return v.ID }))
	return nil
}

func (api *API) createOrg(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in staff.OrgIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Staff.CreateOrg(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// OrgPatch changes an organisation's settings (staff.OrgChange): its name,
// country, whether it receives public reports, whether its admins and
// coordinators may sign in without a second factor. At least one.
type OrgPatch = staff.OrgChange

func (api *API) patchOrg(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in OrgPatch
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Staff.UpdateOrg(r.Context(), a, r.PathValue("id"), &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (api *API) listUsers(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	us, err := api.svc.Staff.ListUsers(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(us, 0, func(v *staff.UserView) string { return v.ID }))
	return nil
}

func (api *API) createUser(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in staff.UserIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	v, err := api.svc.Staff.CreateUser(r.Context(), a, &in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// UserPatch changes a staff account: disables or re-enables it, gives it
// another role, removes its second factor (a lost phone), or ends a
// lockout after failed sign-ins. At least one is required.
type UserPatch struct {
	Disabled  *bool   `json:"disabled,omitempty"`
	Role      *string `json:"role,omitempty"`
	ResetTOTP bool    `json:"reset_totp,omitempty"`
	Unlock    bool    `json:"unlock,omitempty"`
}

func (api *API) patchUser(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in UserPatch
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if in.Disabled == nil && in.Role == nil && !in.ResetTOTP && !in.Unlock {
		return invalid.Field("disabled", "required", "send at least one of disabled, role, reset_totp, unlock")
	}
	v, err := api.svc.Staff.UpdateUser(r.Context(), a, r.PathValue("id"), &staff.UserChange{
		Role: in.Role, ResetTOTP: in.ResetTOTP, Unlock: in.Unlock, Disabled: in.Disabled,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// TokenIn asks for an API token.
type TokenIn struct {
	// UserID is the account the token acts as: "" for the caller; an
	// admin may name its organisation's integration accounts.
	UserID string `json:"user_id,omitempty"`
	Name   string `json:"name"`
	// ExpiresInDays is the token's lifetime (0: until revoked).
	ExpiresInDays int `json:"expires_in_days,omitempty"`
}

func (api *API) createToken(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in TokenIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if in.ExpiresInDays < 0 || in.ExpiresInDays > 3650 {
		return invalid.Field("expires_in_days", "invalid_value", "must be a whole number from 0 to 3650")
	}
	t, err := api.svc.Staff.CreateToken(r.Context(), a, in.UserID, in.Name, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, t)
	return nil
}

func (api *API) listTokens(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	ts, err := api.svc.Staff.ListTokens(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page(ts, 0, func(v *staff.TokenView) string { return v.ID }))
	return nil
}

func (api *API) revokeToken(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	if err := api.svc.Staff.RevokeToken(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AuditView is an audit event as the API shows it.
type AuditView struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	ActorID string    `json:"actor_id"`
	// ActorOrgID is the actor's organisation: another one's when a partner
	// acted on a referred case or an operator on an organisation.
	ActorOrgID   string `json:"actor_org_id"`
	OrgID        string `json:"org_id"`
	Action       string `json:"action"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
	Reason       string `json:"reason,omitempty"`
}

// caseHistory is a case's history as the case page shows it.
func (api *API) caseHistory(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	evs, err := api.svc.Casework.History(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Page[casework.HistoryEvent]{Items: evs})
	return nil
}

func (api *API) listAudit(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	limit, cursor, err := pageParams(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := audit.TrailFilter{ResourceType: q.Get("resource_type"), ResourceID: q.Get("resource_id"), Action: q.Get("action"),
		ActorID: q.Get("actor_id"), Before: cursor, Limit: limit}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return invalid.Field(p.name, "invalid_value", "must be a time as RFC 3339 (2026-01-02T15:04:05Z)")
			}
			*p.t = t
		}
	}
	evs, err := audit.New(api.svc.DB, api.svc.Reasons).Trail(r.Context(), a, f)
	if err != nil {
		return err
	}
	out := make([]AuditView, 0, len(evs))
	for _, e := range evs {
		out = append(out, AuditView{ID: e.ID, At: store.Time(e.At), ActorID: e.ActorID, ActorOrgID: e.ActorOrgID, OrgID: e.OrgID,
			Action: e.Action, ResourceType: e.ResourceType, ResourceID: e.ResourceID, Reason: e.Reason})
	}
	writeJSON(w, http.StatusOK, page(out, limit, func(v AuditView) string { return v.ID }))
	return nil
}

// MeView is the signed-in actor.
type MeView struct {
	UserID string `json:"user_id"`
	OrgID  string `json:"org_id"`
	Role   string `json:"role"`
	// MustEnrolTOTP: this session may do nothing until a second factor is
	// set up (on the account page).
	MustEnrolTOTP bool `json:"must_enrol_totp,omitempty"`
	// TimeZone is the zone the pages show the actor times in: its own
	// choice, else its organisation's.
	TimeZone string `json:"time_zone"`
}

func (api *API) me(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	loc, err := api.svc.Staff.Location(r.Context(), a.UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, MeView{UserID: a.UserID, OrgID: a.OrgID, Role: string(a.Role), MustEnrolTOTP: a.MustEnrolTOTP, TimeZone: loc.String()})
	return nil
}

// MePatch changes the caller's own settings.
type MePatch struct {
	// TimeZone is an IANA zone name; "" goes back to the organisation's.
	TimeZone *string `json:"time_zone"`
}

func (api *API) patchMe(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in MePatch
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	if in.TimeZone == nil {
		return invalid.Field("time_zone", "required", "is required")
	}
	v, err := api.svc.Staff.SetTimeZone(r.Context(), a, *in.TimeZone)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// PasswordIn changes the caller's own password.
type PasswordIn struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// changePassword changes the caller's password and ends its other
// sessions (all of them when the caller uses a token).
func (api *API) changePassword(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	var in PasswordIn
	if err := decodeJSON(r, api.bodyLimit, &in); err != nil {
		return err
	}
	session := ""
	if c, err := r.Cookie(staff.SessionCookie); err == nil && r.Header.Get("Authorization") == "" {
		session = c.Value
	}
	if err := api.svc.Staff.ChangePassword(r.Context(), a, session, in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (api *API) stats(w http.ResponseWriter, r *http.Request, a auth.Actor) error {
	st, err := api.svc.Stats.Org(r.Context(), a)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}
