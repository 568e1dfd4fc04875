package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/ledger"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestMissingKeyRefused starts a server, then restarts it without its
// master key, with another master key, without its log key, and from a
// restored backup without the keys: every start (and every command that
// opens the keys) is refused naming the file and the key expected, and no
// key file is made. With the keys back it starts again.
func TestMissingKeyRefused(t *testing.T) {
	engineDirs(t, func(t *testing.T, engine store.Engine, dir, dsn string) {
		getenv := envWith(dir, dsn)
		if _, err := runCmd(t, getenv, "", "demo"); err != nil {
			t.Fatal(err)
		}
		masterPath, logPath := filepath.Join(dir, "master.key"), filepath.Join(dir, "log.key")
		master, err := seal.Load(masterPath)
		if err != nil {
			t.Fatal(err)
		}
		logKey, err := ledger.LoadKey(logPath)
		if err != nil {
			t.Fatal(err)
		}
		masterFile, logFile := readFile(t, masterPath), readFile(t, logPath)

		// log audit opens the master key, and takes the log's
		// verifier key as a flag instead of the key file.
		withMaster := [][]string{{"serve", "--addr", "127.0.0.1:0"}, {"links", "rebuild"}, {"log", "audit", "--vkey", logKey.VerifierKey()}}
		withLogKey := withMaster[:2]
		refused := func(t *testing.T, getenv func(string) string, cmds [][]string, path, want string) {
			t.Helper()
			for _, args := range cmds {
				err := runBriefly(t, getenv, args...)
				if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: got %v, want a refusal naming %s and %s", args[0], err, path, want)
				}
			}
		}

		t.Run("missing master key", func(t *testing.T) {
			os.Remove(masterPath)
			refused(t, getenv, withMaster, masterPath, master.Fingerprint())
			if _, err := os.Stat(masterPath); err == nil {
				t.Error("a refused start made a new master key")
			}
		})
		t.Run("another master key", func(t *testing.T) {
			writeFile(t, masterPath, []byte(hex.EncodeToString(bytes.Repeat([]byte{1}, seal.KeySize))+"\n"))
			refused(t, getenv, withMaster, masterPath, master.Fingerprint())
		})
		writeFile(t, masterPath, masterFile)
		t.Run("missing log key", func(t *testing.T) {
			os.Remove(logPath)
			refused(t, getenv, withLogKey, logPath, logKey.VerifierKey())
			if _, err := os.Stat(logPath); err == nil {
				t.Error("a refused start made a new log key")
			}
		})
		writeFile(t, logPath, logFile)
		t.Run("restored backup without the keys", func(t *testing.T) {
			restored := t.TempDir()
			getenv := envWith(restored, dsn)
			if engine == store.SQLite {
				writeFile(t, filepath.Join(restored, "vigil.db"), readFile(t, filepath.Join(dir, "vigil.db")))
				getenv = envWith(restored, "sqlite:"+filepath.Join(restored, "vigil.db"))
			}
			refused(t, getenv, withMaster, filepath.Join(restored, "master.key"), master.Fingerprint())
		})
		t.Run("keys back", func(t *testing.T) {
			if err := runBriefly(t, getenv, "serve", "--addr", "127.0.0.1:0"); err != nil {
				t.Errorf("serve with the right keys: %v", err)
			}
		})
	})
}

// engineDirs runs fn once per engine with a fresh data directory and the
// DSN of a fresh database (on SQLite, in that directory).
func engineDirs(t *testing.T, fn func(t *testing.T, engine store.Engine, dir, dsn string)) {
	for _, engine := range []store.Engine{store.SQLite, store.Postgres} {
		t.Run(string(engine), func(t *testing.T) {
			dir := t.TempDir()
			dsn := storetest.DSN(t, engine)
			if engine == store.SQLite {
				dsn = "sqlite:" + filepath.Join(dir, "vigil.db")
			}
			fn(t, engine, dir, dsn)
		})
	}
}

// envWith returns a getenv with VIGIL_DATA and VIGIL_DATABASE set, and the
// other variables of kv (name, value, …).
func envWith(data, dsn string, kv ...string) func(string) string {
	return func(k string) string {
		switch k {
		case "VIGIL_DATA":
			return data
		case "VIGIL_DATABASE":
			return dsn
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == k {
				return kv[i+1]
			}
		}
		return ""
	}
}

// runBriefly runs a subcommand in-process for at most two seconds (a
// server that starts is stopped then and returns nil).
func runBriefly(t *testing.T, getenv func(string) string, args ...string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return run(ctx, e, args)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyKeys copies the master key and the log key of data directory from
// into data directory to, as an operator does after a restore or a move.
func copyKeys(t *testing.T, from, to string) {
	t.Helper()
	for _, k := range []string{"master.key", "log.key"} {
		writeFile(t, filepath.Join(to, k), readFile(t, filepath.Join(from, k)))
	}
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestKeysRotateMaster rotates the demo's master key from the command line:
// every data key opens before and after, the ledger audit (which opens
// every sealed statement) passes with the new key, the old key is retired
// beside it, and the server starts.
func TestKeysRotateMaster(t *testing.T) {
	engineDirs(t, func(t *testing.T, engine store.Engine, dir, dsn string) {
		getenv := envWith(dir, dsn)
		if _, err := runCmd(t, getenv, "", "demo"); err != nil {
			t.Fatal(err)
		}
		masterPath := filepath.Join(dir, "master.key")
		old, err := seal.Load(masterPath)
		if err != nil {
			t.Fatal(err)
		}
		before, err := runCmd(t, getenv, "", "keys", "check")
		if err != nil || !strings.Contains(before, old.Fingerprint()) || strings.Contains(before, "DO NOT OPEN") {
			t.Fatalf("keys check before: %q, %v", before, err)
		}
		out, err := runCmd(t, getenv, "", "keys", "rotate-master", "--settle", "1ms")
		if err != nil || !strings.Contains(out, "master key rotated") {
			t.Fatalf("rotate-master: %q, %v", out, err)
		}
		rotated, err := seal.Load(masterPath)
		if err != nil {
			t.Fatal(err)
		}
		if rotated.Fingerprint() == old.Fingerprint() {
			t.Fatal("the key file still holds the old key")
		}
		if _, err := os.Stat(masterPath + ".retired-" + old.Fingerprint()); err != nil {
			t.Errorf("old key not retired: %v", err)
		}
		after, err := runCmd(t, getenv, "", "keys", "check")
		if err != nil || !strings.Contains(after, rotated.Fingerprint()) {
			t.Fatalf("keys check after: %q, %v", after, err)
		}
		// The same number of keys open (the count precedes "data keys open").
		if strings.SplitN(before, ": ", 2)[1] != strings.SplitN(after, ": ", 2)[1] {
			t.Errorf("before: %q, after: %q", before, after)
		}
		logKey, err := ledger.LoadKey(filepath.Join(dir, "log.key"))
		if err != nil {
			t.Fatal(err)
		}
		if out, err := runCmd(t, getenv, "", "log", "audit", "--vkey", logKey.VerifierKey()); err != nil {
			t.Fatalf("log audit after rotation: %v\n%s", err, out)
		}
		if err := runBriefly(t, getenv, "serve", "--addr", "127.0.0.1:0"); err != nil {
			t.Fatalf("serve after rotation: %v", err)
		}
	})
}

// TestKeysRotateLog changes the log key with the command on demo data: the
// ledger audit passes during and after the change, log vkey prints the new
// key after it, the old key's file is retired, and a server starts on it.
func TestKeysRotateLog(t *testing.T) {
	engineDirs(t, func(t *testing.T, engine store.Engine, dir, dsn string) {
		getenv := envWith(dir, dsn)
		if _, err := runCmd(t, getenv, "", "demo"); err != nil {
			t.Fatal(err)
		}
		old, err := runCmd(t, getenv, "", "log", "vkey")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := runCmd(t, getenv, "", "keys", "rotate-log", "--finish"); err == nil {
			t.Error("--finish with no change under way: accepted")
		}
		out, err := runCmd(t, getenv, "", "keys", "rotate-log")
		if err != nil || !strings.Contains(out, "--finish") {
			t.Fatalf("rotate-log: %q, %v", out, err)
		}
		if out, err := runCmd(t, getenv, "", "log", "audit"); err != nil {
			t.Fatalf("log audit during the change: %v\n%s", err, out)
		}
		out, err = runCmd(t, getenv, "", "keys", "rotate-log", "--finish")
		if err != nil || !strings.Contains(out, "log.key.retired") {
			t.Fatalf("rotate-log --finish: %q, %v", out, err)
		}
		vkey, err := runCmd(t, getenv, "", "log", "vkey")
		if err != nil || vkey == old || !strings.Contains(out, strings.TrimSpace(vkey)) {
			t.Fatalf("log vkey after the change: %q (was %q), %v", vkey, old, err)
		}
		if out, err := runCmd(t, getenv, "", "log", "audit"); err != nil {
			t.Fatalf("log audit after the change: %v\n%s", err, out)
		}
		if err := runBriefly(t, getenv, "serve", "--addr", "127.0.0.1:0"); err != nil {
			t.Errorf("serve after the change: %v", err)
		}
	})
}
