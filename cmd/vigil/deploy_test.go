package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeployFiles checks the container and systemd files against the
// binary they run: every VIGIL_* variable they set is one Vigil reads,
// every command and flag they pass is one it takes, and systemd accepts
// the unit. (No Docker engine runs here, so the image itself is not built
// in the tests; docs/operations.md says so.)
func TestDeployFiles(t *testing.T) {
	help, _, err := runOut(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"../../Dockerfile", "../../deploy/compose.yaml", "../../deploy/vigil.service"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range regexp.MustCompile(`\b(VIGIL_[A-Z_]+)\b`).FindAllString(string(src), -1) {
			if !strings.Contains(help, v+" ") {
				t.Errorf("%s sets %s, which vigil does not read", f, v)
			}
		}
	}
	// The commands the files run parse: serve with those flags (--help
	// after them stops before anything starts).
	for _, args := range [][]string{
		{"serve", "--data", "/var/lib/vigil"}, // deploy/vigil.service
		{"serve", "--migrate"},                // deploy/compose.yaml
		{"serve"},                             // Dockerfile
	} {
		if _, _, err := runOut(func(string) string { return "" }, "", append(args, "--help")...); err != nil {
			t.Errorf("vigil %s: %v", strings.Join(args, " "), err)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("systemd-analyze is needed to check deploy/vigil.service")
		}
		t.Skip("systemd-analyze not installed: deploy/vigil.service not verified")
	}
	unit, err := os.ReadFile("../../deploy/vigil.service")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// systemd wants the program to exist: point ExecStart at this test
	// binary, which does.
	text := strings.Replace(string(unit), "ExecStart=/usr/local/bin/vigil", "ExecStart="+self, 1)
	path := filepath.Join(t.TempDir(), "vigil.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify deploy/vigil.service: %v\n%s", err, out)
	}
}
