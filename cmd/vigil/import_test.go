package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCLI imports a spreadsheet with a mapping from the command
// line: suggest, dry run, a malformed file, the import, again.
func TestImportCLI(t *testing.T) {
	getenv := newInstance(t, "Hotline")
	data := "../../internal/ingest/testdata/"
	bad := filepath.Join(t.TempDir(), "bad.csv")
	b, _ := os.ReadFile(data + "bad.csv")
	os.WriteFile(bad, b, 0o600)
	for _, tt := range []cliCase{
		{name: "suggest", args: []string{"import", "--suggest", data + "cases.csv"}, out: "narrative: What happened"},
		{name: "no mapping", args: []string{"import", data + "cases.csv"}, code: 2, msg: "--mapping is required"},
		{name: "dry run", args: []string{"import", "--dry-run", "--mapping", data + "cases.yaml", data + "cases.csv"}, out: "dry run, nothing written: would import 3 reports"},
		{name: "malformed", args: []string{"import", "--mapping", data + "cases.yaml", bad}, code: 1, msg: bad + `:3: column Type: "Smuggling" is not an incident type`},
		{name: "import", args: []string{"import", "--mapping", data + "cases.yaml", data + "cases.csv"}, out: "imported 3 reports (3 rows; 0 imported before"},
		{name: "again", args: []string{"import", "--mapping", data + "cases.yaml", data + "cases.csv"}, out: "imported 0 reports (3 rows; 3 imported before"},
		{name: "pending attachments", args: []string{"import", "attachments"}, out: "attachments: 0 fetched, 0 still pending"},
		{name: "kobo hook", args: []string{"import", "kobo-hook", "--org", "Hotline", "--mapping", data + "kobo.yaml"}, out: "/api/v1/intake/kobo/kobo_"},
	} {
		tt.run(t, getenv)
	}
	out, _, err := runOut(getenv, "", "import", "--mapping", data+"cases.yaml", bad)
	if err == nil || out != "" || strings.Count(err.Error(), bad+":") != 8 {
		t.Errorf("malformed file: %q, %v; want 8 problems, each with its line", out, err)
	}
}
