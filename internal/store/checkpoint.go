package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite writes every commit to its write-ahead log (WAL); a checkpoint
// copies the log's pages into the database file so that the log can start
// again from its beginning. By default the connection that commits runs
// one whenever the log passes 1,000 pages, before it can take the next
// transaction: with 16 KiB pages that is 16 MB copied and the database file
// synced while every writer waits. On the link index at 100,000 reports it
// was the slowest one in fifty of the index updates, 20 ms against a median
// of 2.2 (p99 20–21 ms; 3.8–5.2 ms without it); at a million reports p99
// 27–29 ms, 5–15 ms with the background checkpoint below
// (docs/benchmarks.md, "Checkpoints off the writer").
//
// So the writer does not checkpoint in the normal course; a connection of
// its own does, in the background, every checkpointEvery (a PASSIVE
// checkpoint, which takes no lock a writer or reader waits for). The writer
// keeps an automatic checkpoint at writerCheckpointPages as a fence, for
// when the background one cannot keep up or fails: the log stays bounded
// either way. Running no checkpoint at all is worse than the default: the
// log grew to 1.35 GB in a 15 s intake run and intake slowed by a quarter,
// every read searching a larger log index.

// checkpointEvery is how often the background checkpoint runs. Once
// derived writes stopped waiting for the disk (DerivedTx), a checkpoint
// every 200 ms was what slowed the link index's updates: each copied a
// few thousand pages and synced the file while updates went on, and at a
// million reports the update's p99 was 10.7–16.0 ms against 2.4–2.7 ms
// with one a second (three alternated pairs of 500 updates; the slowest of
// each run, about 160 ms, is the writer's own checkpoint at
// writerCheckpointPages either way). Intake under a 64-client flood took
// 997–1,000 reports/s against 896–988 (docs/benchmarks.md, "Checkpoints
// once a second").
const checkpointEvery = time.Second

// writerCheckpointPages is the log size (pages) at which the writer's own
// commit checkpoints: ten times SQLite's default, reached only when the
// background checkpoint falls behind.
const writerCheckpointPages = 10000

// checkpointer runs the background checkpoints of one SQLite database.
type checkpointer struct {
	conn *sql.DB
	// mu is held through each background checkpoint, so that vacuum's
	// truncating one does not find the log busy.
	mu       sync.Mutex
	stop     context.CancelFunc
	done     chan struct{}
	closing  sync.Once
	runs     atomic.Int64
	failures atomic.Int64
	behind   atomic.Int64
	last     atomic.Pointer[error]
}

// startCheckpointer opens its own connection to the SQLite file at dsn and
// starts checkpointing every interval until close.
func startCheckpointer(ctx context.Context, dsn string, every time.Duration) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	conn.SetMaxOpenConns(1)
	conn.SetMaxIdleConns(1)
	conn.SetConnMaxLifetime(0)
	conn.SetConnMaxIdleTime(0)
	if err := conn.PingContext(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("store: open sqlite checkpointer: %w", err)
	}
	// The loop outlives the context that opened the database: it ends
	// with close.
	loop, stop := context.WithCancel(context.WithoutCancel(ctx))
	c := &checkpointer{conn: conn, stop: stop, done: make(chan struct{})}
	go c.run(loop, every)
	return c, nil
}

func (c *checkpointer) run(ctx context.Context, every time.Duration) {
	defer close(c.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		behind, err := c.checkpoint(ctx)
		switch {
		case err == nil:
			c.behind.Store(int64(behind))
			c.runs.Add(1)
		case ctx.Err() == nil:
			c.failures.Add(1)
			c.last.Store(&err)
		}
	}
}

// checkpoint runs one PASSIVE checkpoint and returns how many pages the log
// holds that are not yet in the database file after it.
func (c *checkpointer) checkpoint(ctx context.Context) (behind int, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var busy, log, done int
	if err := c.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		return 0, fmt.Errorf("store: checkpoint: %w", err)
	}
	if busy != 0 && log < 0 {
		// Another checkpoint held the log (the writer's fence, a
		// vacuum's): nothing was learnt.
		return int(c.behind.Load()), nil
	}
	return max(0, log-done), nil
}

// close stops the loop and closes the connection.
func (c *checkpointer) close() error {
	var err error
	c.closing.Do(func() {
		c.stop()
		<-c.done
		err = c.conn.Close()
	})
	return err
}

// CheckpointStats says how the background checkpoints of a SQLite database
// went: how many ran, how many failed and the last failure, and how many
// pages the log held that were not in the database file after the latest
// (readers still reading older pages hold them back; the writer's fence
// checkpoints at writerCheckpointPages). All zero on PostgreSQL.
type CheckpointStats struct {
	Runs, Failures, Behind int64
	Last                   error
}

// Checkpoints returns the background checkpoints' counts (for /metrics).
func (db *DB) Checkpoints() CheckpointStats {
	if db.ckpt == nil {
		return CheckpointStats{}
	}
	s := CheckpointStats{Runs: db.ckpt.runs.Load(), Failures: db.ckpt.failures.Load(), Behind: db.ckpt.behind.Load()}
	if p := db.ckpt.last.Load(); p != nil {
		s.Last = *p
	}
	return s
}

// vacuum rewrites a SQLite file without free pages and empties its log, so
// that no page of deleted data survives in either (after a migration or an
// erasure that removed what must not linger). q is the writer.
func (db *DB) vacuum(ctx context.Context, q querier) error {
	if _, err := q.ExecContext(ctx, `VACUUM`); err != nil {
		return fmt.Errorf("VACUUM: %w", err)
	}
	if db.ckpt != nil {
		db.ckpt.mu.Lock()
		defer db.ckpt.mu.Unlock()
	}
	// A truncating checkpoint waits for readers (busy_timeout) and then
	// says whether it got through: busy is 1 if a reader still held the
	// log, which then keeps its old pages.
	for try := 0; ; try++ {
		var busy, log, done int
		if err := q.QueryRowContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`).Scan(&busy, &log, &done); err != nil {
			return fmt.Errorf("PRAGMA wal_checkpoint(TRUNCATE): %w", err)
		}
		if busy == 0 {
			return nil
		}
		if try == 50 {
			return fmt.Errorf("PRAGMA wal_checkpoint(TRUNCATE): readers kept the log busy (%d of %d pages copied)", done, log)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
