package logthrottle_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigil-project/vigil/internal/logthrottle"
)

// TestThrottle: a flood of one error writes PerSecond lines a second and
// then one line counting the rest; other messages and info lines keep their
// own way through.
func TestThrottle(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(1000, 0)
	h := logthrottle.New(slog.NewTextHandler(&buf, nil), logthrottle.Options{PerSecond: 5, Now: func() time.Time { return now }})
	log := slog.New(h).With("component", "api")
	for i := range 10000 {
		log.Error("api: request failed", "i", i)
	}
	log.Error("web: page failed")
	log.Info("vigil: serving")
	if got := strings.Count(buf.String(), "api: request failed"); got != 5 {
		t.Errorf("%d lines of the flooded error in one second, want 5:\n%s", got, buf.String())
	}
	if !strings.Contains(buf.String(), "web: page failed") || !strings.Contains(buf.String(), "vigil: serving") {
		t.Errorf("another error or an info line was dropped:\n%s", buf.String())
	}
	buf.Reset()
	now = now.Add(time.Second)
	log.Error("api: request failed", "i", -1)
	out := buf.String()
	if !strings.Contains(out, "suppressed similar errors") || !strings.Contains(out, "suppressed=9995") || !strings.Contains(out, "i=-1") {
		t.Errorf("next second: want the summary of 9995 dropped lines, then the line itself; got:\n%s", out)
	}
	buf.Reset()
	for range 7 {
		log.Error("api: request failed")
	}
	h.Flush()
	if out := buf.String(); strings.Count(out, "suppressed=3") != 1 {
		t.Errorf("Flush: want one summary of 3 dropped lines (8 in the window, 5 written); got:\n%s", out)
	}
	if err := h.Handle(context.Background(), slog.NewRecord(now, slog.LevelDebug, "debug", 0)); err != nil {
		t.Error(err)
	}
}
