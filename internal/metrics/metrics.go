// Package metrics keeps the few counters and histograms Vigil exposes at
// /metrics, in the Prometheus text exposition format (version 0.0.4).
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Registry holds every metric of one process. Safe for concurrent use.
type Registry struct {
	mu sync.Mutex
	// counters maps name to label set to value.
	counters map[string]map[string]float64
	// hists maps name to label set to histogram.
	hists  map[string]map[string]*hist
	gauges map[string]func() float64
	help   map[string]string
}

type hist struct {
	counts []uint64 // per bucket, not cumulative
	sum    float64
	n      uint64
}

// Buckets are the latency histogram bounds, in seconds.
var Buckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}

// New returns an empty registry.
func New() *Registry {
	return &Registry{counters: map[string]map[string]float64{}, hists: map[string]map[string]*hist{}, gauges: map[string]func() float64{}, help: map[string]string{}}
}

// Labels renders label pairs ("route", "/x", "code", "200") as a Prometheus
// label set.
func Labels(kv ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", kv[i], kv[i+1])
	}
	return b.String()
}

// Help sets a metric's help text.
func (r *Registry) Help(name, text string) {
	r.mu.Lock()
	r.help[name] = text
	r.mu.Unlock()
}

// Add adds v to a counter.
func (r *Registry) Add(name, labels string, v float64) {
	r.mu.Lock()
	m := r.counters[name]
	if m == nil {
		m = map[string]float64{}
		r.counters[name] = m
	}
	m[labels] += v
	r.mu.Unlock()
}

// Observe records a duration in a histogram.
func (r *Registry) Observe(name, labels string, d time.Duration) {
	s := d.Seconds()
	r.mu.Lock()
	m := r.hists[name]
	if m == nil {
		m = map[string]*hist{}
		r.hists[name] = m
	}
	h := m[labels]
	if h == nil {
		h = &hist{counts: make([]uint64, len(Buckets)+1)}
		m[labels] = h
	}
	i := sort.SearchFloat64s(Buckets, s)
	h.counts[i]++
	h.sum += s
	h.n++
	r.mu.Unlock()
}

// Gauge registers a function read at every scrape.
func (r *Registry) Gauge(name string, f func() float64) {
	r.mu.Lock()
	r.gauges[name] = f
	r.mu.Unlock()
}

// WriteTo writes every metric in the text exposition format.
func (r *Registry) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	r.mu.Lock()
	names := func(m any) []string {
		var out []string
		switch m := m.(type) {
		case map[string]map[string]float64:
			for k := range m {
				out = append(out, k)
			}
		case map[string]map[string]*hist:
			for k := range m {
				out = append(out, k)
			}
		case map[string]func() float64:
			for k := range m {
				out = append(out, k)
			}
		}
		sort.Strings(out)
		return out
	}
	header := func(name, typ string) {
		if h := r.help[name]; h != "" {
			fmt.Fprintf(&b, "# HELP %s %s\n", name, h)
		}
		fmt.Fprintf(&b, "# TYPE %s %s\n", name, typ)
	}
	for _, name := range names(r.counters) {
		header(name, "counter")
		for _, ls := range sortedKeys(r.counters[name]) {
			fmt.Fprintf(&b, "%s%s %g\n", name, braces(ls), r.counters[name][ls])
		}
	}
	for _, name := range names(r.hists) {
		header(name, "histogram")
		for _, ls := range sortedKeys(r.hists[name]) {
			h := r.hists[name][ls]
			var cum uint64
			for i, le := range Buckets {
				cum += h.counts[i]
				fmt.Fprintf(&b, "%s_bucket%s %d\n", name, braces(join(ls, fmt.Sprintf("le=%q", fmt.Sprint(le)))), cum)
			}
			cum += h.counts[len(Buckets)]
			fmt.Fprintf(&b, "%s_bucket%s %d\n", name, braces(join(ls, `le="+Inf"`)), cum)
			fmt.Fprintf(&b, "%s_sum%s %g\n", name, braces(ls), h.sum)
			fmt.Fprintf(&b, "%s_count%s %d\n", name, braces(ls), h.n)
		}
	}
	gauges := map[string]func() float64{}
	for k, v := range r.gauges {
		gauges[k] = v
	}
	r.mu.Unlock()
	for _, name := range names(gauges) {
		header(name, "gauge")
		v := gauges[name]()
		if math.IsNaN(v) {
			continue
		}
		fmt.Fprintf(&b, "%s %g\n", name, v)
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func braces(ls string) string {
	if ls == "" {
		return ""
	}
	return "{" + ls + "}"
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "," + b
}
