package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/loadgen"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/staff"
)

// benchNetwork drives GET /api/v1/reports/{id}/network against a running
// server, for reports of the user's organisation drawn from the database.
func benchNetwork(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench network")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	var opt loadgen.Options
	fs.StringVar(&opt.URL, "url", "http://127.0.0.1:8080", "base URL of a running vigil serve on the same database")
	user := fs.String("user", "investigator@hotline.demo", "whose reports to ask about (an API token is made for this user)")
	sample := fs.Int("sample", 1000, "how many of the organisation's reports to draw")
	fs.IntVar(&opt.Clients, "clients", 16, "concurrent clients")
	fs.DurationVar(&opt.Duration, "duration", 10*time.Second, "how long to measure")
	fs.DurationVar(&opt.Warmup, "warmup", 2*time.Second, "unmeasured warm-up")
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.Read().GetUserByEmail(ctx, *user)
	if err != nil {
		return fmt.Errorf("bench network: user %s: %w", *user, err)
	}
	ids, err := db.Read().SampleReports(ctx, u.OrgID, *sample)
	if err != nil {
		return err
	}
	tok, err := staff.New(db, time.Hour).CreateToken(ctx, staff.System, *user, "bench network", time.Hour)
	if err != nil {
		return fmt.Errorf("bench network: %w", err)
	}
	opt.Token = tok.Token
	res, err := loadgen.Network(ctx, opt, ids)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "network (depth 2, at most 100 nodes) of %d sampled reports, %d clients: %s\n", len(ids), opt.Clients, res)
	return nil
}

// benchLink files generated reports into a database and links each one as
// the follow-up job would, timing the extraction and the index update.
func benchLink(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench link")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	n := fs.Int("reports", 500, "how many new reports to file and link")
	seed := fs.Uint64("seed", 2, "seed of the generated reports")
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if *n < 1 {
		return fmt.Errorf("bench link: --reports must be at least 1: %w", errUsage)
	}
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	defer srv.Close()
	ids, err := fileGenerated(ctx, srv, *n, *seed)
	if err != nil {
		return fmt.Errorf("bench link: %w", err)
	}
	var extract, update []time.Duration
	for _, id := range ids {
		x, u, err := srv.Links.ProcessTimed(ctx, id)
		if err != nil {
			return fmt.Errorf("bench link: %w", err)
		}
		extract, update = append(extract, x), append(update, u)
	}
	p50, p90, p99, top := loadgen.Percentiles(update)
	fmt.Fprintf(e.stdout, "link %d new reports on %s: index update (one transaction) p50 %v p90 %v p99 %v max %v\n", len(ids), db.Engine, p50, p90, p99, top)
	p50, p90, p99, top = loadgen.Percentiles(extract)
	fmt.Fprintf(e.stdout, "  read and extract before it: p50 %v p90 %v p99 %v max %v\n", p50, p90, p99, top)
	return nil
}

// benchPublish measures the public check's kept assessments and published
// range on a data set: weighing every marked identifier (after an upgrade
// to migration 0029 or a links rebuild, every identifier), a full build,
// then N new generated reports filed, linked, weighed and published from
// the changes (docs/benchmarks.md; issue 19: ≤ 1 s after 1,000 new reports
// at 1M published identifiers).
func benchPublish(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench publish")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	n := fs.Int("reports", 1000, "how many new reports to file and link before the second build")
	seed := fs.Uint64("seed", 3, "seed of the generated reports")
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if *n < 1 {
		return fmt.Errorf("bench publish: --reports must be at least 1: %w", errUsage)
	}
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	defer srv.Close()
	weigh := func() (int, time.Duration, error) {
		start, total := time.Now(), 0
		for {
			k, err := srv.Links.WeighPending(ctx)
			if err != nil {
				return total, 0, fmt.Errorf("bench publish: %w", err)
			}
			if total += k; k == 0 {
				return total, time.Since(start), nil
			}
		}
	}
	k, took, err := weigh()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "weighed %d marked identifiers in %v\n", k, took.Round(time.Millisecond))
	start := time.Now()
	p, err := srv.Links.Publish(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "full build: %d published, prefix %d, in %v\n", p.Entries, p.PrefixLength, time.Since(start).Round(time.Millisecond))
	ids, err := fileGenerated(ctx, srv, *n, *seed)
	if err != nil {
		return fmt.Errorf("bench publish: %w", err)
	}
	start = time.Now()
	for at := 0; at < len(ids); at += server.JobClaim { // as the job workers do
		for id, err := range srv.Links.ProcessBatch(ctx, ids[at:min(len(ids), at+server.JobClaim)]) {
			return fmt.Errorf("bench publish: report %s: %w", id, err)
		}
	}
	fmt.Fprintf(e.stdout, "linked %d new reports in %v\n", len(ids), time.Since(start).Round(time.Millisecond))
	k, took, err = weigh()
	if err != nil {
		return err
	}
	start = time.Now()
	q, err := srv.Links.Publish(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "after %d new reports: weighed %d identifiers in %v; built from the changes in %v: %d published (was %d), version %s\n",
		len(ids), k, took.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), q.Entries, p.Entries, q.Version)
	return nil
}

// fileGenerated files n generated reports from the public (stored in bulk,
// not linked) and returns their IDs. The networks are sized for a data set
// about 20 times larger than n, so the new reports mostly join existing
// networks' identifiers.
func fileGenerated(ctx context.Context, srv *server.Server, n int, seed uint64) ([]string, error) {
	org, err := srv.DB.Read().PublicIntakeOrganisation(ctx)
	if err != nil {
		return nil, err
	}
	gen := demo.NewGenerator(seed, n*20, time.Now().AddDate(0, -1, 0), time.Now())
	items := make([]intake.BulkItem, n)
	for i := range items {
		sub, at := gen.Next()
		items[i] = intake.BulkItem{OrgID: org.ID, At: at, Sub: sub}
	}
	return srv.Intake.SubmitBulk(ctx, items)
}
