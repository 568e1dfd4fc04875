package web

import (
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter limits form posts on public pages per client address. It does not
// trust X-Forwarded-For: behind a proxy, the proxy must limit.
type limiter struct {
	rate  rate.Limit
	burst int
	// mu guards clients and swept.
	mu      sync.Mutex
	clients map[string]*rate.Limiter
	seen    map[string]time.Time
	swept   time.Time
}

func newLimiter(perSecond float64) *limiter {
	if perSecond <= 0 {
		perSecond = 5
	}
	return &limiter{rate: rate.Limit(perSecond), burst: int(perSecond*4) + 1,
		clients: map[string]*rate.Limiter{}, seen: map[string]time.Time{}, swept: time.Now()}
}

func (l *limiter) allow(r *http.Request) bool {
	key, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		key = r.RemoteAddr
	}
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
