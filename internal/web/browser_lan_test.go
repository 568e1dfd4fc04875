package web_test

import (
	"net"
	"net/http/httptest"
	"strings"
	"testing"
)

// lanAddress is the machine's first non-loopback IPv4 address: a page
// served there is not a "potentially trustworthy" origin to the browser,
// which then sends no Sec-Fetch-Site header, as on a hotline's office LAN.
func lanAddress(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLoopback() && ipn.IP.To4() != nil {
			return ipn.IP.String()
		}
	}
	t.Fatal("this machine has no non-loopback IPv4 address to serve the LAN browser test on")
	return ""
}

// TestBrowserOnLAN: on plain HTTP at a LAN address, a staff member signs in
// and a member of the public files a report. Before, the pages sent no
// referrer at all, so the browser posted "Origin: null", which the
// cross-site check refused: "This form was sent from another site"
// (issue 15).
func TestBrowserOnLAN(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", lanAddress(t)+":0")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	if strings.Contains(ts.URL, "127.0.0.1") {
		t.Fatalf("served on %s, want a LAN address", ts.URL)
	}
	b := newBrowser(t, ts.URL)
	b.desktop()
	b.login("intake@hotline.demo")
	if got := b.eval("location.pathname"); !strings.HasPrefix(got, "/app") {
		t.Errorf("after signing in on %s: at %s, want the workspace", ts.URL, got)
	}
	b.logout()
	b.open("/report?lang=km")
	b.set("#narrative", browserReports["km"].narrative)
	b.submit("form.report-form button.primary", "#secret")
	if code := b.text("#code"); !strings.HasPrefix(code, "VG-") {
		t.Errorf("receipt code %q", code)
	}
	b.checkClean()
}
