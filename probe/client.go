// Package probe is crossgate's HTTP/TLS probing client. It presents client identities,
// records every exchange as evidence, and bounds every operation: per-request timeout,
// response-size cap, a rate limit and a connection cap per origin, no redirects followed,
// read-only methods unless the caller opts in, and a client certificate only ever sent to a
// host the user named.
//
// Connections are kept alive per identity and origin, with a TLS session cache, so the
// endpoints of one origin share the user's handshakes. A request marked Fresh gets a new
// connection and a full handshake (no resumption): the mTLS checks need to see the
// CertificateRequest and how a handshake without a certificate ends, and a TLS 1.3 resumed
// session shows neither.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Identity is a client identity a probe can present. A nil *Identity, or one with a nil
// Certificate, sends no client certificate.
type Identity struct {
	Name        string
	Certificate *tls.Certificate
	// Minted marks identities crossgate made itself (throwaway CA, expired, self-signed).
	Minted bool
}

// None is the identity without a client certificate.
var None = &Identity{Name: "none"}

// Subject returns the leaf certificate's subject in RFC 2253 form, or "".
func (id *Identity) Subject() string {
	if leaf := id.Leaf(); leaf != nil {
		return leaf.Subject.String()
	}
	return ""
}

// Leaf returns the parsed leaf certificate, or nil.
func (id *Identity) Leaf() *x509.Certificate {
	if id == nil || id.Certificate == nil || len(id.Certificate.Certificate) == 0 {
		return nil
	}
	if id.Certificate.Leaf != nil {
		return id.Certificate.Leaf
	}
	c, err := x509.ParseCertificate(id.Certificate.Certificate[0])
	if err != nil {
		return nil
	}
	return c
}

func (id *Identity) name() string {
	if id == nil {
		return None.Name
	}
	return id.Name
}

// Config bounds the client. Zero values take the defaults noted.
type Config struct {
	Timeout time.Duration // per request, connect to last body byte; default 10s
	MaxBody int64         // bytes of body kept; more is not read; default 1 MiB
	Rate    float64       // requests per second per origin; 0 means DefaultRate, <0 unlimited
	// MaxConns caps the connections open to one origin at once, over every identity;
	// 0 means DefaultMaxConns.
	MaxConns    int
	RootCAs     *x509.CertPool
	Insecure    bool        // do not verify the server certificate
	Header      http.Header // sent on every request (the user's -H)
	UserAgent   string
	AllowUnsafe bool // permit methods other than GET, HEAD and OPTIONS
	// Scope lists the host names a client certificate may be presented to: the hosts of the
	// targets the user named. An identity with a certificate is refused for any other host.
	Scope []string
	// Dial overrides the TCP dialer (tests). Nil uses net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Limits shares per-origin rate limiters and connection slots between clients. Nil
	// gives the client limits of its own.
	Limits *Limits
}

const (
	DefaultTimeout = 10 * time.Second
	DefaultMaxBody = 1 << 20
	DefaultRate    = 20
	// DefaultMaxConns is what a browser opens per host (6); it keeps a large scan far below
	// a server's worker limits (nginx: 512 worker connections by default).
	DefaultMaxConns = 6
	maxHeaderBytes  = 64 << 10
)

// Request is one probe.
type Request struct {
	Method   string
	URL      string
	Header   http.Header // added to (and overriding) Config.Header
	Identity *Identity   // nil: no client certificate
	Host     string      // overrides the Host header (not the TLS server name)
	// Fresh forces a new connection, so the TLS handshake is observed for this request.
	Fresh bool
	// NoCache sends the request even if an identical one was answered before.
	NoCache bool
}

// TLSInfo is what the TLS layer showed during the exchange.
type TLSInfo struct {
	Version         uint16
	CipherSuite     uint16
	CertRequested   bool     // the server sent a CertificateRequest
	AcceptableCAs   []string // distinguished names from the CertificateRequest
	SignatureScheme []string
	ClientCertSent  bool
	ServerChain     []*x509.Certificate
	Resumed         bool
	HandshakeDone   bool
}

// VersionName returns e.g. "TLS 1.3".
func (t *TLSInfo) VersionName() string {
	if t == nil || t.Version == 0 {
		return ""
	}
	return tls.VersionName(t.Version)
}

// Exchange is a recorded request and what came back.
type Exchange struct {
	Method        string
	URL           string
	Host          string
	RequestHeader http.Header
	Identity      string
	// IdentitySubject is the subject of the certificate presented, the label reports show
	// (the user knows "CN=alice,O=Example", not crossgate's internal name for it).
	IdentitySubject string

	Status        int
	StatusText    string
	Proto         string
	Header        http.Header
	Body          []byte
	BodyTruncated bool
	// BodyErr is why the body stopped short when the server did it (closed, reset, timed
	// out mid-body); nil when it arrived whole or --max-body cut it.
	BodyErr error

	TLS      *TLSInfo
	Err      error
	ErrKind  ErrKind
	Alert    int // TLS alert code when ErrKind is ErrTLSAlert, else -1
	Duration time.Duration
	Cached   bool // answered from the client's cache, not sent again

	// userHeader names (lower case) the headers the user configured (-H): their values are
	// masked in evidence whatever they are called.
	userHeader map[string]bool
}

// OK reports whether an HTTP response came back.
func (e *Exchange) OK() bool { return e != nil && e.Err == nil && e.Status > 0 }

// Client sends probes. It is safe for concurrent use.
type Client struct {
	cfg   Config
	scope map[string]bool

	mu         sync.Mutex
	transports map[string]*http.Transport
	cache      map[string]*cacheEntry

	sent     atomic.Int64
	timeouts atomic.Int64
}

// TimedOut returns how many requests got no answer within the timeout.
func (c *Client) TimedOut() int64 { return c.timeouts.Load() }

type cacheEntry struct {
	once sync.Once
	ex   *Exchange
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Timeout < 0 {
		return nil, errors.New("timeout must be positive")
	}
	if cfg.MaxBody == 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxBody < 0 {
		return nil, errors.New("body cap must be positive")
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.MaxConns < 0 {
		return nil, errors.New("connection cap must be positive")
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "crossgate"
	}
	if cfg.Limits == nil {
		cfg.Limits = NewLimits()
	}
	c := &Client{cfg: cfg, scope: map[string]bool{}, transports: map[string]*http.Transport{},
		cache: map[string]*cacheEntry{}}
	for _, h := range cfg.Scope {
		c.scope[normHost(h)] = true
	}
	return c, nil
}

// Config returns the client's effective configuration.
func (c *Client) Config() Config { return c.cfg }

// Sent returns how many requests went on the wire (cache hits excluded).
func (c *Client) Sent() int64 { return c.sent.Load() }

// InScope reports whether a client certificate may be presented to host.
func (c *Client) InScope(host string) bool { return c.scope[normHost(host)] }

func normHost(h string) string {
	if hh, _, err := net.SplitHostPort(h); err == nil {
		h = hh
	}
	return strings.ToLower(strings.Trim(h, "[]"))
}

// SafeMethod reports whether m is one crossgate sends by default.
func SafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// CountSent records requests sent outside Do (raw handshakes by the mTLS inspector).
func (c *Client) CountSent(n int) { c.sent.Add(int64(n)) }

// TLSConfig returns the client-side TLS configuration used for host with identity id,
// with the certificate withheld when host is out of scope. info, when non-nil, receives
// what the handshake showed.
func (c *Client) TLSConfig(host string, id *Identity, info *TLSInfo) *tls.Config {
	serverName := normHost(host)
	cert := (*tls.Certificate)(nil)
	if id != nil && id.Certificate != nil && c.InScope(host) {
		cert = id.Certificate
	}
	return &tls.Config{
		ServerName:         serverName,
		RootCAs:            c.cfg.RootCAs,
		InsecureSkipVerify: c.cfg.Insecure, //nolint:gosec // only with --insecure, announced loudly by the CLI
		MinVersion:         tls.VersionTLS10,
		NextProtos:         []string{"http/1.1"},
		GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if info != nil {
				info.CertRequested = true
				info.AcceptableCAs = decodeDNs(cri.AcceptableCAs)
				info.SignatureScheme = info.SignatureScheme[:0]
				for _, s := range cri.SignatureSchemes {
					info.SignatureScheme = append(info.SignatureScheme, SignatureSchemeName(s))
				}
			}
			if cert == nil {
				return &tls.Certificate{}, nil
			}
			if info != nil {
				info.ClientCertSent = true
			}
			return cert, nil
		},
	}
}

func decodeDNs(raw [][]byte) []string {
	var out []string
	for _, r := range raw {
		var seq x509RDN
		if n, err := seq.parse(r); err == nil {
			out = append(out, n)
		}
	}
	return out
}

type holderKey struct{}

// connHolder carries the TLS info of the connection a request used, from the dialer (which
// sees failed handshakes too) and from httptrace (which sees reused connections).
type connHolder struct {
	mu   sync.Mutex
	info *TLSInfo
}

func (h *connHolder) set(i *TLSInfo) { h.mu.Lock(); h.info = i; h.mu.Unlock() }
func (h *connHolder) get() *TLSInfo  { h.mu.Lock(); defer h.mu.Unlock(); return h.info }

type recordedConn struct {
	*tls.Conn
	info *TLSInfo
}

// transport returns the transport of identity id for origin: one per identity and origin,
// so connections and TLS sessions are shared between the origin's endpoints but never between
// identities. Fresh requests get a transport that keeps no connection and resumes no session.
func (c *Client) transport(id *Identity, fresh bool, origin string) *http.Transport {
	key := id.name() + "\x00" + origin
	if fresh {
		key += "\x00fresh"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t := c.transports[key]; t != nil {
		return t
	}
	var sessions tls.ClientSessionCache
	if !fresh {
		sessions = tls.NewLRUClientSessionCache(8)
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		return c.dialCounted(ctx, origin, network, addr)
	}
	t := &http.Transport{
		Proxy:                  nil, // a proxy would see the client certificate's traffic; never implicit
		DialContext:            dial,
		MaxResponseHeaderBytes: maxHeaderBytes,
		ResponseHeaderTimeout:  c.cfg.Timeout,
		IdleConnTimeout:        30 * time.Second,
		MaxIdleConnsPerHost:    c.cfg.MaxConns,
		DisableKeepAlives:      fresh,
		DisableCompression:     true, // keep the bytes the server sent; compressed bombs are not decoded
		DialTLSContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			info := &TLSInfo{}
			if h, ok := ctx.Value(holderKey{}).(*connHolder); ok {
				h.set(info)
			}
			host, _, _ := net.SplitHostPort(addr)
			cfg := c.TLSConfig(host, id, info)
			cfg.ClientSessionCache = sessions
			tc := tls.Client(raw, cfg)
			if dl, ok := ctx.Deadline(); ok {
				_ = raw.SetDeadline(dl)
			}
			if err := tc.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			_ = raw.SetDeadline(time.Time{})
			st := tc.ConnectionState()
			info.HandshakeDone = true
			info.Version, info.CipherSuite, info.Resumed = st.Version, st.CipherSuite, st.DidResume
			info.ServerChain = st.PeerCertificates
			return &recordedConn{Conn: tc, info: info}, nil
		},
	}
	c.transports[key] = t
	return t
}

// CloseIdle closes idle connections of every identity.
func (c *Client) CloseIdle() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.transports {
		t.CloseIdleConnections()
	}
}

func (c *Client) cacheKey(r Request) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s %v", r.Method, r.URL, r.Identity.name(), r.Host, r.Fresh)
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "\x00%s=%s", k, strings.Join(r.Header[k], "\x01"))
	}
	return b.String()
}

// Do sends r (or returns the recorded answer to an identical earlier request) and records
// the exchange. Transport failures are in the Exchange, not a separate error.
func (c *Client) Do(ctx context.Context, r Request) *Exchange {
	if r.Method == "" {
		r.Method = http.MethodGet
	}
	if r.NoCache {
		return c.do(ctx, r)
	}
	key := c.cacheKey(r)
	c.mu.Lock()
	e := c.cache[key]
	hit := e != nil
	if !hit {
		e = &cacheEntry{}
		c.cache[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.ex = c.do(ctx, r) })
	if hit {
		cp := *e.ex
		cp.Cached = true
		return &cp
	}
	return e.ex
}

func (c *Client) do(ctx context.Context, r Request) *Exchange {
	ex := &Exchange{Method: r.Method, URL: r.URL, Identity: r.Identity.name(), IdentitySubject: r.Identity.Subject(), Alert: -1, Host: r.Host}
	fail := func(err error) *Exchange {
		ex.Err = err
		ex.ErrKind, ex.Alert = Classify(err)
		if ex.ErrKind == ErrTimeout && ctx.Err() == nil {
			c.timeouts.Add(1)
		}
		return ex
	}
	if !SafeMethod(r.Method) && !c.cfg.AllowUnsafe {
		return fail(&BlockedError{Reason: r.Method + " is not a read-only method; pass --allow-unsafe-methods to send it"})
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fail(&BlockedError{Reason: fmt.Sprintf("not an http(s) URL: %q", r.URL)})
	}
	if r.Identity != nil && r.Identity.Certificate != nil && !c.InScope(u.Host) {
		return fail(&BlockedError{Reason: "a client certificate is only sent to hosts named as targets, not " + u.Hostname()})
	}
	// The rate limit is waited for before the request's own timeout starts: a long queue
	// at a low --rate delays probes, it must not time them out unsent.
	origin := Origin(u)
	if err := c.Wait(ctx, origin); err != nil {
		return fail(err)
	}
	// rctx is the request's own deadline; ctx stays the caller's, so fail can tell a timeout
	// of this request from the whole scan being cancelled.
	rctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	holder := &connHolder{}
	rctx = context.WithValue(rctx, holderKey{}, holder)
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{GotConn: func(gi httptrace.GotConnInfo) {
		if rc, ok := gi.Conn.(*recordedConn); ok {
			holder.set(rc.info)
		}
	}})
	req, err := http.NewRequestWithContext(rctx, r.Method, u.String(), nil)
	if err != nil {
		return fail(err)
	}
	for k, vs := range c.cfg.Header {
		req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	for k, vs := range r.Header {
		// Keep the caller's spelling: identity-header probes need underscores and exact case.
		delete(req.Header, http.CanonicalHeaderKey(k))
		req.Header[k] = append([]string(nil), vs...)
	}
	// Go sends req.Host, never a Host entry of the header map: honour -H 'Host: x' that way.
	if h := req.Header.Get("Host"); h != "" {
		if r.Host == "" {
			r.Host = h
		}
		req.Header.Del("Host")
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	if r.Host != "" {
		req.Host = r.Host
		ex.Host = r.Host
	}
	ex.RequestHeader = req.Header.Clone()
	for k := range c.cfg.Header {
		if ex.userHeader == nil {
			ex.userHeader = map[string]bool{}
		}
		ex.userHeader[strings.ToLower(k)] = true
	}
	client := &http.Client{
		Transport:     c.transport(r.Identity, r.Fresh, origin),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	start := time.Now()
	c.sent.Add(1)
	countIn(ctx)
	trace(ctx, Sent{Method: r.Method, URL: r.URL, Identity: r.Identity.name(), Header: r.Header, Host: r.Host, Fresh: r.Fresh})
	resp, err := client.Do(req)
	ex.TLS = holder.get()
	if err != nil {
		ex.Duration = time.Since(start)
		return fail(unwrapURLError(err))
	}
	defer resp.Body.Close()
	ex.Status, ex.Proto, ex.Header = resp.StatusCode, resp.Proto, resp.Header
	ex.StatusText = strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.cfg.MaxBody+1))
	if int64(len(body)) > c.cfg.MaxBody {
		body, ex.BodyTruncated = body[:c.cfg.MaxBody], true
	}
	ex.Body = body
	ex.Duration = time.Since(start)
	if err != nil && !ex.BodyTruncated {
		// Headers arrived; a body cut short (timeout, reset) is kept as far as it came.
		ex.BodyTruncated, ex.BodyErr = true, err
	}
	return ex
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
