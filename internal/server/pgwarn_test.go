package server_test

import (
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/store"
)

func TestPostgresWarnings(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		name string
		m    store.PostgresMemory
		want []string // a fragment of each warning, in order
	}{
		{"SQLite", store.PostgresMemory{}, nil},
		{"small data", store.PostgresMemory{SharedBuffers: 128 * mb, EffectiveCache: 4096 * mb, Identifiers: 2 * mb, SearchIndex: 30 * mb}, nil},
		{"a million reports on the defaults", store.PostgresMemory{SharedBuffers: 128 * mb, EffectiveCache: 4096 * mb, Identifiers: 400 * mb, SearchIndex: 6000 * mb},
			[]string{"shared_buffers (128 MB) is smaller than the link index's identifiers table (400 MB)", "effective_cache_size (4096 MB) is smaller than the identifiers table and the search index together (6400 MB)"}},
		{"enough shared buffers, small cache", store.PostgresMemory{SharedBuffers: 1024 * mb, EffectiveCache: 1024 * mb, Identifiers: 400 * mb, SearchIndex: 6000 * mb},
			[]string{"effective_cache_size (1024 MB)"}},
		{"a load the planner has not seen", store.PostgresMemory{SharedBuffers: 1024 * mb, EffectiveCache: 8192 * mb, Identifiers: 400 * mb, SearchIndex: 600 * mb,
			Unanalyzed: []string{"statement_versions", "statements"}},
			[]string{"no current planner statistics for statement_versions, statements"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := server.PostgresWarnings(c.m)
			if len(got) != len(c.want) {
				t.Fatalf("%q, want %d warnings", got, len(c.want))
			}
			for i, w := range c.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %d = %q, want it to say %q", i, got[i], w)
				}
			}
		})
	}
}
