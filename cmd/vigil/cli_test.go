package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
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
	// Before any database: help works, commands that need one refuse and
	// create nothing.
	empty := t.TempDir()
	noDB := "no Vigil database in " + empty + "; use --data DIR (or run vigil migrate / vigil serve first)"
	for _, tt := range []cliCase{
		{name: "token create without a database", args: []string{"token", "create", "--user", "x", "--data", empty}, code: 1, msg: noDB},
		{name: "user list without a database", args: []string{"user", "list", "--data", empty}, code: 1, msg: noDB},
		{name: "org list without a database", args: []string{"org", "list", "--data", empty}, code: 1, msg: noDB},
		{name: "user disable without a database", args: []string{"user", "disable", "--data", empty, "a@b.test"}, code: 1, msg: noDB},
		{name: "log audit without a database", args: []string{"log", "audit", "--data", empty}, code: 1, msg: noDB},
		{name: "log checkpoint without a database", args: []string{"log", "checkpoint", "--data", empty}, code: 1, msg: noDB},
		{name: "links rebuild without a database", args: []string{"links", "rebuild", "--data", empty}, code: 1, msg: noDB},
		{name: "watchlist list without a database", args: []string{"watchlist", "list", "--data", empty}, code: 1, msg: noDB},
		{name: "backup without a database", args: []string{"backup", "--data", empty, "--out", filepath.Join(t.TempDir(), "b.tar")}, code: 1, msg: noDB},
		{name: "screen without a database", args: []string{"screen", "--data", empty}, code: 1, msg: noDB},
	} {
		tt.run(t, getenv)
	}
	if ents, err := os.ReadDir(empty); err != nil || len(ents) != 0 {
		t.Errorf("refused commands left %v in the empty directory (%v)", ents, err)
	}
	if _, err := os.Stat(filepath.Join(empty, "vigil-data")); err == nil {
		t.Error("a refused command created ./vigil-data")
	}

	out, err := runCmd(t, getenv, "", "migrate")
	if err != nil || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: %q, %v", out, err)
	}
	out, err = runCmd(t, getenv, "", "org", "add", "--name", "Hotline", "--kind", "hotline", "--receives-public")
	if err != nil {
		t.Fatal(err)
	}
	orgID := strings.TrimSpace(out)
	for _, tt := range []cliCase{
		// Help: to stdout, exit 0.
		{name: "no command", code: 0, out: "usage: vigil COMMAND"},
		{name: "help", args: []string{"help"}, code: 0, out: "VIGIL_DATABASE"},
		{name: "--help", args: []string{"--help"}, code: 0, out: "default ./vigil-data"},
		{name: "help user", args: []string{"help", "user"}, code: 0, out: "vigil user disable EMAIL"},
		{name: "help user disable", args: []string{"help", "user", "disable"}, code: 0, out: "usage: vigil user disable EMAIL"},
		{name: "user --help", args: []string{"user", "--help"}, code: 0, out: "vigil user add --org ORG --email EMAIL --name NAME --role ROLE"},
		{name: "org --help", args: []string{"org", "--help"}, code: 0, out: "vigil org add --name NAME"},
		{name: "org", args: []string{"org"}, code: 0, out: "vigil org list [--json]"},
		{name: "token -h", args: []string{"token", "-h"}, code: 0, out: "vigil token revoke TOKEN-ID"},
		{name: "log help", args: []string{"log", "help"}, code: 0, out: "vigil log audit"},
		{name: "links", args: []string{"links"}, code: 0, out: "vigil links rebuild"},
		{name: "watchlist", args: []string{"watchlist"}, code: 0, out: "vigil watchlist import --list NAME --format FORMAT PATH"},
		{name: "lure", args: []string{"lure"}, code: 0, out: "vigil lure score"},
		{name: "bench", args: []string{"bench"}, code: 0, out: "vigil bench ceiling"},
		{name: "serve --help", args: []string{"serve", "--help"}, code: 0, out: "-addr"},
		{name: "token create --help", args: []string{"token", "create", "--help"}, code: 0, out: "-user"},
		{name: "verify --help", args: []string{"verify", "--help"}, code: 0, out: "RECEIPT.json"},
		{name: "help backup", args: []string{"help", "backup"}, code: 0, out: "usage: vigil backup [--data DIR] --out FILE"},
		{name: "restore --help", args: []string{"restore", "--help"}, code: 0, out: "usage: vigil restore --data NEWDIR FILE"},
		{name: "help nothing", args: []string{"help", "frobnicate"}, code: 2, msg: `help: unknown command "frobnicate"`},
		// Called wrongly: exit 2, with what was wrong.
		{name: "unknown command", args: []string{"frobnicate"}, code: 2, msg: `unknown command "frobnicate"`, errOut: "vigil help"},
		{name: "bad flag", args: []string{"migrate", "--nope"}, code: 2, msg: "flag provided but not defined: -nope", errOut: "usage: vigil migrate"},
		{name: "user unknown subcommand", args: []string{"user", "frob"}, code: 2, msg: `user: unknown subcommand "frob"`, errOut: "vigil user disable EMAIL"},
		{name: "user disable without email", args: []string{"user", "disable"}, code: 2, msg: "user disable: give one e-mail or user id (vigil user disable EMAIL)"},
		{name: "user disable flag after email", args: []string{"user", "disable", "a@h.test", "--data", "x"}, code: 2, msg: "flags go before the arguments"},
		{name: "user totp two emails", args: []string{"user", "totp", "a@h.test", "b@h.test"}, code: 2, msg: "user totp: give one e-mail or user id"},
		{name: "user list extra argument", args: []string{"user", "list", "x"}, code: 2, msg: `user list: unexpected argument "x"`},
		{name: "token no user", args: []string{"token", "create"}, code: 2, msg: "token create: --user is required"},
		{name: "token revoke no id", args: []string{"token", "revoke"}, code: 2, msg: "token revoke: give one token id"},
		{name: "token unknown subcommand", args: []string{"token", "mint"}, code: 2, msg: `token: unknown subcommand "mint"`},
		{name: "token list extra argument", args: []string{"token", "list", "x"}, code: 2, msg: `token list: unexpected argument "x"`},
		{name: "backup without --out", args: []string{"backup"}, code: 2, msg: "backup: --out FILE is required"},
		{name: "restore without file", args: []string{"restore", "--data", t.TempDir()}, code: 2, msg: "restore: give one backup FILE"},
		// Refused: exit 1, saying why.
		{name: "org bad kind", args: []string{"org", "add", "--name", "X", "--kind", "church"}, code: 1, msg: "kind"},
		{name: "org duplicate", args: []string{"org", "add", "--name", "Hotline", "--kind", "ngo"}, code: 1, msg: "exists"},
		{name: "user add", stdin: "a long password\n", args: []string{"user", "add", "--org", "Hotline", "--email", "i@h.test", "--name", "I", "--role", "investigator"}, code: 0},
		{name: "user add by org id", stdin: "a long password\n", args: []string{"user", "add", "--org", orgID, "--email", "j@h.test", "--name", "J", "--role", "intake"}, code: 0},
		{name: "user add no password", args: []string{"user", "add", "--org", "Hotline", "--email", "k@h.test", "--name", "K", "--role", "intake"}, code: 1, msg: "user add: read the password from standard input (its first line): EOF"},
		{name: "user short password", stdin: "short\n", args: []string{"user", "add", "--org", "Hotline", "--email", "k@h.test", "--name", "K", "--role", "intake"}, code: 1, msg: "password"},
		{name: "user bad role", stdin: "a long password\n", args: []string{"user", "add", "--org", "Hotline", "--email", "k@h.test", "--name", "K", "--role", "boss"}, code: 1, msg: "role"},
		{name: "user bad email", stdin: "a long password\n", args: []string{"user", "add", "--org", "Hotline", "--email", "not-an-email", "--name", "K", "--role", "intake"}, code: 1, msg: "email"},
		{name: "user unknown org", stdin: "a long password\n", args: []string{"user", "add", "--org", "Nowhere", "--email", "k@h.test", "--name", "K", "--role", "intake"}, code: 1, msg: "user add: --org"},
		{name: "token", args: []string{"token", "create", "--user", "i@h.test"}, code: 0},
		{name: "token unknown user", args: []string{"token", "create", "--user", "nobody@h.test"}, code: 1, msg: "token create: "},
		{name: "user add integration", args: []string{"user", "add", "--org", "Hotline", "--email", "bot@h.test", "--name", "Bot", "--role", "integration"}, code: 0},
		{name: "token for integration", args: []string{"token", "create", "--user", "bot@h.test", "--ttl", "24h"}, code: 0},
		{name: "token revoke unknown", args: []string{"token", "revoke", "no-such-token"}, code: 1, msg: "not found"},
		{name: "reset password", args: []string{"user", "reset-password", "i@h.test"}, code: 0, out: "/password-reset?token=vpr_"},
		{name: "reset password of an integration account", args: []string{"user", "reset-password", "bot@h.test"}, code: 1, msg: "integration account has no password"},
		{name: "reset password without email", args: []string{"user", "reset-password"}, code: 2, msg: "user reset-password: give one e-mail or user id"},
		{name: "disable", args: []string{"user", "disable", "j@h.test"}, code: 0},
		{name: "disable unknown", args: []string{"user", "disable", "nobody@h.test"}, code: 1, msg: "user disable: "},
		{name: "version", args: []string{"version"}, code: 0, out: "vigil "},
	} {
		tt.run(t, getenv)
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

// cliCase is one command line: what it must print and how it must exit.
type cliCase struct {
	name   string
	stdin  string
	args   []string
	code   int    // exit status
	msg    string // substring of the error main prints; "" with code 0
	out    string // substring of stdout
	errOut string // substring of stderr
}

func (c cliCase) run(t *testing.T, getenv func(string) string) {
	t.Helper()
	t.Run(c.name, func(t *testing.T) {
		out, errOut, err := runOut(getenv, c.stdin, c.args...)
		if got := exitCode(err); got != c.code {
			t.Errorf("exit %d (%v), want %d", got, err, c.code)
		}
		if c.msg != "" && (err == nil || !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("error %v, want one containing %q", err, c.msg)
		}
		if c.code == 0 && err != nil {
			t.Errorf("error %v, want none", err)
		}
		if !strings.Contains(out, c.out) {
			t.Errorf("stdout %q, want %q in it", out, c.out)
		}
		if !strings.Contains(errOut, c.errOut) {
			t.Errorf("stderr %q, want %q in it", errOut, c.errOut)
		}
	})
}

// runOut runs a subcommand in-process and returns its stdout and stderr.
func runOut(getenv func(string) string, stdin string, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: getenv, log: slog.New(slog.NewTextHandler(&errb, nil))}
	err = run(context.Background(), e, args)
	return out.String(), errb.String(), err
}

// TestHelpNamesEveryVariable checks that the top-level help names every
// VIGIL_* variable internal/config reads.
func TestHelpNamesEveryVariable(t *testing.T) {
	src, err := os.ReadFile("../../internal/config/config.go")
	if err != nil {
		t.Fatal(err)
	}
	help, _, err := runOut(func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	vars := regexp.MustCompile(`"(VIGIL_[A-Z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(vars) < 10 {
		t.Fatalf("found only %d variables in config.go", len(vars))
	}
	for _, v := range vars {
		if !strings.Contains(help, v[1]+" ") {
			t.Errorf("vigil help does not name %s", v[1])
		}
	}
}

// TestListJSON checks --json of user, org and token list.
func TestListJSON(t *testing.T) {
	dir := t.TempDir()
	getenv := envWith(dir, "")
	for _, args := range [][]string{{"migrate"}, {"org", "add", "--name", "Hotline"}, {"user", "add", "--org", "Hotline", "--email", "bot@h.test", "--name", "Bot", "--role", "integration"}} {
		if _, err := runCmd(t, getenv, "", args...); err != nil {
			t.Fatal(err)
		}
	}
	var tokens []map[string]any
	if err := listJSON(t, getenv, &tokens, "token", "list", "--json"); err != nil || len(tokens) != 0 {
		t.Fatalf("token list --json before any token = %v, %v; want []", tokens, err)
	}
	if _, err := runCmd(t, getenv, "", "token", "create", "--user", "bot@h.test"); err != nil {
		t.Fatal(err)
	}
	var orgs, users []map[string]any
	if err := listJSON(t, getenv, &orgs, "org", "list", "--json"); err != nil || len(orgs) != 1 || orgs[0]["name"] != "Hotline" {
		t.Errorf("org list --json = %v, %v", orgs, err)
	}
	if err := listJSON(t, getenv, &users, "user", "list", "--json"); err != nil || len(users) != 1 || users[0]["email"] != "bot@h.test" || users[0]["role"] != "integration" {
		t.Errorf("user list --json = %v, %v", users, err)
	}
	if err := listJSON(t, getenv, &tokens, "token", "list", "--json"); err != nil || len(tokens) != 1 || tokens[0]["user_email"] != "bot@h.test" || tokens[0]["token"] != nil {
		t.Errorf("token list --json = %v, %v", tokens, err)
	}
}

func listJSON(t *testing.T, getenv func(string) string, v any, args ...string) error {
	t.Helper()
	out, err := runCmd(t, getenv, "", args...)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(out), v)
}
