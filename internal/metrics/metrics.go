// Package metrics is what Vigil exposes at /metrics, through the Prometheus
// Go client: the Go runtime and the process, HTTP requests and their
// latency by route, refused connections, reports received, follow-up job
// timings, and the state of the ledger and the job queue read from the
// database at each scrape. No metric carries a report, a person or an
// identifier: routes are patterns, never paths.
package metrics

import (
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every metric of one process.
type Registry struct {
	reg    *prometheus.Registry
	mu     sync.Mutex
	gauges map[string]prometheus.Collector
	// HTTPRequests counts requests by route pattern and status code.
	HTTPRequests *prometheus.CounterVec
	// HTTPDuration is request latency by route pattern.
	HTTPDuration *prometheus.HistogramVec
	// RefusedConns counts connections refused over the connection caps.
	RefusedConns prometheus.Counter
	// ReportsReceived counts reports taken through the API.
	ReportsReceived prometheus.Counter
	// JobDuration is how long a follow-up job took, by kind (links:
	// linking a report's identifiers; screen: screening its names) and
	// outcome (ok, failed).
	JobDuration *prometheus.HistogramVec
	// ScreenDuration is how long a screening took, by call (name: one
	// query against the lists; report: a report's subjects against every
	// list, hits stored) and outcome (ok, failed).
	ScreenDuration *prometheus.HistogramVec
}

// New returns a registry with the Go runtime and process collectors.
func New() *Registry {
	r := &Registry{
		reg:    prometheus.NewRegistry(),
		gauges: map[string]prometheus.Collector{},
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vigil_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		HTTPDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5},
		}, []string{"route"}),
		RefusedConns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_http_refused_connections_total", Help: "Connections refused over the per-client or total cap.",
		}),
		ReportsReceived: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "vigil_reports_received_total", Help: "Reports taken through the API.",
		}),
		JobDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_job_duration_seconds", Help: "Follow-up job run time by kind (links, screen) and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}, []string{"kind", "outcome"}),
		ScreenDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vigil_screen_duration_seconds", Help: "Watch-list screening time by call (name, report) and outcome.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"call", "outcome"}),
	}
	r.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		r.HTTPRequests, r.HTTPDuration, r.RefusedConns, r.ReportsReceived, r.JobDuration, r.ScreenDuration,
	)
	return r
}

// GaugeFunc registers a gauge read by calling f at each scrape, in place
// of one registered before under the same name (a listener opened again).
func (r *Registry) GaugeFunc(name, help string, f func() float64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.gauges[name]; old != nil {
		r.reg.Unregister(old)
	}
	g := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	r.reg.MustRegister(g)
	r.gauges[name] = g
}

// Register adds a collector (one that reads the database at each scrape,
// say).
func (r *Registry) Register(c prometheus.Collector) { r.reg.MustRegister(c) }

// Job records one follow-up job's run time.
func (r *Registry) Job(kind string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	r.JobDuration.WithLabelValues(kind, outcome).Observe(d.Seconds())
}

// Screen records one screening's run time.
func (r *Registry) Screen(call string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "failed"
	}
	r.ScreenDuration.WithLabelValues(call, outcome).Observe(d.Seconds())
}

// Handler serves the metrics in the Prometheus exposition format.
func (r *Registry) Handler() http.Handler {
	return promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{Registry: r.reg})
}
