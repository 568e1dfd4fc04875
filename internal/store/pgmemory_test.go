package store_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestPostgresMemory reads PostgreSQL's settings and the hot tables'
// sizes; on SQLite there is nothing to read.
func TestPostgresMemory(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		m, err := db.PostgresMemory(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if db.Engine == store.SQLite {
			if !reflect.DeepEqual(m, store.PostgresMemory{}) {
				t.Errorf("SQLite: %+v, want zeros", m)
			}
			return
		}
		// Even empty tables have their first index pages; the settings
		// are at least PostgreSQL's minimums.
		if m.SharedBuffers < 128<<10 || m.EffectiveCache < 8<<10 || m.Identifiers <= 0 || m.SearchIndex <= 0 {
			t.Errorf("PostgreSQL: %+v", m)
		}
		// A new database's tables are far below the size at which stale
		// statistics are worth a warning.
		if len(m.Unanalyzed) != 0 {
			t.Errorf("PostgreSQL: a new database's tables reported without statistics: %v", m.Unanalyzed)
		}
	})
}

// TestSessionDefaults: Vigil's PostgreSQL connections run without JIT and
// parallel workers, and have the server check every 10 s that Vigil is
// still there while a statement runs, unless the database address asks
// otherwise.
func TestSessionDefaults(t *testing.T) {
	ctx := context.Background()
	show := func(t *testing.T, db *store.DB) (jit, workers, check string) {
		t.Helper()
		jit, err := db.PostgresSetting(ctx, "jit")
		if err == nil {
			workers, err = db.PostgresSetting(ctx, "max_parallel_workers_per_gather")
		}
		if err == nil {
			check, err = db.PostgresSetting(ctx, "client_connection_check_interval")
		}
		if err != nil {
			t.Fatal(err)
		}
		return jit, workers, check
	}
	_, dsn := storetest.OpenDSN(t, store.Postgres)
	for _, c := range []struct {
		name, suffix, jit, workers, check string
	}{
		{"defaults", "", "off", "0", "10s"},
		{"the address's own", "jit=on&max_parallel_workers_per_gather=2&client_connection_check_interval=3s", "on", "2", "3s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := dsn
			if c.suffix != "" {
				d += map[bool]string{true: "&", false: "?"}[strings.Contains(dsn, "?")] + c.suffix
			}
			db, err := store.Open(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if jit, workers, check := show(t, db); jit != c.jit || workers != c.workers || check != c.check {
				t.Errorf("jit %s, workers %s, client check %s; want %s, %s, %s", jit, workers, check, c.jit, c.workers, c.check)
			}
		})
	}
}
