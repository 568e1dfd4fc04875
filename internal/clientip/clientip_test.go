package clientip_test

import (
	"net/http/httptest"
	"testing"

	"github.com/vigil-project/vigil/internal/clientip"
)

func TestKey(t *testing.T) {
	trusted, err := clientip.ParsePrefixes("10.0.0.0/8, 192.168.1.7 fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	proxied := clientip.New(trusted)
	tests := []struct {
		name   string
		r      *clientip.Resolver
		remote string
		xff    []string
		want   string
	}{
		{"no proxy configured ignores the header", nil, "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"untrusted peer ignores the header", proxied, "203.0.113.5:4000", []string{"198.51.100.1"}, "203.0.113.5"},
		{"trusted peer: right-most entry", proxied, "10.1.2.3:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"a client-written entry left of the proxy's is ignored", proxied, "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1"}, "198.51.100.1"},
		{"chained trusted proxies are skipped", proxied, "10.1.2.3:4000", []string{"6.6.6.6, 198.51.100.1, 192.168.1.7", "10.9.9.9"}, "198.51.100.1"},
		{"only trusted hops: the left-most", proxied, "10.1.2.3:4000", []string{"10.0.0.1, 10.0.0.2"}, "10.0.0.1"},
		{"no header from a trusted proxy: the proxy", proxied, "10.1.2.3:4000", nil, "10.1.2.3"},
		{"malformed entry: the trusted hop right of it", proxied, "10.1.2.3:4000", []string{"198.51.100.1, bogus"}, "10.1.2.3"},
		{"entry with a port", proxied, "10.1.2.3:4000", []string{"198.51.100.1:5555"}, "198.51.100.1"},
		{"IPv6 clients share their /64", nil, "[2001:db8:1:2:aaaa::1]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6 entry behind an IPv6 proxy", proxied, "[fd00::1]:443", []string{"[2001:db8:1:2::9]:1"}, "2001:db8:1:2::/64"},
		{"IPv4-mapped peer", nil, "[::ffff:203.0.113.5]:80", nil, "203.0.113.5"},
		{"mapped trusted peer", proxied, "[::ffff:10.0.0.1]:80", []string{"198.51.100.1"}, "198.51.100.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/", nil)
			req.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				req.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.r.Key(req); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestParsePrefixes(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.local", "10.0.0.1/8/8"} {
		if _, err := clientip.ParsePrefixes(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
	ps, err := clientip.ParsePrefixes("")
	if err != nil || len(ps) != 0 {
		t.Errorf("empty list: %v, %v", ps, err)
	}
}
