// Package logthrottle keeps a burst of identical log lines from flooding the
// log. A wrapped [slog.Handler] writes the first few warnings or errors with
// the same message in each second, drops the rest, and then writes one line
// saying how many it dropped. During a database outage every request fails
// the same way; the log needs to say so a few times a second, not thousands.
package logthrottle

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Handler is a throttling [slog.Handler]. Records below Warn pass through.
type Handler struct {
	next  slog.Handler
	state *state
}

var _ slog.Handler = (*Handler)(nil)

// state is shared by a handler and those derived from it by WithAttrs and
// WithGroup, so one budget covers every logger made from the same root.
type state struct {
	perWindow int
	window    time.Duration
	now       func() time.Time
	// summary writes the "suppressed" line; it is the root's next handler,
	// so the line carries none of a derived handler's attributes.
	summary slog.Handler
	// mu guards msgs.
	mu   sync.Mutex
	msgs map[string]*counter
}

// counter is how many records with one message arrived in the current
// window, and how many of them were dropped.
type counter struct {
	start   time.Time
	seen    int
	dropped int
	level   slog.Level
	timer   *time.Timer
}

// Options configure a Handler.
type Options struct {
	// PerSecond is how many records with the same message are written in
	// each second (default 5).
	PerSecond int
	// Now is the clock (default time.Now); tests set it.
	Now func() time.Time
}

// New wraps next.
func New(next slog.Handler, opt Options) *Handler {
	if opt.PerSecond <= 0 {
		opt.PerSecond = 5
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Handler{next: next, state: &state{perWindow: opt.PerSecond, window: time.Second, now: opt.Now,
		summary: next, msgs: map[string]*counter{}}}
}

// Enabled reports whether the wrapped handler takes records of level l.
func (h *Handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

// WithAttrs returns a handler that shares h's budget.
func (h *Handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(as), state: h.state}
}

// WithGroup returns a handler that shares h's budget.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), state: h.state}
}

// Handle writes r unless PerSecond records with its message were already
// written in the current second.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return h.next.Handle(ctx, r)
	}
	st := h.state
	now := st.now()
	st.mu.Lock()
	c := st.msgs[r.Message]
	var flush int
	var flushLevel slog.Level
	if c != nil && now.Sub(c.start) >= st.window {
		flush, flushLevel = c.end()
		c = nil
	}
	if c == nil {
		c = &counter{start: now, level: r.Level}
		st.msgs[r.Message] = c
	}
	c.seen++
	write := c.seen <= st.perWindow
	if !write {
		c.dropped++
		if c.timer == nil {
			// Say how many were dropped even if no later record comes.
			msg := r.Message
			c.timer = time.AfterFunc(st.window, func() { st.flush(msg, c) })
		}
	}
	st.mu.Unlock()
	if flush > 0 {
		st.writeSummary(ctx, now, flushLevel, r.Message, flush)
	}
	if !write {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// end closes c's window and returns how many records it dropped.
func (c *counter) end() (int, slog.Level) {
	if c.timer != nil {
		c.timer.Stop()
	}
	n := c.dropped
	c.dropped = 0
	return n, c.level
}

// flush writes the summary of c's window if c is still msg's current
// window and dropped records.
func (st *state) flush(msg string, c *counter) {
	st.mu.Lock()
	if st.msgs[msg] != c {
		st.mu.Unlock()
		return
	}
	delete(st.msgs, msg)
	n, level := c.end()
	st.mu.Unlock()
	if n > 0 {
		st.writeSummary(context.Background(), st.now(), level, msg, n)
	}
}

// Flush writes the summary line of every message that dropped records
// and starts a new window for each.
func (h *Handler) Flush() {
	st := h.state
	st.mu.Lock()
	pending := st.msgs
	st.msgs = map[string]*counter{}
	st.mu.Unlock()
	for msg, c := range pending {
		st.mu.Lock()
		n, level := c.end()
		st.mu.Unlock()
		if n > 0 {
			st.writeSummary(context.Background(), st.now(), level, msg, n)
		}
	}
}

func (st *state) writeSummary(ctx context.Context, at time.Time, level slog.Level, msg string, n int) {
	r := slog.NewRecord(at, level, "log: suppressed similar errors", 0)
	r.AddAttrs(slog.String("message", msg), slog.Int("suppressed", n), slog.Duration("within", st.window))
	st.summary.Handle(ctx, r)
}
