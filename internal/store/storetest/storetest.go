// Package storetest gives tests a fresh, migrated database on each engine.
// PostgreSQL is reached at VIGIL_TEST_POSTGRES (default
// postgres://postgres@127.0.0.1:5432/postgres); each test gets a database of
// its own, dropped at the end. When PostgreSQL cannot be reached the
// PostgreSQL half is skipped, except under CI (CI=true), where it fails.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// AdminURL is the PostgreSQL server the tests use.
func AdminURL() string {
	if u := os.Getenv("VIGIL_TEST_POSTGRES"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// Engines runs fn once per engine as a subtest named after it.
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			fn(t, Open(t, e))
		})
	}
}

// Open returns a fresh migrated database of engine e, closed when the test
// ends.
func Open(t testing.TB, e store.Engine) *store.DB {
	t.Helper()
	db, _ := OpenDSN(t, e)
	return db
}

// OpenDSN is Open, also returning the database's DSN (for tests that read
// its files, see Raw).
func OpenDSN(t testing.TB, e store.Engine) (*store.DB, string) {
	t.Helper()
	dsn := DSN(t, e)
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open %s: %v", e, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate %s: %v", e, err)
	}
	return db, dsn
}

// DSN returns the DSN of a fresh, empty database of engine e (for tests that
// run a subcommand or a server against it).
func DSN(t testing.TB, e store.Engine) string {
	t.Helper()
	if e == store.SQLite {
		return "sqlite:" + filepath.Join(t.TempDir(), "vigil.db")
	}
	admin := AdminURL()
	adm, err := sql.Open("pgx", admin)
	if err == nil {
		err = adm.PingContext(context.Background())
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL at %s is not reachable in CI: %v", admin, err)
		}
		t.Skipf("PostgreSQL not reachable (%v); set VIGIL_TEST_POSTGRES or start it", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "vigil_test_" + hex.EncodeToString(b)
	if _, err := adm.Exec(`CREATE DATABASE ` + name); err != nil {
		adm.Close()
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		adm.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '` + name + `'`)
		adm.Exec(`DROP DATABASE IF EXISTS ` + name)
		adm.Close()
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("parse %s: %v", admin, err)
	}
	u.Path = "/" + name
	return strings.Replace(u.String(), "postgresql://", "postgres://", 1)
}

// Raw returns what someone holding the database's files reads: the SQLite
// file with its WAL, or a pg_dump of the PostgreSQL database at dsn.
func Raw(t testing.TB, e store.Engine, dsn string) []byte {
	t.Helper()
	if e == store.Postgres {
		out, err := exec.Command("pg_dump", "--data-only", "--inserts", dsn).Output()
		if err != nil {
			t.Fatalf("pg_dump: %v", err)
		}
		return out
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	files, _ := filepath.Glob(path + "*")
	if len(files) == 0 {
		t.Fatalf("no SQLite files at %s", path)
	}
	var raw []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b...)
	}
	return raw
}

// Case stores a case of organisation orgID with the given status,
// assigned to owner, holding reportIDs, and returns its id (for tests of
// what a case's owner is told).
func Case(t testing.TB, db *store.DB, orgID, status, owner string, reportIDs ...string) string {
	t.Helper()
	ctx := context.Background()
	id := store.NewID()
	err := db.Tx(ctx, func(q store.Q) error {
		if err := q.PutCase(ctx, &store.Case{ID: id, OrgID: orgID, Title: "t", Status: status, Urgency: "normal",
			AssigneeID: owner, CreatedAt: store.Now(), UpdatedAt: store.Now()}); err != nil {
			return err
		}
		for _, r := range reportIDs {
			if err := q.AddCaseReport(ctx, id, r, store.Now()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store case: %v", err)
	}
	return id
}
