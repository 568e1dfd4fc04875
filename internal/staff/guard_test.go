package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// clock is a settable time for a staff service.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func startClock(s *staff.Service) *clock { c := &clock{t: time.Now()}; s.Now = c.now; return c }

// locked returns the lockout err is, or fails.
func locked(t *testing.T, what string, err error) *auth.LockedError {
	t.Helper()
	var le *auth.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("%s: got %v, want *auth.LockedError", what, err)
	}
	return le
}

// TestLoginLockout: failed sign-ins are counted per e-mail address; the
// fifth in a row locks it for a minute, each further one for twice as
// long, and while it is locked even the right password is refused without
// being checked. An unknown address locks the same way, so a lockout does
// not tell which accounts exist. A successful sign-in starts the count
// again. Every refusal is audited (issue 11: per-account throttling with
// backoff and lockout; before, only the client address was limited).
func TestLoginLockout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, _ := hotlineAna(t, db)
		c := startClock(s)
		for _, email := range []string{"ana@hotline.test", "nobody@hotline.test"} {
			for i := 1; i < auth.FreeFailures; i++ {
				if _, _, err := s.Login(ctx, email, "a wrong password", ""); !errors.Is(err, auth.ErrUnauthenticated) {
					t.Fatalf("%s failure %d: got %v, want ErrUnauthenticated", email, i, err)
				}
			}
			le := locked(t, email+" fifth failure", func() error { _, _, err := s.Login(ctx, email, "a wrong password", ""); return err }())
			if got := le.Until.Sub(c.t); got != auth.LockBase {
				t.Errorf("%s: locked for %v, want %v", email, got, auth.LockBase)
			}
			_, _, err := s.Login(ctx, " "+email+" ", password, "")
			locked(t, email+" right password while locked", err)
		}
		c.advance(auth.LockBase + time.Second)
		_, _, err := s.Login(ctx, "nobody@hotline.test", "a wrong password", "")
		if le := locked(t, "sixth failure", err); le.Until.Sub(c.t) != 2*auth.LockBase {
			t.Errorf("sixth failure locks for %v, want %v", le.Until.Sub(c.t), 2*auth.LockBase)
		}
		if _, _, err := s.Login(ctx, "ana@hotline.test", password, ""); err != nil {
			t.Fatalf("right password after the lock ended: %v", err)
		}
		// An operator ends a lockout early.
		for range auth.FreeFailures {
			_, _, err = s.Login(ctx, "ana@hotline.test", "a wrong password", "")
		}
		locked(t, "locked again", err)
		if err := s.Unlock(ctx, staff.System, "ana@hotline.test"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "ana@hotline.test", password, ""); err != nil {
			t.Fatalf("right password after unlock: %v", err)
		}
		for i := 1; i < auth.FreeFailures; i++ {
			if _, _, err := s.Login(ctx, "ana@hotline.test", "a wrong password", ""); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Fatalf("after a success, failure %d: got %v, want the count to have started again", i, err)
			}
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "session.login_failed", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		lockedEvents := 0
		for _, ev := range evs {
			if ev.Detail == `{"why":"locked"}` {
				lockedEvents++
			}
		}
		if lockedEvents != 2 {
			t.Errorf("%d refusals while locked audited, want 2", lockedEvents)
		}
	})
}

// TestTOTPReplayAndWrongCodes: a code is good once (before, the same code
// signed in again for its whole minute and a half), and wrong codes after
// the right password lock the account like wrong passwords.
func TestTOTPReplayAndWrongCodes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, u := hotlineAna(t, db)
		c := startClock(s)
		me := auth.Actor{UserID: u.ID, Role: auth.Role(u.Role), OrgID: org.ID}
		_, secret, err := s.NewTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		code := func() string { v, _ := totp.GenerateCode(secret, c.t); return v }
		if err := s.EnrolTOTP(ctx, me, password, secret, code()); err != nil {
			t.Fatal(err)
		}
		c.advance(auth.TOTPPeriod * time.Second)
		first := code()
		if _, _, err := s.Login(ctx, u.Email, password, first); err != nil {
			t.Fatalf("first use of a code: %v", err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, first); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("the same code again: got %v, want ErrUnauthenticated", err)
		}
		// A code of an earlier step, still within the skew window, is
		// refused too: steps only move forward.
		c.advance(auth.TOTPPeriod * time.Second)
		if _, _, err := s.Login(ctx, u.Email, password, first); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("the previous step's code after a later sign-in: got %v, want ErrUnauthenticated", err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, code()); err != nil {
			t.Fatalf("the new step's code: %v", err)
		}
		wrong := "000000"
		if wrong == code() {
			wrong = "111111"
		}
		var err5 error
		for range auth.FreeFailures {
			_, _, err5 = s.Login(ctx, u.Email, password, wrong)
		}
		locked(t, "five wrong codes", err5)
		c.advance(auth.TOTPPeriod * time.Second)
		_, _, err = s.Login(ctx, u.Email, password, code())
		locked(t, "a right code while locked", err)
	})
}

// TestSecondFactorRequired: in an organisation that requires it (the
// default), an admin or coordinator without a second factor signs in to a
// session that may do nothing but set one up; an intake worker is not
// held to it, nor is anyone in an organisation that lets them go without.
// Only the organisation's own admins change the setting, audited.
func TestSecondFactorRequired(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, _ := hotlineAna(t, db)
		relaxed, err := s.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Relaxed", Kind: "ngo", TOTPOptional: true})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(orgID, email, role string) *staff.UserView {
			u, err := s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: orgID, Email: email, Name: role, Role: role, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		boss := mk(org.ID, "boss@hotline.test", "admin")
		mk(org.ID, "coord@hotline.test", "coordinator")
		mk(relaxed.ID, "boss@relaxed.test", "admin")
		for _, tt := range []struct {
			email string
			must  bool
		}{
			{"boss@hotline.test", true},
			{"coord@hotline.test", true},
			{"ana@hotline.test", false},
			{"boss@relaxed.test", false},
		} {
			value, a, err := s.Login(ctx, tt.email, password, "")
			if err != nil {
				t.Fatalf("%s: %v", tt.email, err)
			}
			sa, err := s.SessionActor(ctx, value)
			if err != nil {
				t.Fatal(err)
			}
			if a.MustEnrolTOTP != tt.must || sa.MustEnrolTOTP != tt.must {
				t.Errorf("%s: MustEnrolTOTP at sign-in %v, in the session %v; want %v", tt.email, a.MustEnrolTOTP, sa.MustEnrolTOTP, tt.must)
			}
			if tt.must && auth.Can(sa, auth.ReadAudit, auth.Resource{OrgID: sa.OrgID}) {
				t.Errorf("%s: a session that must set up a second factor may read the audit trail", tt.email)
			}
		}
		value, a, err := s.Login(ctx, "boss@hotline.test", password, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetTOTPOptional(ctx, a, org.ID, true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("the setting changed from an enrolment-only session: %v", err)
		}
		_, secret, err := s.NewTOTP(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(secret, time.Now())
		if err := s.EnrolTOTP(ctx, a, password, secret, code); err != nil {
			t.Fatalf("enrolment from the enrolment-only session: %v", err)
		}
		a, err = s.SessionActor(ctx, value)
		if err != nil || a.MustEnrolTOTP {
			t.Fatalf("after enrolment the session's actor is %+v (%v), want a full one", a, err)
		}
		other := auth.Actor{UserID: "x", OrgID: relaxed.ID, Role: auth.Admin}
		if _, err := s.SetTOTPOptional(ctx, other, org.ID, true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("another organisation's admin changed the setting: %v", err)
		}
		v, err := s.SetTOTPOptional(ctx, a, org.ID, true)
		if err != nil || !v.TOTPOptional {
			t.Fatalf("own admin relaxes the setting: %+v, %v", v, err)
		}
		if _, a, err := s.Login(ctx, "coord@hotline.test", password, ""); err != nil || a.MustEnrolTOTP {
			t.Errorf("coordinator after the setting was relaxed: %+v, %v", a, err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "org.totp", Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].ActorID != boss.ID || evs[0].OrgID != org.ID {
			t.Errorf("audit of the setting: %+v (%v), want one event by the admin in its organisation", evs, err)
		}
	})
}

// TestChangePassword: changing the password needs the current one (a
// wrong one counts toward the lockout), ends every other session of the
// account and keeps the one asking; audited.
func TestChangePassword(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, u := hotlineAna(t, db)
		mine, a, err := s.Login(ctx, u.Email, password, "")
		if err != nil {
			t.Fatal(err)
		}
		elsewhere, _, err := s.Login(ctx, u.Email, password, "")
		if err != nil {
			t.Fatal(err)
		}
		const next = "a new and longer passphrase"
		for _, tt := range []struct {
			name, current, next, field string
		}{
			{"wrong current", "not the password", next, "current_password"},
			{"too short", password, "short", "new_password"},
			{"unchanged", password, password, "new_password"},
		} {
			err := s.ChangePassword(ctx, a, mine, tt.current, tt.next)
			if fe, ok := invalid.As(err); !ok || fe.Field != tt.field {
				t.Errorf("%s: got %v, want an error on %s", tt.name, err, tt.field)
			}
		}
		if err := s.ChangePassword(ctx, staff.System, "", password, next); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("System changing a password: %v", err)
		}
		if err := s.ChangePassword(ctx, a, mine, password, next); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SessionActor(ctx, mine); err != nil {
			t.Errorf("the session that changed the password ended: %v", err)
		}
		if _, err := s.SessionActor(ctx, elsewhere); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("another session after the change: %v, want ErrUnauthenticated", err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, ""); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("old password: %v", err)
		}
		if _, _, err := s.Login(ctx, u.Email, next, ""); err != nil {
			t.Errorf("new password: %v", err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "user.password", Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].ActorID != u.ID {
			t.Errorf("audit: %+v (%v), want one user.password event by the user", evs, err)
		}
		// Wrong current passwords lock the account as wrong sign-ins do.
		for range auth.FreeFailures {
			err = s.ChangePassword(ctx, a, mine, "still not the password", "another new passphrase")
		}
		locked(t, "five wrong current passwords", err)
	})
}

// TestAdminRunsTheTeam: an admin changes a colleague's role (not its own,
// never to or from operator, not in another organisation) and resets a
// lost second factor, which ends the user's sessions; the user then must
// enrol again where the organisation requires it. Each is audited.
func TestAdminRunsTheTeam(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, ana := hotlineAna(t, db)
		other, err := s.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Other", Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		mk := func(orgID, email, role string) *staff.UserView {
			u, err := s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: orgID, Email: email, Name: role, Role: role, Password: password})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		admin := mk(org.ID, "admin@hotline.test", "admin")
		stranger := mk(other.ID, "intake@other.test", "intake")
		a := auth.Actor{UserID: admin.ID, OrgID: org.ID, Role: auth.Admin}
		for _, tt := range []struct {
			name, who, role string
			want            string // "ok", "forbidden", "not_found" or a field
		}{
			{"promote", ana.ID, "coordinator", "ok"},
			{"to operator", ana.ID, "operator", "forbidden"},
			{"own role", admin.ID, "intake", "role"},
			{"another organisation's", stranger.ID, "coordinator", "not_found"},
			{"unknown role", ana.ID, "boss", "role"},
			{"person to integration", ana.ID, "integration", "role"},
		} {
			_, err := s.SetRole(ctx, a, tt.who, tt.role)
			fe, isField := invalid.As(err)
			switch {
			case tt.want == "ok" && err != nil,
				tt.want == "forbidden" && !errors.Is(err, auth.ErrForbidden),
				tt.want == "not_found" && !errors.Is(err, store.ErrNotFound),
				tt.want != "ok" && tt.want != "forbidden" && tt.want != "not_found" && (!isField || fe.Field != tt.want):
				t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
			}
		}
		value, ca, err := s.Login(ctx, "ana@hotline.test", password, "")
		if err != nil || ca.Role != auth.Coordinator || !ca.MustEnrolTOTP {
			t.Fatalf("ana after promotion: %+v, %v; want a coordinator who must enrol", ca, err)
		}
		_, secret, _ := s.NewTOTP(ctx, ca)
		code, _ := totp.GenerateCode(secret, time.Now())
		if err := s.EnrolTOTP(ctx, ca, password, secret, code); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ResetTOTP(ctx, a, admin.ID); err == nil {
			t.Error("an admin reset its own second factor through the admin route")
		}
		v, err := s.ResetTOTP(ctx, a, "ana@hotline.test")
		if err != nil || v.TOTP {
			t.Fatalf("reset: %+v, %v", v, err)
		}
		if _, err := s.SessionActor(ctx, value); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("ana's session after the reset: %v, want ended", err)
		}
		if _, ca, err := s.Login(ctx, "ana@hotline.test", password, ""); err != nil || !ca.MustEnrolTOTP {
			t.Errorf("ana after the reset: %+v, %v; want signed in to enrol again", ca, err)
		}
		for _, action := range []string{"user.role", "user.totp_reset"} {
			evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: action, Limit: 10})
			if err != nil || len(evs) != 1 || evs[0].ActorID != admin.ID || evs[0].OrgID != org.ID {
				t.Errorf("%s audit: %+v (%v)", action, evs, err)
			}
		}
	})
}

// TestUpdateUserAllOrNothing: the admin's PATCH of an account makes all its
// changes in one transaction. When one part is refused (a role an admin may
// not give, or its own role), none of the others (disable, unlock) is made
// or audited.
func TestUpdateUserAllOrNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, ana := hotlineAna(t, db)
		admin, err := s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: "admin@hotline.test", Name: "Admin", Role: "admin", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		a := auth.Actor{UserID: admin.ID, OrgID: org.ID, Role: auth.Admin}
		yes, operator, investigator := true, "operator", "investigator"
		if _, err := s.UpdateUser(ctx, a, ana.ID, &staff.UserChange{Role: &operator, Disabled: &yes, Unlock: true}); !errors.Is(err, auth.ErrForbidden) {
			t.Fatalf("operator role with disable: %v, want forbidden", err)
		}
		// Unlock and enable are made first, then the role is refused: the
		// transaction undoes them.
		own, no := "intake", false
		if _, err := s.UpdateUser(ctx, a, admin.ID, &staff.UserChange{Unlock: true, Disabled: &no, Role: &own}); err == nil {
			t.Fatal("an admin changed its own role")
		}
		if v, err := s.User(ctx, a, ana.ID); err != nil || v.Disabled {
			t.Fatalf("after the refused changes: %+v, %v; want ana enabled", v, err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if strings.HasPrefix(e.Action, "user.") && e.Action != "user.create" {
				t.Errorf("refused change audited: %s on %s", e.Action, e.ResourceID)
			}
		}
		v, err := s.UpdateUser(ctx, a, ana.ID, &staff.UserChange{Role: &investigator, Disabled: &yes, Unlock: true})
		if err != nil || v.Role != investigator || !v.Disabled {
			t.Fatalf("role, disable and unlock at once: %+v, %v", v, err)
		}
		for _, action := range []string{"user.role", "user.disable", "user.unlock"} {
			evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: action, Limit: 10})
			if err != nil || len(evs) != 1 {
				t.Errorf("%s audit: %d events (%v), want 1", action, len(evs), err)
			}
		}
	})
}

// TestUpdateOrg: an organisation's admins change its name, country and
// public intake in one transaction, audited with old and new values; the
// change decides where public reports go; another organisation's admin,
// a bad country and a taken name are refused and change nothing.
func TestUpdateOrg(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, _ := hotlineAna(t, db)
		other, err := s.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Other", Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		admin, err := s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: "admin@hotline.test", Name: "Admin", Role: "admin", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		a := auth.Actor{UserID: admin.ID, OrgID: org.ID, Role: auth.Admin}
		str := func(s string) *string { return &s }
		yes := true
		for _, tt := range []struct {
			name  string
			orgID string
			c     staff.OrgChange
			want  string // "forbidden" or a field
		}{
			{"another organisation", other.ID, staff.OrgChange{Name: str("Mine now")}, "forbidden"},
			{"nothing", org.ID, staff.OrgChange{}, "name"},
			{"blank name", org.ID, staff.OrgChange{Name: str("  ")}, "name"},
			{"bad country", org.ID, staff.OrgChange{Country: str("KHM")}, "country"},
			{"country with a digit", org.ID, staff.OrgChange{Country: str("K1")}, "country"},
			{"taken name, with public intake", org.ID, staff.OrgChange{Name: str("Other"), ReceivesPublic: &yes}, "name"},
		} {
			_, err := s.UpdateOrg(ctx, a, tt.orgID, &tt.c)
			fe, isField := invalid.As(err)
			if tt.want == "forbidden" && !errors.Is(err, auth.ErrForbidden) || tt.want != "forbidden" && (!isField || fe.Field != tt.want) {
				t.Errorf("%s: %v, want %s", tt.name, err, tt.want)
			}
		}
		if _, err := db.Read().PublicIntakeOrganisation(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a refused change turned on public intake: %v", err)
		}
		v, err := s.UpdateOrg(ctx, a, org.ID, &staff.OrgChange{Name: str(" Hotline Cambodia "), Country: str("kh"), ReceivesPublic: &yes})
		if err != nil || v.Name != "Hotline Cambodia" || v.Country != "KH" || !v.ReceivesPublic {
			t.Fatalf("update: %+v, %v", v, err)
		}
		if o, err := db.Read().PublicIntakeOrganisation(ctx); err != nil || o.ID != org.ID {
			t.Errorf("public reports go to %+v (%v), want the hotline", o, err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "org.update", Limit: 10})
		if err != nil || len(evs) != 1 || evs[0].OrgID != org.ID || !strings.Contains(evs[0].Detail, `"from":"Hotline"`) || !strings.Contains(evs[0].Detail, `"to":"KH"`) {
			t.Errorf("org.update audit: %+v (%v)", evs, err)
		}
		// Saving the same settings again changes and records nothing.
		if _, err := s.UpdateOrg(ctx, a, org.ID, &staff.OrgChange{Name: str("Hotline Cambodia"), ReceivesPublic: &yes}); err != nil {
			t.Fatal(err)
		}
		if evs, _ := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "org.update", Limit: 10}); len(evs) != 1 {
			t.Errorf("an unchanged save was audited: %d events", len(evs))
		}
	})
}
