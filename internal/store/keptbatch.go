package store

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// keptBatcher coalesces the public check's reads of kept rows
// (KeptCheck) on PostgreSQL. Each read there is a round trip to another
// process, and at a million reports the round trip's system calls were
// two thirds of the server's CPU a check (docs/benchmarks.md, "Public
// check"), with the PostgreSQL backends' per-statement cost beside it. So
// at most slots statements are in flight; a check that arrives while all
// are busy waits for the next free one, which reads every check queued by
// then in one statement (KeptChecks). A check that finds a slot free goes
// at once, alone: nothing waits for a batch to fill, so a quiet server
// answers as before, and a busy one spends one round trip on many checks.
type keptBatcher struct {
	read  func() Q
	slots chan struct{}
	max   int

	mu    sync.Mutex
	queue []*keptCall
}

// keptCall is one check waiting for its answer.
type keptCall struct {
	id   string
	ans  Kept
	err  error
	done chan struct{}
}

// keptTimeout bounds one batched read, which serves callers whose own
// contexts may end first.
const keptTimeout = 10 * time.Second

func newKeptBatcher(read func() Q, slots, max int) *keptBatcher {
	return &keptBatcher{read: read, slots: make(chan struct{}, slots), max: max}
}

// check answers as KeptCheck; it returns early with ctx's error if ctx
// ends first (the batch goes on for the others).
func (b *keptBatcher) check(ctx context.Context, id string) (*Trust, bool, error) {
	c := &keptCall{id: id, done: make(chan struct{})}
	b.mu.Lock()
	b.queue = append(b.queue, c)
	b.mu.Unlock()
	b.kick()
	select {
	case <-c.done:
		return c.ans.Trust, c.ans.Kept, c.err
	case <-ctx.Done():
		return nil, false, fmt.Errorf("store: kept check: %w", ctx.Err())
	}
}

// kick starts a reader if a slot is free; if none is, a running reader
// takes the queue when its statement returns.
func (b *keptBatcher) kick() {
	select {
	case b.slots <- struct{}{}:
		go b.run()
	default:
	}
}

// run reads the queue in batches while it has checks, then frees its slot.
func (b *keptBatcher) run() {
	for {
		b.mu.Lock()
		n := min(len(b.queue), b.max)
		batch := b.queue[:n:n]
		b.queue = b.queue[n:]
		if len(b.queue) == 0 {
			b.queue = nil // let the array go
		}
		b.mu.Unlock()
		if n == 0 {
			<-b.slots
			// A check queued after the queue was seen empty may have
			// found every slot busy: look again now this one is free.
			b.mu.Lock()
			more := len(b.queue) > 0
			b.mu.Unlock()
			if more {
				b.kick()
			}
			return
		}
		b.do(batch)
	}
}

// do reads one batch and answers its checks.
func (b *keptBatcher) do(batch []*keptCall) {
	ctx, cancel := context.WithTimeout(context.Background(), keptTimeout)
	defer cancel()
	var ans []Kept
	var err error
	if len(batch) == 1 {
		var k Kept
		k.Trust, k.Kept, err = b.read().KeptCheck(ctx, batch[0].id)
		ans = []Kept{k}
	} else {
		ids := make([]string, len(batch))
		for i, c := range batch {
			ids[i] = c.id
		}
		ans, err = b.read().KeptChecks(ctx, ids)
	}
	for i, c := range batch {
		if err != nil {
			c.err = err
		} else {
			c.ans = ans[i]
		}
		close(c.done)
	}
}
