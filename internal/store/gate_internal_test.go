package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestWriteGateTurns: while the writer is held, waiters of both kinds take
// turns (the other kind than the last first), each kind in its order of
// arrival; a waiter whose context ends leaves the queue and a turn given
// to it meanwhile passes on.
func TestWriteGateTurns(t *testing.T) {
	ctx := context.Background()
	g := &writeGate{}
	if err := g.acquire(ctx, false); err != nil { // a derived transaction holds the writer
		t.Fatal(err)
	}
	order := make(chan string, 8)
	waiting := 0
	wait := func(name string, first bool) {
		go func() {
			if err := g.acquire(ctx, first); err != nil {
				t.Error(err)
				return
			}
			order <- name
			g.release()
		}()
		// Let it queue before the next one arrives.
		waiting++
		for queuedCount(g) < waiting {
			time.Sleep(time.Millisecond)
		}
	}
	wait("d1", false)
	wait("d2", false)
	wait("d3", false)
	wait("p1", true)
	wait("p2", true)
	g.release()
	var got []string
	for range 5 {
		got = append(got, <-order)
	}
	// The last turn was derived: a report next, then a derived one, and so on.
	if want := []string{"p1", "d1", "p2", "d2", "d3"}; !slices.Equal(got, want) {
		t.Errorf("turns %v, want %v", got, want)
	}

	// A waiter that gives up leaves the queue; the writer is free again
	// after the holder releases it.
	if err := g.acquire(ctx, true); err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- g.acquire(cctx, false) }()
	for queuedCount(g) == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("a waiter whose context ended got the writer")
	}
	g.release()
	g.mu.Lock()
	held := g.held
	g.mu.Unlock()
	if held {
		t.Error("the writer is still held after its holder released it and the only waiter gave up")
	}
}

// queuedCount is how many wait for the writer.
func queuedCount(g *writeGate) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.first) + len(g.derived)
}
