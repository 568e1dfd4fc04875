package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// putJobs queues n jobs of kind, ids prefix0…, due at at.
func putJobs(t *testing.T, db *store.DB, prefix, kind string, n int, at int64) []string {
	t.Helper()
	ctx := context.Background()
	js := make([]*store.Job, n)
	ids := make([]string, n)
	for i := range js {
		ids[i] = fmt.Sprintf("%s%03d", prefix, i)
		js[i] = &store.Job{ID: ids[i], Kind: kind, ReportID: "r-" + ids[i]}
	}
	if err := db.Tx(ctx, func(q store.Q) error { return q.PutJobs(ctx, js, at) }); err != nil {
		t.Fatal(err)
	}
	return ids
}

// claim claims up to n jobs of kinds as of now, leased until lease.
func claim(t *testing.T, db *store.DB, kinds []string, n int, now, lease int64) []*store.Job {
	t.Helper()
	ctx := context.Background()
	var got []*store.Job
	if err := db.Tx(ctx, func(q store.Q) error {
		var err error
		got, err = q.ClaimJobs(ctx, kinds, n, now, lease)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

func jobIDs(js []*store.Job) []string {
	out := make([]string, len(js))
	for i, j := range js {
		out[i] = j.ID
	}
	return out
}

// queued counts the jobs not done, due and waiting, as of now.
func queued(t *testing.T, db *store.DB, now int64) (due, waiting int64) {
	t.Helper()
	qs, err := db.Read().JobQueues(context.Background(), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		due += q.Due
		waiting += q.Waiting
	}
	return due, waiting
}

// TestClaimAndFinishJobs: a claim leases due jobs of the asked kinds in id
// order, each once until its lease ends; finishing a batch marks the
// succeeded and given-up jobs done for good, and a failed job to retry
// comes back alone at its retry time, its attempts counted.
func TestClaimAndFinishJobs(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const sec = int64(time.Second / time.Microsecond)
		now := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC).UnixMicro()
		ids := putJobs(t, db, "a", "links", 6, now)
		putJobs(t, db, "b", "mail", 2, now)
		later := putJobs(t, db, "c", "links", 1, now+60*sec)

		got := claim(t, db, []string{"links"}, 4, now, now+120*sec)
		if !slices.Equal(jobIDs(got), ids[:4]) {
			t.Fatalf("claimed %v, want %v", jobIDs(got), ids[:4])
		}
		for _, j := range got {
			if j.Kind != "links" || j.ReportID != "r-"+j.ID || j.Attempts != 0 {
				t.Errorf("claimed %+v, want kind links, report r-%s, 0 attempts before", j, j.ID)
			}
		}
		// Leased: the next claim gets the rest of the due ones only.
		if got := claim(t, db, []string{"links"}, 10, now, now+120*sec); !slices.Equal(jobIDs(got), ids[4:]) {
			t.Fatalf("second claim %v, want %v", jobIDs(got), ids[4:])
		}
		if got := claim(t, db, []string{"links"}, 10, now+sec, now+120*sec); len(got) != 0 {
			t.Fatalf("claim while all are leased got %v", jobIDs(got))
		}

		outcomes := []store.JobOutcome{
			{ID: ids[0]},
			{ID: ids[1], Failure: "unreadable", RetryAt: now + 5*sec},
			{ID: ids[2], Failure: "gone for good"},
			{ID: ids[3]},
			{ID: ids[4]},
			{ID: ids[5]},
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.FinishJobs(ctx, outcomes, now+2*sec) }); err != nil {
			t.Fatal(err)
		}
		// Left: the retry (waiting), the later links job, the two mail jobs.
		if due, waiting := queued(t, db, now+2*sec); due != 2 || waiting != 2 {
			t.Errorf("after finishing: %d due, %d waiting; want 2 (mail) and 2 (retry, later job)", due, waiting)
		}
		if got := claim(t, db, []string{"links"}, 10, now+4*sec, now+120*sec); len(got) != 0 {
			t.Fatalf("claim before the retry time got %v", jobIDs(got))
		}
		got = claim(t, db, []string{"links"}, 10, now+5*sec, now+120*sec)
		if len(got) != 1 || got[0].ID != ids[1] || got[0].Attempts != 1 {
			t.Fatalf("claim at the retry time got %+v, want %s alone after 1 attempt", got, ids[1])
		}
		if err := db.Tx(ctx, func(q store.Q) error {
			return q.FinishJobs(ctx, []store.JobOutcome{{ID: ids[1]}}, now+6*sec)
		}); err != nil {
			t.Fatal(err)
		}
		// Finished jobs are gone: long after every lease only the later
		// links job and the mail jobs are claimed.
		far := now + 3600*sec
		if got := claim(t, db, []string{"links", "mail"}, 100, far, far+120*sec); !slices.Equal(jobIDs(got), []string{"b000", "b001", later[0]}) {
			t.Fatalf("claim long after got %v, want the two mail jobs and %s", jobIDs(got), later[0])
		}
		if got := claim(t, db, nil, 10, far, far); len(got) != 0 {
			t.Errorf("claim of no kinds got %v", jobIDs(got))
		}
		if err := db.Tx(ctx, func(q store.Q) error { return q.FinishJobs(ctx, nil, far) }); err != nil {
			t.Errorf("finishing nothing: %v", err)
		}
	})
}

// TestClaimJobsConcurrent: two claimers never lease the same job. One
// holds its claim's transaction open while the other claims (on
// PostgreSQL the second skips the locked rows without waiting; on SQLite
// it waits for the first to commit), and four claimers racing through a
// queue handle every job exactly once.
func TestClaimJobsConcurrent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := store.Now()
		lease := now + int64(time.Hour/time.Microsecond)
		ids := putJobs(t, db, "j", "links", 10, now)

		var first, second []*store.Job
		claimed, secondDone := make(chan struct{}), make(chan error, 1)
		go func() {
			<-claimed
			secondDone <- db.Tx(ctx, func(q store.Q) error {
				var err error
				second, err = q.ClaimJobs(ctx, []string{"links"}, 10, now, lease)
				return err
			})
		}()
		if err := db.Tx(ctx, func(q store.Q) error {
			var err error
			if first, err = q.ClaimJobs(ctx, []string{"links"}, 4, now, lease); err != nil {
				return err
			}
			close(claimed)
			if db.Engine == store.Postgres {
				// The second claim must not wait for this transaction.
				select {
				case err := <-secondDone:
					secondDone <- err
				case <-time.After(10 * time.Second):
					t.Error("the second claim waited for the first's transaction")
				}
			} else {
				time.Sleep(50 * time.Millisecond)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if err := <-secondDone; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(jobIDs(first), ids[:4]) || !slices.Equal(jobIDs(second), ids[4:]) {
			t.Fatalf("claims %v and %v, want %v and %v", jobIDs(first), jobIDs(second), ids[:4], ids[4:])
		}

		many := putJobs(t, db, "k", "screen", 300, now)
		var mu sync.Mutex
		handled := map[string]int{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var got []*store.Job
					err := db.Tx(ctx, func(q store.Q) error {
						var err error
						got, err = q.ClaimJobs(ctx, []string{"screen"}, 16, now, lease)
						return err
					})
					if err != nil || len(got) == 0 {
						errs <- err
						return
					}
					outcomes := make([]store.JobOutcome, len(got))
					mu.Lock()
					for i, j := range got {
						handled[j.ID]++
						outcomes[i].ID = j.ID
					}
					mu.Unlock()
					if err := db.Tx(ctx, func(q store.Q) error { return q.FinishJobs(ctx, outcomes, store.Now()) }); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, id := range many {
			if handled[id] != 1 {
				t.Errorf("job %s handled %d times, want once", id, handled[id])
			}
		}
		if len(handled) != len(many) {
			t.Errorf("handled %d jobs, want %d", len(handled), len(many))
		}
		// The ten links jobs are still leased; no screen job is left.
		if due, waiting := queued(t, db, now); due != 0 || waiting != 10 {
			t.Errorf("left %d due, %d waiting; want 0 and the 10 leased", due, waiting)
		}
	})
}

// TestAnalyzeReports: after a large load the reports' tables get planner
// statistics on PostgreSQL (their estimate stops being "never analyzed"),
// and after a restore every table; on SQLite both are no-ops.
func TestAnalyzeReports(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.AnalyzeReports(ctx); err != nil {
			t.Fatal(err)
		}
		if db.Engine != store.Postgres {
			return
		}
		for _, table := range []string{"reports", "statements", "statement_versions", "data_keys", "ledger_entries"} {
			n, err := db.RelTuples(ctx, table)
			if err != nil {
				t.Fatal(err)
			}
			if n < 0 {
				t.Errorf("%s: reltuples %v after AnalyzeReports: never analyzed", table, n)
			}
		}
		// After a restore every table gets them.
		if err := db.AnalyzeAll(ctx); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"identifiers", "jobs", "search_postings", "cases"} {
			if n, err := db.RelTuples(ctx, table); err != nil || n < 0 {
				t.Errorf("%s: reltuples %v (%v) after AnalyzeAll", table, n, err)
			}
		}
	})
}

// TestTidyAfterBulk: after a bulk load the queue-like tables it filled and
// emptied are vacuumed (their empty pages returned, so a count of pending
// rows does not read through them) and analyzed; nothing to do on SQLite.
func TestTidyAfterBulk(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Engine != store.Postgres {
			if err := db.TidyAfterBulk(ctx); err != nil {
				t.Fatal(err)
			}
			return
		}
		before, err := db.RelPages(ctx, "search_pending", 20000)
		if err != nil {
			t.Fatal(err)
		}
		if before == 0 {
			t.Fatal("20,000 rows inserted and deleted left search_pending with no page: the test proves nothing")
		}
		if err := db.TidyAfterBulk(ctx); err != nil {
			t.Fatal(err)
		}
		if after, err := db.RelPages(ctx, "search_pending", 0); err != nil || after != 0 {
			t.Errorf("search_pending after TidyAfterBulk: %d pages (%v), want 0 (was %d)", after, err, before)
		}
		for _, table := range []string{"search_pending", "jobs", "trust_pending", "search_postings"} {
			if n, err := db.RelTuples(ctx, table); err != nil || n < 0 {
				t.Errorf("%s: reltuples %v (%v) after TidyAfterBulk: never analyzed", table, n, err)
			}
		}
	})
}
