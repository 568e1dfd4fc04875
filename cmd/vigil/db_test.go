package main

import (
	"context"
	"flag"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// TestDBMaxConns checks that VIGIL_DB_MAX_CONNS (and --db-max-conns over
// it) caps the connections a process opens, on both engines: twelve
// concurrent slow queries share the configured three connections.
func TestDBMaxConns(t *testing.T) {
	engineDirs(t, func(t *testing.T, engine store.Engine, dir, dsn string) {
		if _, err := runCmd(t, envWith(dir, dsn), "", "migrate"); err != nil {
			t.Fatal(err)
		}
		open := func(maxConns string, args ...string) *store.DB {
			t.Helper()
			e := &env{getenv: envWith(dir, dsn, "VIGIL_DB_MAX_CONNS", maxConns)}
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cfg, err := loadConfig(e, fs)
			if err != nil {
				t.Fatal(err)
			}
			db, err := parseAndOpen(context.Background(), fs, cfg, args)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		if got, want := open("").Stats().MaxOpenConnections, max(4, 4*runtime.GOMAXPROCS(0)); got != want {
			t.Errorf("default pool = %d connections, want %d", got, want)
		}
		if got := open("7", "--db-max-conns", "5").Stats().MaxOpenConnections; got != 5 {
			t.Errorf("--db-max-conns 5 over VIGIL_DB_MAX_CONNS=7: pool = %d, want 5", got)
		}
		db := open("3")
		slow := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300000) SELECT 1 FROM (SELECT count(*) FROM n) c`
		if engine == store.Postgres {
			slow = `SELECT pg_sleep(0.05)`
		}
		var wg sync.WaitGroup
		errs := make(chan error, 12)
		for range 12 {
			wg.Go(func() { errs <- db.Read().Exec(context.Background(), slow) })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		st := db.Stats()
		if st.MaxOpenConnections != 3 || st.OpenConnections > 3 || st.WaitCount == 0 {
			t.Errorf("VIGIL_DB_MAX_CONNS=3: pool max %d, open %d, waits %d; want max 3, at most 3 open and some queries waiting", st.MaxOpenConnections, st.OpenConnections, st.WaitCount)
		}
	})
	wantRefused(t, "VIGIL_DB_MAX_CONNS", "many", "VIGIL_DB_MAX_CONNS")
	wantRefused(t, "VIGIL_DB_MAX_CONNS", "-1", "--db-max-conns")
}

// wantRefused runs migrate with the variable name set to value and wants it
// refused with an error naming setting.
func wantRefused(t *testing.T, name, value, setting string) {
	t.Helper()
	dir := t.TempDir()
	_, err := runCmd(t, func(k string) string {
		switch k {
		case "VIGIL_DATA":
			return dir
		case name:
			return value
		}
		return ""
	}, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), setting) {
		t.Errorf("%s=%s: got %v, want an error naming %s", name, value, err, setting)
	}
}
