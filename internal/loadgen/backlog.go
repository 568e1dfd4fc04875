package loadgen

import (
	"context"
	"fmt"
	"net/http"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Backlog is the follow-up work a server has not done yet, read from its
// /metrics: the jobs due and how long the oldest has waited, and the
// identifiers waiting for the trust worker.
type Backlog struct {
	JobsDue      int     // jobs due now, of every kind (vigil_jobs, state due)
	OldestDue    float64 // seconds the oldest due job has waited (vigil_jobs_oldest_due_seconds, the largest)
	TrustPending int     // vigil_trust_pending
}

func (b Backlog) String() string {
	return fmt.Sprintf("jobs due %d (oldest %.1f s), identifiers to weigh %d", b.JobsDue, b.OldestDue, b.TrustPending)
}

// ReadBacklog reads the backlog from the server at url with the metrics
// bearer token (VIGIL_METRICS_TOKEN).
func ReadBacklog(ctx context.Context, url, token string) (Backlog, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/metrics", nil)
	if err != nil {
		return Backlog{}, fmt.Errorf("loadgen: backlog: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return Backlog{}, fmt.Errorf("loadgen: backlog: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Backlog{}, fmt.Errorf("loadgen: backlog: GET /metrics: status %d (is the metrics token right?)", res.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(res.Body)
	if err != nil {
		return Backlog{}, fmt.Errorf("loadgen: backlog: %w", err)
	}
	var b Backlog
	for _, m := range fams["vigil_jobs"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "state" && l.GetValue() == "due" {
				b.JobsDue += int(m.GetGauge().GetValue())
			}
		}
	}
	for _, m := range fams["vigil_jobs_oldest_due_seconds"].GetMetric() {
		b.OldestDue = max(b.OldestDue, m.GetGauge().GetValue())
	}
	for _, m := range fams["vigil_trust_pending"].GetMetric() {
		b.TrustPending += int(m.GetGauge().GetValue())
	}
	return b, nil
}
