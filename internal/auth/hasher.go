package auth

import (
	"context"
	"errors"
	"runtime"
	"time"
)

// ErrBusy means every password-hashing slot is taken: the caller should
// answer 503 with Retry-After rather than queue.
var ErrBusy = errors.New("auth: too many password checks at once; try again in a few seconds")

// HashBudget is the memory all password checks in flight may take
// together.
const HashBudget = 256 << 20

// Hasher bounds how many argon2id computations run at once, so a flood of
// logins cannot take the server's memory (each check takes
// [ArgonMemoryBytes]).
type Hasher struct {
	// slots holds one token per check in flight.
	slots chan struct{}
	// wait is how long a check waits for a slot before ErrBusy.
	wait time.Duration
}

// NewHasher returns a Hasher with n slots; n <= 0 sizes it to the cores
// and HashBudget: two per core, at least 2, at most HashBudget /
// ArgonMemoryBytes.
func NewHasher(n int, wait time.Duration) *Hasher {
	if n <= 0 {
		n = min(max(2*runtime.GOMAXPROCS(0), 2), HashBudget/ArgonMemoryBytes)
	}
	return &Hasher{slots: make(chan struct{}, n), wait: wait}
}

// Slots is how many checks may run at once.
func (h *Hasher) Slots() int { return cap(h.slots) }

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return nil
	case <-t.C:
		return ErrBusy
	case <-ctx.Done():
		return ErrBusy
	}
}

// Check is CheckPassword inside a slot; ErrBusy when none frees in time.
func (h *Hasher) Check(ctx context.Context, hash, password string) error {
	if err := h.acquire(ctx); err != nil {
		return err
	}
	defer func() { <-h.slots }()
	return CheckPassword(hash, password)
}

// Hash is HashPassword inside a slot; ErrBusy when none frees in time.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-h.slots }()
	return HashPassword(password)
}
