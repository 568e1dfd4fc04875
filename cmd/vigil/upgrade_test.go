package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// TestUpgrade upgrades databases written by earlier releases of Vigil
// (testdata/upgrade, made by scripts/upgrade-fixtures: the demo data, 100
// generated reports and one public report whose reporter kept the tracking
// code, secret and receipt) with this one, on both engines: serve refuses
// the old schema until `vigil migrate`, then the ledger audit passes, every
// data key unwraps, the reporter's receipt still verifies, the link index
// holds every report, the reporter tracks the report, a new report is
// taken, and a schema newer than the binary is refused.
func TestUpgrade(t *testing.T) {
	releases, err := filepath.Glob("testdata/upgrade/v*")
	if err != nil || len(releases) == 0 {
		t.Fatalf("no upgrade fixtures in testdata/upgrade (%v)", err)
	}
	for _, rel := range releases {
		for _, e := range []store.Engine{store.SQLite, store.Postgres} {
			t.Run(filepath.Base(rel)+"/"+string(e), func(t *testing.T) {
				upgradeFrom(t, filepath.Join(rel, string(e)), e)
			})
		}
	}
}

func upgradeFrom(t *testing.T, fixture string, e store.Engine) {
	dir := t.TempDir()
	copyKeys(t, fixture, dir)
	vars := map[string]string{"VIGIL_DATA": dir, "VIGIL_LOG_ORIGIN": "fixture.example/log"}
	if e == store.SQLite {
		if err := os.WriteFile(filepath.Join(dir, "vigil.db"), gunzip(t, filepath.Join(fixture, "vigil.db.gz")), 0o600); err != nil {
			t.Fatal(err)
		}
	} else {
		dsn := storetest.DSN(t, e)
		psql := exec.Command("psql", "-q", "-v", "ON_ERROR_STOP=1", dsn)
		psql.Stdin = strings.NewReader(string(gunzip(t, filepath.Join(fixture, "dump.sql.gz"))))
		if out, err := psql.CombinedOutput(); err != nil {
			t.Fatalf("loading the fixture's pg_dump: %v\n%s", err, out)
		}
		vars["VIGIL_DATABASE"] = dsn
	}
	getenv := func(k string) string { return vars[k] }
	envList := []string{}
	for k, v := range vars {
		envList = append(envList, k+"="+v)
	}

	if _, err := runCmd(t, getenv, "", "serve", "--addr", "127.0.0.1:0"); err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("serve on the old schema: %v, want a refusal that says to migrate", err)
	}
	if out, err := runCmd(t, getenv, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	if out, err := runCmd(t, getenv, "", "log", "audit"); err != nil || !strings.Contains(out, "OK: every stored record matches the log") {
		t.Fatalf("log audit after the upgrade: %v\n%s", err, out)
	}
	if out, err := runCmd(t, getenv, "", "keys", "check"); err != nil {
		t.Fatalf("keys check after the upgrade: %v\n%s", err, out)
	}
	var filed struct {
		TrackingCode string          `json:"tracking_code"`
		Secret       string          `json:"secret"`
		Receipt      json.RawMessage `json:"receipt"`
	}
	if err := json.Unmarshal(readFile(t, filepath.Join(fixture, "filed.json")), &filed); err != nil {
		t.Fatal(err)
	}
	receipt := filepath.Join(t.TempDir(), "receipt.json")
	writeFile(t, receipt, filed.Receipt)
	if out, err := runCmd(t, getenv, "", "verify", receipt); err != nil {
		t.Fatalf("the reporter's receipt after the upgrade: %v\n%s", err, out)
	}
	// The link index: every report in it after a rebuild (an upgrade from
	// before the index was sealed has emptied it and queued every report).
	out, err := runCmd(t, getenv, "", "links", "rebuild")
	if err != nil {
		t.Fatalf("links rebuild: %v\n%s", err, out)
	}
	t.Logf("links rebuild: %s", strings.TrimSpace(out))
	m := regexp.MustCompile(`(\d+) reports, (\d+) identifiers`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("links rebuild said %q", out)
	}
	if reports, _ := strconv.Atoi(m[1]); reports != 109 {
		t.Errorf("link index rebuilt over %s reports, want 109 (the demo's 8, 100 generated, 1 filed)", m[1])
	}
	if ids, _ := strconv.Atoi(m[2]); ids < 100 {
		t.Errorf("link index holds %s identifiers after the upgrade", m[2])
	}

	_, addr := child(t, envList, "serve", "--addr", "127.0.0.1:0", "--public-rate", "1000")
	client := &http.Client{Timeout: 10 * time.Second}
	if err := track(client, addr, ackedReport{Code: filed.TrackingCode, Secret: filed.Secret}); err != nil {
		t.Errorf("the reporter tracks the report filed before the upgrade: %v", err)
	}
	if _, err := postReport(client, addr, "a report after the upgrade"); err != nil {
		t.Errorf("a new report after the upgrade: %v", err)
	}

	// A database a newer Vigil has migrated is refused, not misread.
	db, err := store.Open(t.Context(), dsnOf(vars))
	if err != nil {
		t.Fatal(err)
	}
	err = db.Tx(t.Context(), func(q store.Q) error {
		return q.Exec(t.Context(), fmt.Sprintf(`INSERT INTO schema_version (version, applied_at) VALUES (%d, 1)`, 9999))
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, getenv, "", "log", "audit"); err == nil || !strings.Contains(err.Error(), "newer than this binary") {
		t.Errorf("a command on a schema newer than the binary: %v, want a refusal", err)
	}
}

func dsnOf(vars map[string]string) string {
	if d := vars["VIGIL_DATABASE"]; d != "" {
		return d
	}
	return "sqlite:" + filepath.Join(vars["VIGIL_DATA"], "vigil.db")
}

func gunzip(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(z)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}
