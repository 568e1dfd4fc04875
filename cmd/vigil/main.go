// Command vigil runs the Vigil platform: intake of reports about scam
// compounds and labour trafficking, casework, the testimony ledger, link
// analysis, screening and the lure check. Every capability lives in one
// binary; each subcommand is in a file of its own.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

// env is what a subcommand may use of the outside world. Tests build their
// own to run subcommands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	log    *slog.Logger
	// progress is when long commands report progress; zero: the default.
	progress progressTiming
}

// command is one subcommand: its one-line summary and the function that runs it.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

// commands lists every subcommand by name.
func commands() map[string]command {
	return map[string]command{
		"serve":     {"run the HTTP server (pages, API, public log)", runServe},
		"migrate":   {"bring the database schema up to date", runMigrate},
		"setup":     {"first run: create the first organisation and its admin (what the setup link does)", runSetup},
		"user":      {"add, list or disable staff accounts", runUser},
		"org":       {"add or list organisations", runOrg},
		"token":     {"create, list or revoke API tokens", runToken},
		"bot":       {"run a chat-app bot (telegram) without the HTTP server", runBot},
		"demo":      {"load the multilingual demo data set", runDemo},
		"bench":     {"load generators against a running server", runBench},
		"version":   {"print the version", runVersion},
		"verify":    {"check a ledger receipt offline", runVerify},
		"log":       {"audit the testimony ledger", runLog},
		"links":     {"rebuild the identifier link index", runLinks},
		"search":    {"rebuild the search index", runSearch},
		"watchlist": {"import sanctions and watch lists", runWatchlist},
		"screen":    {"screen names from stdin against a watch list", runScreen},
		"lure":      {"score, train and evaluate the lure-check model", runLure},
		"backup":    {"write a consistent snapshot of the database and attachments (keys excluded)", runBackup},
		"restore":   {"restore a backup into a new data directory and audit it", runRestore},
		"import":    {"import reports from a spreadsheet or KoboToolbox with a mapping file", runImport},
		"keys":      {"rotate the master key or the log signing key, check that every data key opens", runKeys},
		"export":    {"export an organisation's data: STIX 2.1, FollowTheMoney, CTDC (k-anonymised), CSV or XLSX", runExport},
	}
}

// errUsage marks an error caused by how the command was called; main exits 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	e := &env{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		log:    slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}
	err := run(ctx, e, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "vigil:", err)
	}
	os.Exit(exitCode(err))
}

// run dispatches args to a subcommand. Help (vigil, vigil help CMD, vigil
// CMD --help, a group without a subcommand) goes to stdout and returns nil.
func run(ctx context.Context, e *env, args []string) error {
	cmds := commands()
	if len(args) == 0 || isHelp(args[0]) {
		if len(args) > 0 && args[0] == "help" {
			return runHelp(ctx, e, cmds, args[1:])
		}
		usage(e.stdout, cmds)
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "vigil: unknown command %q; run vigil help for the list\n", args[0])
		return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
	d := docs()[args[0]]
	if len(d.subs) > 0 && (len(args) == 1 || isHelp(args[1])) {
		groupUsage(e.stdout, args[0], c, d)
		return nil
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case errors.Is(err, flag.ErrHelp):
		return nil
	case errors.Is(err, errUsage) && len(d.subs) > 0 && !knownSub(d, args[1]):
		groupUsage(e.stderr, args[0], c, d)
	}
	return err
}

// knownSub reports whether d lists the subcommand name.
func knownSub(d doc, name string) bool {
	for _, s := range d.subs {
		if s.name == name {
			return true
		}
	}
	return false
}
