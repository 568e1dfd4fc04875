package main

import (
	"context"
	"fmt"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
	"github.com/vigil-project/vigil/internal/demo"
	"github.com/vigil-project/vigil/internal/loadgen"
)

// benchSearch measures search latency as a user of the database (by
// default the hotline's investigator), in process: a set of queries, each
// run --rounds times, with p50, p90, p99 and the worst. With --load N it
// first adds N generated reports (as `demo --reports` does, but without
// the search index in intake) and builds the index with one rebuild.
func benchSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench search")
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return err
	}
	load := fs.Int("load", 0, "first add this many generated reports and rebuild the search index (the database must hold the demo)")
	seed := fs.Uint64("seed", 1, "seed of the generated reports")
	user := fs.String("user", "investigator@hotline.demo", "whom to search as")
	rounds := fs.Int("rounds", 200, "how many times to run each query")
	db, err := parseAndOpen(ctx, fs, cfg, args)
	if err != nil {
		return err
	}
	defer db.Close()
	if *load < 0 || *rounds < 1 {
		return fmt.Errorf("bench search: --load must be 0 or more and --rounds at least 1: %w", errUsage)
	}
	srv, err := openServer(ctx, e, cfg, db)
	if err != nil {
		return err
	}
	defer srv.Close()
	if *load > 0 {
		srv.Intake.Index = nil
		res, err := demo.Bulk(ctx, srv, demo.BulkOptions{Reports: *load, Seed: *seed})
		if err != nil {
			return fmt.Errorf("bench search: %w", err)
		}
		fmt.Fprintf(e.stdout, "added %d generated reports without the search index: stored in %v, ledger caught up in %v, linked in %v\n",
			res.Reports, res.Store.Round(time.Second), res.Sequence.Round(time.Second), res.LinksTime.Round(time.Second))
		st, err := srv.Search.Rebuild(ctx)
		if err != nil {
			return fmt.Errorf("bench search: %w", err)
		}
		fmt.Fprintf(e.stdout, "rebuilt the search index: %s\n", st)
	}
	u, err := db.Read().GetUserByEmail(ctx, *user)
	if err != nil {
		return fmt.Errorf("bench search: user %s: %w", *user, err)
	}
	a := auth.Actor{UserID: u.ID, OrgID: u.OrgID, Role: auth.Role(u.Role)}
	sample, err := db.Read().SampleReports(ctx, u.OrgID, *rounds)
	if err != nil {
		return err
	}
	if len(sample) == 0 {
		return fmt.Errorf("bench search: %s's organisation has no reports", *user)
	}
	codes := make([]string, len(sample))
	for i, id := range sample {
		r, err := db.Read().GetReport(ctx, id)
		if err != nil {
			return err
		}
		codes[i] = r.TrackingCode
	}
	fixed := func(q string) func(int) string { return func(int) string { return q } }
	queries := []struct {
		name string
		q    func(i int) string
	}{
		{"common word (telegram)", fixed("telegram")},
		{"two words (passport salary)", fixed("passport salary")},
		{"Thai (ปอยเปต)", fixed("ปอยเปต")},
		{"Chinese (柬埔寨)", fixed("柬埔寨")},
		// The generated reports' own words: each in a fifth to a third of
		// them.
		{"two common words together (brother passport)", fixed("brother passport")},
		{"Chinese, common (护照)", fixed("护照")},
		{"Khmer, common (កូនប្រុស)", fixed("កូនប្រុស")},
		{"Vietnamese without marks (ho chieu)", fixed("ho chieu")},
		// The worst case for the walk: two common words no report has
		// both of, so every report of the rarer is probed for the other.
		{"two common words never together (passport 护照)", fixed("passport 护照")},
		{"ID prefix, 8 hex digits (a sampled report's)", func(i int) string { return sample[i%len(sample)][:8] }},
		{"ID prefix, 4 hex digits (a sampled report's)", func(i int) string { return sample[i%len(sample)][:4] }},
		{"tracking code (a sampled report's)", func(i int) string { return codes[i%len(codes)] }},
		{"no match (zzqqxx)", fixed("zzqqxx")},
	}
	fmt.Fprintf(e.stdout, "search on %s as %s (%s), %d rounds a query, 20 results a page:\n", db.Engine, *user, u.Role, *rounds)
	for _, q := range queries {
		lat := make([]time.Duration, 0, *rounds)
		results := 0
		for i := range *rounds {
			start := time.Now()
			p, err := srv.Search.Search(ctx, a, q.q(i), 20, "")
			if err != nil {
				return fmt.Errorf("bench search: %q: %w", q.q(i), err)
			}
			lat = append(lat, time.Since(start))
			results += len(p.Results)
		}
		p50, p90, p99, top := loadgen.Percentiles(lat)
		fmt.Fprintf(e.stdout, "  %-46s p50 %8v  p90 %8v  p99 %8v  max %8v  (%.1f results a page)\n", q.name, p50.Round(10*time.Microsecond),
			p90.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), top.Round(10*time.Microsecond), float64(results)/float64(*rounds))
	}
	return nil
}
