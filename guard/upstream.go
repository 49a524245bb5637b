package guard

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"
)

// The upstream side. Requests go to the application over HTTP/1.1 connections that are
// kept alive in a pool, each exchange done by the goroutine serving the client's request:
// the request is written with net/http's own (*http.Request).Write and the answer read with
// net/http's http.ReadResponse, so both directions are framed by the standard library's
// parser, as with httputil.ReverseProxy and http.Transport. What is left out is their
// machinery around it (a deep copy of every request, two goroutines per upstream connection
// and channel hand-offs between them, per-request contexts), which was most of guard's CPU
// per kept-alive request (BENCHMARKS.md, "crossgate guard").

const (
	// maxIdleUpstream bounds the idle connections kept to the application; above any
	// realistic concurrency towards one upstream, so that a burst never closes connections
	// it will need again a moment later.
	maxIdleUpstream = 1024
	// upstreamIdleTimeout: an idle connection older than this is closed, not reused.
	upstreamIdleTimeout = 90 * time.Second
	// checkIdleAfter: a connection idle for longer is checked (a non-blocking peek) before
	// reuse, since the application may have closed it; a busier one is used straight away.
	checkIdleAfter = 500 * time.Millisecond
	// maxUpstreamHeaderBytes bounds the status line and header of an application response.
	maxUpstreamHeaderBytes = 1 << 20
	dialTimeout            = 5 * time.Second
)

// errUpstreamHeaderTooLarge is returned when the application's header exceeds the bound.
var errUpstreamHeaderTooLarge = errors.New("the application's response header exceeds 1 MiB")

// upstream forwards requests to the application. It is the last handler, after Guard.
type upstream struct {
	s    *Server
	mu   sync.Mutex
	idle []*upConn // most recently used last
}

// upConn is one kept-alive connection to the application.
type upConn struct {
	key       string // scheme://host:port it was dialled for
	conn      net.Conn
	lim       limitReader
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
	deadline  time.Time // the connection's deadline as last set
}

// limitReader reads from r, failing once n bytes were read while n is in force (n < 0: no
// bound). It bounds a response header, not the body.
type limitReader struct {
	r   io.Reader
	n   int64
	err error // returned at the bound
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n < 0 {
		return l.r.Read(p)
	}
	if l.n == 0 {
		return 0, l.err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := u.s.state.Load()
	start := time.Now()
	resp, uc, stop, err := u.roundTrip(r, st, start)
	answered := time.Now()
	u.s.metrics.upstream.Observe(answered.Sub(start).Seconds())
	if err != nil {
		u.fail(w, r, err)
		return
	}
	reusable := u.relay(w, resp)
	// stop is false once the client went away and the connection was interrupted.
	if stop() && reusable && !resp.Close {
		u.put(uc, answered)
	} else {
		uc.conn.Close()
	}
}

// outbound turns the client's request into the application's, in place: the URL joined
// with the upstream's, the client's Host kept, X-Forwarded-* set (not appended) and the
// hop-by-hop fields removed (Guard's Sanitize has removed them already; a Handler built
// without Guard still must not pass them on). The request is the handler's own, so no copy
// is made (a copy of the request and its URL was a tenth of the bytes guard allocated per
// request); restore puts back the URL and Close for whoever looks at the request later
// (the access log).
func outbound(r *http.Request, up *url.URL) (restore func()) {
	saved, savedClose := *r.URL, r.Close
	u := r.URL
	u.Path, u.RawPath = joinURLPath(up, &saved)
	u.Scheme, u.Host = up.Scheme, up.Host
	h := r.Header
	removeHopByHop(h)
	removeFields(h, forwarding)
	// The body is sent at once: the client was told to continue when its body was first
	// read, and a 100 from the application is skipped when the answer is read.
	delete(h, "Expect")
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = []string{""} // Write would otherwise add Go's
	}
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		h["X-Forwarded-For"] = []string{ip}
	}
	h["X-Forwarded-Host"] = []string{r.Host}
	proto := "http"
	if r.TLS != nil {
		proto = "https"
	}
	h["X-Forwarded-Proto"] = []string{proto}
	// Whether the client's connection stays open is not the application's business.
	r.Close = false
	return func() { *r.URL, r.Close = saved, savedClose }
}

// joinURLPath puts the client's path under the upstream's base path, as ReverseProxy's
// SetURL does.
func joinURLPath(base, in *url.URL) (path, rawpath string) {
	if base.Path == "" || base.Path == "/" {
		return in.Path, in.RawPath
	}
	if base.RawPath == "" && in.RawPath == "" {
		return singleJoiningSlash(base.Path, in.Path), ""
	}
	apath, bpath := base.EscapedPath(), in.EscapedPath()
	switch aslash, bslash := strings.HasSuffix(apath, "/"), strings.HasPrefix(bpath, "/"); {
	case aslash && bslash:
		return base.Path + in.Path[1:], apath + bpath[1:]
	case !aslash && !bslash:
		return base.Path + "/" + in.Path, apath + "/" + bpath
	}
	return base.Path + in.Path, apath + bpath
}

func singleJoiningSlash(a, b string) string {
	aslash, bslash := strings.HasSuffix(a, "/"), strings.HasPrefix(b, "/")
	switch {
	case aslash && bslash:
		return a + b[1:]
	case !aslash && !bslash:
		return a + "/" + b
	}
	return a + b
}

// replayable reports a request that can be sent again on a new connection when a pooled
// one turns out to have been closed by the application: one without a body, of a method
// that changes nothing.
func replayable(r *http.Request) bool {
	if r.Body != nil && r.Body != http.NoBody && r.ContentLength != 0 {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

// roundTrip sends r to the application and reads the answer's header. On a pooled
// connection that fails before any answer arrived, a replayable request is sent once more
// on a new connection (the application may close idle connections at any time).
//
// Until stop is called, a client that goes away interrupts the exchange (the connection's
// deadline is moved to the past); stop reports whether the connection was left alone.
func (u *upstream) roundTrip(r *http.Request, st *state, now time.Time) (resp *http.Response, uc *upConn, stop func() bool, err error) {
	restore := outbound(r, st.upstream)
	defer restore()
	deadline := now.Add(st.cfg.UpstreamTimeout)
	// A deadline set by a request a moment ago is kept (it ends at most slack sooner than
	// this one's would): moving it costs two timer updates per request.
	slack := min(st.cfg.UpstreamTimeout/16, time.Second)
	key := st.upstream.Scheme + "://" + st.upstream.Host
	for attempt := 0; ; attempt++ {
		var reused bool
		uc, reused = u.get(key, now)
		if uc == nil {
			if uc, err = u.dial(r.Context(), st.upstream, deadline); err != nil {
				return nil, nil, nil, err
			}
		}
		if uc.deadline.Before(deadline.Add(-slack)) || uc.deadline.After(deadline) {
			uc.conn.SetDeadline(deadline)
			uc.deadline = deadline
		}
		conn := uc.conn
		stop = context.AfterFunc(r.Context(), func() { conn.SetDeadline(time.Unix(1, 0)) })
		resp, err = exchange(uc, r)
		if err == nil {
			return resp, uc, stop, nil
		}
		stop()
		uc.conn.Close()
		if r.Context().Err() != nil {
			return nil, nil, nil, r.Context().Err()
		}
		if !reused || attempt > 0 || !replayable(r) || !nothingArrived(err) {
			return nil, nil, nil, err
		}
	}
}

// nothingArrived reports an error that means the connection was already closed when the
// request was sent: no byte of an answer came back.
func nothingArrived(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// maxInterimAnswers bounds the 1xx answers skipped before the final one (http.Transport
// allows 5 too): an application cannot keep an exchange going with interim answers alone.
const maxInterimAnswers = 5

var errTooManyInterim = errors.New("the application sent more than 5 interim (1xx) answers")

// exchange writes the request and reads the final answer's header, skipping interim (1xx)
// answers other than 101.
func exchange(uc *upConn, out *http.Request) (*http.Response, error) {
	if err := writeRequest(uc.bw, out); err != nil {
		return nil, err
	}
	if err := uc.bw.Flush(); err != nil {
		return nil, err
	}
	for interim := 0; ; interim++ {
		if interim > maxInterimAnswers {
			return nil, errTooManyInterim
		}
		uc.lim.n = maxUpstreamHeaderBytes
		resp, err := http.ReadResponse(uc.br, out)
		uc.lim.n = -1
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || resp.StatusCode == http.StatusSwitchingProtocols {
			return resp, nil
		}
	}
}

// requestExclude are the fields writeRequest writes itself or never sends, as
// (*http.Request).Write does.
var requestExclude = map[string]bool{"Host": true, "User-Agent": true, "Content-Length": true, "Transfer-Encoding": true, "Trailer": true}

// writeRequest writes r as (*http.Request).Write does, field order aside. A GET or HEAD
// without a body (most of what an API proxy carries) is written here: the fields in map
// order, with no sort and no framing logic, which was half of what writing a request cost
// (BENCHMARKS.md, "crossgate guard"). Anything else (a body, trailers, a Host that Write
// would change or blank, a request URI Write would refuse) goes to Write itself.
func writeRequest(bw *bufio.Writer, r *http.Request) error {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || (r.Body != nil && r.Body != http.NoBody) ||
		r.ContentLength != 0 || len(r.TransferEncoding) != 0 || len(r.Trailer) != 0 || !plainHost(host) {
		return r.Write(bw)
	}
	ruri := r.URL.RequestURI()
	if hasCTL(ruri) {
		return r.Write(bw)
	}
	ua := "Go-http-client/1.1" // Write's default when the field is absent
	if vv, ok := r.Header["User-Agent"]; ok {
		ua = ""
		if len(vv) > 0 {
			ua = vv[0]
		}
	}
	bw.WriteString(r.Method)
	bw.WriteByte(' ')
	bw.WriteString(ruri)
	bw.WriteString(" HTTP/1.1\r\nHost: ")
	bw.WriteString(host)
	bw.WriteString("\r\n")
	if ua != "" { // tested before trimming, as Write does
		bw.WriteString("User-Agent: ")
		bw.WriteString(fieldValue(ua))
		bw.WriteString("\r\n")
	}
	writeFields(bw, r.Header, requestExclude)
	_, err := bw.WriteString("\r\n")
	return err
}

// plainHost reports a Host value that (*http.Request).Write sends unchanged: valid as a
// field, ASCII (no Punycode conversion) and without an IPv6 zone.
func plainHost(host string) bool {
	if !httpguts.ValidHostHeader(host) || strings.IndexByte(host, '%') >= 0 {
		return false
	}
	for i := 0; i < len(host); i++ {
		if host[i] >= 0x80 {
			return false
		}
	}
	return true
}

// hasCTL reports a control byte, which (*http.Request).Write refuses in a request URI.
func hasCTL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// relay copies the answer to the client and reports whether the connection to the
// application can serve another request (its body was read to the end).
func (u *upstream) relay(w http.ResponseWriter, resp *http.Response) bool {
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// guard removes Upgrade from every request; an application that switches anyway
		// gets no tunnel.
		u.fail(w, nil, errors.New("the application switched protocols, which guard does not relay"))
		return false
	}
	h := w.Header()
	removeHopByHop(resp.Header)
	for k, vv := range resp.Header {
		h[k] = append(h[k], vv...)
	}
	for k := range resp.Trailer {
		h.Add("Trailer", k)
	}
	w.WriteHeader(resp.StatusCode)
	streaming := resp.ContentLength < 0 || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream")
	buf := copyBufferPool.Get().(*[]byte)
	err := copyBody(w, resp.Body, *buf, streaming)
	copyBufferPool.Put(buf)
	if err != nil {
		return false // the connection is closed, not drained
	}
	for k, vv := range resp.Trailer {
		h[http.TrailerPrefix+k] = vv
	}
	return resp.Body.Close() == nil
}

// copyBody copies the body, flushing after every read when the answer streams. It returns
// the first read or write error (io.EOF is the end, not an error).
func copyBody(w http.ResponseWriter, body io.Reader, buf []byte, streaming bool) error {
	var rc *http.ResponseController
	if streaming {
		rc = http.NewResponseController(w)
	}
	for {
		n, rerr := body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return err
			}
			if streaming {
				if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
					return err
				}
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			return rerr
		}
	}
}

func (u *upstream) fail(w http.ResponseWriter, r *http.Request, err error) {
	u.s.metrics.upstreamErrors.Inc()
	path := ""
	if r != nil {
		path = r.URL.Path
	}
	u.s.log.Warn("upstream request failed", "error", err.Error(), "path", path)
	status := http.StatusBadGateway
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		status = http.StatusGatewayTimeout
	}
	h := w.Header()
	for k := range h {
		delete(h, k)
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintln(w, http.StatusText(status)+": the application did not answer")
}

// get takes the most recently used idle connection for key, closing on the way those that
// are too old, dialled for another upstream, or found closed.
func (u *upstream) get(key string, now time.Time) (*upConn, bool) {
	for {
		u.mu.Lock()
		n := len(u.idle)
		if n == 0 {
			u.mu.Unlock()
			return nil, false
		}
		uc := u.idle[n-1]
		u.idle[n-1] = nil
		u.idle = u.idle[:n-1]
		u.mu.Unlock()
		idle := now.Sub(uc.idleSince)
		if uc.key != key || idle > upstreamIdleTimeout || (idle > checkIdleAfter && !alive(uc)) {
			uc.conn.Close()
			continue
		}
		return uc, true
	}
}

// put keeps uc for the next request, closing the oldest idle connection when full.
func (u *upstream) put(uc *upConn, now time.Time) {
	uc.idleSince = now // its deadline is left: the next exchange sets its own
	u.mu.Lock()
	var drop *upConn
	if len(u.idle) >= maxIdleUpstream {
		drop = u.idle[0]
		copy(u.idle, u.idle[1:])
		u.idle = u.idle[:len(u.idle)-1]
	} else if len(u.idle) > 0 && uc.idleSince.Sub(u.idle[0].idleSince) > upstreamIdleTimeout {
		drop = u.idle[0] // the oldest has outlived its use: trim from the cold end
		u.idle = u.idle[1:]
	}
	u.idle = append(u.idle, uc)
	u.mu.Unlock()
	if drop != nil {
		drop.conn.Close()
	}
}

// closeIdle closes every idle connection (shutdown).
func (u *upstream) closeIdle() {
	u.mu.Lock()
	idle := u.idle
	u.idle = nil
	u.mu.Unlock()
	for _, uc := range idle {
		uc.conn.Close()
	}
}

// alive reports whether an idle connection is still open: a non-blocking peek sees
// nothing (open) rather than the end of the stream or unexpected bytes.
func alive(uc *upConn) bool {
	if uc.br.Buffered() > 0 {
		return false // bytes nobody asked for: the connection is out of step
	}
	var raw net.Conn = uc.conn
	if tc, ok := raw.(*tls.Conn); ok {
		raw = tc.NetConn()
	}
	sc, ok := raw.(syscall.Conn)
	if !ok {
		return true
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := true
	var b [1]byte
	rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		open = n < 0 && (err == syscall.EAGAIN || err == syscall.EWOULDBLOCK)
		return true
	})
	return open
}

// dial opens a connection to the application (TLS for an https upstream, verified against
// the system roots with the upstream's host name).
func (u *upstream) dial(ctx context.Context, up *url.URL, deadline time.Time) (*upConn, error) {
	d := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Deadline: deadline}
	addr := up.Host
	if up.Port() == "" {
		if up.Scheme == "https" {
			addr = net.JoinHostPort(up.Hostname(), "443")
		} else {
			addr = net.JoinHostPort(up.Hostname(), "80")
		}
	}
	var c net.Conn
	var err error
	if up.Scheme == "https" {
		td := &tls.Dialer{NetDialer: d, Config: &tls.Config{ServerName: up.Hostname(), MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}}}
		c, err = td.DialContext(ctx, "tcp", addr)
	} else {
		c, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, err
	}
	uc := &upConn{key: up.Scheme + "://" + up.Host, conn: c}
	uc.lim = limitReader{r: c, n: -1, err: errUpstreamHeaderTooLarge}
	uc.br = bufio.NewReaderSize(&uc.lim, 16<<10)
	uc.bw = bufio.NewWriterSize(c, 16<<10)
	return uc, nil
}

// copyBuffers recycles body copy buffers.
const copyBufferSize = 32 << 10

var copyBufferPool = sync.Pool{New: func() any { b := make([]byte, copyBufferSize); return &b }}
