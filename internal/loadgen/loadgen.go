// Package loadgen drives a running Vigil over HTTP and measures what it
// sustains: throughput and latency percentiles of acknowledged requests.
// Its loops are bounded by a duration and a request count, and it only
// talks to the URL it is given (loopback in every documented use).
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// Options configure a run.
type Options struct {
	URL      string        // base URL, e.g. http://127.0.0.1:8080
	Token    string        // bearer token; empty posts as the public
	Clients  int           // concurrent clients
	Duration time.Duration // how long to run
	Max      int           // stop after this many requests (0: no limit)
	Warmup   time.Duration // requests in the first Warmup are not measured
	// Rate paces the clients together to at most this many requests a
	// second (a sustained load, as a busy day brings); 0: as fast as
	// they are answered.
	Rate float64
}

// Result is what a run measured.
type Result struct {
	Requests  int           // acknowledged (2xx) requests measured
	Errors    int           // non-2xx answers or transport errors
	Elapsed   time.Duration // measured wall time
	PerSecond float64
	P50, P90  time.Duration
	P99, Max  time.Duration
	Statuses  map[int]int
	// FirstError is the first transport error, if any ("" for none): a
	// count alone does not say whether the server or the network failed.
	FirstError string
}

func (r Result) String() string {
	s := fmt.Sprintf("%d ok, %d errors in %v: %.0f/s; latency p50 %v p90 %v p99 %v max %v; statuses %v",
		r.Requests, r.Errors, r.Elapsed.Round(time.Millisecond), r.PerSecond,
		r.P50.Round(10*time.Microsecond), r.P90.Round(10*time.Microsecond), r.P99.Round(10*time.Microsecond), r.Max.Round(10*time.Microsecond), r.Statuses)
	if r.FirstError != "" {
		s += "; first transport error: " + r.FirstError
	}
	return s
}

var places = []string{"Sihanoukville", "Bavet", "Poipet", "Myawaddy", "KK Park", "西港", "ក្រុងព្រះសីហនុ", "ปอยเปต"}
var langs = []string{"en", "zh", "km", "th", "vi"}

// reportBody returns a realistic report of about 1 KB, different each time.
func reportBody(rng *rand.Rand) []byte {
	return fmt.Appendf(nil, `{"language":%q,"narrative":"My brother answered an ad for customer service work, $1,500 a month, flight and visa paid. The recruiter used Telegram @recruit_%d and +855 12 %03d %03d. In %s they took his passport and force him to scam people online for 14 hours a day. He says a man who refused was beaten. Case %d.","incident_types":["deceptive_recruitment","confinement","forced_criminality"],"reporter":{"name":"Reporter %d","contact":"reporter%d@example.org"},"victims":[{"name":"Victim %d","nationality":"KH","still_held":true,"age_band":"18_25"}],"places":[{"name":%q}]}`,
		langs[rng.IntN(len(langs))], rng.IntN(500), rng.IntN(1000), rng.IntN(1000), places[rng.IntN(len(places))], rng.Int64(), rng.Int64(), rng.Int64(), rng.Int64(), places[rng.IntN(len(places))])
}

// Intake posts reports to /api/v1/reports from opt.Clients clients.
func Intake(ctx context.Context, opt Options) (Result, error) {
	return run(ctx, opt, func(ctx context.Context, rng *rand.Rand) (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, "POST", opt.URL+"/api/v1/reports", bytes.NewReader(reportBody(rng)))
		if err == nil {
			req.Header.Set("Content-Type", "application/json")
		}
		return req, err
	})
}

// Check asks the public check about recruiter phone numbers and handles of
// the kind Intake files (about half of them reported, half not).
func Check(ctx context.Context, opt Options) (Result, error) {
	return run(ctx, opt, func(ctx context.Context, rng *rand.Rand) (*http.Request, error) {
		q := fmt.Sprintf("%%2B855%%2012%%20%03d%%20%03d", rng.IntN(1000), rng.IntN(1000))
		if rng.IntN(2) == 0 {
			q = fmt.Sprintf("%%40recruit_%d", rng.IntN(1000))
		}
		return http.NewRequestWithContext(ctx, "GET", opt.URL+"/api/v1/check?q="+q, nil)
	})
}

// Range asks the published range of the public check for random buckets,
// as a client checking without revealing the identifier does: it reads the
// prefix length once from /api/v1/check/range.
func Range(ctx context.Context, opt Options) (Result, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", opt.URL+"/api/v1/check/range", nil)
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: range: %w", err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("loadgen: range: %w", err)
	}
	defer res.Body.Close()
	var idx struct {
		PrefixLength int `json:"prefix_length"`
	}
	if err := json.NewDecoder(res.Body).Decode(&idx); err != nil || res.StatusCode != http.StatusOK || idx.PrefixLength < 1 || idx.PrefixLength > 8 {
		return Result{}, fmt.Errorf("loadgen: range: GET /api/v1/check/range: status %d, prefix length %d, %v", res.StatusCode, idx.PrefixLength, err)
	}
	buckets := 1 << (4 * idx.PrefixLength)
	return run(ctx, opt, func(ctx context.Context, rng *rand.Rand) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/api/v1/check/range/%0*x", opt.URL, idx.PrefixLength, rng.IntN(buckets)), nil)
	})
}

// Network asks for the network around reports (depth 2, at most 100
// nodes), each request a report drawn from reportIDs; opt.Token must read
// their links.
func Network(ctx context.Context, opt Options, reportIDs []string) (Result, error) {
	if len(reportIDs) == 0 {
		return Result{}, fmt.Errorf("loadgen: network: no reports to ask about")
	}
	return run(ctx, opt, func(ctx context.Context, rng *rand.Rand) (*http.Request, error) {
		id := reportIDs[rng.IntN(len(reportIDs))]
		return http.NewRequestWithContext(ctx, "GET", opt.URL+"/api/v1/reports/"+id+"/network?depth=2&max=100", nil)
	})
}

// run drives requests made by build from opt.Clients clients.
func run(ctx context.Context, opt Options, build func(context.Context, *rand.Rand) (*http.Request, error)) (Result, error) {
	if opt.Clients < 1 {
		return Result{}, fmt.Errorf("loadgen: clients must be at least 1")
	}
	tr := &http.Transport{MaxIdleConns: opt.Clients * 2, MaxIdleConnsPerHost: opt.Clients * 2, MaxConnsPerHost: opt.Clients * 2}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, opt.Warmup+opt.Duration)
	defer cancel()
	start := time.Now()
	measureFrom := start.Add(opt.Warmup)
	var sent atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var errs int
	var firstErr string
	statuses := map[int]int{}
	pace := rate.NewLimiter(rate.Inf, 1)
	if opt.Rate > 0 {
		pace = rate.NewLimiter(rate.Limit(opt.Rate), max(1, int(opt.Rate/100)))
	}
	var wg sync.WaitGroup
	for c := 0; c < opt.Clients; c++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, seed*7919))
			local := make([]time.Duration, 0, 4096)
			localStatus := map[int]int{}
			localErr := 0
			for ctx.Err() == nil {
				if opt.Max > 0 && sent.Add(1) > int64(opt.Max) {
					break
				}
				if pace.Wait(ctx) != nil {
					break
				}
				req, err := build(ctx, rng)
				if err != nil {
					localErr++
					break
				}
				if opt.Token != "" {
					req.Header.Set("Authorization", "Bearer "+opt.Token)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				d := time.Since(t0)
				if err != nil {
					if ctx.Err() == nil {
						localErr++
						mu.Lock()
						if firstErr == "" {
							firstErr = err.Error()
						}
						mu.Unlock()
					}
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if t0.Before(measureFrom) {
					continue
				}
				localStatus[res.StatusCode]++
				if res.StatusCode/100 == 2 {
					local = append(local, d)
				} else {
					localErr++
				}
			}
			mu.Lock()
			lat = append(lat, local...)
			errs += localErr
			for k, v := range localStatus {
				statuses[k] += v
			}
			mu.Unlock()
		}(uint64(c + 1))
	}
	wg.Wait()
	elapsed := time.Since(measureFrom)
	r := Result{Requests: len(lat), Errors: errs, Elapsed: elapsed, Statuses: statuses, FirstError: firstErr}
	if len(lat) == 0 {
		return r, fmt.Errorf("loadgen: no request was acknowledged (statuses %v, %d errors)", statuses, errs)
	}
	r.P50, r.P90, r.P99, r.Max = Percentiles(lat)
	r.PerSecond = float64(len(lat)) / elapsed.Seconds()
	return r, nil
}

// Percentiles sorts lat and returns its 50th, 90th and 99th percentiles
// and its maximum (zero for none).
func Percentiles(lat []time.Duration) (p50, p90, p99, max time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0, 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	return pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1]
}
