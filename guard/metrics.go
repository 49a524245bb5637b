package guard

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the guard's Prometheus series, in a registry of their own so that two
// servers in one process (tests) never collide.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	rejections *prometheus.CounterVec
	upstream   prometheus.Histogram
	reloads    *prometheus.CounterVec
	stripped   prometheus.Counter
	// The per-request series, looked up once (WithLabelValues hashes its labels per call).
	allowed, preflight, denied, upstreamErrors prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crossgate_guard_requests_total",
			Help: "HTTP requests by decision (allowed, preflight, denied)."}, []string{"decision"}),
		rejections: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crossgate_guard_rejections_total",
			Help: "Refused handshakes and requests by reason."}, []string{"reason"}),
		upstream: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "crossgate_guard_upstream_latency_seconds",
			Help: "Time from sending a request upstream to its response headers.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "crossgate_guard_reloads_total",
			Help: "Configuration reloads by result (ok, failed)."}, []string{"result"}),
		stripped: prometheus.NewCounter(prometheus.CounterOpts{Name: "crossgate_guard_stripped_headers_total",
			Help: "Client-sent identity, forwarding and hop-by-hop headers removed before the upstream."}),
	}
	m.reg.MustRegister(m.requests, m.rejections, m.upstream, m.reloads, m.stripped,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "crossgate_guard_server_certificate_expiry_timestamp_seconds",
			Help: "Unix time at which the served certificate expires."},
			func() float64 { return float64(s.state.Load().certNotAfter.Unix()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "crossgate_guard_client_ca_expiry_timestamp_seconds",
			Help: "Unix time at which the first CA of the client CA bundle expires."},
			func() float64 { return float64(s.state.Load().caNotAfter.Unix()) }),
	)
	m.allowed = m.requests.WithLabelValues("allowed")
	m.preflight = m.requests.WithLabelValues("preflight")
	m.denied = m.requests.WithLabelValues("denied")
	m.upstreamErrors = m.rejections.WithLabelValues("upstream-error")
	return m
}

// request counts one request by its decision.
func (m *metrics) request(outcome string) {
	switch outcome {
	case "allowed":
		m.allowed.Inc()
	case "preflight":
		m.preflight.Inc()
	default:
		m.denied.Inc()
	}
}
