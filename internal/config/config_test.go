package config_test

import (
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
)

// TestUploadSettings: the upload quotas and the watermark have safe
// defaults and read sizes with units from the environment.
func TestUploadSettings(t *testing.T) {
	c, err := config.FromEnv(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if c.AttachClientHourly != 30<<20 || c.AttachHourly != 500<<20 || c.MinFreeDisk != 1<<30 {
		t.Errorf("defaults: %d, %d, %d", c.AttachClientHourly, c.AttachHourly, c.MinFreeDisk)
	}
	env := map[string]string{"VIGIL_ATTACH_CLIENT_HOURLY": "10MiB", "VIGIL_ATTACH_HOURLY": "2 GB", "VIGIL_MIN_FREE_DISK": "0"}
	c, err = config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.AttachClientHourly != 10<<20 || c.AttachHourly != 2e9 || c.MinFreeDisk != 0 {
		t.Errorf("from the environment: %d, %d, %d", c.AttachClientHourly, c.AttachHourly, c.MinFreeDisk)
	}
	for _, bad := range []string{"lots", "-5MB", "1.5GiB", "99999999999GiB"} {
		env["VIGIL_MIN_FREE_DISK"] = bad
		if _, err := config.FromEnv(func(k string) string { return env[k] }); err == nil {
			t.Errorf("VIGIL_MIN_FREE_DISK=%q was accepted", bad)
		}
	}
}

// TestDatabaseReplica: a replica is a PostgreSQL URL beside a PostgreSQL
// database; anything else is refused naming the variable.
func TestDatabaseReplica(t *testing.T) {
	for _, tc := range []struct {
		db, replica string
		ok          bool
	}{
		{"postgres://p/v", "postgres://r/v", true},
		{"postgresql://p/v", "postgresql://r/v", true},
		{"postgres://p/v", "", true},
		{"", "postgres://r/v", false}, // SQLite has no replica
		{"sqlite:/x/vigil.db", "postgres://r/v", false},
		{"postgres://p/v", "mysql://r/v", false},
	} {
		env := map[string]string{"VIGIL_DATABASE": tc.db, "VIGIL_DATABASE_REPLICA": tc.replica}
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err == nil {
			err = c.Validate()
		}
		if (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), "VIGIL_DATABASE_REPLICA") {
			t.Errorf("VIGIL_DATABASE=%q VIGIL_DATABASE_REPLICA=%q: %v; want ok %v", tc.db, tc.replica, err, tc.ok)
		}
	}
}

// TestPprofAddr: the profiler is served on a loopback address only, and a
// refusal names the variable.
func TestPprofAddr(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:6060", true},
		{"[::1]:6060", true},
		{"localhost:6060", true},
		{"0.0.0.0:6060", false},
		{":6060", false},
		{"10.0.0.5:6060", false},
		{"127.0.0.1", false}, // no port
	} {
		env := map[string]string{"VIGIL_PPROF_ADDR": tc.addr}
		c, err := config.FromEnv(func(k string) string { return env[k] })
		if err == nil {
			err = c.Validate()
		}
		if (err == nil) != tc.ok || err != nil && !strings.Contains(err.Error(), "VIGIL_PPROF_ADDR") {
			t.Errorf("VIGIL_PPROF_ADDR=%q: %v; want ok %v", tc.addr, err, tc.ok)
		}
	}
}
