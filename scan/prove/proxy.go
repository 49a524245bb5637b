package prove

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"
)

// proxy is the fallback when the certificate policy cannot be written: a loopback forward
// proxy the browser sends everything through. For a target it terminates TLS with a
// certificate from the session's CA (trusted by the throwaway profile only) and forwards each
// request, headers and Origin untouched, over TLS that presents the user's certificate; the
// browser sees the target's real CORS headers and decides alone what the page may read. Page
// origins are tunnelled to crossgate's page listeners. Any other destination is refused, so
// the browser cannot reach anything else through it.
type proxy struct {
	ln      net.Listener
	targets map[string]bool   // host:port of the targets
	routes  map[string]string // host:port of page origins -> loopback listener
	ca      *pageCA
	fwd     *httputil.ReverseProxy
	mitm    *chanListener
	servers []*http.Server
	wg      sync.WaitGroup
}

func newProxy(pages *pageServer, claims []Claim, o Options) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, targets: map[string]bool{}, routes: pages.routes, ca: pages.ca,
		mitm: newChanListener(ln.Addr())}
	for _, c := range claims {
		if c.URL != nil && c.URL.Scheme == "https" {
			p.targets[hostPort(c.URL)] = true
		}
	}
	roots := (*x509.CertPool)(nil)
	if len(o.CACerts) > 0 {
		roots = x509.NewCertPool()
		for _, c := range o.CACerts {
			roots.AddCert(c)
		}
	}
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{
			RootCAs: roots, InsecureSkipVerify: o.Insecure, MinVersion: tls.VersionTLS12,
			// Presented only to the targets: no other host is forwarded.
			GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
				return o.Identity, nil
			},
		},
		TLSHandshakeTimeout:   o.Timeout,
		ResponseHeaderTimeout: o.Timeout,
		DialContext:           (&net.Dialer{Timeout: o.Timeout}).DialContext,
		MaxIdleConnsPerHost:   4,
		// One certificate-bearing connection per request keeps nothing between the modes.
		DisableKeepAlives: true,
	}
	p.fwd = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = "https"
			r.Out.URL.Host = r.In.Host
			r.Out.Host = r.In.Host
		},
		Transport: tr,
		ErrorLog:  quietLog(),
	}
	mitmSrv := &http.Server{Handler: http.HandlerFunc(p.forward), ReadHeaderTimeout: o.Timeout, ErrorLog: quietLog()}
	front := &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: o.Timeout, ErrorLog: quietLog()}
	p.servers = []*http.Server{mitmSrv, front}
	go mitmSrv.Serve(p.mitm)
	go front.Serve(ln)
	return p, nil
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

// serve handles what the browser asks the proxy: CONNECT for HTTPS, absolute URLs for HTTP.
func (p *proxy) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodConnect {
		// Plain HTTP: only page origins.
		dst, ok := p.routes[withPort(r.Host, "80")]
		if !ok {
			http.Error(w, "crossgate proxy: destination not allowed", http.StatusForbidden)
			return
		}
		rp := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.Out.URL.Scheme, pr.Out.URL.Host = "http", dst
		}, ErrorLog: quietLog()}
		rp.ServeHTTP(w, r)
		return
	}
	host := r.Host
	dst, page := p.routes[host]
	if !page && !p.targets[host] {
		http.Error(w, "crossgate proxy: destination not allowed", http.StatusForbidden)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "no hijacking", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	conn.SetDeadline(time.Time{})
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	client := net.Conn(&bufferedConn{Conn: conn, r: buf.Reader})
	if page {
		p.tunnel(client, dst)
		return
	}
	name, _, _ := net.SplitHostPort(host)
	tconn := tls.Server(client, &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return p.ca.leaf(name)
		},
	})
	if !p.mitm.push(tconn) {
		tconn.Close()
	}
}

// forward sends one request the browser made to a target on to the real target.
func (p *proxy) forward(w http.ResponseWriter, r *http.Request) {
	if !p.targets[withPort(r.Host, "443")] {
		http.Error(w, "crossgate proxy: destination not allowed", http.StatusForbidden)
		return
	}
	p.fwd.ServeHTTP(w, r)
}

func (p *proxy) tunnel(client net.Conn, dst string) {
	server, err := net.DialTimeout("tcp", dst, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	p.wg.Add(2)
	go func() { defer p.wg.Done(); io.Copy(server, client); server.Close() }()
	go func() { defer p.wg.Done(); io.Copy(client, server); client.Close() }()
}

func (p *proxy) close() {
	for _, s := range p.servers {
		s.Close()
	}
	p.ln.Close()
	p.mitm.Close()
}

type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// chanListener hands the proxy's decrypted connections to an http.Server.
type chanListener struct {
	addr net.Addr
	ch   chan net.Conn
	once sync.Once
	done chan struct{}
}

func newChanListener(a net.Addr) *chanListener {
	return &chanListener{addr: a, ch: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) push(c net.Conn) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	select {
	case l.ch <- c:
		return true
	case <-l.done:
	case <-ctx.Done():
	}
	return false
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return l.addr }

// withPort adds the scheme's default port to a Host header that has none.
func withPort(host, port string) string {
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), port)
}
