package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// The contract suite: every test here runs on SQLite and PostgreSQL and
// must behave identically.

func seedOrg(t *testing.T, ctx context.Context, db *store.DB, name string, public bool) *store.Organisation {
	t.Helper()
	o := &store.Organisation{ID: store.NewID(), Name: name, Kind: "ngo", ReceivesPublic: public, CreatedAt: store.Now()}
	if err := db.Tx(ctx, func(q store.Q) error { return q.PutOrganisation(ctx, o) }); err != nil {
		t.Fatal(err)
	}
	return o
}

func seedReport(t *testing.T, ctx context.Context, db *store.DB, orgID string, mod func(*store.Report)) *store.Report {
	t.Helper()
	id := store.NewID()
	r := &store.Report{ID: id, OrgID: orgID, TrackingCode: "VG-" + id, SecretHash: []byte{1, 2, 3}, Channel: "web", Language: "km",
		IncidentTypes: []string{"confinement"}, Victims: []store.Victim{{Nationality: "KH", StillHeld: true}},
		Places: []store.PlaceRef{{Name: "Bavet", PlaceID: "bavet", Country: "KH"}}, Subjects: []store.Subject{{Name: "Try Pheap", Type: "person"}},
		Urgent: true, Status: "received", Sealed: []byte("ciphertext"), ReceivedAt: store.Now(), UpdatedAt: store.Now()}
	if mod != nil {
		mod(r)
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.PutReport(ctx, r) }); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestMigrations(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.CheckSchema(ctx); err != nil {
			t.Fatalf("fresh migrated database: %v", err)
		}
		n, err := db.Migrate(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestStaleSchemaRefused(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			db, err := store.Open(ctx, storetest.DSN(t, e))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.CheckSchema(ctx); !errors.Is(err, store.ErrStaleSchema) {
				t.Fatalf("CheckSchema on empty database = %v, want ErrStaleSchema", err)
			}
		})
	}
}

func TestOrganisationsAndUsers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		seedOrg(t, ctx, db, "Police", false)
		dup := &store.Organisation{ID: store.NewID(), Name: "Hotline", Kind: "ngo", CreatedAt: store.Now()}
		err := db.Tx(ctx, func(q store.Q) error { return q.PutOrganisation(ctx, dup) })
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate name: got %v, want ErrConflict", err)
		}
		pub, err := db.Read().PublicIntakeOrganisation(ctx)
		if err != nil || pub.ID != o.ID {
			t.Errorf("PublicIntakeOrganisation = %v, %v; want %s", pub, err, o.ID)
		}
		u := &store.User{ID: store.NewID(), OrgID: o.ID, Email: "a@b.test", Name: "A", Role: "intake", PasswordHash: "h", CreatedAt: store.Now()}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		u2 := *u
		u2.ID = store.NewID()
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutUser(ctx, &u2) }); !errors.Is(err, store.ErrConflict) {
			t.Errorf("duplicate e-mail: got %v, want ErrConflict", err)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.SetUserDisabled(ctx, u.ID, true) }); err != nil {
			t.Fatal(err)
		}
		got, err := db.Read().GetUserByEmail(ctx, "a@b.test")
		if err != nil || !got.Disabled {
			t.Errorf("GetUserByEmail = %+v, %v; want disabled", got, err)
		}
		if _, err := db.Read().GetUser(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetUser(missing) = %v, want ErrNotFound", err)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.SetUserDisabled(ctx, "nope", true) }); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetUserDisabled(missing) = %v, want ErrNotFound", err)
		}
	})
}

func TestReportRoundTripAndPaging(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		other := seedOrg(t, ctx, db, "Other", false)
		var ids []string
		for i := 0; i < 7; i++ {
			r := seedReport(t, ctx, db, o.ID, func(r *store.Report) {
				if i%2 == 0 {
					r.Language, r.Urgent, r.IncidentTypes = "zh", false, []string{"extortion_ransom"}
				}
			})
			ids = append(ids, r.ID)
		}
		seedReport(t, ctx, db, other.ID, nil)
		got, err := db.Read().GetReport(ctx, ids[1])
		if err != nil {
			t.Fatal(err)
		}
		if got.Places[0].Name != "Bavet" || got.Subjects[0].Name != "Try Pheap" || !got.Victims[0].StillHeld || string(got.Sealed) != "ciphertext" {
			t.Errorf("round trip lost data: %+v", got)
		}
		// Keyset paging returns every report once, newest first.
		var seen []string
		cursor := ""
		for {
			page, err := db.Read().ListReports(ctx, store.ReportFilter{OrgID: o.ID, Before: cursor, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range page {
				seen = append(seen, r.ID)
			}
			if len(page) < 3 {
				break
			}
			cursor = page[len(page)-1].ID
		}
		if len(seen) != 7 {
			t.Fatalf("paged %d reports, want 7", len(seen))
		}
		for i := range seen {
			if seen[i] != ids[6-i] {
				t.Errorf("page order: got %s at %d, want %s", seen[i], i, ids[6-i])
			}
		}
		no := false
		for _, tt := range []struct {
			name string
			f    store.ReportFilter
			want int
		}{
			{"language", store.ReportFilter{OrgID: o.ID, Language: "zh"}, 4},
			{"incident", store.ReportFilter{OrgID: o.ID, IncidentType: "confinement"}, 3},
			{"not urgent", store.ReportFilter{OrgID: o.ID, Urgent: &no}, 4},
			{"other org", store.ReportFilter{OrgID: other.ID}, 1},
		} {
			rs, err := db.Read().ListReports(ctx, tt.f)
			if err != nil || len(rs) != tt.want {
				t.Errorf("%s: got %d reports (%v), want %d", tt.name, len(rs), err, tt.want)
			}
		}
	})
}

func TestCaseOptimisticConcurrency(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		r := seedReport(t, ctx, db, o.ID, nil)
		c := &store.Case{ID: store.NewID(), OrgID: o.ID, Title: "t", Status: "new", Urgency: "normal", CreatedAt: store.Now(), UpdatedAt: store.Now(), Version: 1}
		err := db.Tx(ctx, func(q store.Q) error {
			if err := q.PutCase(ctx, c); err != nil {
				return err
			}
			if err := q.AddCaseReport(ctx, c.ID, r.ID, store.Now()); err != nil {
				return err
			}
			return q.AddCaseReport(ctx, c.ID, r.ID, store.Now()) // twice is fine
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Status, c.Version = "triaged", 2
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateCase(ctx, c, 1) }); err != nil {
			t.Fatal(err)
		}
		c.Status, c.Version = "closed", 2
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateCase(ctx, c, 1) }); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale update: got %v, want ErrConflict", err)
		}
		got, _ := db.Read().GetCase(ctx, c.ID)
		if got.Status != "triaged" || got.Version != 2 {
			t.Errorf("after stale update: %s v%d, want triaged v2", got.Status, got.Version)
		}
		ids, err := db.Read().ReportCaseIDs(ctx, r.ID)
		if err != nil || len(ids) != 1 || ids[0] != c.ID {
			t.Errorf("ReportCaseIDs = %v, %v", ids, err)
		}
		byReport, err := db.Read().CaseIDsOfReports(ctx, []string{r.ID, store.NewID()})
		if err != nil || len(byReport) != 1 || len(byReport[r.ID]) != 1 || byReport[r.ID][0] != c.ID {
			t.Errorf("CaseIDsOfReports = %v, %v", byReport, err)
		}
	})
}

func TestReferralsAndAudit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		p := seedOrg(t, ctx, db, "Police", false)
		c := &store.Case{ID: store.NewID(), OrgID: o.ID, Title: "t", Status: "new", Urgency: "normal", CreatedAt: store.Now(), UpdatedAt: store.Now(), Version: 1}
		ref := &store.Referral{ID: store.NewID(), CaseID: c.ID, FromOrgID: o.ID, ToOrgID: p.ID, Shared: []string{"places"}, Status: "pending", CreatedAt: store.Now(), Version: 1}
		err := db.Tx(ctx, func(q store.Q) error {
			if err := q.PutCase(ctx, c); err != nil {
				return err
			}
			return q.PutReferral(ctx, ref)
		})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := db.Read().ListCases(ctx, store.CaseFilter{ReferredTo: p.ID})
		if err != nil || len(cs) != 1 {
			t.Fatalf("cases referred to police: %d, %v", len(cs), err)
		}
		if cs, _ := db.Read().ListCases(ctx, store.CaseFilter{ReferredTo: o.ID}); len(cs) != 0 {
			t.Errorf("cases referred to hotline: %d, want 0", len(cs))
		}
		ref.Status, ref.Response, ref.Version = "accepted", "ok", 2
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateReferral(ctx, ref, 1) }); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.UpdateReferral(ctx, ref, 1) }); !errors.Is(err, store.ErrConflict) {
			t.Errorf("stale referral update: %v, want ErrConflict", err)
		}
		var ats []int64
		var first *store.AuditEvent
		for i := 0; i < 3; i++ {
			at := store.Now() + int64(i)*1_000_000
			ats = append(ats, at)
			e := &store.AuditEvent{ID: store.NewID(), At: at, ActorID: []string{"u", "v", "u"}[i], ActorOrgID: o.ID, Action: fmt.Sprintf("a%d", i), ResourceType: "case", ResourceID: c.ID}
			if err := db.Tx(ctx, func(q store.Q) error { return q.PutAuditEvent(ctx, e) }); err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = e
			}
		}
		evs, err := db.Read().ListAuditEvents(ctx, store.AuditFilter{ResourceID: c.ID, Limit: 2})
		if err != nil || len(evs) != 2 || evs[0].Action != "a2" {
			t.Errorf("audit page = %d events (%v), first %+v", len(evs), err, evs)
		}
		for _, tc := range []struct {
			name string
			f    store.AuditFilter
			want []string
		}{
			{"by actor", store.AuditFilter{ResourceID: c.ID, ActorID: "u"}, []string{"a2", "a0"}},
			{"from", store.AuditFilter{ResourceID: c.ID, AtFrom: ats[1]}, []string{"a2", "a1"}},
			{"to", store.AuditFilter{ResourceID: c.ID, AtTo: ats[1]}, []string{"a0"}},
			{"between, by actor", store.AuditFilter{ResourceID: c.ID, ActorID: "v", AtFrom: ats[0], AtTo: ats[2]}, []string{"a1"}},
			{"page before", store.AuditFilter{ResourceID: c.ID, After: first.ID, Limit: 1}, []string{"a1"}},
			{"page before, all", store.AuditFilter{ResourceID: c.ID, After: first.ID}, []string{"a2", "a1"}},
		} {
			evs, err := db.Read().ListAuditEvents(ctx, tc.f)
			var got []string
			for _, e := range evs {
				got = append(got, e.Action)
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("%s: %v (%v), want %v", tc.name, got, err, tc.want)
			}
		}
	})
}

func TestDataKeyErasure(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		r := seedReport(t, ctx, db, o.ID, nil)
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutDataKey(ctx, r.ID, []byte("wrapped"), store.Now()) }); err != nil {
			t.Fatal(err)
		}
		err := db.Tx(ctx, func(q store.Q) error {
			if err := q.DeleteDataKey(ctx, r.ID); err != nil {
				return err
			}
			return q.MarkReportErased(ctx, r.ID, store.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Read().GetDataKey(ctx, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetDataKey after erasure = %v, want ErrNotFound", err)
		}
		got, err := db.Read().GetReport(ctx, r.ID)
		if err != nil || got.Sealed != nil || got.ErasedAt == 0 || got.Places[0].Name != "Bavet" {
			t.Errorf("erased report = %+v, %v; want no sealed part, rest kept", got, err)
		}
	})
}

func TestStatementsAppendOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		o := seedOrg(t, ctx, db, "Hotline", true)
		r := seedReport(t, ctx, db, o.ID, nil)
		s1 := &store.Statement{ID: store.NewID(), ReportID: r.ID, Kind: "testimony", Language: "km", CreatedAt: store.Now()}
		s2 := &store.Statement{ID: store.NewID(), ReportID: r.ID, Kind: "recantation", RecantsID: s1.ID, Language: "km", CreatedAt: store.Now()}
		err := db.Tx(ctx, func(q store.Q) error {
			for _, s := range []*store.Statement{s1, s2} {
				if err := q.PutStatement(ctx, s); err != nil {
					return err
				}
				if err := q.PutStatementVersion(ctx, &store.StatementVersion{StatementID: s.ID, Version: 1, Text: []byte("t"), Salt: []byte("s"), CreatedAt: store.Now()}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		dup := &store.StatementVersion{StatementID: s1.ID, Version: 1, Text: []byte("edited"), Salt: []byte("s"), CreatedAt: store.Now()}
		if err := db.Tx(ctx, func(q store.Q) error { return q.PutStatementVersion(ctx, dup) }); !errors.Is(err, store.ErrConflict) {
			t.Errorf("overwriting version 1: got %v, want ErrConflict", err)
		}
		st, err := db.Read().ListStatements(ctx, r.ID)
		if err != nil || len(st) != 2 || st[1].RecantsID != s1.ID {
			t.Errorf("statements = %+v, %v", st, err)
		}
	})
}

// TestSchemaVersionTellsNoTableFromFailure: a database with no schema yet
// is version 0; a database that cannot be read is an error, not version 0
// (before, any error read as "nothing applied", so a server could be told
// to migrate a database it merely could not reach).
func TestSchemaVersionTellsNoTableFromFailure(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "v.db"))
	if err != nil {
		t.Fatal(err)
	}
	have, want, err := db.SchemaVersion(ctx)
	if err != nil || have != 0 || want == 0 {
		t.Fatalf("fresh database: have %d want %d err %v; want 0, the migrations, nil", have, want, err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if have, want, err := db.SchemaVersion(ctx); err != nil || have != want {
		t.Fatalf("migrated: have %d want %d err %v", have, want, err)
	}
	db.Close()
	if _, _, err := db.SchemaVersion(ctx); err == nil {
		t.Error("a closed database answered a schema version without an error")
	}
}
