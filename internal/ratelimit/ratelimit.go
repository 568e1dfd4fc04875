// Package ratelimit keeps one token bucket per client (its address, or the
// one a trusted proxy forwarded: package clientip). One Limiter serves both
// doors, the public pages and the public API routes, so a client has one
// budget whichever it uses.
package ratelimit

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vigil-project/vigil/internal/clientip"
)

// Limiter lets each client make perSecond requests a second in bursts of
// four seconds' worth. Buckets idle for ten minutes are dropped.
type Limiter struct {
	rate  rate.Limit
	burst int
	ip    *clientip.Resolver
	// mu guards clients and swept.
	mu      sync.Mutex
	clients map[string]*client
	swept   time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

// New returns a Limiter of perSecond requests per client (5 when
// perSecond <= 0), telling clients apart with ip.
func New(perSecond float64, ip *clientip.Resolver) *Limiter {
	if perSecond <= 0 {
		perSecond = 5
	}
	return &Limiter{rate: rate.Limit(perSecond), burst: int(perSecond*4) + 1, ip: ip, clients: map[string]*client{}, swept: time.Now()}
}

// Key is the client r comes from, as the limiter counts it (also the key
// of per-client upload quotas).
func (l *Limiter) Key(r *http.Request) string { return l.ip.Key(r) }

// Allow spends one request of r's client's budget; false when there is
// none left.
func (l *Limiter) Allow(r *http.Request) bool {
	key := l.ip.Key(r)
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.swept = now
	}
	c := l.clients[key]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}
