package ledger_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/ledger"

	"github.com/vigil-project/vigil/internal/store"
	"github.com/vigil-project/vigil/internal/store/storetest"
)

// BenchmarkIntegrate measures bulk integration: each iteration queues
// 20,000 entries (untimed) and integrates them all (timed), in batches of
// the default size, with tiles and a signed checkpoint per batch.
//
//	go test -run '^$' -bench BenchmarkIntegrate -benchtime 5x ./internal/ledger
func BenchmarkIntegrate(b *testing.B) {
	const perIter = 20_000
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			ctx := context.Background()
			l, _ := newLog(b, db)
			// Start from a non-empty tree, as a running log would.
			queue(b, db, perIter)
			if _, err := l.Sequence(ctx); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			total := 0
			for b.Loop() {
				b.StopTimer()
				queue(b, db, perIter)
				b.StartTimer()
				n, err := l.Sequence(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if n != perIter {
					b.Fatalf("integrated %d, want %d", n, perIter)
				}
				total += n
			}
			b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "leaves/s")
		})
	}
}

// BenchmarkStorage reports bytes per leaf after integrating 100,000 entries
// of the size intake writes: the entries table with its indexes, and the
// tree (tiles and state). On PostgreSQL it also reports the entries table
// after VACUUM FULL, since integration updates each row once and leaves a
// dead tuple that (auto)vacuum later makes reusable.
//
//	go test -run '^$' -bench BenchmarkStorage -benchtime 1x ./internal/ledger
func BenchmarkStorage(b *testing.B) {
	const leaves = 100_000
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			for b.Loop() {
				ctx := context.Background()
				dsn := storetest.DSN(b, e)
				db, err := store.Open(ctx, dsn)
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				if _, err := db.Migrate(ctx); err != nil {
					b.Fatal(err)
				}
				l, _ := newLog(b, db)
				for i := 0; i < leaves/20_000; i++ {
					queue(b, db, 20_000)
					if _, err := l.Sequence(ctx); err != nil {
						b.Fatal(err)
					}
				}
				s, err := storageBytes(ctx, db)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(s.Entries)/leaves, "entry-bytes/leaf")
				b.ReportMetric(float64(s.Tree)/leaves, "tree-bytes/leaf")
				if e == store.Postgres {
					raw, err := sql.Open("pgx", dsn)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := raw.Exec(`VACUUM FULL ledger_entries`); err != nil {
						b.Fatal(err)
					}
					raw.Close()
					s, err := storageBytes(ctx, db)
					if err != nil {
						b.Fatal(err)
					}
					b.ReportMetric(float64(s.Entries)/leaves, "vacuumed-entry-bytes/leaf")
				}
			}
		})
	}
}

func storageBytes(ctx context.Context, db *store.DB) (store.LedgerStorage, error) {
	s, err := db.LedgerStorageBytes(ctx)
	if err != nil {
		return s, fmt.Errorf("storage: %w", err)
	}
	return s, nil
}

// BenchmarkReceiptLatency runs the sequencer as a server does while entries
// arrive at about 2,000 a second, committed in group transactions as intake
// does, and reports how long a submitter waits after its commit for its
// receipt (integrated, checkpointed, proof built).
//
//	go test -run '^$' -bench BenchmarkReceiptLatency -benchtime 10000x ./internal/ledger
func BenchmarkReceiptLatency(b *testing.B) {
	for _, e := range []store.Engine{store.SQLite, store.Postgres} {
		b.Run(string(e), func(b *testing.B) {
			db := storetest.Open(b, e)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			l, key := newLog(b, db)
			queue(b, db, 100_000) // a log that is not new
			if _, err := l.Sequence(ctx); err != nil {
				b.Fatal(err)
			}
			go l.Run(ctx)

			type sub struct {
				entry     *store.LedgerEntry
				committed chan time.Time
			}
			subs := make(chan sub, 4096)
			// The group committer: up to 256 entries per transaction.
			go func() {
				for s := range subs {
					batch := []sub{s}
				more:
					for len(batch) < 256 {
						select {
						case s := <-subs:
							batch = append(batch, s)
						default:
							break more
						}
					}
					err := db.Tx(ctx, func(q store.Q) error {
						for _, s := range batch {
							if err := q.PutLedgerEntry(ctx, s.entry); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						panic(err)
					}
					l.Notify()
					now := time.Now()
					for _, s := range batch {
						s.committed <- now
					}
				}
			}()
			var mu sync.Mutex
			var waits []time.Duration
			var wg sync.WaitGroup
			tick := time.NewTicker(time.Second / 2000)
			defer tick.Stop()
			b.ResetTimer()
			for b.Loop() {
				<-tick.C
				wg.Add(1)
				go func() {
					defer wg.Done()
					rec := store.NewID()
					en := ledger.StatementEntry(rec, 1, []byte("salt"), []byte("text"), time.Now())
					s := sub{&store.LedgerEntry{ID: store.NewID(), Kind: en.Kind, RecordID: rec, Version: 1, Entry: en.Marshal(), ReceivedAt: store.Now()}, make(chan time.Time, 1)}
					subs <- s
					committed := <-s.committed
					rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
					r, err := l.Receipt(rctx, s.entry.ID)
					rcancel()
					if err != nil {
						panic(err)
					}
					d := time.Since(committed)
					if _, err := r.Verify(key.VerifierKey()); err != nil {
						panic(err)
					}
					mu.Lock()
					waits = append(waits, d)
					mu.Unlock()
				}()
			}
			wg.Wait()
			b.StopTimer()
			slices.Sort(waits)
			pct := func(p float64) float64 {
				return float64(waits[int(p*float64(len(waits)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "receipt-p50-ms")
			b.ReportMetric(pct(0.99), "receipt-p99-ms")
			b.ReportMetric(float64(len(waits))/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}
