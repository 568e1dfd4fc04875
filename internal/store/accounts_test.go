package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

func seedUser(t *testing.T, ctx context.Context, db *store.DB, orgID, email, role string) *store.User {
	t.Helper()
	u := &store.User{ID: store.NewID(), OrgID: orgID, Email: email, Name: email, Role: role, CreatedAt: store.Now()}
	if err := db.Tx(ctx, func(q store.Q) error { return q.PutUser(ctx, u) }); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestDeleteUserSessions: every session of the user ends but the one
// kept; other users' sessions stay.
func TestDeleteUserSessions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		ana := seedUser(t, ctx, db, o.ID, "ana@h.test", "intake")
		bo := seedUser(t, ctx, db, o.ID, "bo@h.test", "intake")
		put := func(u *store.User, b byte) []byte {
			h := make([]byte, 32)
			h[0] = b
			now := store.Now()
			if err := db.Tx(ctx, func(q store.Q) error {
				return q.PutSession(ctx, &store.Session{Hash: h, UserID: u.ID, CreatedAt: now, SeenAt: now, ExpiresAt: now + 1e9})
			}); err != nil {
				t.Fatal(err)
			}
			return h
		}
		a1, a2, a3, b1 := put(ana, 1), put(ana, 2), put(ana, 3), put(bo, 4)
		alive := func(h []byte) bool {
			_, err := db.Read().GetSession(ctx, h)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				t.Fatal(err)
			}
			return err == nil
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteUserSessions(ctx, ana.ID, a2) }); err != nil {
			t.Fatal(err)
		}
		if alive(a1) || !alive(a2) || alive(a3) || !alive(b1) {
			t.Errorf("after DeleteUserSessions(ana, except a2): a1 %v a2 %v a3 %v b1 %v; want false true false true", alive(a1), alive(a2), alive(a3), alive(b1))
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.DeleteUserSessions(ctx, ana.ID, nil) }); err != nil {
			t.Fatal(err)
		}
		if alive(a2) || !alive(b1) {
			t.Errorf("after DeleteUserSessions(ana, nil): a2 %v b1 %v; want false true", alive(a2), alive(b1))
		}
	})
}

// TestAuditEventOrganisation: an event is filed under the organisation
// that owns its resource; the organisation's trail holds events on its
// resources and events by its members, and nothing else; the accounts
// migration files the events already stored the same way.
func TestAuditEventOrganisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		hotline := seedOrg(t, ctx, db, "Hotline", true)
		ngo := seedOrg(t, ctx, db, "NGO", false)
		police := seedOrg(t, ctx, db, "Police", false)
		report := seedReport(t, ctx, db, ngo.ID, nil)
		coord := seedUser(t, ctx, db, ngo.ID, "coordinator@ngo.test", "coordinator")
		c := &store.Case{ID: store.NewID(), OrgID: ngo.ID, Title: "t", Status: "new", Urgency: "normal", CreatedAt: store.Now(), UpdatedAt: store.Now(), Version: 1}
		ref := &store.Referral{ID: store.NewID(), CaseID: c.ID, FromOrgID: ngo.ID, ToOrgID: police.ID, Shared: []string{"places"}, Status: "pending", CreatedAt: store.Now(), Version: 1}
		if err := db.Tx(ctx, func(q store.Q) error {
			if err := q.PutCase(ctx, c); err != nil {
				return err
			}
			return q.PutReferral(ctx, ref)
		}); err != nil {
			t.Fatal(err)
		}
		events := []struct {
			actorOrg, typ, id, want string
		}{
			{hotline.ID, "user", coord.ID, ngo.ID},     // the hotline admin's token for the NGO's coordinator
			{ngo.ID, "report", report.ID, ngo.ID},      //
			{police.ID, "report", report.ID, ngo.ID},   // a partner's reveal
			{police.ID, "referral", ref.ID, ngo.ID},    // its answer
			{ngo.ID, "case", c.ID, ngo.ID},             //
			{"system", "organisation", ngo.ID, ngo.ID}, //
			{hotline.ID, "thing", "x", hotline.ID},     // no owner known: the actor's
		}
		for _, ev := range events {
			org, err := db.Read().AuditOrg(ctx, ev.typ, ev.id)
			if errors.Is(err, store.ErrNotFound) {
				org = ""
			} else if err != nil {
				t.Fatal(err)
			}
			e := &store.AuditEvent{ID: store.NewID(), At: store.Now(), ActorID: "u", ActorOrgID: ev.actorOrg, OrgID: org, Action: "a", ResourceType: ev.typ, ResourceID: ev.id}
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutAuditEvent(ctx, e) }); err != nil {
				t.Fatal(err)
			}
		}
		check := func(when string) {
			t.Helper()
			all, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{})
			if err != nil || len(all) != len(events) {
				t.Fatalf("%s: %d events, %v", when, len(all), err)
			}
			for i, e := range all {
				want := events[len(events)-1-i]
				if e.OrgID != want.want {
					t.Errorf("%s: event on %s %s by %s filed under %s, want %s", when, want.typ, want.id, want.actorOrg, e.OrgID, want.want)
				}
			}
			for org, want := range map[string]int{ngo.ID: 6, hotline.ID: 2, police.ID: 2} {
				evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{OrgID: org})
				if err != nil || len(evs) != want {
					t.Errorf("%s: trail of %s has %d events (%v), want %d", when, org, len(evs), err, want)
				}
			}
			evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{Instance: true})
			if err != nil || len(evs) != 1 || evs[0].ResourceType != "organisation" {
				t.Errorf("%s: instance events %d (%v), want the organisation's one", when, len(evs), err)
			}
		}
		check("recorded")
		if err := db.RefillAuditOrgs(ctx); err != nil {
			t.Fatal(err)
		}
		check("migrated")
	})
}
