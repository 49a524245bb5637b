package guard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Server is the mutual-TLS proxy: a Guard in front of the upstream (upstream.go), behind a
// listener that finishes every TLS handshake (with its own timeout) before HTTP sees the
// connection.
type Server struct {
	load    func() (*Config, error)
	log     *slog.Logger
	access  *slog.Logger // nil: no access log
	state   atomic.Pointer[state]
	guard   *Guard
	metrics *metrics
	proxy   *upstream
	reloads atomic.Int64
	mu      sync.Mutex // serialises reloads
}

// NewServer loads the configuration once through load (which Reload calls again) and
// checks every file. log receives operational events; access, if not nil, one JSON line per
// request.
func NewServer(load func() (*Config, error), log *slog.Logger, access io.Writer) (*Server, error) {
	cfg, err := load()
	if err != nil {
		return nil, err
	}
	st, err := buildState(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{load: load, log: log}
	if access != nil {
		s.access = slog.New(slog.NewJSONHandler(access, nil))
	}
	s.state.Store(st)
	s.metrics = newMetrics(s)
	s.proxy = &upstream{s: s}
	s.guard = New(st.policy, s.proxy)
	if PlainRemoteUpstream(st.upstream) {
		log.Warn("the upstream is reached over plain http on another host: the identity header crosses the network unprotected and anyone who can reach the upstream can forge it; use https or keep the upstream on loopback",
			"upstream", st.upstream.String())
	}
	return s, nil
}

// Config returns the configuration in force.
func (s *Server) Config() Config { return *s.state.Load().cfg }

// Reload rereads every file; on any error the running configuration stays and the error
// is logged and returned.
func (s *Server) Reload() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg, err := s.load()
	var st *state
	if err == nil {
		st, err = buildState(cfg)
	}
	if err != nil {
		s.metrics.reloads.WithLabelValues("failed").Inc()
		s.log.Error("reload failed; the running configuration stays in force", "error", err.Error())
		return err
	}
	old := s.state.Load()
	if st.cfg.Listen != old.cfg.Listen || st.cfg.Metrics != old.cfg.Metrics {
		s.log.Warn("listen and metrics addresses change only on restart")
	}
	s.state.Store(st)
	s.guard.SetPolicy(st.policy)
	s.metrics.reloads.WithLabelValues("ok").Inc()
	s.reloads.Add(1)
	s.log.Info("configuration reloaded", "identities", st.policy.Identities.Len(), "origins", len(st.policy.CORS.Origins()),
		"server_cert_expires", st.certNotAfter.UTC().Format(time.RFC3339))
	return nil
}

// Handler is the HTTP side of the proxy (guard, hygiene, CORS, upstream) with the access
// log and metrics around it; Run serves it. Tests may serve it themselves.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var start time.Time
		if s.access != nil {
			start = time.Now()
		}
		rec := &statusWriter{ResponseWriter: w}
		s.guard.ServeHTTP(rec, r)
		d := &rec.decision
		if d.Outcome == "" {
			d.Outcome = "denied"
		}
		s.metrics.request(d.Outcome)
		if d.Stripped > 0 {
			s.metrics.stripped.Add(float64(d.Stripped))
		}
		if d.Outcome == "denied" {
			s.metrics.rejections.WithLabelValues(d.Reason).Inc()
		}
		if s.access == nil {
			return
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		s.access.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("remote", r.RemoteAddr), slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", status), slog.Int64("bytes", rec.bytes),
			slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("user", d.User), slog.String("cert_sha256", d.Fingerprint), slog.String("subject", d.Subject),
			slog.String("decision", d.Outcome), slog.String("reason", d.Reason), slog.String("origin", r.Header.Get("Origin")))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status   int
	bytes    int64
	decision Decision
}

func (w *statusWriter) recordDecision(d Decision) { w.decision = d }

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Addrs are where Run listens, once it does.
type Addrs struct {
	HTTPS, Metrics net.Addr
}

// Run listens and serves until ctx ends, then stops accepting, lets in-flight requests
// finish (up to ShutdownTimeout) and returns. ready, if not nil, is called with the bound
// addresses (useful with port 0).
func (s *Server) Run(ctx context.Context, ready func(Addrs)) error {
	cfg := s.state.Load().cfg
	raw, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return &FileError{What: "listen address", Path: cfg.Listen, Err: err, Hint: "pick a free host:port for --listen"}
	}
	ln := newHandshakeListener(raw, s, cfg.MaxConns)
	fr := newFront(s, s.Handler())
	var msrv *http.Server
	var mln net.Listener
	if cfg.Metrics != "" {
		if mln, err = net.Listen("tcp", cfg.Metrics); err != nil {
			ln.Close()
			return &FileError{What: "metrics address", Path: cfg.Metrics, Err: err, Hint: "pick a free host:port for --metrics, or leave it out"}
		}
		msrv = &http.Server{Handler: s.MetricsHandler(), ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	}
	addrs := Addrs{HTTPS: raw.Addr()}
	if mln != nil {
		addrs.Metrics = mln.Addr()
	}
	s.log.Info("guard listening", "https", addrs.HTTPS.String(), "upstream", s.state.Load().upstream.String(),
		"identities", s.state.Load().policy.Identities.Len())
	if ready != nil {
		ready(addrs)
	}
	errc := make(chan error, 2)
	go func() { errc <- fr.serve(ln) }()
	if msrv != nil {
		go func() { errc <- msrv.Serve(mln) }()
	}
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			ln.Close()
			if msrv != nil {
				msrv.Close()
			}
			return err
		}
	}
	s.log.Info("shutting down: no new connections, draining in-flight requests", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	ln.Close()
	err = fr.shutdown(sctx)
	s.proxy.closeIdle()
	if msrv != nil {
		msrv.Shutdown(sctx)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// MetricsHandler serves /_status and /metrics (the metrics listener only).
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /_status", func(w http.ResponseWriter, r *http.Request) {
		st := s.state.Load()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"status":              "ok",
			"upstream":            st.upstream.String(),
			"identities":          st.policy.Identities.Len(),
			"allowed_origins":     st.policy.CORS.Origins(),
			"server_cert_expires": st.certNotAfter.UTC().Format(time.RFC3339),
			"client_ca_expires":   st.caNotAfter.UTC().Format(time.RFC3339),
			"loaded_at":           st.loadedAt.UTC().Format(time.RFC3339),
			"reloads":             s.reloads.Load(),
		})
	})
	return mux
}

// handshakeReason names why a client's handshake failed, for logs and metrics.
func handshakeReason(err error) string {
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) {
		var ua x509.UnknownAuthorityError
		var ci x509.CertificateInvalidError
		switch {
		case errors.As(err, &ua):
			return "unknown-ca"
		case errors.As(err, &ci) && ci.Reason == x509.Expired:
			return "expired"
		case errors.As(err, &ci) && ci.Reason == x509.IncompatibleUsage:
			return "wrong-eku"
		}
		return "bad-certificate"
	}
	var incompatible x509.CertificateInvalidError
	if errors.As(err, &incompatible) && incompatible.Reason == x509.IncompatibleUsage {
		return "wrong-eku"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "didn't provide a certificate"):
		return "no-certificate"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "timeout"):
		return "handshake-timeout"
	case strings.Contains(msg, "protocol version"):
		return "protocol-version"
	}
	return "handshake-failed"
}
