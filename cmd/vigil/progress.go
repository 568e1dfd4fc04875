package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dustin/go-humanize"
	"golang.org/x/term"
)

// progressTiming is when a long command starts reporting its progress and
// how often: after two seconds, then every second on a terminal (one line
// rewritten in place) or every ten seconds otherwise (plain lines, for
// logs). Tests shorten it.
type progressTiming struct {
	after, tty, plain time.Duration
}

func defaultProgressTiming() progressTiming {
	return progressTiming{after: 2 * time.Second, tty: time.Second, plain: 10 * time.Second}
}

// progress reports how many of total bytes a phase of a long command has
// done, on stderr, once the phase has run longer than timing.after.
type progress struct {
	w       io.Writer
	tty     bool
	label   string
	total   int64
	done    atomic.Int64
	start   time.Time
	stop    chan struct{}
	wg      sync.WaitGroup
	printed bool
	// items: done and total count things (keys, reports), not bytes.
	items bool
	// timeOnly: the phase counts nothing; only its time is shown.
	timeOnly bool
}

// startProgress starts reporting the phase label of total bytes (0:
// unknown) to e.stderr; call Done when the phase ends.
func startProgress(e *env, label string, total int64) *progress {
	return startPhase(e, &progress{label: label, total: total})
}

// startTimer starts reporting a phase that counts nothing: only its label
// and how long it has run.
func startTimer(e *env, label string) *progress {
	return startPhase(e, &progress{label: label, timeOnly: true})
}

func startPhase(e *env, p *progress) *progress {
	p.w, p.start, p.stop = e.stderr, time.Now(), make(chan struct{})
	t := e.progress
	if t == (progressTiming{}) {
		t = defaultProgressTiming()
	}
	every := t.plain
	if f, ok := e.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty, every = true, t.tty
	}
	p.wg.Go(func() {
		select {
		case <-p.stop:
			return
		case <-time.After(t.after):
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			p.print("")
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
		}
	})
	return p
}

// Add counts n more bytes done.
func (p *progress) Add(n int64) { p.done.Add(n) }

// Set sets the bytes done.
func (p *progress) Set(n int64) { p.done.Store(n) }

// Write counts len(b) bytes done, so that p can sit in an io.MultiWriter.
func (p *progress) Write(b []byte) (int, error) {
	p.Add(int64(len(b)))
	return len(b), nil
}

// Done stops reporting; if anything was reported, it ends with a last
// line.
func (p *progress) Done() {
	close(p.stop)
	p.wg.Wait()
	if p.printed {
		p.print("done")
		if p.tty {
			fmt.Fprintln(p.w)
		}
	}
}

func (p *progress) print(suffix string) {
	done := p.done.Load()
	amount := humanize.IBytes
	if p.items {
		amount = func(n uint64) string { return humanize.Comma(int64(n)) }
	}
	line := "vigil: " + p.label
	if !p.timeOnly {
		line += ": " + amount(uint64(done))
	}
	if p.total > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", amount(uint64(p.total)), min(100, done*100/p.total))
	}
	line += fmt.Sprintf(", %v", time.Since(p.start).Round(time.Second))
	if suffix != "" {
		line += ", " + suffix
	}
	if p.tty {
		fmt.Fprintf(p.w, "\r\033[K%s", line)
	} else {
		fmt.Fprintln(p.w, line)
	}
	p.printed = true
}
