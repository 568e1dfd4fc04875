package store_test

import (
	"context"
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
			if m != (store.PostgresMemory{}) {
				t.Errorf("SQLite: %+v, want zeros", m)
			}
			return
		}
		// Even empty tables have their first index pages; the settings
		// are at least PostgreSQL's minimums.
		if m.SharedBuffers < 128<<10 || m.EffectiveCache < 8<<10 || m.Identifiers <= 0 || m.SearchKey <= 0 {
			t.Errorf("PostgreSQL: %+v", m)
		}
	})
}
