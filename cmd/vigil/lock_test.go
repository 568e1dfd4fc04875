package main

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-project/vigil/internal/store"
)

// TestSecondServerOnSQLiteRefused starts a server on a SQLite data
// directory and checks that a second server, a migration and a bulk
// command on the same directory are refused naming the lock file and the
// server's pid, that short commands still run beside it, and that the
// lock goes with the server.
func TestSecondServerOnSQLiteRefused(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	first, _ := child(t, []string{"VIGIL_DATA=" + dir}, "serve", "--addr", "127.0.0.1:0")
	lock := filepath.Join(dir, store.LockName)
	for _, args := range [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"migrate"}, {"links", "rebuild"}, {"demo"}} {
		err := runBriefly(t, getenv, args...)
		if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), strconv.Itoa(first.Process.Pid)) {
			t.Errorf("%s beside a running server: got %v, want a refusal naming %s and pid %d", args[0], err, lock, first.Process.Pid)
		}
	}
	if _, err := runCmd(t, getenv, "", "org", "add", "--name", "Hotline", "--kind", "hotline"); err != nil {
		t.Errorf("org add beside a running server: %v", err)
	}
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	first.Wait()
	if err := runBriefly(t, getenv, "serve", "--addr", "127.0.0.1:0"); err != nil {
		t.Errorf("serve after the first server died: %v", err)
	}
}
