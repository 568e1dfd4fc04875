package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
)

// TestBenchIntakeNamesConnectionCap: more clients than a server takes from
// one address get refused connections, and the bench says which setting
// lets them in; within the cap it says nothing.
func TestBenchIntakeNamesConnectionCap(t *testing.T) {
	dir := t.TempDir()
	_, addr := child(t, []string{"VIGIL_DATA=" + dir}, "serve", "--demo", "--addr", "127.0.0.1:0", "--public-rate", "1000000")
	bench := func(clients string) string {
		t.Helper()
		var out, errb bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if err := run(context.Background(), e, []string{"bench", "intake", "--url", "http://" + addr, "--clients", clients, "--duration", "1s", "--warmup", "0s"}); err != nil {
			t.Fatalf("bench intake --clients %s: %v (%s)", clients, err, errb.String())
		}
		return errb.String()
	}
	if got := bench("80"); !strings.Contains(got, "VIGIL_HTTP_MAX_CONNS_PER_CLIENT=80") {
		t.Errorf("80 clients against the default cap of 64: stderr %q, want the setting named", got)
	}
	if got := bench("8"); got != "" {
		t.Errorf("8 clients: stderr %q, want nothing", got)
	}
}
