package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestMoveSQLiteToPostgres is the move docs/operations.md describes for a
// Vigil that outgrew SQLite: a SQLite server with demo data and reports
// from the public, stopped; `vigil backup`; `vigil restore` with
// VIGIL_DATABASE naming a new PostgreSQL database; the keys copied in.
// Then the ledger audit passes on PostgreSQL, a server there answers the
// staff API and the public range exactly as the SQLite server did, with
// the same API token, every reporter can track their report, and new
// reports are taken. A second restore into the same database is refused
// before the backup is read.
func TestMoveSQLiteToPostgres(t *testing.T) {
	dir := t.TempDir()
	lite := envWith(dir, "")
	if _, err := runCmd(t, lite, "", "demo", "--reports", "300"); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, lite, "", "token", "create", "--user", "coordinator@hotline.demo")
	if err != nil {
		t.Fatal(err)
	}
	token := regexp.MustCompile(`vgl_[A-Za-z0-9_-]+`).FindString(out)
	if token == "" {
		t.Fatalf("no token in %q", out)
	}
	srvCmd, addr := child(t, []string{"VIGIL_DATA=" + dir}, "serve", "--addr", "127.0.0.1:0", "--public-rate", "100000")
	client := &http.Client{Timeout: 10 * time.Second}
	var acked []ackedReport
	for i := range 10 {
		a, err := postReport(client, addr, "moved report "+string(rune('a'+i))+" recruiter +855 12 345 678")
		if err != nil {
			t.Fatal(err)
		}
		acked = append(acked, a)
	}
	paths := []string{"/api/v1/reports?limit=100", "/api/v1/stats", "/api/v1/search?q=recruiter&limit=50", "/api/v1/identifiers/top?limit=20", "/api/v1/check/range"}
	// What the SQLite server answers once its follow-up work is done (the
	// answers stop changing).
	var before map[string]string
	for deadline := time.Now().Add(30 * time.Second); ; {
		now := answers(t, client, addr, token, paths)
		if equalAnswers(now, before) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the SQLite server's answers kept changing for 30 s")
		}
		before = now
		time.Sleep(time.Second)
	}
	if !strings.Contains(before["/api/v1/search?q=recruiter&limit=50"], `"kind":"report"`) || !strings.Contains(before["/api/v1/reports?limit=100"], acked[0].Code) {
		t.Fatalf("the SQLite server's answers hold no report: %v", before)
	}
	srvCmd.Process.Signal(syscall.SIGTERM)
	srvCmd.Wait()

	backup := filepath.Join(t.TempDir(), "vigil.tar.gz")
	if _, err := runCmd(t, lite, "", "backup", "--out", backup); err != nil {
		t.Fatal(err)
	}
	moved := filepath.Join(t.TempDir(), "moved")
	dsn := storetest.DSN(t, store.Postgres)
	pg := envWith(moved, dsn)
	stdout, stderr, err := runOut(pg, "", "restore", backup)
	if err != nil {
		t.Fatalf("restore into PostgreSQL: %v\n%s", err, stderr)
	}
	for _, want := range []string{"moved the backup's SQLite database into PostgreSQL", "each table's count checked", "matches the backup's signed checkpoint"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("restore output %q lacks %q", stdout, want)
		}
	}
	copyKeys(t, dir, moved)
	if stdout, err := runCmd(t, pg, "", "log", "audit"); err != nil || !strings.Contains(stdout, "OK: every stored record matches the log") {
		t.Fatalf("log audit on PostgreSQL: %v\n%s", err, stdout)
	}

	_, paddr := child(t, []string{"VIGIL_DATA=" + moved, "VIGIL_DATABASE=" + dsn}, "serve", "--addr", "127.0.0.1:0", "--public-rate", "100000")
	after := answers(t, client, paddr, token, paths)
	for _, p := range paths {
		if after[p] != before[p] {
			t.Errorf("GET %s on PostgreSQL differs from SQLite:\n%.400s\n%.400s", p, after[p], before[p])
		}
	}
	for _, a := range acked {
		if err := track(client, paddr, a); err != nil {
			t.Errorf("a report filed on SQLite, tracked on PostgreSQL: %v", err)
		}
	}
	if _, err := postReport(client, paddr, "after the move"); err != nil {
		t.Fatalf("a new report on PostgreSQL: %v", err)
	}

	// Again into the same database: refused before the backup is read.
	again := filepath.Join(t.TempDir(), "again")
	if _, err := runCmd(t, envWith(again, dsn), "", "restore", backup); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a restore into a PostgreSQL database that holds data: %v", err)
	}
	if _, err := os.Stat(again); !os.IsNotExist(err) {
		t.Errorf("the refused restore made %s: %v", again, err)
	}
}

// answers GETs each path with the token and returns the bodies.
func answers(t *testing.T, client *http.Client, addr, token string, paths []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, p := range paths {
		req, err := http.NewRequest("GET", "http://"+addr+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s %s", p, res.Status, b)
		}
		out[p] = string(b)
	}
	return out
}

func equalAnswers(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
