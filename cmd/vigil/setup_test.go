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
		out, err := runCmd(t, getenv, "correct horse battery\n", "setup", "--org", "Hotline", "--kind", "hotline", "--country", "KH",
			"--receives-public", "--admin-email", "admin@hotline.test", "--admin-name", "First Admin")
		if err != nil || !strings.Contains(out, "admin@hotline.test") {
			t.Fatalf("setup: %q, %v", out, err)
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
