// Package servertest gives tests a Vigil built the way the vigil command
// builds one: server.New on a fresh database (see package storetest), with
// its keys in a master key file in the data directory. The API, page, demo
// and server tests share it, so what they test is the server that runs.
package servertest

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/seal"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// Options change the server a test gets. The zero value is an unstarted
// server on a fresh SQLite database that logs nothing.
type Options struct {
	// DB is the database; nil opens a fresh one of Engine.
	DB *store.DB
	// Engine is the engine of the fresh database (SQLite when empty).
	Engine store.Engine
	// Config changes the test configuration before it is validated. The
	// test configuration is the default one with a data directory of the
	// test's own, a free loopback port, cookies without Secure (the tests
	// speak plain HTTP) and no free-disk watermark (the tests do not depend
	// on the machine's free space; the watermark's own test sets one).
	Config func(*config.Config)
	// Log receives the server's log; nil discards it.
	Log *slog.Logger
	// Start runs the background workers (intake's batcher, the ledger's
	// sequencer, the job workers) until the test ends.
	Start bool
	// NoJobs, with Start, leaves out the job workers: jobs stay queued
	// until the test runs them (srv.Jobs.Drain, or a service's own step
	// such as links.Service.Process), so it decides when they happen.
	NoJobs bool
}

// New returns a server built by server.New as opt says, closed when the
// test ends.
func New(t testing.TB, opt Options) *server.Server {
	t.Helper()
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.SecureCookies = false
	cfg.MinFreeDisk = 0
	if opt.Config != nil {
		opt.Config(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	db := opt.DB
	if db == nil {
		if opt.Engine == "" {
			opt.Engine = store.SQLite
		}
		db = storetest.Open(t, opt.Engine)
	}
	keys, err := seal.Open(ctx, filepath.Join(cfg.DataDir, "master.key"), db)
	if err != nil {
		t.Fatal(err)
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	srv, err := server.New(ctx, &cfg, db, keys, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	switch {
	case opt.Start && opt.NoJobs:
		// What Server.Start runs, but the job workers.
		srv.Intake.Start()
		ctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			srv.Ledger.Run(ctx)
		}()
		t.Cleanup(func() { stop(); <-done })
	case opt.Start:
		srv.Start(ctx)
	}
	return srv
}

// Demo loads the demo organisations, accounts, watch list and reports into
// srv.
func Demo(t testing.TB, srv *server.Server) *demo.Result {
	t.Helper()
	res, _, err := demo.Load(context.Background(), srv, demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}
