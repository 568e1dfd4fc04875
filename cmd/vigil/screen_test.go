package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
)

// sdnSnapshot is the OFAC SDN snapshot shared with the repository.
const sdnSnapshot = "../../../shared/data/watchlists/ofac-sdn"

// runWith runs a subcommand in-process and returns its stdout and stderr.
func runWith(t *testing.T, dir, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	err := run(context.Background(), e, args)
	return out.String(), errb.String(), err
}

func TestScreenCommand(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runWith(t, dir, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := runWith(t, dir, "Try Pheap\n", "screen"); err == nil || !strings.Contains(err.Error(), "no watch lists") {
		t.Fatalf("screen without lists: got %v", err)
	}
	out, _, err := runWith(t, dir, "", "watchlist", "demo")
	if err != nil || !strings.Contains(out, "demo-sdn: new version 1") {
		t.Fatalf("watchlist demo: %q, %v", out, err)
	}
	out, _, err = runWith(t, dir, "Try Pheap\nទ្រី ភាព\n\nJohn Smith\n", "screen", "--list", "demo-sdn")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want one per input line: %q", len(lines), out)
	}
	for i, want := range []string{"28042", "28042", "", ""} {
		var l struct {
			Query   string
			Matches []map[string]any
		}
		if err := json.Unmarshal([]byte(lines[i]), &l); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if want == "" {
			continue
		}
		if len(l.Matches) == 0 || l.Matches[0]["id"] != want || l.Matches[0]["list"] != "demo-sdn" {
			t.Errorf("line %d: got %s, want %s first", i+1, lines[i], want)
			continue
		}
		for _, k := range []string{"list", "id", "name", "score", "why"} {
			if _, ok := l.Matches[0][k]; !ok || len(l.Matches[0]) != 5 {
				t.Errorf("line %d: match %v: want exactly list, id, name, score, why", i+1, l.Matches[0])
			}
		}
	}
	out, _, err = runWith(t, dir, "name,type,birth_date,country\n赵伟,person,1952-09-16,CN\n", "screen", "--csv")
	if err != nil || !strings.Contains(out, `"id":"23647"`) || !strings.Contains(out, "date of birth") {
		t.Fatalf("screen --csv: %q, %v", out, err)
	}
	_, _, err = runWith(t, dir, "name,type\nx,planet\n", "screen", "--csv")
	if err == nil {
		t.Error("screen --csv with a bad type: no error")
	}
	out, stderr, err := runWith(t, dir, "28042\tPHEAP, Thy\n23647\t赵伟\n", "screen", "--expect")
	if err != nil || !strings.Contains(stderr, "queries 2  rank-1 1.000  top-5 1.000") {
		t.Fatalf("screen --expect: %q %q %v", out, stderr, err)
	}
	if _, _, err := runWith(t, dir, "", "watchlist", "import", "--list", "x", "--format", "csv"); err == nil {
		t.Error("import without a path: no error")
	}
	out, _, err = runWith(t, dir, "", "watchlist", "list")
	if err != nil || !strings.Contains(out, "demo-sdn\tversion 1\t24 entries") {
		t.Fatalf("watchlist list: %q, %v", out, err)
	}
}

// TestScreenCommandSDN reproduces docs/benchmarks-screen.md through the
// command line: import the SDN snapshot, then screen every alias of
// alt.csv against the primary names only.
func TestScreenCommandSDN(t *testing.T) {
	if _, err := os.Stat(sdnSnapshot + "/sdn.csv"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("SDN snapshot missing in CI: %v", err)
		}
		t.Skipf("SDN snapshot not found: %v", err)
	}
	dir := t.TempDir()
	if _, _, err := runWith(t, dir, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	out, _, err := runWith(t, dir, "", "watchlist", "import", "--list", "sdn", "--format", "ofac-csv", sdnSnapshot)
	if err != nil || !strings.HasPrefix(out, "sdn: new version 1, 7379 entries: 7379 added") {
		t.Fatalf("import: %q, %v", out, err)
	}
	out, _, err = runWith(t, dir, "", "watchlist", "import", "--list", "sdn", "--format", "ofac-csv", sdnSnapshot)
	if err != nil || !strings.HasPrefix(out, "sdn: unchanged 1") {
		t.Fatalf("re-import: %q, %v", out, err)
	}
	out, stderr, err := runWith(t, dir, "", "screen", "--list", "sdn", "--primary-only", "--eval-alt", sdnSnapshot+"/alt.csv")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var r1, r5 float64
	if _, err := fmt.Sscanf(strings.TrimSpace(stderr), "queries %d  rank-1 %f  top-5 %f", &n, &r1, &r5); err != nil {
		t.Fatalf("summary %q: %v", stderr, err)
	}
	t.Logf("vigil screen --primary-only: %d queries, rank-1 %.3f, top-5 %.3f", n, r1, r5)
	if lines := strings.Count(out, "\n"); n != 9393 || lines != n {
		t.Errorf("got %d queries and %d lines, want 9393 of each", n, lines)
	}
	if r1 < 0.63 || r5 < 0.73 {
		t.Errorf("rank-1 %.3f, top-5 %.3f: want at least 0.63 and 0.73", r1, r5)
	}
}
