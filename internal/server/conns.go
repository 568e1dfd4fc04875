package server

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigil-project/vigil/internal/clientip"
	"github.com/vigil-project/vigil/internal/metrics"
)

// connLimit is a listener that caps open connections per client address
// and in total. A connection over either cap is closed at once, before any
// byte is read, so that one address (a slowloris holding thousands of
// half-sent requests) cannot use up the process's file descriptors and
// starve every other client. Trusted proxies count only towards the total:
// behind one, the proxy must cap its own clients.
type connLimit struct {
	net.Listener
	perClient int
	total     int
	ip        *clientip.Resolver
	log       *slog.Logger
	metrics   *metrics.Registry

	// mu guards open and byClient.
	mu       sync.Mutex
	open     int
	byClient map[string]int
	// refused counts connections closed at accept; lastLog is when a
	// refusal was last logged (Unix nanoseconds), to log at most one a
	// second.
	refused atomic.Int64
	lastLog atomic.Int64
}

func newConnLimit(ln net.Listener, perClient, total int, ip *clientip.Resolver, log *slog.Logger, m *metrics.Registry) *connLimit {
	l := &connLimit{Listener: ln, perClient: perClient, total: total, ip: ip, log: log, metrics: m, byClient: map[string]int{}}
	m.GaugeFunc("vigil_http_open_connections", "Open HTTP connections.", func() float64 { return float64(l.Open()) })
	return l
}

// Accept returns the next connection within the caps, closing those over
// them.
func (l *connLimit) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := ""
		if a, ok := clientip.Peer(c.RemoteAddr().String()); ok && !l.ip.Trusted(a) {
			key = clientip.Key(a)
		}
		if l.admit(key) {
			return &limitedConn{Conn: c, l: l, key: key}, nil
		}
		// Reset rather than close: no TIME_WAIT is left behind for a
		// connection that never carried a byte.
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
		l.metrics.RefusedConns.Inc()
		n := l.refused.Add(1)
		if now := time.Now().UnixNano(); now-l.lastLog.Load() > int64(time.Second) {
			l.lastLog.Store(now)
			l.log.Warn("server: connection refused: too many open connections", "client", key, "per_client_cap", l.perClient, "total_cap", l.total, "refused_so_far", n)
		}
	}
}

func (l *connLimit) admit(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.total || (key != "" && l.byClient[key] >= l.perClient) {
		return false
	}
	l.open++
	if key != "" {
		l.byClient[key]++
	}
	return true
}

func (l *connLimit) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if key == "" {
		return
	}
	if l.byClient[key]--; l.byClient[key] <= 0 {
		delete(l.byClient, key)
	}
}

// Open is the number of connections open now.
func (l *connLimit) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open
}

// limitedConn gives its place back when closed (once, however often
// Close is called).
type limitedConn struct {
	net.Conn
	l    *connLimit
	key  string
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.key) })
	return err
}
