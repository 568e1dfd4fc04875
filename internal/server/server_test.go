package server_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/config"
	"github.com/vigil-project/vigil/internal/server"
	"github.com/vigil-project/vigil/internal/server/servertest"
)

// newServer builds a server on a fresh SQLite database with the settings
// edit makes (the address a free loopback port).
func newServer(t *testing.T, edit func(*config.Config)) (*server.Server, *config.Config) {
	t.Helper()
	srv := servertest.New(t, servertest.Options{Config: edit})
	return srv, srv.Cfg
}

// start runs a server on a loopback port with the settings edit makes and
// returns its address; it stops when the test ends.
func start(t *testing.T, edit func(*config.Config)) string {
	t.Helper()
	srv, _ := newServer(t, edit)
	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe(ctx, func(a string) { addr <- a }) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	select {
	case a := <-addr:
		return a
	case err := <-done:
		t.Fatalf("server did not start: %v", err)
	}
	return ""
}

// dialFrom opens a connection to addr from the loopback address local
// (127.0.0.1, 127.0.0.2, …: one client each). A connection the server
// resets at once may fail to dial; it is returned as nil.
func dialFrom(t *testing.T, local, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 5 * time.Second}
	c, err := d.Dial("tcp", addr)
	if errors.Is(err, syscall.ECONNRESET) {
		return nil
	}
	if err != nil {
		t.Fatalf("dial from %s: %v", local, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// closedWithin reports, for each of conns at once, whether the server
// closes it (a read ends with EOF or a reset rather than the deadline)
// within d. Bytes the server sends are read past; a nil connection is
// closed.
func closedWithin(conns []net.Conn, d time.Duration) []bool {
	closed := make([]bool, len(conns))
	var wg sync.WaitGroup
	for i, c := range conns {
		if c == nil {
			closed[i] = true
			continue
		}
		wg.Go(func() {
			c.SetReadDeadline(time.Now().Add(d))
			_, err := io.Copy(io.Discard, c)
			var ne net.Error
			closed[i] = !(errors.As(err, &ne) && ne.Timeout())
		})
	}
	wg.Wait()
	return closed
}

func count(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// healthzFrom asks /healthz over a new connection from local.
func healthzFrom(t *testing.T, local, addr string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}}).DialContext,
	}}
	res, err := client.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("healthz from %s: %v", local, err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestSlowloris opens many connections from one address that send their
// request headers a byte at a time: the ones over the per-client cap are
// closed at once, the others when the header timeout ends, and /healthz
// from another address answers all along.
func TestSlowloris(t *testing.T) {
	const perClient, slow = 20, 60
	addr := start(t, func(c *config.Config) {
		c.HTTPMaxConnsPerClient = perClient
		c.ReadHeaderTimeout = 700 * time.Millisecond
	})
	conns := make([]net.Conn, slow)
	for i := range conns {
		conns[i] = dialFrom(t, "127.0.0.1", addr)
	}
	// Trickle a header byte every 100 ms on each connection until the
	// server hangs up.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for _, c := range conns {
		if c == nil {
			continue
		}
		wg.Go(func() {
			header := []byte("GET /healthz HTTP/1.1\r\nHost: vigil\r\nX-Slow: ")
			for i := 0; ; i++ {
				b := byte('a')
				if i < len(header) {
					b = header[i]
				}
				if _, err := c.Write([]byte{b}); err != nil {
					return
				}
				select {
				case <-stop:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	t.Cleanup(func() { close(stop); wg.Wait() })

	// Before any header timeout: the connections over the cap are gone,
	// the others still open.
	closed := closedWithin(conns, 300*time.Millisecond)
	var open []net.Conn
	for i, c := range conns {
		if !closed[i] {
			open = append(open, c)
		}
	}
	if refused := count(closed); refused != slow-perClient {
		t.Errorf("%d of %d slow connections from one address closed at once, want %d (cap %d per client)", refused, slow, slow-perClient, perClient)
	}
	if got := healthzFrom(t, "127.0.0.2", addr); got != 200 {
		t.Errorf("healthz from another address during the attack: %d", got)
	}
	// The header timeout ends the rest, though they keep sending.
	if n := len(open) - count(closedWithin(open, 5*time.Second)); n > 0 {
		t.Errorf("%d slow connections still open 5 s after they started; the header timeout is 700 ms", n)
	}
	// And the address may connect again.
	if got := healthzFrom(t, "127.0.0.1", addr); got != 200 {
		t.Errorf("healthz from the slow address afterwards: %d", got)
	}
}

// TestConnectionCaps: the total cap holds whatever the addresses, and an
// idle keep-alive connection is closed after the idle timeout.
func TestConnectionCaps(t *testing.T) {
	addr := start(t, func(c *config.Config) {
		c.HTTPMaxConns = 10
		c.HTTPMaxConnsPerClient = 8
		c.IdleTimeout = 500 * time.Millisecond
	})
	var conns []net.Conn
	for _, local := range []string{"127.0.0.3", "127.0.0.4"} {
		for range 8 {
			conns = append(conns, dialFrom(t, local, addr))
		}
	}
	if refused := count(closedWithin(conns, 300*time.Millisecond)); refused != 6 {
		t.Errorf("%d of 16 connections from two addresses closed at once, want 6 over the total cap of 10", refused)
	}
	for _, c := range conns {
		if c != nil {
			c.Close()
		}
	}
	// The closed connections give their places back as the server sees
	// them go: retry until one is admitted.
	var c net.Conn
	for try := 0; c == nil; try++ {
		if try == 50 {
			t.Fatal("no connection admitted after the others closed")
		}
		c = dialFrom(t, "127.0.0.5", addr)
		if c == nil {
			continue
		}
		c.SetDeadline(time.Now().Add(2 * time.Second))
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: vigil\r\n\r\n")
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			c.Close()
			c = nil
			time.Sleep(50 * time.Millisecond)
			continue
		}
		res.Body.Close()
	}
	if !closedWithin([]net.Conn{c}, 5*time.Second)[0] {
		t.Error("an idle keep-alive connection is still open 5 s after its answer; the idle timeout is 500 ms")
	}
}

// TestLogRateLimit: the public log and its proofs share one bucket per
// client; a limited answer says when to retry and is never cached.
func TestLogRateLimit(t *testing.T) {
	srv, _ := newServer(t, func(c *config.Config) { c.LogRate = 1 })
	get := func(peer, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.RemoteAddr = peer
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec
	}
	paths := []string{"/log/checkpoint", "/log/vkey", "/log/tile/0/000", "/log/proof/inclusion?index=0", "/log/proof/consistency?from=0"}
	limited := 0
	for i := range 10 {
		rec := get("192.0.2.1:1000", paths[i%len(paths)])
		if rec.Code != http.StatusTooManyRequests {
			continue
		}
		limited++
		if rec.Header().Get("Retry-After") == "" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("429 headers: %v", rec.Header())
		}
	}
	// A burst is 5 at one request a second.
	if limited != 5 {
		t.Errorf("%d of 10 quick requests to the log from one client limited, want 5", limited)
	}
	if rec := get("192.0.2.2:1000", "/log/vkey"); rec.Code != 200 {
		t.Errorf("another client: %d, want 200", rec.Code)
	}
}

// TestServeTLS: with --tls-cert and --tls-key the server speaks HTTPS, and
// a client that trusts the certificate reads /healthz.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	addr := start(t, func(c *config.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Errorf("GET /healthz over TLS: %d, TLS %v", resp.StatusCode, resp.TLS != nil)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP answered 200 on the HTTPS port")
		}
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and returns
// its files and a pool that trusts it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	certFile, keyFile, cert := server.WriteCert(t, t.TempDir(), "vigil test")
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestPprof: VIGIL_PPROF_ADDR serves Go's profiler on its own loopback
// address, and the application's address does not.
func TestPprof(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pprofAddr := ln.Addr().String()
	ln.Close()
	addr := start(t, func(c *config.Config) { c.PprofAddr = pprofAddr })
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/"); code != http.StatusOK || !strings.Contains(body, "goroutine") {
		t.Errorf("profiler index: %d %.200s", code, body)
	}
	if code, body := get("http://" + pprofAddr + "/debug/pprof/goroutine?debug=1"); code != http.StatusOK || !strings.Contains(body, "goroutine profile") {
		t.Errorf("goroutine profile: %d %.200s", code, body)
	}
	if code, body := get("http://" + addr + "/debug/pprof/"); code == http.StatusOK || strings.Contains(body, "goroutine") {
		t.Errorf("the application's address serves the profiler: %d %.200s", code, body)
	}
}
