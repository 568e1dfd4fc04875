package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// TestGeneratedDemoLinks runs the scale-test commands end to end on a small
// data set: vigil demo --reports, links rebuild and bench link.
func TestGeneratedDemoLinks(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	out, err := runCmd(t, getenv, "", "demo", "--reports", "300")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "added 300 generated reports") || !strings.Contains(out, "308 reports") {
		t.Errorf("demo --reports 300 said:\n%s", out)
	}
	out, err = runCmd(t, getenv, "", "links", "rebuild")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`308 reports, \d+ identifiers, \d+ occurrences, \d+ clusters`).MatchString(out) {
		t.Errorf("links rebuild said: %s", out)
	}
	out, err = runCmd(t, getenv, "", "bench", "link", "--reports", "5")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "link 5 new reports on sqlite: index update (one transaction) p50") {
		t.Errorf("bench link said: %s", out)
	}
	out, err = runCmd(t, getenv, "", "bench", "publish", "--reports", "20")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?s)full build: [1-9]\d* published, prefix 1, in .*linked 20 new reports in .*after 20 new reports: weighed [1-9]\d* identifiers in .* built from the changes in .*: [1-9]\d* published`).MatchString(out) {
		t.Errorf("bench publish said: %s", out)
	}
	if _, err := runCmd(t, getenv, "", "demo", "--reports", "-1"); !errors.Is(err, errUsage) {
		t.Errorf("demo --reports -1: got %v, want a usage error", err)
	}
	if _, err := runCmd(t, getenv, "", "demo"); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("demo on a loaded database: got %v", err)
	}
}
