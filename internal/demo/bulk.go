package demo

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/vigil-project/vigil/internal/intake"
	"github.com/vigil-project/vigil/internal/links"
	"github.com/vigil-project/vigil/internal/server"
)

// BulkOptions tune a generated data set.
type BulkOptions struct {
	Reports int
	Seed    uint64
	// Progress, if set, is called after each stored batch with the count
	// stored so far.
	Progress func(stored int)
}

// BulkResult says what Bulk stored and how long it took.
type BulkResult struct {
	Reports, Networks int
	Ledger            int // most ledger entries seen waiting after the store (the sequencer runs meanwhile)
	Store, Sequence   time.Duration
	Links             links.RebuildStats
	LinksTime         time.Duration
}

// bulkBatch is how many generated reports go in one transaction.
const bulkBatch = 1000

// Bulk adds generated reports (see Generator) to a database that holds the
// demo's organisations, spread over the organisations that take reports:
// sealed and committed to the ledger like any report, written a thousand
// to a transaction, then linked with one bulk rebuild of the link index
// (no per-report jobs).
func Bulk(ctx context.Context, srv *server.Server, opt BulkOptions) (*BulkResult, error) {
	orgs, err := srv.DB.Read().ListOrganisations(ctx)
	if err != nil {
		return nil, err
	}
	var holders []string // weighted: the public hotline takes most
	for _, o := range orgs {
		switch {
		case o.ReceivesPublic:
			holders = append(holders, o.ID, o.ID, o.ID, o.ID, o.ID, o.ID, o.ID)
		case o.Kind == "ngo" || o.Kind == "newsroom":
			holders = append(holders, o.ID)
		}
	}
	if len(holders) == 0 {
		return nil, fmt.Errorf("demo: bulk: no organisation takes reports: load the demo first")
	}
	srv.Start(ctx)
	res := &BulkResult{Reports: opt.Reports}
	to := time.Now().UTC()
	gen := NewGenerator(opt.Seed, opt.Reports, to.AddDate(0, -30, 0), to)
	res.Networks = gen.Networks()

	start := time.Now()
	batches := make(chan []intake.BulkItem, 2)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(batches)
		for done := 0; done < opt.Reports; done += bulkBatch {
			items := make([]intake.BulkItem, min(bulkBatch, opt.Reports-done))
			for i := range items {
				sub, at := gen.Next()
				items[i] = intake.BulkItem{OrgID: holders[(done+i)%len(holders)], At: at, Sub: sub}
			}
			select {
			case batches <- items:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	stored := make(chan int, 16)
	for range 2 { // sealing is CPU work: one writer seals while the other writes
		g.Go(func() error {
			for items := range batches {
				if _, err := srv.Intake.SubmitBulk(gctx, items); err != nil {
					return err
				}
				stored <- len(items)
			}
			return nil
		})
	}
	go func() {
		g.Wait()
		close(stored)
	}()
	total := 0
	for n := range stored {
		total += n
		if opt.Progress != nil {
			opt.Progress(total)
		}
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("demo: bulk: %w", err)
	}
	res.Store = time.Since(start)
	if err := srv.DB.AnalyzeReports(ctx); err != nil {
		return nil, fmt.Errorf("demo: bulk: %w", err)
	}

	// The server's sequencer integrates the entries as they come; wait
	// until it has them all, so every statement has its receipt.
	start = time.Now()
	for {
		n, err := srv.DB.Read().CountPendingLedgerEntries(ctx)
		if err != nil {
			return nil, fmt.Errorf("demo: bulk: ledger: %w", err)
		}
		if n == 0 {
			break
		}
		res.Ledger = max(res.Ledger, int(n))
		srv.Ledger.Notify()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	res.Sequence = time.Since(start)

	start = time.Now()
	if res.Links, err = srv.Links.Rebuild(ctx); err != nil {
		return nil, fmt.Errorf("demo: bulk: %w", err)
	}
	res.LinksTime = time.Since(start)
	if err := srv.DB.TidyAfterBulk(ctx); err != nil {
		return nil, fmt.Errorf("demo: bulk: %w", err)
	}
	return res, nil
}
