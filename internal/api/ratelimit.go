package api

import (
	"net/http"
	"net/netip"

	"github.com/vigil-project/vigil/internal/answer"
	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/ratelimit"
)

// errRateLimited refuses a client past its rate.
var errRateLimited = answer.Refuse(http.StatusTooManyRequests, "rate_limited", "", "too many requests; wait a moment and try again")

// LimitClients returns a middleware that lets each client (its address,
// or the one a trusted proxy forwarded) make perSecond requests a second,
// in bursts of four seconds' worth, to all the handlers it wraps together;
// past that it answers 429 with Retry-After, never cached. It guards routes
// that need no account and cost a database read each, such as the public
// log.
func LimitClients(perSecond float64, trusted []netip.Prefix) func(http.Handler) http.Handler {
	l := ratelimit.New(perSecond, clientip.New(trusted))
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !l.Allow(r) {
				w.Header().Set("Retry-After", "1")
				w.Header().Set("Cache-Control", "no-store")
				http.Error(w, "too many requests; wait a moment and try again", http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}
