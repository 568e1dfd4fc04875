package main

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigil-project/vigil/internal/staff"
	"github.com/vigil-project/vigil/internal/store"
)

// TestSetupCommand: vigil setup creates the first organisation and admin
// (password from standard input) on a new installation, names what is
// missing, and refuses once an account exists.
func TestSetupCommand(t *testing.T) {
	engineDirs(t, func(t *testing.T, _ store.Engine, dir, dsn string) {
		getenv := envWith(dir, dsn)
		if _, err := runCmd(t, getenv, "", "setup", "--org", "Hotline"); !errors.Is(err, errUsage) {
			t.Fatalf("setup without the admin: %v, want a usage error", err)
		}
		if _, err := runCmd(t, getenv, "correct horse battery\n", "setup", "--org", "Hotline", "--log-origin", "has space",
			"--admin-email", "admin@hotline.test", "--admin-name", "First Admin"); err == nil || !strings.Contains(err.Error(), "--log-origin") {
			t.Fatalf("setup with a bad ledger name: %v, want an error naming --log-origin", err)
		}
		out, err := runCmd(t, getenv, "correct horse battery\n", "setup", "--org", "Hotline", "--kind", "hotline", "--country", "KH",
			"--receives-public", "--admin-email", "admin@hotline.test", "--admin-name", "First Admin", "--log-origin", "hotline.test/log")
		if err != nil || !strings.Contains(out, "admin@hotline.test") || !strings.Contains(out, "hotline.test/log") {
			t.Fatalf("setup: %q, %v", out, err)
		}
		// Later commands open the ledger under the name setup chose,
		// with the placeholder still configured.
		vkey, err := runCmd(t, getenv, "", "log", "vkey")
		if err != nil || !strings.HasPrefix(vkey, "hotline.test/log+") {
			t.Fatalf("log vkey after setup: %q, %v", vkey, err)
		}
		if audit, err := runCmd(t, getenv, "", "log", "audit"); err != nil {
			t.Fatalf("log audit after setup: %q, %v", audit, err)
		}
		conflicting := func(k string) string {
			if k == "VIGIL_LOG_ORIGIN" {
				return "elsewhere.test/log"
			}
			return getenv(k)
		}
		if _, err := runCmd(t, conflicting, "", "links", "rebuild"); err == nil || !strings.Contains(err.Error(), "hotline.test/log") {
			t.Errorf("a start with a conflicting VIGIL_LOG_ORIGIN: %v, want a refusal naming the recorded name", err)
		}
		list, err := runCmd(t, getenv, "", "user", "list")
		if err != nil || !strings.Contains(list, "admin@hotline.test") || !strings.Contains(list, "admin") {
			t.Fatalf("user list after setup: %q, %v", list, err)
		}
		_, err = runCmd(t, getenv, "another long password\n", "setup", "--org", "Other", "--admin-email", "x@other.test", "--admin-name", "X")
		if !errors.Is(err, staff.ErrSetUp) {
			t.Errorf("a second setup: %v, want ErrSetUp", err)
		}
	})
}
