package server

import (
	"context"
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigil-project/vigil/internal/store"
)

// dbCollector reads the ledger's and the job queue's state from the
// database at each scrape (a few indexed aggregate queries, bounded by a
// timeout), so every server on a database reports the same numbers.
type dbCollector struct {
	db *store.DB
	// kinds are the job kinds always reported (0 when none waits).
	kinds []string
}

var (
	ledgerSizeDesc = prometheus.NewDesc("vigil_ledger_size",
		"Leaves in the testimony ledger (its size at the latest checkpoint).", nil, nil)
	ledgerPendingDesc = prometheus.NewDesc("vigil_ledger_pending_entries",
		"Entries waiting for the sequencer.", nil, nil)
	ledgerLagDesc = prometheus.NewDesc("vigil_ledger_lag_seconds",
		"How long the oldest entry has waited for the sequencer (0: none waits).", nil, nil)
	jobsDesc = prometheus.NewDesc("vigil_jobs",
		"Follow-up jobs not yet done, by kind and state (due: may run now; waiting: leased or waiting for a retry).", []string{"kind", "state"}, nil)
	jobsAgeDesc = prometheus.NewDesc("vigil_jobs_oldest_due_seconds",
		"How long the oldest due job of a kind has been due.", []string{"kind"}, nil)
	trustPendingDesc = prometheus.NewDesc("vigil_trust_pending",
		"Identifiers whose public-check assessment waits to be weighed again (links.RunTrust); a check of one weighs its reports itself.", nil, nil)
	checkpointsDesc = prometheus.NewDesc("vigil_sqlite_checkpoints_total",
		"SQLite's background checkpoints of its write-ahead log, by result (ok, failed).", []string{"result"}, nil)
	checkpointBehindDesc = prometheus.NewDesc("vigil_sqlite_wal_pages_behind",
		"Pages in SQLite's write-ahead log not yet in the database file after the latest background checkpoint.", nil, nil)
	scrapeErrDesc = prometheus.NewDesc("vigil_metrics_database_up",
		"1 when the database answered this scrape's queries, else 0.", nil, nil)
)

func (c dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ledgerSizeDesc, ledgerPendingDesc, ledgerLagDesc, jobsDesc, jobsAgeDesc, trustPendingDesc, checkpointsDesc, checkpointBehindDesc, scrapeErrDesc} {
		ch <- d
	}
}

func (c dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	up := 1.0
	defer func() { ch <- prometheus.MustNewConstMetric(scrapeErrDesc, prometheus.GaugeValue, up) }()
	if c.db.Engine == store.SQLite {
		ck := c.db.Checkpoints()
		ch <- prometheus.MustNewConstMetric(checkpointsDesc, prometheus.CounterValue, float64(ck.Runs), "ok")
		ch <- prometheus.MustNewConstMetric(checkpointsDesc, prometheus.CounterValue, float64(ck.Failures), "failed")
		ch <- prometheus.MustNewConstMetric(checkpointBehindDesc, prometheus.GaugeValue, float64(ck.Behind))
	}
	q := c.db.Read()
	now := time.Now()
	size := int64(0)
	st, err := q.GetLedgerState(ctx)
	switch {
	case err == nil:
		size = st.Size
	case !errors.Is(err, store.ErrNotFound): // not found: no checkpoint yet
		up = 0
		return
	}
	pending, err1 := q.CountPendingLedgerEntries(ctx)
	oldest, err2 := q.OldestPendingLedgerEntry(ctx)
	queues, err3 := q.JobQueues(ctx, now.UnixMicro())
	trust, err4 := q.CountPendingTrust(ctx)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		up = 0
		return
	}
	lag := 0.0
	if oldest != 0 {
		lag = now.Sub(time.UnixMicro(oldest)).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(ledgerSizeDesc, prometheus.GaugeValue, float64(size))
	ch <- prometheus.MustNewConstMetric(ledgerPendingDesc, prometheus.GaugeValue, float64(pending))
	ch <- prometheus.MustNewConstMetric(ledgerLagDesc, prometheus.GaugeValue, lag)
	ch <- prometheus.MustNewConstMetric(trustPendingDesc, prometheus.GaugeValue, float64(trust))
	byKind := map[string]store.JobQueue{}
	for _, k := range c.kinds {
		byKind[k] = store.JobQueue{Kind: k}
	}
	for _, j := range queues {
		byKind[j.Kind] = j
	}
	for _, j := range byKind {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(j.Due), j.Kind, "due")
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(j.Waiting), j.Kind, "waiting")
		age := 0.0
		if j.OldestDue != 0 {
			age = now.Sub(time.UnixMicro(j.OldestDue)).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(jobsAgeDesc, prometheus.GaugeValue, age, j.Kind)
	}
}
