package api

import (
	"net/http"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/clientip"
)

// errRateLimited refuses a client past its rate.
var errRateLimited = answer.Refuse(http.StatusTooManyRequests, "rate_limited", "", "too many requests; wait a moment and try again")

// limiter keeps one token bucket per client for the public endpoints.
// Buckets idle for ten minutes are dropped.
type limiter struct {
	rate  rate.Limit
	burst int
	// ip finds the client (its address, or the one a trusted proxy
	// forwarded).
	ip *clientip.Resolver
	// mu guards clients and lastSweep.
	mu        sync.Mutex
	clients   map[string]*client
	lastSweep time.Time
}

type client struct {
	lim  *rate.Limiter
	seen time.Time
}

func newLimiter(perSecond float64, burst int, ip *clientip.Resolver) *limiter {
	return &limiter{rate: rate.Limit(perSecond), burst: burst, ip: ip, clients: map[string]*client{}, lastSweep: time.Now()}
}

func (l *limiter) allow(r *http.Request) bool {
	now := time.Now()
	key := l.ip.Key(r)
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		for k, c := range l.clients {
			if now.Sub(c.seen) > 10*time.Minute {
				delete(l.clients, k)
			}
		}
		l.lastSweep = now
	}
	c := l.clients[key]
	if c == nil {
		c = &client{lim: rate.NewLimiter(l.rate, l.burst)}
		l.clients[key] = c
	}
	c.seen = now
	return c.lim.AllowN(now, 1)
}

// LimitClients returns a middleware that lets each client (its address,
// or the one a trusted proxy forwarded) make perSecond requests a second,
// in bursts of four seconds' worth, to all the handlers it wraps together;
// past that it answers 429 with Retry-After, never cached. It guards routes
// that need no account and cost a database read each, such as the public
// log.
func LimitClients(perSecond float64, trusted []netip.Prefix) func(http.Handler) http.Handler {
	l := newLimiter(perSecond, int(perSecond*4)+1, clientip.New(trusted))
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !l.allow(r) {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Cache-Control", "no-store")
				http.Error(w, "too many requests; wait a moment and try again", http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
