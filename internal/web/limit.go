package web

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vigil-project/vigil/internal/clientip"
)

// limiter limits form posts on public pages per client: its address, or
// the one a trusted proxy forwarded (package clientip).
type limiter struct {
	rate  rate.Limit
	burst int
	ip    *clientip.Resolver
	// mu guards clients and swept.
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	seen    map[string]time.Time
	swept   time.Time
}

// newLimiter returns a limiter of perSecond posts per client, believing
// X-Forwarded-For from the trusted proxies only.
func newLimiter(perSecond float64, trusted []netip.Prefix) *limiter {
	if perSecond <= 0 {
		perSecond = 5
	}
	return &limiter{rate: rate.Limit(perSecond), burst: int(perSecond*4) + 1, ip: clientip.New(trusted),
		clients: map[string]*rate.Limiter{}, seen: map[string]time.Time{}, swept: time.Now()}
}

func (l *limiter) allow(r *http.Request) bool {
	key := l.ip.Key(r)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, t := range l.seen {
			if now.Sub(t) > 10*time.Minute {
				delete(l.seen, k)
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[key]
	if c == nil {
		c = rate.NewLimiter(l.rate, l.burst)
		l.clients[key] = c
	}
	l.seen[key] = now
	return c.Allow()
}
