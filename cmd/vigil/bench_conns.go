package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// slowlorisOptions configure `vigil bench slowloris`.
type slowlorisOptions struct {
	URL       string        // base URL of a running server on loopback
	Conns     int           // slow connections to hold open at once
	Duration  time.Duration // how long the attack lasts
	Interval  time.Duration // one header byte per connection every Interval
	From      string        // loopback address the slow connections come from
	ProbeFrom string        // loopback address /healthz is asked from
	Every     time.Duration // how often /healthz is asked
	Baseline  time.Duration // how long /healthz is measured before the attack
}

// benchSlowloris holds up to Conns connections from one loopback address,
// each sending its request headers a byte at a time (and dialling again,
// after Interval, when the server hangs up), while another loopback address
// asks /healthz; it reports what the server did with the connections and
// the /healthz latency before and during the attack. It only talks to
// loopback and stops after Duration.
func benchSlowloris(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench slowloris")
	var o slowlorisOptions
	fs.StringVar(&o.URL, "url", "http://127.0.0.1:8080", "base URL of a running vigil serve (loopback only)")
	fs.IntVar(&o.Conns, "conns", 5000, "slow connections to hold open at once (at most 20000)")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "how long the attack lasts (at most 5m)")
	fs.DurationVar(&o.Interval, "interval", time.Second, "one header byte per connection every interval")
	fs.StringVar(&o.From, "from", "127.0.0.1", "loopback address the slow connections come from")
	fs.StringVar(&o.ProbeFrom, "probe-from", "127.0.0.2", "loopback address /healthz is asked from")
	fs.DurationVar(&o.Every, "every", 100*time.Millisecond, "how often /healthz is asked")
	fs.DurationVar(&o.Baseline, "baseline", 3*time.Second, "how long /healthz is measured before the attack")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	u, err := url.Parse(o.URL)
	if err != nil || u.Scheme != "http" {
		return fmt.Errorf("bench slowloris: --url %q: want http://LOOPBACK:PORT: %w", o.URL, errUsage)
	}
	for name, s := range map[string]string{"--url": u.Hostname(), "--from": o.From, "--probe-from": o.ProbeFrom} {
		if a, err := netip.ParseAddr(s); err != nil || !a.IsLoopback() {
			return fmt.Errorf("bench slowloris: %s %q: want a loopback IP address: %w", name, s, errUsage)
		}
	}
	if o.Conns < 1 || o.Conns > 20000 || o.Duration <= 0 || o.Duration > 5*time.Minute || o.Interval <= 0 || o.Every <= 0 || o.Baseline < 0 {
		return fmt.Errorf("bench slowloris: want 1 ≤ --conns ≤ 20000, 0 < --duration ≤ 5m and positive intervals: %w", errUsage)
	}
	res, err := slowloris(ctx, u.Host, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "slowloris: %d connections from %s to %s for %v, one header byte every %v\n", o.Conns, o.From, u.Host, o.Duration, o.Interval)
	fmt.Fprintf(e.stdout, "  connections: %d dialled, %d dial errors, peak %d open at once, %d open at the end; closed by the server: %d at once or within 1 s (refused), %d later (timed out)\n",
		res.dialled, res.dialErrors, res.peakOpen, res.openAtEnd, res.closedFast, res.closedSlow)
	fmt.Fprintf(e.stdout, "  /healthz from %s before: %s\n", o.ProbeFrom, res.before)
	fmt.Fprintf(e.stdout, "  /healthz from %s during: %s\n", o.ProbeFrom, res.during)
	return nil
}

type slowlorisResult struct {
	dialled, dialErrors, closedFast, closedSlow int64
	peakOpen, openAtEnd                         int64
	before, during                              latencies
}

// latencies summarises /healthz probes: how many answered 200, how many
// failed, and how long each took (to answer or to fail).
type latencies struct {
	ok, failed int
	d          []time.Duration
}

func (l latencies) String() string {
	if len(l.d) == 0 {
		return fmt.Sprintf("%d ok, %d failed", l.ok, l.failed)
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	q := func(p float64) time.Duration {
		return s[min(len(s)-1, int(p*float64(len(s))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("%d ok, %d failed; p50 %v p90 %v p99 %v max %v", l.ok, l.failed, q(0.5), q(0.9), q(0.99), s[len(s)-1].Round(10*time.Microsecond))
}

// probe asks /healthz every o.Every until ctx ends.
func probe(ctx context.Context, addr string, o slowlorisOptions) latencies {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(o.ProbeFrom)}}).DialContext,
	}}
	var l latencies
	t := time.NewTicker(o.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return l
		case <-t.C:
		}
		start := time.Now()
		res, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
		if ctx.Err() != nil {
			return l
		}
		// A failure counts with the time it took to fail (at most the
		// client's 10 s timeout).
		l.d = append(l.d, time.Since(start))
		if err != nil || res.StatusCode != 200 {
			l.failed++
			continue
		}
		l.ok++
	}
}

func slowloris(ctx context.Context, addr string, o slowlorisOptions) (*slowlorisResult, error) {
	var res slowlorisResult
	bctx, cancel := context.WithTimeout(ctx, o.Baseline)
	res.before = probe(bctx, addr, o)
	cancel()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	actx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var open atomic.Int64
	var peakMu sync.Mutex
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(o.From)}, Timeout: 5 * time.Second}
	// hold keeps one slow connection open, dialling again after the
	// server hangs up, until the attack ends.
	hold := func() {
		header := []byte("GET /healthz HTTP/1.1\r\nHost: vigil\r\nX-Slow: ")
		for actx.Err() == nil {
			atomic.AddInt64(&res.dialled, 1)
			c, err := d.DialContext(actx, "tcp", addr)
			if err != nil {
				switch {
				case actx.Err() != nil:
				case errors.Is(err, syscall.ECONNRESET):
					// Reset by a server that refused it at once.
					atomic.AddInt64(&res.closedFast, 1)
				default:
					atomic.AddInt64(&res.dialErrors, 1)
				}
				sleep(actx, o.Interval)
				continue
			}
			n := open.Add(1)
			peakMu.Lock()
			res.peakOpen = max(res.peakOpen, n)
			peakMu.Unlock()
			start := time.Now()
			// The server's hang-up shows as a read that ends.
			gone := make(chan struct{})
			go func() {
				io.Copy(io.Discard, c)
				close(gone)
			}()
		trickle:
			for i := 0; ; i++ {
				b := byte('a')
				if i < len(header) {
					b = header[i]
				}
				if _, err := c.Write([]byte{b}); err != nil {
					break
				}
				select {
				case <-actx.Done():
					break trickle
				case <-gone:
					break trickle
				case <-time.After(o.Interval):
				}
			}
			select {
			case <-gone:
				if time.Since(start) < time.Second {
					atomic.AddInt64(&res.closedFast, 1)
				} else {
					atomic.AddInt64(&res.closedSlow, 1)
				}
			default:
				atomic.AddInt64(&res.openAtEnd, 1)
			}
			c.Close()
			open.Add(-1)
			sleep(actx, o.Interval)
		}
	}
	var wg sync.WaitGroup
	for range o.Conns {
		wg.Go(hold)
	}
	res.during = probe(actx, addr, o)
	wg.Wait()
	if err := ctx.Err(); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, err
	}
	return &res, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
