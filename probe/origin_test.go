package probe

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestOrigin(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://API.example.com/v1", "https://api.example.com:443"},
		{"https://api.example.com:443/", "https://api.example.com:443"},
		{"http://api.example.com/", "http://api.example.com:80"},
		{"https://127.0.0.1:8443/a", "https://127.0.0.1:8443"},
		{"https://127.0.0.1:8444/a", "https://127.0.0.1:8444"},
		{"https://[::1]:8443/", "https://[::1]:8443"},
	} {
		u, _ := url.Parse(tc.in)
		if got := Origin(u); got != tc.want {
			t.Errorf("Origin(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// countingServer counts the TCP connections (and so the handshakes) it accepts and the most
// open at once.
type countingServer struct {
	*httptest.Server
	conns, open, peak atomic.Int64
}

func (p *testPKI) counting(t testing.TB, auth tls.ClientAuthType, h http.Handler) *countingServer {
	t.Helper()
	cs := &countingServer{}
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.server.TLS}, ClientAuth: auth, ClientCAs: p.clientCA.Pool()}
	ts.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			cs.conns.Add(1)
			n := cs.open.Add(1)
			for {
				p := cs.peak.Load()
				if n <= p || cs.peak.CompareAndSwap(p, n) {
					break
				}
			}
		case http.StateClosed, http.StateHijacked:
			cs.open.Add(-1)
		}
	}
	ts.StartTLS()
	cs.Server = ts
	t.Cleanup(ts.Close)
	return cs
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }

// One identity's requests to the endpoints of one origin share a connection; Fresh ones
// never do, and each identity has its own.
func TestConnectionsSharedPerIdentityAndOrigin(t *testing.T) {
	p := newPKI()
	srv := p.counting(t, tls.VerifyClientCertIfGiven, http.HandlerFunc(ok))
	c := p.client(t, Config{})
	alice := &Identity{Name: "alice", Certificate: &p.alice.TLS}
	ctx := context.Background()
	for i, path := range []string{"/a", "/b", "/c", "/a?x=1", "/d"} {
		ex := c.Do(ctx, Request{URL: srv.URL + path, Identity: alice})
		if !ex.OK() || ex.Status != 200 {
			t.Fatalf("request %d: %v", i, ex.Err)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("5 requests of one identity opened %d connections, want 1", n)
	}
	for range 2 {
		c.Do(ctx, Request{URL: srv.URL + "/fresh", Identity: alice, Fresh: true, NoCache: true})
	}
	c.Do(ctx, Request{URL: srv.URL + "/a", Identity: None})
	if n := srv.conns.Load(); n != 4 {
		t.Errorf("after 2 fresh requests and one without a certificate: %d connections, want 4", n)
	}
}

// A new connection of the user's identity resumes the TLS session; a Fresh one never does,
// so the mTLS checks always see a full handshake with its CertificateRequest.
func TestSessionResumedExceptFresh(t *testing.T) {
	p := newPKI()
	srv := p.counting(t, tls.RequireAndVerifyClientCert, http.HandlerFunc(ok))
	c := p.client(t, Config{})
	alice := &Identity{Name: "alice", Certificate: &p.alice.TLS}
	ctx := context.Background()
	first := c.Do(ctx, Request{URL: srv.URL + "/1", Identity: alice})
	if !first.OK() || first.TLS == nil || first.TLS.Resumed {
		t.Fatalf("first request: %+v %v", first.TLS, first.Err)
	}
	c.CloseIdle()
	second := c.Do(ctx, Request{URL: srv.URL + "/2", Identity: alice})
	if !second.OK() || second.TLS == nil || !second.TLS.Resumed {
		t.Errorf("second connection not resumed: %+v %v", second.TLS, second.Err)
	}
	for range 2 {
		fresh := c.Do(ctx, Request{URL: srv.URL + "/3", Identity: alice, Fresh: true, NoCache: true})
		if !fresh.OK() || fresh.TLS.Resumed || !fresh.TLS.CertRequested {
			t.Errorf("fresh request: resumed=%v cert requested=%v err=%v", fresh.TLS.Resumed, fresh.TLS.CertRequested, fresh.Err)
		}
	}
}

// The connection cap holds over every identity and Fresh request of an origin.
func TestConnectionCapPerOrigin(t *testing.T) {
	p := newPKI()
	release := make(chan struct{})
	srv := p.counting(t, tls.VerifyClientCertIfGiven, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-time.After(50 * time.Millisecond):
		}
		ok(w, r)
	}))
	// Counted on the client side: the server sees a close only some time after it happened.
	var open, peak atomic.Int64
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		n := open.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		return &closeCounter{Conn: conn, open: &open}, nil
	}
	c := p.client(t, Config{MaxConns: 3, Dial: dial})
	alice := &Identity{Name: "alice", Certificate: &p.alice.TLS}
	var wg sync.WaitGroup
	var failed atomic.Int64
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := Request{URL: srv.URL + "/p" + string(rune('a'+i)), Identity: alice, Fresh: i%3 == 0}
			if i%2 == 1 {
				r.Identity = None
			}
			if ex := c.Do(context.Background(), r); !ex.OK() {
				failed.Add(1)
				t.Errorf("request %d: %v", i, ex.Err)
			}
		}()
	}
	wg.Wait()
	close(release)
	if peak.Load() > 3 || peak.Load() == 0 {
		t.Errorf("%d connections open at once, cap 3", peak.Load())
	}
	if srv.conns.Load() < 9 {
		t.Errorf("%d connections in all, want at least the 8 fresh ones and one more", srv.conns.Load())
	}
}

type closeCounter struct {
	net.Conn
	open *atomic.Int64
	once sync.Once
}

func (c *closeCounter) Close() error {
	c.once.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// A connection reset is reported as a reset, not as a close or an answer.
func TestResetReported(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1)
			_, _ = conn.Read(buf) // the ClientHello has arrived
			_ = conn.(*net.TCPConn).SetLinger(0)
			conn.Close() // SO_LINGER 0: the kernel sends RST
		}
	}()
	p := newPKI()
	c := p.client(t, Config{})
	ex := c.Do(context.Background(), Request{URL: "https://" + ln.Addr().String() + "/", Identity: None})
	if ex.ErrKind != ErrReset || !ex.ErrKind.Closed() {
		t.Fatalf("ErrKind %q (%v), want reset", ex.ErrKind, ex.Err)
	}
}

// Requests to two ports of one host are limited separately.
func TestRateLimitKeyedByOrigin(t *testing.T) {
	p := newPKI()
	a := p.counting(t, tls.NoClientCert, http.HandlerFunc(ok))
	b := p.counting(t, tls.NoClientCert, http.HandlerFunc(ok))
	lim := NewLimits()
	c := p.client(t, Config{Rate: 1000, Limits: lim})
	c.Do(context.Background(), Request{URL: a.URL + "/", Identity: None})
	c.Do(context.Background(), Request{URL: b.URL + "/", Identity: None})
	if len(lim.rates) != 2 {
		t.Errorf("%d limiters for two ports of 127.0.0.1, want 2: %v", len(lim.rates), lim.rates)
	}
}
