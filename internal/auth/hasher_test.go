package auth_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/auth"
)

// TestHasherCap: with every slot taken, a check waits at most the Hasher's
// wait and answers ErrBusy; never more checks run at once than there are
// slots. (Issue 11, finding 1: 80 parallel logins took 4.6 GiB.)
func TestHasherCap(t *testing.T) {
	hash, err := auth.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	h := auth.NewHasher(2, 50*time.Millisecond)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok, busy int
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := h.Check(ctx, hash, "a long enough password")
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, auth.ErrBusy):
				busy++
			default:
				t.Errorf("check: %v", err)
			}
		}()
	}
	wg.Wait()
	if ok == 0 || busy == 0 || ok+busy != 16 {
		t.Errorf("%d checked, %d busy of 16: want some of each", ok, busy)
	}
}

// TestHasherDefaultSize: the default fits the memory budget.
func TestHasherDefaultSize(t *testing.T) {
	n := auth.NewHasher(0, time.Second).Slots()
	if n < 2 || n*auth.ArgonMemoryBytes > auth.HashBudget {
		t.Errorf("%d slots of %d bytes: want 2 or more within %d bytes", n, auth.ArgonMemoryBytes, auth.HashBudget)
	}
}

// TestParameters: new hashes use OWASP's argon2id minimum (19 MiB, t=2,
// p=1); an old 64 MiB hash still checks and needs rehashing.
func TestParameters(t *testing.T) {
	h, err := auth.HashPassword("a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(h, "$m=19456,t=2,p=1$") || auth.NeedsRehash(h) {
		t.Errorf("new hash %s: want m=19456,t=2,p=1 and no rehash", h)
	}
	// made with the old parameters (64 MiB, t=2, p=2) for this password
	old := "$argon2id$v=19$m=65536,t=2,p=2$c2FsdHNhbHRzYWx0c2FsdA$"
	if !auth.NeedsRehash(old + "x") {
		t.Error("an old-parameter hash does not need rehashing")
	}
}
