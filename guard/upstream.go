package guard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"sync"
	"time"
)

// maxIdleUpstream is how many idle connections to the application are kept. It is above
// any realistic concurrency towards one upstream, so that a burst never closes connections
// it will need again a moment later (the Transport's default keeps two).
const maxIdleUpstream = 1024

// newProxy is the upstream side: a ReverseProxy over one Transport that keeps connections
// to the application alive and bounds each exchange by UpstreamTimeout.
func (s *Server) newProxy() *httputil.ReverseProxy {
	tr := &http.Transport{
		Proxy:               nil, // never an environment proxy: the upstream is ours
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        maxIdleUpstream,
		MaxIdleConnsPerHost: maxIdleUpstream,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// The client's Accept-Encoding goes upstream as sent and the body comes back as
		// the application encoded it; otherwise the Transport would ask for gzip itself
		// and decompress behind the client's back.
		DisableCompression:    true,
		ExpectContinueTimeout: time.Second,
	}
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			st := s.state.Load()
			pr.SetURL(st.upstream)
			pr.Out.Host = pr.In.Host
			// Rewrite starts without the client's X-Forwarded-*; these are set, not appended.
			pr.SetXForwarded()
		},
		// One 32 KiB copy buffer per request would be most of what a request allocates.
		BufferPool: copyBuffers{},
		Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			st := s.state.Load()
			ctx, cancel := context.WithTimeout(r.Context(), st.cfg.UpstreamTimeout)
			start := time.Now()
			resp, err := tr.RoundTrip(r.WithContext(ctx))
			s.metrics.upstream.Observe(time.Since(start).Seconds())
			if err != nil {
				cancel()
				return nil, err
			}
			resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
			return resp, nil
		}),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			s.metrics.rejections.WithLabelValues("upstream-error").Inc()
			s.log.Warn("upstream request failed", "error", err.Error(), "path", r.URL.Path)
			status := http.StatusBadGateway
			if errors.Is(err, context.DeadlineExceeded) {
				status = http.StatusGatewayTimeout
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(status)
			fmt.Fprintln(w, http.StatusText(status)+": the application did not answer")
		},
	}
}

// copyBuffers recycles the ReverseProxy's body copy buffers.
type copyBuffers struct{}

const copyBufferSize = 32 << 10

var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}

func (copyBuffers) Get() []byte { return *copyBufferPool.Get().(*[]byte) }

func (copyBuffers) Put(b []byte) {
	if cap(b) == copyBufferSize {
		b = b[:copyBufferSize]
		copyBufferPool.Put(&b)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cancelBody ends the upstream timeout's context once the body is consumed.
type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelBody) Close() error { err := b.ReadCloser.Close(); b.cancel(); return err }
