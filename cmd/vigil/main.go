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
	"sort"
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
		"user":      {"add, list or disable staff accounts", runUser},
		"org":       {"add or list organisations", runOrg},
		"token":     {"create, list or revoke API tokens", runToken},
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
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "vigil:", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// run dispatches args to a subcommand.
func run(ctx context.Context, e *env, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(e.stderr, cmds)
		if len(args) == 0 {
			return fmt.Errorf("no command given: %w", errUsage)
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		usage(e.stderr, cmds)
		return fmt.Errorf("unknown command %q: %w", args[0], errUsage)
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer, cmds map[string]command) {
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: vigil <command> [flags]")
	fmt.Fprintln(w)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

// newFlags returns a FlagSet for a subcommand that reports errors instead of
// exiting, writing its usage to the env's stderr.
func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("vigil "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// parseFlags parses args into fs and wraps a parse failure as a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%s: %w: %w", fs.Name(), errUsage, err)
	}
	return nil
}
