package store

import (
	"context"
	"sync"
)

// writeGate orders SQLite's one writer connection between two kinds of
// transaction: those a person waits for (Tx: a report taken, a staff
// action, the ledger that signs a report's receipt) and derived ones
// (DerivedTx and LinkTx: the link index, the search merge, the trust
// worker, the jobs' bookkeeping). database/sql hands a freed connection to
// any of its waiters, and under intake five or six derived writers wait
// at every moment, so a report's commit could wait behind several of them
// in a row. With the gate, when both kinds wait they take turns, so a
// report waits for at most one derived transaction; each kind is served
// first come, first served. Derived work still gets every other turn,
// so it is not starved by a stream of reports.
type writeGate struct {
	mu   sync.Mutex
	held bool
	// lastFirst says the last turn went to a transaction a person waits
	// for.
	lastFirst bool
	first     []chan struct{}
	derived   []chan struct{}
}

// acquire waits for the writer's turn; first says the transaction is one
// a person waits for. It returns ctx's error if ctx ends first.
func (g *writeGate) acquire(ctx context.Context, first bool) error {
	g.mu.Lock()
	if !g.held {
		g.held, g.lastFirst = true, first
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{}, 1)
	if first {
		g.first = append(g.first, ch)
	} else {
		g.derived = append(g.derived, ch)
	}
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		if removeChan(&g.first, ch) || removeChan(&g.derived, ch) {
			g.mu.Unlock()
			return ctx.Err()
		}
		g.mu.Unlock()
		// The turn was given meanwhile: pass it on.
		g.release()
		return ctx.Err()
	}
}

// release ends a turn and gives the next to a waiter: to the other kind
// than the last when both wait.
func (g *writeGate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	next := &g.derived
	switch {
	case len(g.first) > 0 && (len(g.derived) == 0 || !g.lastFirst):
		next, g.lastFirst = &g.first, true
	case len(g.derived) > 0:
		g.lastFirst = false
	default:
		g.held = false
		return
	}
	ch := (*next)[0]
	*next = (*next)[1:]
	ch <- struct{}{}
}

// removeChan removes ch from *q, reporting whether it was there.
func removeChan(q *[]chan struct{}, ch chan struct{}) bool {
	for i, c := range *q {
		if c == ch {
			*q = append((*q)[:i], (*q)[i+1:]...)
			return true
		}
	}
	return false
}
