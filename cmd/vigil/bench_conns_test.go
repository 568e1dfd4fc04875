package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestBenchSlowlorisFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--url", "http://10.0.0.1:8080"},
		{"--url", "http://example.com"},
		{"--from", "192.0.2.1"},
		{"--conns", "0"},
		{"--conns", "20001"},
		{"--duration", "6m"},
	} {
		_, err := runCmd(t, func(string) string { return "" }, "", append([]string{"bench", "slowloris"}, args...)...)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: got %v, want a usage error", args, err)
		}
	}
	// A short run against a loopback server reports both phases.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	out, err := runCmd(t, func(string) string { return "" }, "", "bench", "slowloris", "--url", srv.URL, "--conns", "3", "--duration", "300ms", "--baseline", "200ms", "--interval", "50ms", "--every", "20ms")
	if err != nil || !strings.Contains(out, "before: ") || !strings.Contains(out, "during: ") {
		t.Errorf("bench slowloris = %q, %v", out, err)
	}
}
