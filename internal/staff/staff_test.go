package staff_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"golang.org/x/crypto/argon2"

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
		s, org, u := hotlineAna(t, db)
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
			name                   string
			actor                  auth.Actor
			password, secret, code string
			field                  string // the *invalid.Error's field, or "forbidden"
		}{
			{"wrong code", me, password, secret, wrong, "code"},
			{"empty code", me, password, secret, "", "code"},
			{"wrong password", me, "not my password at all", secret, good, "password"},
			{"no password", me, "", secret, good, "password"},
			{"not base32", me, password, "not a secret!", good, "secret"},
			{"too short", me, password, "ABCDEFGH", good, "secret"},
			{"the system actor", staff.System, password, secret, good, "forbidden"},
			{"no user", auth.Actor{}, password, secret, good, "forbidden"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				err := s.EnrolTOTP(ctx, tt.actor, tt.password, tt.secret, tt.code)
				if tt.field == "forbidden" {
					if !errors.Is(err, auth.ErrForbidden) {
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
		if err := s.EnrolTOTP(ctx, me, password, " "+secret+" ", " "+good+" "); err != nil {
			t.Fatalf("enrol with the right code: %v", err)
		}
		if v, err := s.Me(ctx, me); err != nil || !v.TOTP {
			t.Errorf("after enrolment TOTP = %v (%v), want true", v.TOTP, err)
		}
		if _, _, err := s.Login(ctx, u.Email, password, ""); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("login without a code after enrolment: got %v, want ErrUnauthenticated (the same as a wrong password)", err)
		}
		// The code that confirmed the enrolment was used: it does not
		// also sign in. The next step's code does, once.
		if _, _, err := s.Login(ctx, u.Email, password, good); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("login with the enrolment's code: got %v, want ErrUnauthenticated", err)
		}
		later := time.Now().Add(auth.TOTPPeriod * time.Second)
		s.Now = func() time.Time { return later }
		next, _ := totp.GenerateCode(secret, later)
		if _, _, err := s.Login(ctx, u.Email, password, next); err != nil {
			t.Errorf("login with the next code: %v", err)
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceType: "user", ResourceID: u.ID, Action: "user.totp"})
		if err != nil || len(evs) != 1 || evs[0].ActorID != u.ID {
			t.Errorf("audit of the enrolment: %d events (%v), want 1 by the user", len(evs), err)
		}
	})
}

// TestLoginRehashesAndBusy: a login with a hash made with the old argon2id
// parameters stores a new one; when every hashing slot is taken the login
// answers auth.ErrBusy instead of computing (issue 11, finding 1).
func TestLoginRehashesAndBusy(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, _, u := hotlineAna(t, db)
		// A hash as the old parameters made it (64 MiB, t=2, p=2).
		old := oldHash(t, password)
		if err := db.Tx(ctx, func(q store.Q) error { return q.SetUserPassword(ctx, u.ID, old) }); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Login(ctx, "ana@hotline.test", password, ""); err != nil {
			t.Fatalf("login with an old hash: %v", err)
		}
		got, err := db.Read().GetUser(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.PasswordHash == old || auth.NeedsRehash(got.PasswordHash) {
			t.Errorf("hash after login %s: want a new one with today's parameters", got.PasswordHash)
		}
		if _, _, err := s.Login(ctx, "ana@hotline.test", password, ""); err != nil {
			t.Fatalf("login with the new hash: %v", err)
		}

		s.Hasher = auth.NewHasher(1, 10*time.Millisecond)
		hold := make(chan struct{})
		done := make(chan struct{})
		go func() {
			// Keep the only slot: an unknown address still hashes (a new
			// one each time, so that none is locked out).
			defer close(done)
			for i := 0; ; i++ {
				select {
				case <-hold:
					return
				default:
					s.Login(ctx, fmt.Sprintf("someone%d@hotline.test", i), "wrong password here", "")
				}
			}
		}()
		busy := false
		for i := range 200 {
			if _, _, err := s.Login(ctx, fmt.Sprintf("nobody%d@hotline.test", i), "whatever password", ""); errors.Is(err, auth.ErrBusy) {
				busy = true
				break
			}
		}
		close(hold)
		<-done
		if !busy {
			t.Error("no login answered ErrBusy while the only slot was taken")
		}
	})
}

// oldHash makes an argon2id hash with the parameters Vigil used before
// (64 MiB, t=2, p=2).
func oldHash(t *testing.T, pw string) string {
	t.Helper()
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte(pw), salt, 2, 64*1024, 2, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, 64*1024, 2, 2, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// TestLoginFailuresOneAnswerAudited: an unknown e-mail, a wrong password, a
// right password without the code and a wrong code all get the same
// ErrUnauthenticated (before, a right password was told apart by asking for
// the code), and each is audited as session.login_failed (before, 700
// failures made no event). The events hold no password or code.
func TestLoginFailuresOneAnswerAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s, org, u := hotlineAna(t, db)
		me := auth.Actor{UserID: u.ID, Role: auth.Role(u.Role), OrgID: org.ID}
		_, secret, err := s.NewTOTP(ctx, me)
		if err != nil {
			t.Fatal(err)
		}
		good, _ := totp.GenerateCode(secret, time.Now())
		if err := s.EnrolTOTP(ctx, me, password, secret, good); err != nil {
			t.Fatal(err)
		}
		// The next step's code, so that the enrolment's is not the one
		// sent (that one is refused as used).
		later := time.Now().Add(auth.TOTPPeriod * time.Second)
		s.Now = func() time.Time { return later }
		good, _ = totp.GenerateCode(secret, later)
		wrong := "000000"
		if wrong == good {
			wrong = "111111"
		}
		for _, tt := range []struct{ name, email, pw, code string }{
			{"unknown e-mail", "nobody@hotline.test", password, good},
			{"wrong password", "ana@hotline.test", "not the password at all", good},
			{"right password, no code", "ana@hotline.test", password, ""},
			{"right password, wrong code", "ana@hotline.test", password, wrong},
		} {
			if _, _, err := s.Login(ctx, tt.email, tt.pw, tt.code); !errors.Is(err, auth.ErrUnauthenticated) || err.Error() != auth.ErrUnauthenticated.Error() {
				t.Errorf("%s: got %v, want exactly ErrUnauthenticated", tt.name, err)
			}
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Action: "session.login_failed", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 4 {
			t.Fatalf("%d session.login_failed events, want 4", len(evs))
		}
		mine := 0
		for _, ev := range evs {
			if strings.Contains(ev.Detail, password) || strings.Contains(ev.Detail, good) || strings.Contains(ev.Reason, password) {
				t.Errorf("event %+v holds the password or the code", ev)
			}
			if ev.ResourceID == u.ID && ev.OrgID == org.ID {
				mine++
			}
		}
		if mine != 3 {
			t.Errorf("%d failures in Ana's organisation's trail, want 3", mine)
		}
	})
}

// hotlineAna makes a staff service on db, an organisation "Hotline" and
// its intake user ana@hotline.test with password.
func hotlineAna(t *testing.T, db *store.DB) (*staff.Service, *staff.OrgView, *staff.UserView) {
	t.Helper()
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
	return s, org, u
}
