package staff_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/invalid"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// accounts is a hotline with an admin, an intake worker, an integration
// account and the instance's operator, and an NGO with a coordinator and
// an integration account (and no admin).
type accounts struct {
	s                                        *staff.Service
	db                                       *store.DB
	hotline, ngo                             string
	admin, intake, integ, operator, ngoCoord auth.Actor
	ngoInteg                                 auth.Actor
}

// testKeys is a keyring to open audit reasons with.
func testKeys(t *testing.T) *seal.Keyring {
	t.Helper()
	k, err := seal.New(bytes.Repeat([]byte{7}, seal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newAccounts(t *testing.T, db *store.DB) *accounts {
	t.Helper()
	ctx := context.Background()
	w := &accounts{s: staff.New(db, time.Hour), db: db}
	org := func(name string) string {
		o, err := w.s.CreateOrg(ctx, staff.System, &staff.OrgIn{Name: name, Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	w.hotline, w.ngo = org("Hotline"), org("NGO")
	user := func(org, email string, role auth.Role) auth.Actor {
		pw := password
		if role == auth.Integration {
			pw = ""
		}
		u, err := w.s.CreateUser(ctx, staff.System, &staff.UserIn{OrgID: org, Email: email, Name: email, Role: string(role), Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		return auth.Actor{UserID: u.ID, OrgID: org, Role: role}
	}
	w.admin = user(w.hotline, "admin@hotline.test", auth.Admin)
	w.intake = user(w.hotline, "intake@hotline.test", auth.Intake)
	w.integ = user(w.hotline, "bot@hotline.test", auth.Integration)
	w.operator = user(w.hotline, "operator@hotline.test", auth.Operator)
	w.ngoCoord = user(w.ngo, "coordinator@ngo.test", auth.Coordinator)
	w.ngoInteg = user(w.ngo, "bot@ngo.test", auth.Integration)
	return w
}

// session opens a session for a user straight in the store (Login is
// tested elsewhere) and returns its cookie value.
func (w *accounts) session(t *testing.T, a auth.Actor) string {
	t.Helper()
	ctx := context.Background()
	secret, hash, err := auth.NewSecret("")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	s := &store.Session{Hash: hash, UserID: a.UserID, CreatedAt: now.UnixMicro(), SeenAt: now.UnixMicro(), ExpiresAt: now.Add(time.Hour).UnixMicro()}
	if err := w.db.Tx(ctx, func(q store.Q) error { return q.PutSession(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	return secret
}

// outcome names how a call ended, for tables.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, store.ErrNotFound):
		return "not found"
	case errors.Is(err, auth.ErrForbidden):
		return "forbidden"
	}
	if fe, ok := invalid.As(err); ok {
		return "invalid " + fe.Field
	}
	return err.Error()
}

// TestCreateTokenOnlyForOneself: a token acts as its user, so no one but
// the user itself, its admin for an integration account, or the command
// line may make one. The hotline admin minting one for the NGO's
// coordinator was the finding.
func TestCreateTokenOnlyForOneself(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		for _, tt := range []struct {
			name   string
			actor  auth.Actor
			target auth.Actor
			want   string
		}{
			{"admin for itself", w.admin, w.admin, "ok"},
			{"admin for its integration account", w.admin, w.integ, "ok"},
			{"admin for a colleague", w.admin, w.intake, "not found"},
			{"admin for another organisation's coordinator", w.admin, w.ngoCoord, "not found"},
			{"admin for another organisation's integration account", w.admin, w.ngoInteg, "not found"},
			{"admin for the operator", w.admin, w.operator, "not found"},
			{"intake for itself", w.intake, w.intake, "ok"},
			{"intake for the integration account", w.intake, w.integ, "not found"},
			{"intake for its admin", w.intake, w.admin, "not found"},
			{"integration account for itself", w.integ, w.integ, "forbidden"},
			{"operator for itself", w.operator, w.operator, "ok"},
			{"operator for a coordinator", w.operator, w.ngoCoord, "not found"},
			{"coordinator for itself", w.ngoCoord, w.ngoCoord, "ok"},
			{"coordinator for its integration account", w.ngoCoord, w.ngoInteg, "not found"},
			{"the command line for anyone", staff.System, w.ngoCoord, "ok"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tok, err := w.s.CreateToken(ctx, tt.actor, tt.target.UserID, "t", 0)
				if got := outcome(err); got != tt.want {
					t.Fatalf("got %s, want %s", got, tt.want)
				}
				if err != nil {
					return
				}
				if a, err := w.s.TokenActor(ctx, tok.Token); err != nil || a != tt.target {
					t.Errorf("the token acts as %+v (%v), want %+v", a, err, tt.target)
				}
			})
		}
		// By e-mail, as the API and the command line allow, the same.
		if _, err := w.s.CreateToken(ctx, w.admin, "coordinator@ngo.test", "t", 0); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("admin for another organisation's coordinator by e-mail: got %v, want not found", err)
		}
		if _, err := w.s.CreateToken(ctx, w.intake, "", "mine", 0); err != nil {
			t.Errorf("intake for itself, no user named: %v", err)
		}
	})
}

// TestTokenCreationAudited: every token made is in the trail of the
// organisation of the account it acts as, with the true actor.
func TestTokenCreationAudited(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		made := map[string]auth.Actor{} // token id → who made it
		for _, c := range []struct{ actor, target auth.Actor }{
			{w.admin, w.integ}, {w.ngoCoord, w.ngoCoord}, {staff.System, w.ngoInteg},
		} {
			tok, err := w.s.CreateToken(ctx, c.actor, c.target.UserID, "t", 0)
			if err != nil {
				t.Fatal(err)
			}
			made[tok.ID] = c.actor
		}
		trail := func(reader auth.Actor) map[string]*store.AuditEvent {
			evs, err := audit.List(ctx, db.Read(), testKeys(t), reader, store.AuditFilter{Action: "token.create"})
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]*store.AuditEvent{}
			for _, e := range evs {
				m[e.ResourceID] = e
			}
			return m
		}
		hotline, ngo := trail(w.admin), trail(w.ngoCoord)
		for id, actor := range made {
			org := w.hotline
			if actor != w.admin {
				org = w.ngo
			}
			in, out := hotline, ngo
			if org == w.ngo {
				in, out = ngo, hotline
			}
			e := in[id]
			if e == nil {
				t.Errorf("token %s made by %s: not in its organisation's trail", id, actor.UserID)
				continue
			}
			if e.ActorID != actor.UserID || e.ActorOrgID != actor.OrgID || e.OrgID != org {
				t.Errorf("token %s: actor %s of %s in %s's trail, want %s of %s in %s's", id, e.ActorID, e.ActorOrgID, e.OrgID, actor.UserID, actor.OrgID, org)
			}
			if out[id] != nil {
				t.Errorf("token %s: also in the other organisation's trail", id)
			}
		}
	})
}

// TestAdminManagesOwnOrganisation: an admin creates, disables and lists
// its own organisation's accounts only.
func TestAdminManagesOwnOrganisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		in := func(org, email, role string) *staff.UserIn {
			return &staff.UserIn{OrgID: org, Email: email, Name: "N", Role: role, Password: password}
		}
		for _, tt := range []struct {
			name  string
			actor auth.Actor
			in    *staff.UserIn
			want  string
		}{
			{"a coordinator in another organisation", w.admin, in(w.ngo, "spy@ngo.test", "coordinator"), "forbidden"},
			{"an admin in another organisation", w.admin, in(w.ngo, "spy2@ngo.test", "admin"), "forbidden"},
			{"an operator", w.admin, in(w.hotline, "op2@hotline.test", "operator"), "forbidden"},
			{"an intake worker", w.admin, in(w.hotline, "new@hotline.test", "intake"), "ok"},
			{"an integration account with a password", w.admin, in(w.hotline, "bot2@hotline.test", "integration"), "invalid password"},
			{"as a coordinator", w.ngoCoord, in(w.ngo, "x@ngo.test", "intake"), "forbidden"},
		} {
			t.Run("create "+tt.name, func(t *testing.T) {
				_, err := w.s.CreateUser(ctx, tt.actor, tt.in)
				if got := outcome(err); got != tt.want {
					t.Errorf("got %s, want %s", got, tt.want)
				}
			})
		}
		for _, who := range []string{w.ngoCoord.UserID, "coordinator@ngo.test"} {
			if _, err := w.s.SetDisabled(ctx, w.admin, who, true); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("admin disables another organisation's %s: got %v, want not found", who, err)
			}
		}
		if _, err := w.s.TokenActor(ctx, mustToken(t, w.s, w.ngoCoord)); err != nil {
			t.Errorf("the NGO's coordinator after the refused disabling: %v", err)
		}
		if _, err := w.s.SetDisabled(ctx, w.ngoCoord, w.ngoInteg.UserID, true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("coordinator disables an account: got %v, want forbidden", err)
		}
		if _, err := w.s.SetDisabled(ctx, w.admin, w.operator.UserID, true); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("admin disables the operator: got %v, want forbidden", err)
		}
		us, err := w.s.ListUsers(ctx, w.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range us {
			if u.OrgID != w.hotline {
				t.Errorf("the hotline admin lists %s of another organisation", u.Email)
			}
		}
		if len(us) < 4 {
			t.Errorf("the hotline admin lists %d accounts, want its organisation's", len(us))
		}
	})
}

func mustToken(t *testing.T, s *staff.Service, a auth.Actor) string {
	t.Helper()
	tok, err := s.CreateToken(context.Background(), staff.System, a.UserID, "t", 0)
	if err != nil {
		t.Fatal(err)
	}
	return tok.Token
}

// TestOperatorAccounts: the operator creates organisations and the first
// admin of an organisation without one, and nothing else.
func TestOperatorAccounts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		if _, err := w.s.CreateOrg(ctx, w.admin, &staff.OrgIn{Name: "Admin's", Kind: "ngo"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an admin creates an organisation: got %v, want forbidden", err)
		}
		o, err := w.s.CreateOrg(ctx, w.operator, &staff.OrgIn{Name: "Shelter", Kind: "ngo"})
		if err != nil {
			t.Fatal(err)
		}
		in := func(org, email, role string) *staff.UserIn {
			return &staff.UserIn{OrgID: org, Email: email, Name: "N", Role: role, Password: password}
		}
		for _, tt := range []struct {
			name string
			in   *staff.UserIn
			want string
		}{
			{"a coordinator", in(o.ID, "c@shelter.test", "coordinator"), "forbidden"},
			{"the first admin", in(o.ID, "a@shelter.test", "admin"), "ok"},
			{"a second admin", in(o.ID, "b@shelter.test", "admin"), "forbidden"},
			{"an admin where one is", in(w.hotline, "b@hotline.test", "admin"), "forbidden"},
			{"an operator", in(w.hotline, "op@hotline.test", "operator"), "forbidden"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if _, err := w.s.CreateUser(ctx, w.operator, tt.in); outcome(err) != tt.want {
					t.Errorf("got %s, want %s", outcome(err), tt.want)
				}
			})
		}
		// Once the hotline has no enabled admin, the operator may make one.
		if _, err := w.s.SetDisabled(ctx, staff.System, w.admin.UserID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := w.s.CreateUser(ctx, w.operator, in(w.hotline, "b@hotline.test", "admin")); err != nil {
			t.Errorf("an admin for the hotline without one: %v", err)
		}
		if _, err := w.s.ListUsers(ctx, w.operator); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("operator lists users: got %v, want forbidden", err)
		}
		if _, err := w.s.SetDisabled(ctx, w.operator, w.ngoCoord.UserID, true); err == nil {
			t.Error("operator disabled a coordinator")
		}
		// Its audit view: the organisation-management events, no others.
		evs, err := audit.List(ctx, db.Read(), testKeys(t), w.operator, store.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range evs {
			if e.ResourceType != "organisation" {
				t.Errorf("the operator reads the event %s on %s %s", e.Action, e.ResourceType, e.ResourceID)
			}
			actions = append(actions, e.Action)
		}
		if !slices.Contains(actions, "org.create") || !slices.Contains(actions, "org.admin") {
			t.Errorf("operator's audit view %v, want org.create and org.admin", actions)
		}
	})
}

// TestDisableRevokesForGood: disabling ends the sessions and revokes the
// tokens; enabling again brings neither back.
func TestDisableRevokesForGood(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		tok := mustToken(t, w.s, w.intake)
		sess := w.session(t, w.intake)
		other := w.session(t, w.admin)
		if _, err := w.s.TokenActor(ctx, tok); err != nil {
			t.Fatalf("the token before: %v", err)
		}
		if _, err := w.s.SessionActor(ctx, sess); err != nil {
			t.Fatalf("the session before: %v", err)
		}
		for _, disabled := range []bool{true, false} {
			v, err := w.s.SetDisabled(ctx, w.admin, w.intake.UserID, disabled)
			if err != nil || v.Disabled != disabled {
				t.Fatalf("SetDisabled(%v) = %+v, %v", disabled, v, err)
			}
			if _, err := w.s.TokenActor(ctx, tok); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("disabled %v: the old token: got %v, want unauthenticated", disabled, err)
			}
			if _, err := w.s.SessionActor(ctx, sess); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("disabled %v: the old session: got %v, want unauthenticated", disabled, err)
			}
		}
		if _, err := w.s.SessionActor(ctx, other); err != nil {
			t.Errorf("another user's session: %v", err)
		}
		// Enabled again, the user makes a new token.
		tok2, err := w.s.CreateToken(ctx, w.intake, "", "new", 0)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := w.s.TokenActor(ctx, tok2.Token); err != nil || a != w.intake {
			t.Errorf("a new token after enabling: %+v, %v", a, err)
		}
	})
}

// TestRevokeToken: a token's owner, or the admin of an integration
// account, revokes it for good; anyone else finds no such token.
func TestRevokeToken(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		mine, err := w.s.CreateToken(ctx, w.intake, "", "mine", 0)
		if err != nil {
			t.Fatal(err)
		}
		bot, err := w.s.CreateToken(ctx, w.admin, w.integ.UserID, "bot", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(a auth.Actor) []string {
			ts, err := w.s.ListTokens(ctx, a)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, t := range ts {
				out = append(out, t.ID)
			}
			return out
		}
		if got := ids(w.intake); !slices.Equal(got, []string{mine.ID}) {
			t.Errorf("intake lists %v, want only its own %s", got, mine.ID)
		}
		if got := ids(w.admin); !slices.Equal(got, []string{bot.ID}) {
			t.Errorf("admin lists %v, want its integration account's %s", got, bot.ID)
		}
		if got := ids(w.ngoCoord); len(got) != 0 {
			t.Errorf("the NGO's coordinator lists %v, want none", got)
		}
		if _, err := w.s.ListTokens(ctx, w.integ); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("an integration account lists tokens: got %v, want forbidden", err)
		}
		for _, tt := range []struct {
			name  string
			actor auth.Actor
			id    string
			want  string
		}{
			{"a colleague's", w.admin, mine.ID, "not found"},
			{"the integration account's, by a colleague", w.intake, bot.ID, "not found"},
			{"the integration account's, by another organisation", w.ngoCoord, bot.ID, "not found"},
			{"the integration account's, by itself", w.integ, bot.ID, "forbidden"},
			{"no such token", w.intake, store.NewID(), "not found"},
			{"its own", w.intake, mine.ID, "ok"},
			{"its own again", w.intake, mine.ID, "ok"},
			{"the integration account's, by its admin", w.admin, bot.ID, "ok"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if got := outcome(w.s.RevokeToken(ctx, tt.actor, tt.id)); got != tt.want {
					t.Errorf("got %s, want %s", got, tt.want)
				}
			})
		}
		for _, tok := range []*staff.NewToken{mine, bot} {
			if _, err := w.s.TokenActor(ctx, tok.Token); !errors.Is(err, auth.ErrUnauthenticated) {
				t.Errorf("revoked token %s: got %v, want unauthenticated", tok.Name, err)
			}
		}
		ts, err := w.s.ListTokens(ctx, w.intake)
		if err != nil || len(ts) != 1 || !ts[0].Revoked {
			t.Errorf("intake's tokens after revoking: %+v, %v; want one, revoked", ts, err)
		}
		evs, err := audit.List(ctx, db.Read(), testKeys(t), w.admin, store.AuditFilter{Action: "token.revoke"})
		if err != nil || len(evs) != 2 {
			t.Errorf("the hotline's token.revoke events: %d, %v; want 2 (one per token, none for the repeat)", len(evs), err)
		}
	})
}

// TestTokenLastUsed: a token's last use is recorded when it authenticates
// a request, at most once per TokenUseEvery, and listed.
func TestTokenLastUsed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newAccounts(t, db)
		now := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
		w.s.Now = func() time.Time { return now }
		tok, err := w.s.CreateToken(ctx, w.intake, "", "mine", 0)
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() time.Time {
			t.Helper()
			ts, err := w.s.ListTokens(ctx, w.intake)
			if err != nil || len(ts) != 1 {
				t.Fatalf("list: %v, %v", ts, err)
			}
			return ts[0].LastUsedAt
		}
		if !lastUsed().IsZero() {
			t.Fatal("a new token has a last use")
		}
		for _, step := range []struct {
			after time.Duration
			want  time.Time
		}{
			{0, now},
			{30 * time.Second, now}, // within the minute: not written again
			{2 * time.Minute, now.Add(2 * time.Minute)}, // later: written
		} {
			w.s.Now = func() time.Time { return now.Add(step.after) }
			if _, err := w.s.TokenActor(ctx, tok.Token); err != nil {
				t.Fatal(err)
			}
			if got := lastUsed(); !got.Equal(step.want) {
				t.Errorf("after %v: last used %v, want %v", step.after, got, step.want)
			}
		}
	})
}
