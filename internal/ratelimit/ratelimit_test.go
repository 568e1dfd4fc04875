package ratelimit_test

import (
	"net/http/httptest"
	"testing"

	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/ratelimit"
)

// TestBudgetPerClient: a client has a burst of four seconds' worth, then
// is refused; another client is not affected.
func TestBudgetPerClient(t *testing.T) {
	l := ratelimit.New(1, clientip.New(nil))
	a := httptest.NewRequest("GET", "/", nil)
	a.RemoteAddr = "192.0.2.1:1234"
	b := httptest.NewRequest("GET", "/", nil)
	b.RemoteAddr = "192.0.2.2:1234"
	for i := range 5 {
		if !l.Allow(a) {
			t.Fatalf("request %d refused within the burst", i+1)
		}
	}
	if l.Allow(a) {
		t.Error("the sixth request at once was allowed")
	}
	if !l.Allow(b) {
		t.Error("another client was refused")
	}
	if l.Key(a) == l.Key(b) {
		t.Error("two addresses share a key")
	}
}
