package main

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI(t *testing.T) {
	dir := t.TempDir()
	getenv := func(k string) string {
		if k == "VIGIL_DATA" {
			return dir
		}
		return ""
	}
	out, err := runCmd(t, getenv, "", "org", "add", "--name", "Hotline", "--kind", "hotline", "--receives-public")
	if err != nil {
		t.Fatal(err)
	}
	orgID := strings.TrimSpace(out)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string // substring; "" means success
		usage   bool
	}{
		{"no command", "", nil, "no command", true},
		{"unknown command", "", []string{"frobnicate"}, "unknown command", true},
		{"bad flag", "", []string{"migrate", "--nope"}, "flag provided but not defined", true},
		{"org bad kind", "", []string{"org", "add", "--name", "X", "--kind", "church"}, "kind", false},
		{"org duplicate", "", []string{"org", "add", "--name", "Hotline", "--kind", "ngo"}, "exists", false},
		{"user add", "a long password\n", []string{"user", "add", "--org", "Hotline", "--email", "i@h.test", "--name", "I", "--role", "investigator"}, "", false},
		{"user add by org id", "a long password\n", []string{"user", "add", "--org", orgID, "--email", "j@h.test", "--name", "J", "--role", "intake"}, "", false},
		{"user short password", "short\n", []string{"user", "add", "--org", "Hotline", "--email", "k@h.test", "--name", "K", "--role", "intake"}, "password", false},
		{"user bad role", "a long password\n", []string{"user", "add", "--org", "Hotline", "--email", "k@h.test", "--name", "K", "--role", "boss"}, "role", false},
		{"user bad email", "a long password\n", []string{"user", "add", "--org", "Hotline", "--email", "not-an-email", "--name", "K", "--role", "intake"}, "email", false},
		{"user unknown org", "a long password\n", []string{"user", "add", "--org", "Nowhere", "--email", "k@h.test", "--name", "K", "--role", "intake"}, "--org", false},
		{"token", "", []string{"token", "create", "--user", "i@h.test"}, "", false},
		{"token unknown user", "", []string{"token", "create", "--user", "nobody@h.test"}, "not found", false},
		{"token no user", "", []string{"token", "create"}, "--user", true},
		{"user add integration", "", []string{"user", "add", "--org", "Hotline", "--email", "bot@h.test", "--name", "Bot", "--role", "integration"}, "", false},
		{"token for integration", "", []string{"token", "create", "--user", "bot@h.test", "--ttl", "24h"}, "", false},
		{"token revoke no id", "", []string{"token", "revoke"}, "token id", true},
		{"token revoke unknown", "", []string{"token", "revoke", "no-such-token"}, "not found", false},
		{"token unknown subcommand", "", []string{"token", "mint"}, "unknown subcommand", true},
		{"disable", "", []string{"user", "disable", "j@h.test"}, "", false},
		{"version", "", []string{"version"}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCmd(t, getenv, tt.stdin, tt.args...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			case tt.usage && !errors.Is(err, errUsage):
				t.Fatalf("got %v, want a usage error", err)
			}
		})
	}
	out, err = runCmd(t, getenv, "", "user", "list")
	if err != nil || !strings.Contains(out, "i@h.test\tinvestigator") || !strings.Contains(out, "j@h.test\tintake\t"+orgID+"\tdisabled") {
		t.Errorf("user list = %q, %v", out, err)
	}
	// Tokens: listed with their user, revoked by id.
	out, err = runCmd(t, getenv, "", "token", "list")
	if err != nil || strings.Count(out, "\n") != 2 || !strings.Contains(out, "\ti@h.test\tcli\tactive\t") || !strings.Contains(out, "\tbot@h.test\tcli\tactive\t") {
		t.Fatalf("token list = %q, %v", out, err)
	}
	id, _, _ := strings.Cut(out, "\t")
	if _, err := runCmd(t, getenv, "", "token", "revoke", id); err != nil {
		t.Fatalf("token revoke: %v", err)
	}
	if out, err = runCmd(t, getenv, "", "token", "list"); err != nil || !strings.HasPrefix(out, id+"\ti@h.test\tcli\trevoked\t") {
		t.Errorf("token list after revoking = %q, %v", out, err)
	}
	// A bad VIGIL_DATABASE is refused with the variable named.
	bad := func(k string) string {
		if k == "VIGIL_DATABASE" {
			return "mysql://x"
		}
		return getenv(k)
	}
	if _, err := runCmd(t, bad, "", "migrate"); err == nil || !strings.Contains(err.Error(), "VIGIL_DATABASE") {
		t.Errorf("bad VIGIL_DATABASE: %v", err)
	}
	if _, err := runCmd(t, getenv, "", "migrate", "--data", filepath.Join(dir, "x")); err != nil {
		t.Errorf("migrate a new data dir: %v", err)
	}
}
