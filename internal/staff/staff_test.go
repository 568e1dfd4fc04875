package staff_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

const password = "correct horse battery staple"

// TestEnrolTOTP walks a user's own enrolment of an authenticator app: a
// secret from NewTOTP is stored only when a code confirms it, and then
// signing in needs a code.
func TestEnrolTOTP(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := staff.New(db, time.Hour)
		org, err := s.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: "Hotline", Kind: "hotline"})
		if err != nil {
			t.Fatal(err)
		}
		u, err := s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org.ID, Email: "ana@hotline.test", Name: "Ana", Role: "intake", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		me := auth.Actor{UserID: u.ID, Role: auth.Role(u.Role), OrgID: org.ID}
		link, secret, err := s.NewTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		again, err := s.TOTPURL(ctx, me, secret)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range []string{link, again} {
			p, err := url.Parse(l)
			if err != nil || p.Query().Get("secret") != secret || p.Query().Get("issuer") != "Vigil" {
				t.Errorf("otpauth URL %q (%v): want issuer Vigil and secret %s", l, err, secret)
			}
		}
		good, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		wrong := "000000"
		if wrong == good {
			wrong = "111111"
		}
		for _, tt := range []struct {
			name         string
			actor        auth.Actor
			secret, code string
			field        string // the *invalid.Error's field, or "forbidden"
		}{
			{"wrong code", me, secret, wrong, "code"},
			{"empty code", me, secret, "", "code"},
			{"not base32", me, "not a secret!", good, "secret"},
			{"too short", me, "ABCDEFGH", good, "secret"},
			{"the system actor", staff.System, secret, good, "forbidden"},
			{"no user", auth.Actor{}, secret, good, "forbidden"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				err := s.EnrolTOTP(ctx, tt.actor, tt.secret, tt.code)
				if tt.field == "forbidden" {
					if !errors.Is(err, invalid.ErrForbidden) {
						t.Errorf("got %v, want ErrForbidden", err)
					}
				} else if fe, ok := invalid.As(err); !ok || fe.Field != tt.field {
					t.Errorf("got %v, want an error on field %q", err, tt.field)
				}
				if v, err := s.Me(ctx, me); err != nil || v.TOTP {
					t.Errorf("after a refused enrolment TOTP = %v (%v), want false", v.TOTP, err)
				}
			})
		}
		if _, _, err := s.Login(ctx, u.Email, password, ""); err != nil {
			t.Fatalf("login without a second factor: %v", err)
		}
		if err := s.EnrolTOTP(ctx, me, " "+secret+" ", " "+good+" "); err != nil {
			t.Fatalf("enrol with the right code: %v", err)
		}
		if v, err := s.Me(ctx, me); err != nil || !v.TOTP {
			t.Errorf("after enrolment TOTP = %v (%v), want true", v.TOTP, err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, ""); !errors.Is(err, staff.ErrSecondFactor) {
			t.Errorf("login without a code after enrolment: got %v, want ErrSecondFactor", err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, good); err != nil {
			t.Errorf("login with a code: %v", err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceType: "user", ResourceID: u.ID, Action: "user.totp"})
		if err != nil || len(evs) != 1 || evs[0].ActorID != u.ID {
			t.Errorf("audit of the enrolment: %d events (%v), want 1 by the user", len(evs), err)
		}
	})
}
