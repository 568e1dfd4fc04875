// Package staff manages organisations, staff accounts, API tokens and
// sessions, and turns credentials into an auth.Actor.
package staff

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/zone"
)

// SessionCookie is the name of the staff session cookie, which holds the
// value Login returns.
const SessionCookie = "vigil_session"

// Organisation kinds.
var OrgKinds = []string{"ngo", "hotline", "police", "embassy", "newsroom", "government", "other"}

// Service manages staff. The zero Actor passed as "system" (from the CLI,
// which has the data directory and so full control) bypasses the policy.
type Service struct {
	db *store.DB
	// Now is the clock (sessions, tokens, TOTP steps, lockouts); tests
	// move it.
	Now func() time.Time
	// SessionTTL is how long a session lives without activity.
	SessionTTL time.Duration

	// Hasher bounds the password checks in flight (logins); past it a
	// login answers auth.ErrBusy.
	Hasher *auth.Hasher

	dummyOnce sync.Once
	dummy     string
}

// New returns a staff service whose password checks are bounded by a
// Hasher sized to the machine, waiting at most two seconds for a slot.
func New(db *store.DB, sessionTTL time.Duration) *Service {
	return &Service{db: db, Now: time.Now, SessionTTL: sessionTTL, Hasher: auth.NewHasher(0, 2*time.Second)}
}

// System is the actor for CLI operations run by whoever holds the data
// directory.
var System = auth.Actor{UserID: "system", Role: auth.Admin, OrgID: "system"}

func (s *Service) allowed(a auth.Actor, act auth.Action) bool {
	return a == System || auth.Can(a, act, auth.Resource{OrgID: a.OrgID})
}

// OrgIn creates an organisation.
type OrgIn struct {
	Name           string `json:"name"`
	Kind           string `json:"kind"`
	Country        string `json:"country,omitempty"`
	ReceivesPublic bool   `json:"receives_public,omitempty"`
	// TOTPOptional lets the organisation's admins and coordinators sign
	// in without a second factor; by default they must set one up.
	TOTPOptional bool `json:"totp_optional,omitempty"`
}

// OrgView is an organisation as the API shows it.
type OrgView struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Kind           string    `json:"kind"`
	Country        string    `json:"country,omitempty"`
	ReceivesPublic bool      `json:"receives_public"`
	TOTPOptional   bool      `json:"totp_optional"`
	CreatedAt      time.Time `json:"created_at"`
	// TimeZone is the organisation's IANA time zone: the one its admins
	// set, else its country's ("UTC" when neither is known).
	TimeZone string `json:"time_zone"`
}

func orgView(o *store.Organisation) *OrgView {
	return &OrgView{ID: o.ID, Name: o.Name, Kind: o.Kind, Country: o.Country, ReceivesPublic: o.ReceivesPublic,
		TOTPOptional: o.TOTPOptional, CreatedAt: store.Time(o.CreatedAt), TimeZone: zone.Resolve("", o.TimeZone, o.Country).String()}
}

// CreateOrg adds an organisation.
func (s *Service) CreateOrg(ctx context.Context, a auth.Actor, in *OrgIn) (*OrgView, error) {
	if !s.allowed(a, auth.ManageOrgs) {
		return nil, auth.ErrForbidden
	}
	o, err := newOrg(in)
	if err != nil {
		return nil, err
	}
	if err := s.db.Tx(ctx, func(q store.Q) error { return putOrg(ctx, q, a, o) }); err != nil {
		return nil, err
	}
	return orgView(o), nil
}

// newOrg checks in and makes the organisation it describes.
func newOrg(in *OrgIn) (*store.Organisation, error) {
	if err := invalid.Text("name", in.Name, 200, true); err != nil {
		return nil, err
	}
	if !slices.Contains(OrgKinds, in.Kind) {
		return nil, invalid.Field("kind", "invalid_value", "%q is not one of %s", in.Kind, strings.Join(OrgKinds, ", "))
	}
	if len(in.Country) > 2 {
		return nil, invalid.Field("country", "invalid_value", "%q is not an ISO 3166-1 alpha-2 code", in.Country)
	}
	return &store.Organisation{ID: store.NewID(), Name: strings.TrimSpace(in.Name), Kind: in.Kind, Country: strings.ToUpper(in.Country),
		ReceivesPublic: in.ReceivesPublic, TOTPOptional: in.TOTPOptional, CreatedAt: store.Now()}, nil
}

// putOrg stores o, audited as org.create by a.
func putOrg(ctx context.Context, q store.Q, a auth.Actor, o *store.Organisation) error {
	if err := q.PutOrganisation(ctx, o); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return invalid.Field("name", "duplicate", "an organisation named %q exists", o.Name)
		}
		return err
	}
	return audit.Record(ctx, q, a, "org.create", "organisation", o.ID, map[string]string{"name": o.Name})
}

// SetTOTPOptional says whether an organisation's admins, coordinators and
// operators may sign in without a second factor; its own admins decide,
// audited as org.totp.
func (s *Service) SetTOTPOptional(ctx context.Context, a auth.Actor, orgID string, optional bool) (*OrgView, error) {
	return s.UpdateOrg(ctx, a, orgID, &OrgChange{TOTPOptional: &optional})
}

// OrgChange is what an organisation's admins change of its settings at
// once: nil leaves that setting as it is. Its kind is fixed when it is
// made.
type OrgChange struct {
	Name           *string `json:"name,omitempty"`
	Country        *string `json:"country,omitempty"`
	ReceivesPublic *bool   `json:"receives_public,omitempty"`
	TOTPOptional   *bool   `json:"totp_optional,omitempty"`
	// TimeZone is an IANA zone name; "" goes back to the country's.
	TimeZone *string `json:"time_zone,omitempty"`
}

// UpdateOrg changes an organisation's settings in one transaction; its own
// admins decide. A change of name, country, time zone or public intake is audited as
// org.update with each setting's old and new value, a change of the second
// factor rule as org.totp.
func (s *Service) UpdateOrg(ctx context.Context, a auth.Actor, orgID string, c *OrgChange) (*OrgView, error) {
	if a != System && (orgID != a.OrgID || !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: orgID})) {
		return nil, auth.ErrForbidden
	}
	if c.Name == nil && c.Country == nil && c.ReceivesPublic == nil && c.TOTPOptional == nil && c.TimeZone == nil {
		return nil, invalid.Field("name", "required", "send at least one of name, country, receives_public, totp_optional, time_zone")
	}
	if c.TimeZone != nil && *c.TimeZone != "" && zone.Check(*c.TimeZone) != nil {
		return nil, invalid.Field("time_zone", "invalid_value", "%q is not an IANA time zone name like Asia/Phnom_Penh", *c.TimeZone)
	}
	if c.Name != nil {
		if err := invalid.Text("name", *c.Name, 200, true); err != nil {
			return nil, err
		}
	}
	if c.Country != nil && (len(*c.Country) > 2 || strings.Trim(*c.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != "") {
		return nil, invalid.Field("country", "invalid_value", "%q is not an ISO 3166-1 alpha-2 code", *c.Country)
	}
	var o *store.Organisation
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		if o, err = q.GetOrganisation(ctx, orgID); err != nil {
			return err
		}
		changed := map[string]any{}
		set := func(field string, old, new any) {
			if old != new {
				changed[field] = map[string]any{"from": old, "to": new}
			}
		}
		if c.Name != nil {
			name := strings.TrimSpace(*c.Name)
			set("name", o.Name, name)
			o.Name = name
		}
		if c.Country != nil {
			country := strings.ToUpper(*c.Country)
			set("country", o.Country, country)
			o.Country = country
		}
		if c.ReceivesPublic != nil {
			set("receives_public", o.ReceivesPublic, *c.ReceivesPublic)
			o.ReceivesPublic = *c.ReceivesPublic
		}
		if c.TimeZone != nil {
			set("time_zone", o.TimeZone, *c.TimeZone)
			o.TimeZone = *c.TimeZone
		}
		totp := c.TOTPOptional != nil && *c.TOTPOptional != o.TOTPOptional
		if c.TOTPOptional != nil {
			o.TOTPOptional = *c.TOTPOptional
		}
		if len(changed) == 0 && !totp {
			return nil
		}
		if err := q.UpdateOrganisation(ctx, o); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return invalid.Field("name", "duplicate", "an organisation named %q exists", o.Name)
			}
			return err
		}
		if len(changed) > 0 {
			if err := audit.Record(ctx, q, a, "org.update", "organisation", orgID, changed); err != nil {
				return err
			}
		}
		if totp {
			return audit.Record(ctx, q, a, "org.totp", "organisation", orgID, map[string]bool{"totp_optional": o.TOTPOptional})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return orgView(o), nil
}

// ListOrgs lists organisations (every staff member may see their names, to
// refer cases).
func (s *Service) ListOrgs(ctx context.Context, a auth.Actor) ([]*OrgView, error) {
	if !s.allowed(a, auth.ReadOrgs) {
		return nil, auth.ErrForbidden
	}
	os, err := s.db.Read().ListOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*OrgView, 0, len(os))
	for _, o := range os {
		out = append(out, orgView(o))
	}
	return out, nil
}

// FindOrg returns an organisation by id or exact name (for the CLI).
func (s *Service) FindOrg(ctx context.Context, idOrName string) (*OrgView, error) {
	os, err := s.db.Read().ListOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		if o.ID == idOrName || strings.EqualFold(o.Name, idOrName) {
			return orgView(o), nil
		}
	}
	return nil, fmt.Errorf("organisation %q: %w", idOrName, store.ErrNotFound)
}

// UserIn creates a staff account.
type UserIn struct {
	OrgID    string `json:"org_id"`
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// UserView is a user as the API shows it; never the password hash.
type UserView struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Disabled  bool      `json:"disabled"`
	TOTP      bool      `json:"totp_enabled"`
	CreatedAt time.Time `json:"created_at"`
	// TimeZone is the user's own choice of IANA time zone; empty: the
	// organisation's.
	TimeZone string `json:"time_zone,omitempty"`
}

func userView(u *store.User) *UserView {
	return &UserView{ID: u.ID, OrgID: u.OrgID, Email: u.Email, Name: u.Name, Role: u.Role, Disabled: u.Disabled, TOTP: u.TOTPSecret != "", CreatedAt: store.Time(u.CreatedAt),
		TimeZone: u.TimeZone}
}

// CreateUser adds a staff account. An admin adds accounts to its own
// organisation; an operator adds an admin to an organisation that has no
// enabled admin. An integration account has no password (it cannot sign
// in): it uses API tokens its admins make.
func (s *Service) CreateUser(ctx context.Context, a auth.Actor, in *UserIn) (*UserView, error) {
	if !auth.ValidRole(in.Role) {
		return nil, invalid.Field("role", "invalid_value", "%q is not one of %s", in.Role, roleList())
	}
	role := auth.Role(in.Role)
	// Refuse first what no state of the organisation would allow.
	if a != System && !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: in.OrgID, Account: &auth.Account{Role: role}, NoAdmin: true}) {
		return nil, auth.ErrForbidden
	}
	u, err := newUser(in)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if _, err := q.GetOrganisation(ctx, in.OrgID); err != nil {
			return invalid.Field("org_id", "not_found", "no organisation %q", in.OrgID)
		}
		admins, err := q.CountAdmins(ctx, in.OrgID)
		if err != nil {
			return err
		}
		if a != System && !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: in.OrgID, Account: &auth.Account{Role: role}, NoAdmin: admins == 0}) {
			return auth.ErrForbidden
		}
		return putUser(ctx, q, a, u)
	})
	if err != nil {
		return nil, err
	}
	return userView(u), nil
}

// newUser checks in (its role already checked) and makes the account it
// describes, its password hashed.
func newUser(in *UserIn) (*store.User, error) {
	addr, err := mail.ParseAddress(in.Email)
	if err != nil || addr.Address != in.Email || len(in.Email) > 254 {
		return nil, invalid.Field("email", "invalid_value", "%q is not an e-mail address", in.Email)
	}
	if err := invalid.Text("name", in.Name, 200, true); err != nil {
		return nil, err
	}
	hash := ""
	if auth.Role(in.Role) == auth.Integration {
		if in.Password != "" {
			return nil, invalid.Field("password", "not_allowed", "an integration account has no password: it uses API tokens")
		}
	} else {
		if err := checkPassword("password", in.Password); err != nil {
			return nil, err
		}
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return nil, err
		}
	}
	return &store.User{ID: store.NewID(), OrgID: in.OrgID, Email: strings.ToLower(in.Email), Name: strings.TrimSpace(in.Name), Role: in.Role, PasswordHash: hash, CreatedAt: store.Now()}, nil
}

// putUser stores u, audited by a.
func putUser(ctx context.Context, q store.Q, a auth.Actor, u *store.User) error {
	if err := q.PutUser(ctx, u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return invalid.Field("email", "duplicate", "a user with e-mail %q exists", u.Email)
		}
		return err
	}
	if a.Role == auth.Operator {
		// An operator's one act inside an organisation is an
		// organisation-management event, in the operators' view too.
		return audit.Record(ctx, q, a, "org.admin", "organisation", u.OrgID, map[string]string{"user": u.ID})
	}
	return audit.Record(ctx, q, a, "user.create", "user", u.ID, map[string]string{"role": u.Role, "org": u.OrgID})
}

func roleList() string {
	names := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// ListUsers lists the users of a's organisation (its admins manage them,
// its staff assign cases to them); System lists everyone.
func (s *Service) ListUsers(ctx context.Context, a auth.Actor) ([]*UserView, error) {
	org, err := listScope(a, auth.ReadUsers)
	if err != nil {
		return nil, err
	}
	us, err := s.db.Read().ListUsers(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]*UserView, 0, len(us))
	for _, u := range us {
		out = append(out, userView(u))
	}
	return out, nil
}

// listScope is the organisation whose accounts or tokens a lists for act:
// its own, or every one ("") for System.
func listScope(a auth.Actor, act auth.Action) (string, error) {
	if a == System {
		return "", nil
	}
	if !auth.Can(a, act, auth.Resource{OrgID: a.OrgID}) {
		return "", auth.ErrForbidden
	}
	return a.OrgID, nil
}

// account finds the user with id or e-mail idOrEmail on whom a wants to do
// act (ManageUsers or ManageTokens). A user a may not act on is not found
// when it is in another organisation, so that organisation's accounts
// cannot be enumerated, and forbidden in a's own.
func (s *Service) account(ctx context.Context, q store.Q, a auth.Actor, act auth.Action, idOrEmail string) (*store.User, error) {
	u, err := q.GetUser(ctx, idOrEmail)
	if errors.Is(err, store.ErrNotFound) {
		u, err = q.GetUserByEmail(ctx, strings.ToLower(idOrEmail))
	}
	if err != nil {
		return nil, err
	}
	if a == System || auth.Can(a, act, auth.Resource{OrgID: u.OrgID, Account: &auth.Account{UserID: u.ID, Role: auth.Role(u.Role)}}) {
		return u, nil
	}
	if u.OrgID != a.OrgID || act == auth.ManageTokens {
		return nil, fmt.Errorf("staff: user %q: %w", idOrEmail, store.ErrNotFound)
	}
	return nil, auth.ErrForbidden
}

// onAccount runs change on the account (by id or e-mail) that admin a
// manages, in one transaction, and returns the account as change left it.
// A user a may not manage is forbidden, or not found in another
// organisation (see account).
func (s *Service) onAccount(ctx context.Context, a auth.Actor, idOrEmail string, change func(q store.Q, u *store.User) error) (*UserView, error) {
	if a != System && !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	var u *store.User
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		if u, err = s.account(ctx, q, a, auth.ManageUsers, idOrEmail); err != nil {
			return err
		}
		return change(q, u)
	})
	if err != nil {
		return nil, err
	}
	return userView(u), nil
}

// SetDisabled disables or re-enables a user by id or e-mail. Disabling
// ends the user's sessions and revokes its API tokens for good:
// re-enabling brings neither back.
func (s *Service) SetDisabled(ctx context.Context, a auth.Actor, idOrEmail string, disabled bool) (*UserView, error) {
	return s.UpdateUser(ctx, a, idOrEmail, &UserChange{Disabled: &disabled})
}

func setDisabled(ctx context.Context, q store.Q, a auth.Actor, u *store.User, disabled bool) error {
	if err := q.SetUserDisabled(ctx, u.ID, disabled); err != nil {
		return err
	}
	u.Disabled = disabled
	detail := map[string]any{"disabled": disabled}
	if disabled {
		if err := q.DeleteUserSessions(ctx, u.ID, nil); err != nil {
			return err
		}
		n, err := q.RevokeUserTokens(ctx, u.ID)
		if err != nil {
			return err
		}
		detail["tokens_revoked"] = n
	}
	return audit.Record(ctx, q, a, "user.disable", "user", u.ID, detail)
}

// User returns an account a manages, by id or e-mail.
func (s *Service) User(ctx context.Context, a auth.Actor, idOrEmail string) (*UserView, error) {
	return s.onAccount(ctx, a, idOrEmail, func(store.Q, *store.User) error { return nil })
}

// UserChange is what an admin changes on an account at once: nil or
// false leaves that part as it is.
type UserChange struct {
	Role      *string
	ResetTOTP bool
	Unlock    bool
	Disabled  *bool
}

// UpdateUser makes every change of c to a user (by id or e-mail) in one
// transaction: a change that is refused leaves the account as it was, with
// none of the others made. Each part is audited as its own method's is.
func (s *Service) UpdateUser(ctx context.Context, a auth.Actor, idOrEmail string, c *UserChange) (*UserView, error) {
	if c.Role != nil {
		if !auth.ValidRole(*c.Role) {
			return nil, invalid.Field("role", "invalid_value", "%q is not one of %s", *c.Role, roleList())
		}
		if a != System && !auth.Can(a, auth.ManageUsers, auth.Resource{OrgID: a.OrgID, Account: &auth.Account{Role: auth.Role(*c.Role)}}) {
			return nil, auth.ErrForbidden
		}
	}
	return s.onAccount(ctx, a, idOrEmail, func(q store.Q, u *store.User) error {
		if c.Unlock {
			if err := q.ClearLoginThrottle(ctx, auth.ThrottleKey(u.Email)); err != nil {
				return err
			}
			if err := audit.Record(ctx, q, a, "user.unlock", "user", u.ID, nil); err != nil {
				return err
			}
		}
		if c.Disabled != nil {
			if err := setDisabled(ctx, q, a, u, *c.Disabled); err != nil {
				return err
			}
		}
		if c.Role != nil {
			if err := setRole(ctx, q, a, u, *c.Role); err != nil {
				return err
			}
		}
		if c.ResetTOTP {
			return resetTOTP(ctx, q, a, u)
		}
		return nil
	})
}

// SetRole gives a user (by id or e-mail) another role, audited as
// user.role with the old and the new. An admin changes the roles of its
// own organisation's accounts among those it may create; no one makes or
// unmakes an operator but the command line; an admin cannot change its
// own role (another admin must, so an organisation is never left without
// one by a slip). The new role applies to the user's next request.
func (s *Service) SetRole(ctx context.Context, a auth.Actor, idOrEmail, role string) (*UserView, error) {
	return s.UpdateUser(ctx, a, idOrEmail, &UserChange{Role: &role})
}

func setRole(ctx context.Context, q store.Q, a auth.Actor, u *store.User, role string) error {
	if u.ID == a.UserID {
		return invalid.Field("role", "own_account", "an admin cannot change its own role; ask another admin")
	}
	if (u.Role == string(auth.Integration)) != (role == string(auth.Integration)) {
		return invalid.Field("role", "invalid_value", "an integration account (no password) and a person's account cannot become each other")
	}
	if u.Role == role {
		return nil
	}
	if err := q.SetUserRole(ctx, u.ID, role); err != nil {
		return err
	}
	old := u.Role
	u.Role = role
	return audit.Record(ctx, q, a, "user.role", "user", u.ID, map[string]string{"from": old, "to": role})
}

// ResetTOTP removes a user's second factor (a lost phone), ends its
// sessions, and audits user.totp_reset. At its next sign-in the user signs
// in with the password alone and, where its organisation requires a second
// factor of its role, can do nothing until it enrols a new one. An admin
// resets its own organisation's accounts, not its own.
func (s *Service) ResetTOTP(ctx context.Context, a auth.Actor, idOrEmail string) (*UserView, error) {
	return s.UpdateUser(ctx, a, idOrEmail, &UserChange{ResetTOTP: true})
}

func resetTOTP(ctx context.Context, q store.Q, a auth.Actor, u *store.User) error {
	if u.ID == a.UserID {
		return invalid.Field("reset_totp", "own_account", "replace your own authenticator on your account page")
	}
	if err := q.SetUserTOTP(ctx, u.ID, ""); err != nil {
		return err
	}
	if err := q.DeleteUserSessions(ctx, u.ID, nil); err != nil {
		return err
	}
	u.TOTPSecret = ""
	return audit.Record(ctx, q, a, "user.totp_reset", "user", u.ID, nil)
}

// Unlock forgets the failed sign-ins of a user (by id or e-mail), ending
// a lockout early; audited as user.unlock. An admin unlocks its own
// organisation's accounts.
func (s *Service) Unlock(ctx context.Context, a auth.Actor, idOrEmail string) error {
	_, err := s.UpdateUser(ctx, a, idOrEmail, &UserChange{Unlock: true})
	return err
}

// EnableTOTP creates a TOTP secret for a user and returns its otpauth URL
// and secret, to enrol an authenticator app.
func (s *Service) EnableTOTP(ctx context.Context, a auth.Actor, email string) (url, secret string, err error) {
	if !s.allowed(a, auth.ManageUsers) {
		return "", "", auth.ErrForbidden
	}
	u, err := s.db.Read().GetUserByEmail(ctx, strings.ToLower(email))
	if err != nil {
		return "", "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Vigil", AccountName: u.Email})
	if err != nil {
		return "", "", fmt.Errorf("staff: totp: %w", err)
	}
	err = s.db.Tx(ctx, func(q store.Q) error {
		if err := q.SetUserTOTP(ctx, u.ID, key.Secret()); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "user.totp", "user", u.ID, nil)
	})
	if err != nil {
		return "", "", err
	}
	return key.URL(), key.Secret(), nil
}

// Me returns the signed-in user's own account.
func (s *Service) Me(ctx context.Context, a auth.Actor) (*UserView, error) {
	u, err := s.self(ctx, a)
	if err != nil {
		return nil, err
	}
	return userView(u), nil
}

// NewTOTP makes a TOTP key for the signed-in user to add to an
// authenticator app: its otpauth URL and its secret (base32). Nothing is
// stored: EnrolTOTP stores the secret once a code from the app confirms it,
// so a half-done enrolment locks no one out.
func (s *Service) NewTOTP(ctx context.Context, a auth.Actor) (url, secret string, err error) {
	u, err := s.Me(ctx, a)
	if err != nil {
		return "", "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Vigil", AccountName: u.Email})
	if err != nil {
		return "", "", fmt.Errorf("staff: totp: %w", err)
	}
	return key.URL(), key.Secret(), nil
}

// TOTPURL returns the otpauth URL of a secret made by NewTOTP, to show it
// again.
func (s *Service) TOTPURL(ctx context.Context, a auth.Actor, secret string) (string, error) {
	u, err := s.Me(ctx, a)
	if err != nil {
		return "", err
	}
	raw, err := decodeTOTPSecret(secret)
	if err != nil {
		return "", err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "Vigil", AccountName: u.Email, Secret: raw})
	if err != nil {
		return "", fmt.Errorf("staff: totp: %w", err)
	}
	return key.URL(), nil
}

// decodeTOTPSecret checks and decodes a base32 TOTP secret as NewTOTP
// makes them (20 bytes; any length from 10 to 40 is taken).
func decodeTOTPSecret(secret string) ([]byte, error) {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(raw) < 10 || len(raw) > 40 {
		return nil, invalid.Field("secret", "invalid_value", "not a TOTP secret")
	}
	return raw, nil
}

// EnrolTOTP makes secret (from NewTOTP) the signed-in user's second factor
// once password is theirs and code, from the authenticator app, shows the
// app has it; audited. The code's time step counts as used, so it cannot
// also sign in. A wrong password or code is an *invalid.Error on field
// "password" or "code" and stores nothing; a wrong password counts as a
// failed sign-in (see Login).
func (s *Service) EnrolTOTP(ctx context.Context, a auth.Actor, password, secret, code string) error {
	u, err := s.self(ctx, a)
	if err != nil {
		return err
	}
	secret = strings.TrimSpace(secret)
	if _, err := decodeTOTPSecret(secret); err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, u, password); err != nil {
		return err
	}
	step, ok := auth.TOTPStep(secret, code, s.Now())
	if !ok {
		return invalid.Field("code", "invalid_value", "the code does not match the secret")
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		if err := q.SetUserTOTP(ctx, u.ID, secret); err != nil {
			return err
		}
		if _, err := q.UseTOTPStep(ctx, u.ID, step); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "user.totp", "user", u.ID, nil)
	})
}

// ChangePassword replaces the signed-in user's password once current is
// theirs, and ends every other session of theirs (session is the value of
// the one asking, which stays); audited. A wrong current password is an
// *invalid.Error on "current_password" and counts as a failed sign-in.
func (s *Service) ChangePassword(ctx context.Context, a auth.Actor, session, current, next string) error {
	u, err := s.self(ctx, a)
	if err != nil {
		return err
	}
	if u.PasswordHash == "" {
		// An integration account has no password: it uses API tokens.
		return auth.ErrForbidden
	}
	if err := checkPassword("new_password", next); err != nil {
		return err
	}
	if err := s.confirmPassword(ctx, u, current); err != nil {
		var fe *invalid.Error
		if errors.As(err, &fe) && fe.Field == "password" {
			return invalid.Field("current_password", fe.Code, "%s", fe.Message)
		}
		return err
	}
	if next == current {
		return invalid.Field("new_password", "unchanged", "is the same as the current password")
	}
	hash, err := s.Hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		if err := q.SetUserPassword(ctx, u.ID, hash); err != nil {
			return err
		}
		if err := q.DeleteUserSessions(ctx, u.ID, auth.HashSecret(session)); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "user.password", "user", u.ID, nil)
	})
}

// self returns the signed-in user's own account (a session's, a token's).
func (s *Service) self(ctx context.Context, a auth.Actor) (*store.User, error) {
	if a.UserID == "" || a == System {
		return nil, auth.ErrForbidden
	}
	return s.db.Read().GetUser(ctx, a.UserID)
}

// checkPassword checks a new password's length.
func checkPassword(field, pw string) error {
	if len(pw) < auth.MinPasswordLen {
		return invalid.Field(field, "too_short", "must be at least %d characters", auth.MinPasswordLen)
	}
	if len(pw) > 1024 {
		return invalid.Field(field, "too_long", "must be at most 1024 bytes")
	}
	return nil
}

// confirmPassword checks that password is u's before a change to its
// credentials. A wrong one is an *invalid.Error on "password" and counts
// as a failed sign-in, so a stolen session cannot guess the password
// faster than the sign-in form; while the address is locked the answer is
// *auth.LockedError and nothing is checked.
func (s *Service) confirmPassword(ctx context.Context, u *store.User, password string) error {
	key := auth.ThrottleKey(u.Email)
	if err := s.checkLock(ctx, u, key); err != nil {
		return err
	}
	err := s.Hasher.Check(ctx, u.PasswordHash, password)
	if err == nil || errors.Is(err, auth.ErrBusy) {
		return err
	}
	if err := s.loginFailed(ctx, u, key, "reauth_password"); !errors.Is(err, auth.ErrUnauthenticated) {
		return err
	}
	return invalid.Field("password", "wrong", "is not your password")
}

// TokenView is an API token as the API shows it; never the token itself
// or its hash.
type TokenView struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	UserEmail string    `json:"user_email"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	Revoked   bool      `json:"revoked"`
	// LastUsedAt is when the token last authenticated a request, to
	// TokenUseEvery (absent: never).
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// TokenUseEvery is how finely a token's last use is recorded: at most one
// write per token in that time.
const TokenUseEvery = time.Minute

// NewToken is a token just made: the token itself, shown this once, and
// its view.
type NewToken struct {
	Token string `json:"token"`
	TokenView
}

func tokenView(t *store.Token, u *store.User) TokenView {
	return TokenView{ID: t.ID, UserID: t.UserID, UserEmail: u.Email, Name: t.Name, CreatedAt: store.Time(t.CreatedAt), ExpiresAt: store.Time(t.ExpiresAt), Revoked: t.Revoked, LastUsedAt: store.Time(t.LastUsedAt)}
}

// CreateToken makes an API token for a user (by id or e-mail; "" for a
// itself), valid for ttl (0: until revoked). Everyone but an integration
// account makes tokens for itself; an admin also for its own
// organisation's integration accounts; System for anyone. No one else's:
// another user is not found. The token is returned once and only its hash
// is kept. The event goes into the user's organisation's trail, with a as
// the actor.
func (s *Service) CreateToken(ctx context.Context, a auth.Actor, idOrEmail, name string, ttl time.Duration) (*NewToken, error) {
	if a != System && !auth.Can(a, auth.ManageTokens, auth.Resource{OrgID: a.OrgID}) {
		return nil, auth.ErrForbidden
	}
	if idOrEmail == "" {
		if a == System {
			return nil, invalid.Field("user_id", "required", "is required")
		}
		idOrEmail = a.UserID
	}
	if err := invalid.Text("name", name, 100, true); err != nil {
		return nil, err
	}
	if ttl < 0 {
		return nil, invalid.Field("expires_in_days", "invalid_value", "must not be negative")
	}
	secret, hash, err := auth.NewSecret(auth.TokenPrefix)
	if err != nil {
		return nil, err
	}
	var out *NewToken
	err = s.db.Tx(ctx, func(q store.Q) error {
		u, err := s.account(ctx, q, a, auth.ManageTokens, idOrEmail)
		if err != nil {
			return err
		}
		if u.Disabled {
			return invalid.Field("user_id", "disabled", "the account is disabled")
		}
		t := &store.Token{ID: store.NewID(), UserID: u.ID, Name: name, Hash: hash, CreatedAt: store.Now()}
		if ttl > 0 {
			t.ExpiresAt = s.Now().Add(ttl).UnixMicro()
		}
		if err := q.PutToken(ctx, t); err != nil {
			return err
		}
		out = &NewToken{Token: secret, TokenView: tokenView(t, u)}
		return audit.Record(ctx, q, a, "token.create", "token", t.ID, map[string]string{"user": u.ID, "name": name})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListTokens lists the API tokens a manages, revoked and expired ones
// included: its own, and an admin's organisation's integration accounts';
// System lists every token.
func (s *Service) ListTokens(ctx context.Context, a auth.Actor) ([]*TokenView, error) {
	org, err := listScope(a, auth.ManageTokens)
	if err != nil {
		return nil, err
	}
	q := s.db.Read()
	us, err := q.ListUsers(ctx, org)
	if err != nil {
		return nil, err
	}
	users := make(map[string]*store.User, len(us))
	for _, u := range us {
		users[u.ID] = u
	}
	ts, err := q.ListTokens(ctx, org, "")
	if err != nil {
		return nil, err
	}
	out := []*TokenView{}
	for _, t := range ts {
		u := users[t.UserID]
		if u == nil || (a != System && !auth.Can(a, auth.ManageTokens, auth.Resource{OrgID: u.OrgID, Account: &auth.Account{UserID: u.ID, Role: auth.Role(u.Role)}})) {
			continue
		}
		v := tokenView(t, u)
		out = append(out, &v)
	}
	return out, nil
}

// RevokeToken revokes an API token for good, audited; revoking a revoked
// token does nothing. A token a may not manage is not found.
func (s *Service) RevokeToken(ctx context.Context, a auth.Actor, id string) error {
	if a != System && !auth.Can(a, auth.ManageTokens, auth.Resource{OrgID: a.OrgID}) {
		return auth.ErrForbidden
	}
	return s.db.Tx(ctx, func(q store.Q) error {
		t, err := q.GetToken(ctx, id)
		if err != nil {
			return err
		}
		if _, err := s.account(ctx, q, a, auth.ManageTokens, t.UserID); err != nil {
			return err
		}
		if t.Revoked {
			return nil
		}
		if err := q.RevokeToken(ctx, id); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "token.revoke", "token", id, map[string]string{"user": t.UserID})
	})
}

// actorOf returns the actor for an active user.
func actorOf(u *store.User) (auth.Actor, error) {
	if u.Disabled {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	return auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}, nil
}

// sessionActorOf returns the actor of a session of an active user: with
// MustEnrolTOTP when its role needs a second factor, it has none, and its
// organisation requires one. API tokens are not held to this: a token is
// made by a session that passed it, or by the command line.
func (s *Service) sessionActorOf(ctx context.Context, q store.Q, u *store.User) (auth.Actor, error) {
	a, err := actorOf(u)
	if err != nil || u.TOTPSecret != "" || !auth.NeedsSecondFactor(a.Role) {
		return a, err
	}
	o, err := q.GetOrganisation(ctx, u.OrgID)
	if err != nil {
		return auth.Actor{}, err
	}
	a.MustEnrolTOTP = !o.TOTPOptional
	return a, nil
}

// TokenActor authenticates a bearer token.
func (s *Service) TokenActor(ctx context.Context, token string) (auth.Actor, error) {
	if !strings.HasPrefix(token, auth.TokenPrefix) || len(token) > 100 {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	q := s.db.Read()
	t, err := q.GetTokenByHash(ctx, auth.HashSecret(token))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return auth.Actor{}, auth.ErrUnauthenticated
		}
		return auth.Actor{}, err
	}
	now := s.Now()
	if t.Revoked || (t.ExpiresAt != 0 && now.UnixMicro() > t.ExpiresAt) {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	u, err := q.GetUser(ctx, t.UserID)
	if err != nil {
		return auth.Actor{}, err
	}
	if notBefore := now.Add(-TokenUseEvery).UnixMicro(); t.LastUsedAt < notBefore {
		// Best effort: a request is not refused because its token's
		// last use could not be written.
		_ = s.db.Tx(ctx, func(q store.Q) error { return q.TouchToken(ctx, t.ID, now.UnixMicro(), notBefore) })
	}
	return actorOf(u)
}

// Login checks a password (and TOTP code, when the user has one) and opens
// a session; the returned value goes in the session cookie. A wrong e-mail,
// a wrong password, a missing, wrong or reused code and a disabled account
// all get the same auth.ErrUnauthenticated, and each is audited as
// session.login_failed (with why, for the account's organisation; never
// the password or the code).
//
// Failures are counted per e-mail address, known or not: from the
// auth.FreeFailures-th in a row the address is locked for a while that
// doubles with each further failure (auth.LockFor), and Login answers
// *auth.LockedError, before any password is checked, until it ends.
//
// An admin, coordinator or operator without a second factor, in an
// organisation that requires one, gets a session whose actor has
// MustEnrolTOTP set: it can only set one up.
func (s *Service) Login(ctx context.Context, email, password, code string) (string, auth.Actor, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	key := auth.ThrottleKey(email)
	q := s.db.Read()
	u, err := q.GetUserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", auth.Actor{}, err
	}
	if err := s.checkLock(ctx, u, key); err != nil {
		return "", auth.Actor{}, err
	}
	if u == nil {
		// Spend the same time (and the same slot) as a real check, so
		// timing does not tell which e-mail addresses exist.
		if err := s.Hasher.Check(ctx, s.dummyHash(), password); errors.Is(err, auth.ErrBusy) {
			return "", auth.Actor{}, err
		}
		return "", auth.Actor{}, s.loginFailed(ctx, nil, key, "unknown_account")
	}
	if err := s.Hasher.Check(ctx, u.PasswordHash, password); err != nil {
		if errors.Is(err, auth.ErrBusy) {
			return "", auth.Actor{}, err
		}
		return "", auth.Actor{}, s.loginFailed(ctx, u, key, "password")
	}
	// A hash made with older parameters is replaced now that the password
	// is known to be right; a failure here does not stop the login.
	var rehash string
	if auth.NeedsRehash(u.PasswordHash) {
		rehash, _ = s.Hasher.Hash(ctx, password)
	}
	a, err := s.sessionActorOf(ctx, q, u)
	if errors.Is(err, auth.ErrUnauthenticated) {
		return "", auth.Actor{}, s.loginFailed(ctx, u, key, "disabled")
	}
	if err != nil {
		return "", auth.Actor{}, err
	}
	var step int64
	if u.TOTPSecret != "" {
		var ok bool
		if step, ok = auth.TOTPStep(u.TOTPSecret, code, s.Now()); !ok {
			return "", auth.Actor{}, s.loginFailed(ctx, u, key, "code")
		}
	}
	secret, hash, err := auth.NewSecret("")
	if err != nil {
		return "", auth.Actor{}, err
	}
	now := s.Now()
	err = s.db.Tx(ctx, func(q store.Q) error {
		if step != 0 {
			fresh, err := q.UseTOTPStep(ctx, u.ID, step)
			if err != nil {
				return err
			}
			if !fresh {
				return errCodeReused
			}
		}
		if err := q.PutSession(ctx, &store.Session{Hash: hash, UserID: u.ID, CreatedAt: now.UnixMicro(), SeenAt: now.UnixMicro(), ExpiresAt: now.Add(s.SessionTTL).UnixMicro()}); err != nil {
			return err
		}
		if rehash != "" {
			if err := q.SetUserPassword(ctx, u.ID, rehash); err != nil {
				return err
			}
		}
		if err := q.ClearLoginThrottle(ctx, key); err != nil {
			return err
		}
		return audit.Record(ctx, q, a, "session.login", "user", u.ID, map[string]bool{"must_enrol_totp": a.MustEnrolTOTP})
	})
	if errors.Is(err, errCodeReused) {
		return "", auth.Actor{}, s.loginFailed(ctx, u, key, "code_reused")
	}
	if err != nil {
		return "", auth.Actor{}, err
	}
	return secret, a, nil
}

// errCodeReused is a TOTP code whose time step a sign-in used already.
var errCodeReused = errors.New("staff: totp code already used")

// checkLock answers *auth.LockedError while key is locked, auditing the
// refused attempt (u is nil for an unknown address).
func (s *Service) checkLock(ctx context.Context, u *store.User, key []byte) error {
	th, err := s.db.Read().GetLoginThrottle(ctx, key)
	if err != nil {
		return err
	}
	if th.LockedUntil <= s.Now().UnixMicro() {
		return nil
	}
	if err := s.db.Tx(ctx, func(q store.Q) error { return auditFailure(ctx, q, u, "locked") }); err != nil {
		return fmt.Errorf("staff: audit refused login: %w", err)
	}
	return &auth.LockedError{Until: time.UnixMicro(th.LockedUntil)}
}

// loginFailed audits a failed login, counts it against key, and returns
// the one answer every failure gets, or *auth.LockedError when this
// failure locks the address. u is nil for an unknown e-mail address, whose
// event belongs to no organisation (the instance's operators see it). The
// client address is rate-limited before Login is called, which bounds how
// fast failures can fill the trail.
func (s *Service) loginFailed(ctx context.Context, u *store.User, key []byte, why string) error {
	now := s.Now()
	var n int
	err := s.db.Tx(ctx, func(q store.Q) error {
		var err error
		n, err = q.AddLoginFailure(ctx, key, now.UnixMicro(), now.Add(-24*time.Hour).UnixMicro(), func(failures int) int64 {
			return auth.LockFor(failures).Microseconds()
		})
		if err != nil {
			return err
		}
		return auditFailure(ctx, q, u, why)
	})
	if err != nil {
		return fmt.Errorf("staff: failed login: %w", err)
	}
	if d := auth.LockFor(n); d > 0 {
		return &auth.LockedError{Until: now.Add(d)}
	}
	return auth.ErrUnauthenticated
}

// auditFailure records a failed or refused sign-in in q's transaction (u
// nil for an unknown address).
func auditFailure(ctx context.Context, q store.Q, u *store.User, why string) error {
	a, id := auth.Actor{}, ""
	if u != nil {
		a, id = auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}, u.ID
	}
	return audit.Record(ctx, q, a, "session.login_failed", "user", id, map[string]string{"why": why})
}

// dummyHash returns a real hash to check against when the e-mail is
// unknown; it is made on first use.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		s.dummy, _ = auth.HashPassword("no such user, no such password")
	})
	return s.dummy
}

// SessionActor authenticates a session cookie value and slides its expiry.
func (s *Service) SessionActor(ctx context.Context, value string) (auth.Actor, error) {
	if value == "" || len(value) > 100 {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	h := auth.HashSecret(value)
	sess, err := s.db.Read().GetSession(ctx, h)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return auth.Actor{}, auth.ErrUnauthenticated
		}
		return auth.Actor{}, err
	}
	now := s.Now()
	if now.UnixMicro() > sess.ExpiresAt {
		return auth.Actor{}, auth.ErrUnauthenticated
	}
	q := s.db.Read()
	u, err := q.GetUser(ctx, sess.UserID)
	if err != nil {
		return auth.Actor{}, err
	}
	a, err := s.sessionActorOf(ctx, q, u)
	if err != nil {
		return a, err
	}
	// Slide the expiry at most once a minute, to keep reads cheap.
	if now.UnixMicro()-sess.SeenAt > int64(time.Minute/time.Microsecond) {
		if err := s.db.Tx(ctx, func(q store.Q) error {
			return q.TouchSession(ctx, h, now.UnixMicro(), now.Add(s.SessionTTL).UnixMicro())
		}); err != nil {
			return a, err
		}
	}
	return a, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, value string) error {
	return s.db.Tx(ctx, func(q store.Q) error { return q.DeleteSession(ctx, auth.HashSecret(value)) })
}
