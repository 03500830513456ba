// Package metrics exports pctracker's Prometheus metrics: scheduled job
// runs, the scheduler's leadership, and HTTP requests by route.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors, in a registry of their own (no global
// state: two servers in one test process do not share counts).
type Metrics struct {
	registry    *prometheus.Registry
	jobRuns     *prometheus.CounterVec
	jobSeconds  *prometheus.HistogramVec
	leader      prometheus.Gauge
	requests    *prometheus.CounterVec
	httpSeconds *prometheus.HistogramVec
	evidence    *prometheus.CounterVec
	dbQueries   *prometheus.CounterVec
}

// New registers every collector.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		jobRuns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pctracker_job_runs_total",
			Help: "Scheduled job runs by job and result (succeeded, failed, or skipped: the slot was already done)."},
			[]string{"job", "result"}),
		jobSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pctracker_job_run_seconds",
			Help: "Duration of scheduled job runs.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"job"}),
		leader: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pctracker_scheduler_leader",
			Help: "1 while this process leads the scheduler."}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pctracker_http_requests_total",
			Help: "HTTP requests by method, route and status code."}, []string{"method", "route", "code"}),
		httpSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "pctracker_http_request_seconds",
			Help: "HTTP request duration by method and route.", Buckets: prometheus.DefBuckets}, []string{"method", "route"}),
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pctracker_evidence_checks_total",
			Help: "Checks of evidence links by the state they found (ok, redirected, changed, unreachable, broken)."}, []string{"state"}),
		dbQueries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pctracker_db_queries_total",
			Help: "Database statements by the target they ran on (primary, or a read replica)."}, []string{"target"}),
	}
	m.registry.MustRegister(m.jobRuns, m.jobSeconds, m.leader, m.requests, m.httpSeconds, m.evidence, m.dbQueries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// DBQuery counts a statement by its target: primary or replica.
func (m *Metrics) DBQuery(target string) { m.dbQueries.WithLabelValues(target).Inc() }

// JobRun counts a run of a scheduled job.
func (m *Metrics) JobRun(job, result string, took time.Duration) {
	m.jobRuns.WithLabelValues(job, result).Inc()
	if result != "skipped" {
		m.jobSeconds.WithLabelValues(job).Observe(took.Seconds())
	}
}

// Leader records whether this process leads the scheduler.
func (m *Metrics) Leader(leading bool) {
	if leading {
		m.leader.Set(1)
	} else {
		m.leader.Set(0)
	}
}

// HTTPRequest counts a request; route is the route's pattern, never the
// raw path, so that the number of series stays bounded.
func (m *Metrics) HTTPRequest(method, route string, status int, took time.Duration) {
	method = methodLabel(method)
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.httpSeconds.WithLabelValues(method, route).Observe(took.Seconds())
}

// methodLabel keeps the standard methods and counts any other as OTHER: a
// client may send any token as its method, and each new one would
// otherwise be a new series kept for the life of the process.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// EvidenceChecked counts a check of an evidence link by the state it found.
func (m *Metrics) EvidenceChecked(state string) { m.evidence.WithLabelValues(state).Inc() }

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}
