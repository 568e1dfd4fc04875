package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestExport runs vigil export on the demo data: every format, and the
// errors that name a flag.
func TestExport(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	if _, err := runCmd(t, getenv, "", "demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, getenv, "", "links", "rebuild"); err != nil {
		t.Fatal(err)
	}
	const org = "Mekong Anti-Trafficking Hotline"
	out, err := runCmd(t, getenv, "", "export", "--format", "stix", "--org", org, "--tlp", "green")
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Type    string
		Objects []map[string]any
	}
	if err := json.Unmarshal([]byte(out), &bundle); err != nil || bundle.Type != "bundle" || len(bundle.Objects) < 5 {
		t.Fatalf("stix: %v %s", err, out[:min(len(out), 300)])
	}
	csvDir := filepath.Join(t.TempDir(), "csv")
	if _, stderr, err := runOut(getenv, "", "export", "--format", "csv", "--org", org, "--out", csvDir); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(stderr, "the testimony (statements and attachments) was left out: it needs --reveal --reason") {
		t.Errorf("the export does not say the testimony was left out:\n%s", stderr)
	}
	for _, f := range []string{"reports.csv", "victims.csv", "cases.csv", "referrals.csv", "identifiers.csv"} {
		b, err := os.ReadFile(filepath.Join(csvDir, f))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(csvDir, "statements.csv")); err == nil {
		t.Error("an export without --reveal wrote the statements")
	}
	// With --reveal, the testimony: every statement version, the files.
	revealed := filepath.Join(t.TempDir(), "csv")
	if _, stderr, err := runOut(getenv, "", "export", "--format", "csv", "--org", org, "--out", revealed, "--reveal", "--reason", "moving to the new server"); err != nil {
		t.Fatal(err)
	} else if !strings.Contains(stderr, "with the testimony: statements.csv") {
		t.Errorf("the export does not say it carries the testimony:\n%s", stderr)
	}
	for _, f := range []string{"statements.csv", "attachments.csv", "attachments"} {
		if _, err := os.Stat(filepath.Join(revealed, f)); err != nil {
			t.Errorf("revealed export: %v", err)
		}
	}
	if b, err := os.ReadFile(filepath.Join(revealed, "statements.csv")); err != nil || bytes.Count(b, []byte("\n")) < 10 {
		t.Errorf("statements.csv: %v, %d bytes", err, len(b))
	}
	// …which another instance imports, testimony and all, once.
	otherEnv := newInstance(t, "New Hotline")
	counts := regexp.MustCompile(`imported (\d+) reports .*; (\d+) of (\d+) statement versions`)
	for i, created := range []bool{true, false} {
		out, err := runCmd(t, otherEnv, "", "import", "--format", "vigil", revealed)
		m := counts.FindStringSubmatch(out)
		switch {
		case err != nil || m == nil || m[3] == "0":
			t.Errorf("import %d: %v\n%s", i+1, err, out)
		case created && (m[1] == "0" || m[2] != m[3]), !created && (m[1] != "0" || m[2] != "0"):
			t.Errorf("import %d: %s", i+1, out)
		}
	}
	for _, format := range []string{"ftm", "ctdc", "xlsx"} {
		p := filepath.Join(t.TempDir(), "out."+format)
		if _, err := runCmd(t, getenv, "", "export", "--format", format, "--org", org, "--out", p, "--since", "2020-01-01"); err != nil {
			t.Errorf("%s: %v", format, err)
		} else if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: nothing written (%v)", format, err)
		}
	}
	for _, c := range []struct {
		args []string
		flag string
	}{
		{[]string{"--format", "pdf", "--org", org}, "--format"},
		{[]string{"--format", "stix"}, "--org"},
		{[]string{"--format", "stix", "--org", "Nobody"}, "--org"},
		{[]string{"--format", "stix", "--org", org, "--tlp", "purple"}, "--tlp"},
		{[]string{"--format", "ctdc", "--org", org, "--k", "1"}, "--k"},
		{[]string{"--format", "csv", "--org", org}, "--out"},
		{[]string{"--format", "stix", "--org", org, "--since", "last week"}, "--since"},
		{[]string{"--format", "xlsx", "--org", org, "--reveal"}, "--reason"},
	} {
		_, err := runCmd(t, getenv, "", append([]string{"export"}, c.args...)...)
		if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), c.flag) {
			t.Errorf("export %v: got %v, want a usage error naming %s", c.args, err, c.flag)
		}
	}
}

// newInstance migrates a new data directory with one organisation (a
// hotline named org) and returns the environment naming it.
func newInstance(t *testing.T, org string) func(string) string {
	t.Helper()
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	if _, err := runCmd(t, getenv, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, getenv, "", "org", "add", "--name", org, "--kind", "hotline"); err != nil {
		t.Fatal(err)
	}
	return getenv
}
