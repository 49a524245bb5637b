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
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"
)

// The client side of the proxy: HTTP/1.1 on connections whose TLS handshake the
// handshakeListener finished. Requests are parsed by net/http's own http.ReadRequest (the
// parser net/http's server uses) and checked as that server checks them (protocol version,
// Host, header names and values, header size); answers are framed here. What net/http's
// server adds around that per request (a context and a background read of the connection for
// every request, a response object with a buffered writer and a copy of the handler's header,
// two or three deadline updates) was a tenth to a seventh of guard's CPU per kept-alive request;
// here a connection's deadlines move only when they would otherwise end early, and a request
// whose answer is slow to come gets a watch on its connection, so that a client that leaves
// still interrupts the exchange with the application (see BENCHMARKS.md, "crossgate guard").
//
// The application never sees the client's framing: guard writes every request anew
// (upstream.go), so a message the client framed ambiguously cannot be read differently there.

const (
	// maxDrainBytes is how much of a request body the handler left unread is read to keep
	// the connection (net/http reads 256 KiB too); past it the connection is closed.
	maxDrainBytes = 256 << 10
	// watchAfter is how long a request's answer may take before its connection is watched
	// for the client going away.
	watchAfter = 100 * time.Millisecond
)

// front serves the connections of one Run.
type front struct {
	s        *Server
	h        http.Handler
	mu       sync.Mutex
	conns    map[*frontConn]struct{}
	shutting atomic.Bool
	wg       sync.WaitGroup
}

func newFront(s *Server, h http.Handler) *front {
	return &front{s: s, h: h, conns: map[*frontConn]struct{}{}}
}

// serve accepts until ln is closed.
func (f *front) serve(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		tc, ok := c.(*tls.Conn)
		if !ok {
			c.Close()
			continue
		}
		fc := f.newConn(tc)
		f.mu.Lock()
		if f.shutting.Load() {
			f.mu.Unlock()
			tc.Close()
			continue
		}
		f.conns[fc] = struct{}{}
		f.wg.Add(1)
		f.mu.Unlock()
		go fc.serve()
	}
}

// shutdown lets every connection finish the request it is serving, closes idle ones, and
// waits until all are closed or ctx ends (then closes the rest).
func (f *front) shutdown(ctx context.Context) error {
	f.shutting.Store(true)
	f.wakeIdle()
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	// A connection that went idle after the sweep sees shutting itself; one that was about to
	// wait is woken by a second sweep.
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return nil
		case <-tick.C:
			f.wakeIdle()
		case <-ctx.Done():
			f.mu.Lock()
			for fc := range f.conns {
				fc.tc.Close()
			}
			f.mu.Unlock()
			<-done
			return ctx.Err()
		}
	}
}

// wakeIdle ends the wait for a request of every idle connection (which then sees shutting).
func (f *front) wakeIdle() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for fc := range f.conns {
		if fc.idle.Load() {
			fc.tc.NetConn().SetReadDeadline(time.Unix(1, 0))
		}
	}
}

// frontConn is one client connection.
type frontConn struct {
	f        *front
	tc       *tls.Conn
	state    tls.ConnectionState
	ctx      context.Context
	remote   string
	lim      limitReader
	br       *bufio.Reader
	bw       *bufio.Writer
	idle     atomic.Bool
	deadline time.Time // the read deadline as last set
	// answered: the last thing on the connection was an answer the client may still be
	// reading, so closing waits for the client's side (linger).
	answered bool
}

// lingerFor bounds how long a closing connection waits for the client to stop sending.
const lingerFor = 500 * time.Millisecond

// linger ends the sending side and reads what the client still sends, for a moment, before
// the connection is closed: closing with unread input makes the kernel reset the connection,
// and a reset can destroy the answer before the client has read it (net/http waits the same
// 500 ms).
func (fc *frontConn) linger() {
	fc.tc.CloseWrite()
	if tcp, ok := fc.tc.NetConn().(interface{ CloseWrite() error }); ok {
		tcp.CloseWrite()
	}
	fc.tc.NetConn().SetReadDeadline(time.Now().Add(lingerFor))
	io.Copy(io.Discard, io.LimitReader(fc.tc.NetConn(), 1<<20))
}

func (f *front) newConn(tc *tls.Conn) *frontConn {
	fc := &frontConn{f: f, tc: tc, state: tc.ConnectionState(), ctx: context.Background(), remote: tc.RemoteAddr().String()}
	if len(fc.state.VerifiedChains) == 0 {
		// Verified in VerifyConnection already (a custom advertised CA list); once more to
		// hand over the chains.
		if st := f.s.state.Load(); st.trust != nil {
			if chains, err := verifyClient(fc.state, st.trust); err == nil {
				fc.ctx = context.WithValue(fc.ctx, chainsKey{}, chains)
			}
		}
	}
	fc.lim = limitReader{r: tc, n: -1, err: errRequestHeaderTooLarge}
	fc.br = bufio.NewReaderSize(&fc.lim, 4<<10)
	fc.bw = bufio.NewWriterSize(tc, 4<<10)
	return fc
}

// setReadDeadline moves the read deadline to d unless the one set ends no later than d and
// at most slack before it.
func (fc *frontConn) setReadDeadline(d time.Time, slack time.Duration) {
	if d.IsZero() {
		if !fc.deadline.IsZero() {
			fc.tc.SetReadDeadline(d)
			fc.deadline = d
		}
		return
	}
	if !fc.deadline.IsZero() && !fc.deadline.After(d) && fc.deadline.After(d.Add(-slack)) {
		return
	}
	fc.tc.SetReadDeadline(d)
	fc.deadline = d
}

func (fc *frontConn) serve() {
	defer func() {
		if fc.answered {
			fc.linger()
		}
		fc.tc.Close()
		fc.f.mu.Lock()
		delete(fc.f.conns, fc)
		fc.f.mu.Unlock()
		fc.f.wg.Done()
	}()
	for fc.next() {
	}
}

// next serves one request and reports whether the connection stays open for another.
func (fc *frontConn) next() bool {
	cfg := fc.f.s.state.Load().cfg
	// Waiting for the request: its header must be complete HeaderTimeout after the wait
	// began; a connection that sends nothing at all may stay idle for IdleTimeout.
	fc.idle.Store(true)
	if fc.f.shutting.Load() {
		return false
	}
	start := time.Now()
	fc.setReadDeadline(start.Add(cfg.HeaderTimeout), cfg.HeaderTimeout/16)
	if _, err := fc.br.Peek(1); err != nil {
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() || fc.f.shutting.Load() || cfg.IdleTimeout <= cfg.HeaderTimeout {
			return false
		}
		// Nothing arrived yet: wait on, up to the idle timeout, then give the header its time.
		fc.setReadDeadline(start.Add(cfg.IdleTimeout), 0)
		if _, err := fc.br.Peek(1); err != nil || fc.f.shutting.Load() {
			return false
		}
		fc.setReadDeadline(time.Now().Add(cfg.HeaderTimeout), 0)
	}
	fc.idle.Store(false)
	fc.lim.n = int64(cfg.MaxHeaderBytes) + 4096 // as net/http: the header bound plus room for the request line
	req, err := http.ReadRequest(fc.br)
	tooLarge := fc.lim.n == 0
	fc.lim.n = -1
	if err != nil {
		var ne net.Error
		switch {
		case tooLarge:
			fc.refuse(http.StatusRequestHeaderFieldsTooLarge, "request header too large")
		case errors.Is(err, io.EOF):
			return false // the client closed between requests
		case !errors.As(err, &ne):
			fc.refuse(http.StatusBadRequest, "malformed request")
		}
		fc.f.s.log.Debug("request not read", "remote", fc.remote, "error", err.Error())
		return false
	}
	if msg, status := checkRequest(req); status != 0 {
		fc.refuse(status, msg)
		return false
	}
	req.TLS = &fc.state
	req.RemoteAddr = fc.remote
	hasBody := req.Body != http.NoBody
	if hasBody {
		// The body is part of the exchange --upstream-timeout bounds: a client that sends it
		// slowly (or never) holds the connection no longer than that.
		fc.setReadDeadline(time.Now().Add(cfg.UpstreamTimeout), 0)
	}
	w := &frontWriter{fc: fc, req: req, h: make(http.Header, 8), contentLength: -1,
		closeAfter: req.Close || req.ProtoMinor == 0 || fc.f.shutting.Load()}
	var body *bodyTracker
	if hasBody {
		body = &bodyTracker{r: req.Body}
		req.Body = body
	}
	if hasBody && req.Header.Get("Expect") != "" {
		if !strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
			w.closeAfter = true
			w.plain(http.StatusExpectationFailed, "expectation failed")
			w.finish()
			fc.answered = true
			return false
		}
		req.Body = &continueReader{ReadCloser: req.Body, w: w}
	}
	ok := fc.handle(w, req)
	if !ok {
		return false
	}
	if cr, ok := req.Body.(*continueReader); ok && !cr.sent {
		// The client holds its body back until told to continue, and was answered without
		// it: the connection ends here rather than wait for a body that will not come.
		hasBody = false
		w.closeAfter = true
	}
	if hasBody && !body.eof {
		// What the handler left unread is read (to a bound) so the next request starts where
		// it should; a request whose body goes on is the connection's last.
		if n, err := io.CopyN(io.Discard, body, maxDrainBytes+1); n > maxDrainBytes || (err != nil && err != io.EOF) || !body.eof {
			w.closeAfter = true
		}
	}
	if !w.finish() {
		return false
	}
	if w.closeAfter {
		fc.answered = true
		return false
	}
	return true
}

// handle runs the handler with the request's context, a watch on the connection once the
// answer is slow, and recovery from a panic (the connection is then closed, as net/http does).
func (fc *frontConn) handle(w *frontWriter, req *http.Request) (ok bool) {
	ctx, cancel := context.WithCancel(fc.ctx)
	defer cancel()
	req = req.WithContext(ctx)
	var watch *watcher
	if req.Body == http.NoBody {
		// Only a request without a body leaves the connection unread while it is served.
		watch = &watcher{fc: fc, cancel: cancel}
		watch.timer = time.AfterFunc(watchAfter, watch.start)
	}
	defer func() {
		if watch != nil {
			watch.stop()
		}
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				ok = false
				return
			}
			fc.f.s.log.Error("panic serving a request", "remote", fc.remote, "panic", fmt.Sprint(p))
			ok = false
		}
	}()
	fc.f.h.ServeHTTP(w, req)
	return true
}

// watcher notices a client that goes away while its request is served: it waits for the
// connection to become readable, which for a client waiting on its answer means the end of
// the stream (or the next pipelined request, which is left in the buffer).
type watcher struct {
	fc      *frontConn
	cancel  context.CancelFunc
	timer   *time.Timer
	mu      sync.Mutex
	started bool
	done    chan struct{}
}

func (w *watcher) start() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done != nil || w.started {
		return
	}
	w.started = true
	w.done = make(chan struct{})
	w.fc.setReadDeadline(time.Time{}, 0)
	go func() {
		defer close(w.done)
		if _, err := w.fc.br.Peek(1); err != nil {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				w.cancel()
			}
		}
	}()
}

func (w *watcher) stop() {
	w.timer.Stop()
	w.mu.Lock()
	started := w.started
	w.started = true // a late start does nothing
	done := w.done
	w.mu.Unlock()
	if !started || done == nil {
		return
	}
	w.fc.tc.SetReadDeadline(time.Unix(1, 0))
	<-done
	w.fc.deadline = time.Unix(1, 0) // the next wait sets its own
}

// checkRequest applies the checks net/http's server makes of a request ReadRequest accepted,
// and refuses what a reverse proxy in front of an application has no business with.
func checkRequest(r *http.Request) (string, int) {
	if r.ProtoMajor != 1 {
		return "unsupported protocol version", http.StatusHTTPVersionNotSupported
	}
	// http.ReadRequest moved the Host field to r.Host.
	if r.ProtoAtLeast(1, 1) && r.Host == "" {
		return "missing required Host header", http.StatusBadRequest
	}
	if r.Host != "" && !httpguts.ValidHostHeader(r.Host) {
		return "malformed Host header", http.StatusBadRequest
	}
	for k, vv := range r.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return "invalid header name", http.StatusBadRequest
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return "invalid header value", http.StatusBadRequest
			}
		}
	}
	if r.Method == http.MethodConnect {
		return "CONNECT is not served: guard is not a forward proxy", http.StatusMethodNotAllowed
	}
	if r.URL.Host != "" || r.RequestURI == "*" && r.Method != http.MethodOptions {
		return "only origin-form request targets are served", http.StatusBadRequest
	}
	return "", 0
}

// refuse answers a request that could not be read or is refused before any handler, and the
// connection is closed after it.
func (fc *frontConn) refuse(status int, msg string) {
	fc.answered = true
	body := strconv.Itoa(status) + " " + http.StatusText(status) + ": " + msg + "\n"
	fmt.Fprintf(fc.bw, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		status, http.StatusText(status), len(body), body)
	fc.bw.Flush()
}

// bodyTracker is the request body as the handler sees it: it notes the end of the body, and
// its Close (which (*http.Request).Write calls once the body is sent upstream) leaves the
// body to the connection, which reads what is left before the next request.
type bodyTracker struct {
	r   io.ReadCloser
	eof bool
}

func (b *bodyTracker) Read(p []byte) (int, error) {
	if b.eof {
		return 0, io.EOF
	}
	n, err := b.r.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *bodyTracker) Close() error { return nil }

// continueReader sends "100 Continue" when the handler first reads a body the client holds
// back until asked.
type continueReader struct {
	io.ReadCloser
	w    *frontWriter
	sent bool
}

func (c *continueReader) Read(p []byte) (int, error) {
	if !c.sent {
		c.sent = true
		if !c.w.wrote {
			c.w.fc.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err := c.w.fc.bw.Flush(); err != nil {
				return 0, err
			}
		}
	}
	return c.ReadCloser.Read(p)
}

// frontWriter is the http.ResponseWriter of one request.
type frontWriter struct {
	fc            *frontConn
	req           *http.Request
	h             http.Header
	wrote         bool
	status        int
	chunked       bool
	noBody        bool
	contentLength int64 // -1: none declared
	written       int64
	closeAfter    bool
	failed        bool // a write to the client failed
}

func (w *frontWriter) Header() http.Header { return w.h }

// responseExclude are the fields guard frames itself.
var responseExclude = map[string]bool{"Content-Length": true, "Transfer-Encoding": true, "Connection": true, "Trailer": true}

func (w *frontWriter) WriteHeader(code int) {
	if w.wrote || code < 200 {
		return // interim answers are not relayed (the application's are skipped upstream)
	}
	w.wrote, w.status = true, code
	h := w.h
	w.noBody = w.req.Method == http.MethodHead || code == http.StatusNoContent || code == http.StatusNotModified
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.contentLength = n
		}
	}
	if w.fc.f.shutting.Load() {
		w.closeAfter = true // say so: the connection ends with this answer
	}
	bw := w.fc.bw
	bw.WriteString("HTTP/1.1 ")
	bw.WriteString(strconv.Itoa(code))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(code))
	bw.WriteString("\r\n")
	if _, ok := h["Date"]; !ok {
		bw.WriteString("Date: ")
		bw.WriteString(httpDate())
		bw.WriteString("\r\n")
	}
	switch {
	case w.contentLength >= 0:
		if code != http.StatusNoContent && code != http.StatusNotModified {
			bw.WriteString("Content-Length: ")
			bw.WriteString(strconv.FormatInt(w.contentLength, 10))
			bw.WriteString("\r\n")
		}
	case w.noBody:
	case w.req.ProtoAtLeast(1, 1):
		w.chunked = true
		bw.WriteString("Transfer-Encoding: chunked\r\n")
		if tr := h.Values("Trailer"); len(tr) > 0 {
			bw.WriteString("Trailer: ")
			bw.WriteString(strings.Join(tr, ", "))
			bw.WriteString("\r\n")
		}
	default:
		w.closeAfter = true // an HTTP/1.0 body of unknown length ends with the connection
	}
	if w.closeAfter {
		bw.WriteString("Connection: close\r\n")
	}
	for k := range h {
		if strings.HasPrefix(k, http.TrailerPrefix) {
			delete(h, k) // set before the header went out: not a trailer any more
		}
	}
	writeFields(bw, h, responseExclude)
	bw.WriteString("\r\n")
}

// writeFields writes the header's fields but those guard frames itself, in map order (a
// sorted order, as Header.Write gives, costs a sort per answer and means nothing to HTTP). A
// name that is not a valid field name is left out and CR or LF in a value becomes a space, so
// no field can start another line.
func writeFields(bw *bufio.Writer, h http.Header, exclude map[string]bool) {
	for k, vv := range h {
		if exclude[k] || !httpguts.ValidHeaderFieldName(k) {
			continue
		}
		for _, v := range vv {
			bw.WriteString(k)
			bw.WriteString(": ")
			bw.WriteString(fieldValue(v))
			bw.WriteString("\r\n")
		}
	}
}

// newlineToSpace is what net/http's Header.Write does to CR and LF in a value.
var newlineToSpace = strings.NewReplacer("\r", " ", "\n", " ")

// fieldValue is v as net/http writes it: CR and LF become spaces, and the ends are trimmed of
// HTTP whitespace (not of other Unicode spaces).
func fieldValue(v string) string {
	if strings.ContainsAny(v, "\r\n") {
		v = newlineToSpace.Replace(v)
	}
	return textproto.TrimString(v)
}

func (w *frontWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.failed {
		return 0, errClientGone
	}
	if w.noBody {
		return len(b), nil
	}
	if w.contentLength >= 0 && w.written+int64(len(b)) > w.contentLength {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(b))
	bw := w.fc.bw
	if w.chunked {
		if len(b) == 0 {
			return 0, nil
		}
		bw.WriteString(strconv.FormatInt(int64(len(b)), 16))
		bw.WriteString("\r\n")
	}
	n, err := bw.Write(b)
	if w.chunked && err == nil {
		_, err = bw.WriteString("\r\n")
	}
	if err != nil {
		w.failed = true
	}
	return n, err
}

var (
	errClientGone            = errors.New("the client connection failed")
	errRequestHeaderTooLarge = errors.New("the request header exceeds --max-header-bytes")
)

// FlushError sends what is buffered (http.ResponseController uses it).
func (w *frontWriter) FlushError() error {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if err := w.fc.bw.Flush(); err != nil {
		w.failed = true
		return err
	}
	return nil
}

func (w *frontWriter) Flush() { w.FlushError() }

// plain writes a short text answer.
func (w *frontWriter) plain(status int, msg string) {
	w.h.Set("Content-Type", "text/plain; charset=utf-8")
	w.h.Set("Content-Length", strconv.Itoa(len(msg)+1))
	w.WriteHeader(status)
	w.Write([]byte(msg + "\n"))
}

// finish ends the answer and sends it; it reports whether the connection can serve another
// request.
func (w *frontWriter) finish() bool {
	if !w.wrote {
		if !w.noBody {
			w.h.Set("Content-Length", "0")
		}
		w.WriteHeader(http.StatusOK)
	}
	bw := w.fc.bw
	if w.chunked && !w.failed {
		bw.WriteString("0\r\n")
		for k, vv := range w.h {
			if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && httpguts.ValidHeaderFieldName(name) {
				for _, v := range vv {
					if httpguts.ValidHeaderFieldValue(v) {
						bw.WriteString(name + ": " + v + "\r\n")
					}
				}
			}
		}
		bw.WriteString("\r\n")
	}
	if w.contentLength >= 0 && !w.noBody && w.written < w.contentLength {
		w.closeAfter = true // the answer was cut short: the client must not wait for the rest
	}
	if err := bw.Flush(); err != nil || w.failed {
		return false
	}
	return !w.closeAfter
}

// httpDate is the Date field's value, formatted once a second.
func httpDate() string {
	now := time.Now().Unix()
	if d := cachedDate.Load(); d != nil && d.unix == now {
		return d.text
	}
	d := &dateText{unix: now, text: time.Unix(now, 0).UTC().Format(http.TimeFormat)}
	cachedDate.Store(d)
	return d.text
}

type dateText struct {
	unix int64
	text string
}

var cachedDate atomic.Pointer[dateText]
