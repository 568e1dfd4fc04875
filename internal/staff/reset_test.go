package staff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestResetPasswordWho: an admin makes reset links for its own
// organisation's people only: not its own account, not an integration
// account's, not another organisation's (not found).
func TestResetPasswordWho(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		for _, c := range []struct {
			name   string
			a      auth.Actor
			target string
			want   string
		}{
			{"admin, own organisation's intake", w.admin, w.intake.UserID, "ok"},
			{"admin, by e-mail", w.admin, "intake@hotline.test", "ok"},
			{"admin, itself", w.admin, w.admin.UserID, "invalid user_id"},
			{"admin, an integration account", w.admin, w.integ.UserID, "invalid user_id"},
			{"admin, another organisation's", w.admin, w.ngoCoord.UserID, "not found"},
			{"intake, a colleague", w.intake, w.admin.UserID, "forbidden"},
			{"coordinator, its own organisation's bot", w.ngoCoord, w.ngoInteg.UserID, "forbidden"},
			{"operator, an intake", w.operator, w.intake.UserID, "forbidden"},
			{"command line, anyone with a password", staff.System, w.ngoCoord.UserID, "ok"},
		} {
			t.Run(c.name, func(t *testing.T) {
				p, err := w.s.ResetPassword(ctx, c.a, c.target)
				if got := outcome(err); got != c.want {
					t.Fatalf("got %s, want %s", got, c.want)
				}
				if err == nil && (!strings.HasPrefix(p.Token, staff.ResetPrefix) || p.ExpiresAt.Before(time.Now().Add(23*time.Hour))) {
					t.Errorf("the link: %+v", p)
				}
			})
		}
	})
}

// TestResetPasswordUse: the link sets a new password once, ends every
// session of the user, is audited on both sides, and is stored only as a
// hash; an older link stops working when a newer one is made, and an
// expired one never works.
func TestResetPasswordUse(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		sess := w.session(t, w.intake)
		first, err := w.s.ResetPassword(ctx, w.admin, w.intake.UserID)
		if err != nil {
			t.Fatal(err)
		}
		p, err := w.s.ResetPassword(ctx, w.admin, w.intake.UserID)
		if err != nil {
			t.Fatal(err)
		}
		// Only the hash is kept.
		if _, err := db.Read().GetPasswordReset(ctx, auth.HashSecret(p.Token)); err != nil {
			t.Errorf("the link by its hash: %v", err)
		}
		if _, err := db.Read().GetPasswordReset(ctx, []byte(p.Token)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the link by the token itself: %v, want not found", err)
		}
		if _, err := w.s.CheckPasswordReset(ctx, first.Token); !isField(err, "token") {
			t.Errorf("the replaced link: %v, want a refusal on token", err)
		}
		// The old password works until the link is used.
		if _, _, err := w.s.Login(ctx, "intake@hotline.test", password, ""); err != nil {
			t.Errorf("the old password before the link is used: %v", err)
		}
		if email, err := w.s.CheckPasswordReset(ctx, p.Token); err != nil || email != "intake@hotline.test" {
			t.Fatalf("CheckPasswordReset = %q, %v", email, err)
		}
		if err := w.s.UsePasswordReset(ctx, p.Token, "short"); !isField(err, "new_password") {
			t.Errorf("a short password: %v", err)
		}
		const next = "a brand new password"
		if err := w.s.UsePasswordReset(ctx, p.Token, next); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.SessionActor(ctx, sess); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("the session from before: %v, want unauthenticated", err)
		}
		if _, _, err := w.s.Login(ctx, "intake@hotline.test", password, ""); err == nil {
			t.Error("the old password still signs in")
		}
		if _, _, err := w.s.Login(ctx, "intake@hotline.test", next, ""); err != nil {
			t.Errorf("the new password: %v", err)
		}
		if err := w.s.UsePasswordReset(ctx, p.Token, "yet another password"); !isField(err, "token") {
			t.Errorf("the link used twice: %v, want a refusal on token", err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: w.hotline})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]string{}
		for _, ev := range evs {
			if ev.ResourceID == w.intake.UserID {
				seen[ev.Action] = ev.ActorID
			}
		}
		if seen["user.password_reset"] != w.admin.UserID || seen["user.password_set"] != w.intake.UserID {
			t.Errorf("audit: %v", seen)
		}
		// An expired link.
		later := time.Now().Add(staff.PasswordResetTTL + time.Minute)
		old, err := w.s.ResetPassword(ctx, w.admin, w.intake.UserID)
		if err != nil {
			t.Fatal(err)
		}
		w.s.Now = func() time.Time { return later }
		if err := w.s.UsePasswordReset(ctx, old.Token, "too late a password"); !isField(err, "token") {
			t.Errorf("an expired link: %v", err)
		}
	})
}

func isField(err error, field string) bool {
	fe, ok := invalid.As(err)
	return ok && fe.Field == field
}
