package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/loadgen"
)

func runBench(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("bench: want intake, check, range, network, link, publish, upload, ceiling, slowloris or search: %w", errUsage)
	}
	switch args[0] {
	case "intake", "check", "range":
		fs := newFlags(e, "bench "+args[0])
		var opt loadgen.Options
		fs.StringVar(&opt.URL, "url", "http://127.0.0.1:8080", "base URL of a running vigil serve")
		fs.StringVar(&opt.Token, "token", "", "bearer token (empty: post as the public; start the server with a high --public-rate)")
		fs.IntVar(&opt.Clients, "clients", 64, "concurrent clients")
		fs.DurationVar(&opt.Duration, "duration", 30*time.Second, "how long to measure")
		fs.DurationVar(&opt.Warmup, "warmup", 3*time.Second, "unmeasured warm-up")
		fs.IntVar(&opt.Max, "max", 0, "stop after this many requests (0: no limit)")
		fs.Float64Var(&opt.Rate, "rate", 0, "at most this many requests a second, all clients together (0: as fast as answered)")
		metricsToken := fs.String("metrics-token", "", "the server's VIGIL_METRICS_TOKEN: print its follow-up backlog every --backlog-every while running and after")
		backlogEvery := fs.Duration("backlog-every", 5*time.Second, "how often to read the backlog (with --metrics-token)")
		after := fs.Duration("backlog-after", 0, "keep reading the backlog this long after the load ends, to see it drain (with --metrics-token)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if opt.Rate < 0 {
			return fmt.Errorf("bench %s: --rate %v is negative: %w", args[0], opt.Rate, errUsage)
		}
		if *metricsToken != "" && *backlogEvery <= 0 {
			return fmt.Errorf("bench %s: --backlog-every must be positive: %w", args[0], errUsage)
		}
		drive := loadgen.Intake
		switch args[0] {
		case "check":
			drive = loadgen.Check
		case "range":
			drive = loadgen.Range
		}
		stop := func() {}
		if *metricsToken != "" {
			stop = watchBacklog(ctx, e, opt.URL, *metricsToken, *backlogEvery, opt.Warmup+opt.Duration+*after)
		}
		res, err := drive(ctx, opt)
		// Past the server's cap on one address's connections the clients
		// over it are refused: say so, the errors alone do not.
		if capped := config.Defaults().HTTPMaxConnsPerClient; (err != nil || res.FirstError != "") && opt.Clients > capped {
			fmt.Fprintf(e.stderr, "vigil: note: a server refuses more than --http-max-conns-per-client connections from one address (%d unless set); for %d clients from this machine start it with VIGIL_HTTP_MAX_CONNS_PER_CLIENT=%d or more\n", capped, opt.Clients, opt.Clients)
		}
		if err != nil {
			stop()
			return err
		}
		fmt.Fprintf(e.stdout, "%s, %d clients: %s\n", args[0], opt.Clients, res)
		stop()
		return nil
	case "ceiling":
		fs := newFlags(e, "bench ceiling")
		cfg, err := loadConfig(e, fs)
		if err != nil {
			return err
		}
		batch := fs.Int("batch", 256, "rows per transaction")
		size := fs.Int("row-bytes", 3000, "bytes per row (a stored report with its statement and ledger entry is about this)")
		d := fs.Duration("duration", 10*time.Second, "how long to measure")
		db, err := parseAndOpen(ctx, fs, cfg, args[1:])
		if err != nil {
			return err
		}
		defer db.Close()
		if err := db.LockExclusive(); err != nil {
			return err
		}
		rps, err := db.Ceiling(ctx, *batch, *size, *d)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "ceiling (%s, batched INSERT of %d rows of %d bytes per transaction): %.0f rows/s\n", db.Engine, *batch, *size, rps)
		return nil
	case "network":
		return benchNetwork(ctx, e, args[1:])
	case "link":
		return benchLink(ctx, e, args[1:])
	case "publish":
		return benchPublish(ctx, e, args[1:])
	case "upload":
		return benchUpload(ctx, e, args[1:])
	case "slowloris":
		return benchSlowloris(ctx, e, args[1:])
	case "search":
		return benchSearch(ctx, e, args[1:])
	}
	return fmt.Errorf("bench: unknown %q (want intake, check, range, network, link, publish, upload, ceiling, slowloris or search): %w", args[0], errUsage)
}

// watchBacklog prints the server's follow-up backlog every interval for
// at most d from now; the returned func waits until it is done.
func watchBacklog(ctx context.Context, e *env, url, token string, every, d time.Duration) (wait func()) {
	done := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			b, err := loadgen.ReadBacklog(ctx, url, token)
			if err != nil {
				fmt.Fprintf(e.stderr, "backlog at %v: %v\n", time.Since(start).Round(time.Second), err)
			} else {
				fmt.Fprintf(e.stdout, "backlog at %v: %s\n", time.Since(start).Round(time.Second), b)
			}
			if time.Since(start)+every > d {
				return
			}
		}
	}()
	return func() { <-done }
}
