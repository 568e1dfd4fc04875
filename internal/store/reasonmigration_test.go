package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/audit"
	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestSealedReasonsMigration stores an audit reason in plaintext as a
// version before migration 0011 did, migrates, runs the Go step every
// server runs when it starts, and finds the reason nowhere in the SQLite
// files or a pg_dump; an admin reading the trail still reads it. The step
// run again seals nothing.
func TestSealedReasonsMigration(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateBefore(ctx, "_sealed_reasons.sql"); err != nil {
				t.Fatal(err)
			}
			plant := fmt.Sprintf("PLANT-REASON-%x", os.Getpid())
			reason := plant + " checking Sokha's brother's phone"
			if err := db.Tx(ctx, func(q store.Q) error {
				for _, s := range []string{
					`INSERT INTO organisations (id, name, kind, created_at) VALUES ('org', 'Hotline', 'hotline', 1)`,
					`INSERT INTO audit_events (id, at, actor_id, actor_org_id, org_id, action, resource_type, resource_id, reason, detail)
						VALUES ('ev1', 1, 'u1', 'org', 'org', 'report.reveal', 'report', 'r1', '` + strings.ReplaceAll(reason, "'", "''") + `', '')`,
					`INSERT INTO audit_events (id, at, actor_id, actor_org_id, org_id, action, resource_type, resource_id, reason, detail)
						VALUES ('ev2', 2, 'u1', 'org', 'org', 'case.update', 'case', 'c1', '', '{"status":"closed"}')`,
				} {
					if err := q.Exec(ctx, s); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(storetest.Raw(t, e, dsn), []byte(plant)) {
				t.Fatal("the plaintext reason is not in the raw database before the migration: the test would prove nothing")
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			keys, err := seal.New(bytes.Repeat([]byte{3}, seal.KeySize))
			if err != nil {
				t.Fatal(err)
			}
			log := slog.New(slog.DiscardHandler)
			if err := audit.SealStoredReasons(ctx, db, keys, log); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(storetest.Raw(t, e, dsn), []byte(plant)) {
				t.Error("the reason survived in plaintext in the raw database")
			}
			if n, err := db.SealPlaintextReasons(ctx, keys.SealAudit); err != nil || n != 0 {
				t.Errorf("sealing again: %d, %v; want nothing left to seal", n, err)
			}
			admin := auth.Actor{UserID: "u2", OrgID: "org", Role: auth.Admin}
			evs, err := audit.List(ctx, db.Read(), keys, admin, store.AuditFilter{})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, ev := range evs {
				got[ev.ID] = ev.Reason
			}
			if len(evs) != 2 || got["ev1"] != reason || got["ev2"] != "" {
				t.Errorf("the trail after sealing: %v; want ev1's reason opened and ev2 without one", got)
			}
		})
	}
}

// TestAuditReasonNeverPlain checks that the store refuses an audit event
// with a plaintext reason, alone or in an intake batch.
func TestAuditReasonNeverPlain(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ev := &store.AuditEvent{ID: store.NewID(), At: store.Now(), ActorID: "u", ActorOrgID: "o", Action: "report.reveal", ResourceType: "report", ResourceID: "r", Reason: "plain"}
		err := db.Tx(ctx, func(q store.Q) error { return q.PutAuditEvent(ctx, ev) })
		if !errors.Is(err, store.ErrPlaintextReason) {
			t.Errorf("put audit event with a plaintext reason: %v; want ErrPlaintextReason", err)
		}
	})
}
