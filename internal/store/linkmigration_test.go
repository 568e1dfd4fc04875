package store_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestSealedIdentifiersMigration fills the link index as it was before
// identifiers were sealed — plaintext values, unkeyed ids, and on SQLite
// a deleted row left in a free page by a writer without secure_delete —
// migrates, and finds none of it in the files or a pg_dump; every report
// is queued to be linked again.
func TestSealedIdentifiersMigration(t *testing.T) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, e)
			db, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.MigrateBefore(ctx, "_sealed_identifiers.sql"); err != nil {
				t.Fatal(err)
			}
			tag := fmt.Sprintf("%x", os.Getpid())
			value, deleted, oldID := "PLANT-IDENT-"+tag, "PLANT-DELETED-"+tag, "0ddba11"+tag
			old := []string{
				`INSERT INTO organisations (id, name, kind, created_at) VALUES ('org', 'Hotline', 'hotline', 1)`,
				`INSERT INTO reports (id, org_id, tracking_code, secret_hash, channel, language, incident_types, victims, places, status, received_at, updated_at)
					VALUES ('r1', 'org', 'T1', '', 'web', 'en', '[]', '[]', '[]', 'new', 1, 1)`,
				`INSERT INTO identifiers (id, kind, value) VALUES ('` + oldID + `', 'phone', '` + value + `')`,
				`INSERT INTO identifiers (id, kind, value) VALUES ('gone', 'email', '` + deleted + `')`,
				`DELETE FROM identifiers WHERE id = 'gone'`,
				`INSERT INTO identifier_occurrences (identifier_id, org_id, report_id, role) VALUES ('` + oldID + `', 'org', 'r1', 'recruiter')`,
				`INSERT INTO report_links (report_id, cluster_id, linked_at, identifiers) VALUES ('r1', 'r1', 1, '` + oldID + `:recruiter')`,
			}
			if e == store.SQLite {
				// As an older Vigil wrote it: deleted rows kept in place.
				old = append([]string{`PRAGMA secure_delete = 0`}, old...)
			}
			if err := db.Tx(ctx, func(q store.Q) error {
				for _, s := range old {
					if err := q.Exec(ctx, s); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(storetest.Raw(t, e, dsn), []byte(value)) {
				t.Fatal("the plaintext index is not in the raw database before the migration: the test would prove nothing")
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			raw := storetest.Raw(t, e, dsn)
			for _, s := range []string{value, deleted, oldID} {
				if bytes.Contains(raw, []byte(s)) {
					t.Errorf("%q survived the migration in the raw database", s)
				}
			}
			idents, err := db.Read().AllIdentifiers(ctx)
			if err != nil || len(idents) != 0 {
				t.Errorf("identifiers after the migration: %d, %v; want none", len(idents), err)
			}
			unlinked, err := db.Read().UnlinkedReports(ctx)
			if err != nil || len(unlinked) != 1 {
				t.Errorf("unlinked reports after the migration: %v, %v; want r1", unlinked, err)
			}
			var jobs []*store.Job
			err = db.Tx(ctx, func(q store.Q) (err error) {
				jobs, err = q.ClaimJobs(ctx, []string{"links"}, 10, store.Now(), store.Now())
				return err
			})
			if err != nil || len(jobs) != 1 || jobs[0].ReportID != "r1" {
				t.Errorf("links jobs after the migration: %+v, %v; want one for r1", jobs, err)
			}
		})
	}
}
