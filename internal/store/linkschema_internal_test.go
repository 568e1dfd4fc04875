package store

import (
	"strings"
	"testing"
)

// TestRebuildKeepsSchema checks that the identifier indexes a bulk load
// drops and creates again are the ones the migrations create.
func TestRebuildKeepsSchema(t *testing.T) {
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	created := map[string]string{} // index name → its latest CREATE statement
	for _, m := range ms {
		for _, stmt := range splitSQL(m.sql) {
			f := strings.Fields(stmt)
			if strings.Join(f, " ") == "DROP TABLE identifiers" {
				clear(created) // its indexes went with it
			}
			for i := 0; i+2 < len(f); i++ {
				if f[i] == "INDEX" && f[i+2] == "ON" && strings.HasPrefix(f[i+3], "identifiers(") {
					created[f[i+1]] = strings.Join(f, " ")
				}
			}
		}
	}
	for _, ix := range identifierIndexes {
		if got := created[ix.name]; got != ix.create {
			t.Errorf("index %s:\nmigrations create %q\nbulk load creates %q", ix.name, got, ix.create)
		}
		delete(created, ix.name)
	}
	for name := range created {
		t.Errorf("migrations create index %s on identifiers, which a bulk load does not know", name)
	}
}
