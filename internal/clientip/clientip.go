// Package clientip finds the client behind a request: the peer address, or,
// only when the peer is a trusted proxy, the right-most address of
// X-Forwarded-For that is not a trusted proxy. Every per-client limit (the
// API and page rate limiters, the connection cap) keys on it, so a client
// cannot pick its own bucket by sending the header, and clients behind a
// trusted proxy do not share the proxy's.
package clientip

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Resolver finds client addresses. A nil Resolver trusts no proxy.
type Resolver struct {
	trusted []netip.Prefix
}

// New returns a Resolver that believes X-Forwarded-For only from peers in
// trusted.
func New(trusted []netip.Prefix) *Resolver {
	return &Resolver{trusted: trusted}
}

// ParsePrefixes parses a list of CIDR prefixes or single addresses
// separated by commas or spaces ("10.0.0.0/8, 192.168.1.7, fd00::/8").
func ParsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if strings.Contains(f, "/") {
			p, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, fmt.Errorf("clientip: %q is not a CIDR prefix", f)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("clientip: %q is not an IP address or CIDR prefix", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// Trusted reports whether a is a trusted proxy.
func (r *Resolver) Trusted(a netip.Addr) bool {
	if r == nil {
		return false
	}
	a = a.Unmap()
	for _, p := range r.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Addr returns the client address of req: the peer, unless the peer is a
// trusted proxy; then the right-most X-Forwarded-For entry that is not a
// trusted proxy (entries further left were written by the client and prove
// nothing). If every entry is trusted, it is the left-most; if an entry is
// malformed, the trusted hop right of it. ok is false when the peer address
// itself cannot be parsed.
func (r *Resolver) Addr(req *http.Request) (a netip.Addr, ok bool) {
	a, ok = Peer(req.RemoteAddr)
	if !ok || !r.Trusted(a) {
		return a, ok
	}
	hops := req.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		entries := strings.Split(hops[i], ",")
		for j := len(entries) - 1; j >= 0; j-- {
			hop, valid := parseHop(strings.TrimSpace(entries[j]))
			if !valid {
				return a, true
			}
			a = hop
			if !r.Trusted(a) {
				return a, true
			}
		}
	}
	return a, true
}

// Key is the rate-limit key of req's client: see [Key].
func (r *Resolver) Key(req *http.Request) string {
	a, ok := r.Addr(req)
	if !ok {
		return req.RemoteAddr
	}
	return Key(a)
}

// Key is the per-client key of an address: an IPv4 address as it is, an
// IPv6 address as its /64, the block one subscriber usually holds (one
// client could otherwise take a new bucket for every address of it).
func Key(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// Peer parses a connection's remote address ("host:port", or a bare host).
func Peer(remoteAddr string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(remoteAddr); err == nil {
		return ap.Addr().Unmap(), true
	}
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// parseHop parses one X-Forwarded-For entry: an address, possibly with a
// port ("1.2.3.4:5678", "[2001:db8::1]:443").
func parseHop(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
