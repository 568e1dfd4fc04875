package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestServeSetupHint: a server with no account prints the setup link, one
// started with --demo (whose accounts exist once it listens) does not.
func TestServeSetupHint(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want bool
	}{
		{"empty", []string{"serve", "--addr", "127.0.0.1:0"}, true},
		{"demo", []string{"serve", "--demo", "--addr", "127.0.0.1:0"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			getenv := func(k string) string {
				if k == "VIGIL_DATA" {
					return dir
				}
				return ""
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			out := &untilListening{cancel: cancel}
			e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: out, getenv: getenv, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			if err := run(ctx, e, tc.args); err != nil {
				t.Fatalf("serve: %v", err)
			}
			got := out.String()
			if !strings.Contains(got, "vigil: listening on") {
				t.Fatalf("the server did not start; it printed:\n%s", got)
			}
			if hint := strings.Contains(got, "/setup?token="); hint != tc.want {
				t.Errorf("setup link printed: %v, want %v; the server printed:\n%s", hint, tc.want, got)
			}
		})
	}
}

// untilListening keeps what the server prints and stops it once it
// listens (the setup link is printed with the listening line).
type untilListening struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (u *untilListening) Write(p []byte) (int, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if bytes.Contains(p, []byte("vigil: listening on")) {
		defer u.cancel()
	}
	return u.buf.Write(p)
}

func (u *untilListening) String() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.buf.String()
}
