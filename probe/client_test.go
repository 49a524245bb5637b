package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

type testPKI struct {
	serverCA, clientCA *pki.CA
	server, alice      *pki.Leaf
}

func newPKI() *testPKI {
	p := &testPKI{serverCA: pki.NewCA("server CA"), clientCA: pki.NewCA("Client CA")}
	p.server = p.serverCA.Server()
	p.alice = p.clientCA.Client("alice", "Example")
	return p
}

func (p *testPKI) start(t *testing.T, auth tls.ClientAuthType, maxVersion uint16, h http.Handler) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(h)
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{p.server.TLS}, ClientAuth: auth, ClientCAs: p.clientCA.Pool(), MaxVersion: maxVersion}
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	return ts
}

func (p *testPKI) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.RootCAs == nil {
		cfg.RootCAs = p.serverCA.Pool()
	}
	if cfg.Scope == nil {
		cfg.Scope = []string{"127.0.0.1"}
	}
	if cfg.Rate == 0 {
		cfg.Rate = -1
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func echoCN(w http.ResponseWriter, r *http.Request) {
	cn := "anonymous"
	if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
		cn = r.TLS.PeerCertificates[0].Subject.CommonName
	}
	io.WriteString(w, "hello "+cn)
}

func TestPresentsIdentityAndRecordsCertificateRequest(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.RequireAndVerifyClientCert, 0, http.HandlerFunc(echoCN))
	c := p.client(t, Config{})
	ex := c.Do(context.Background(), Request{URL: ts.URL + "/x", Identity: &Identity{Name: "user", Certificate: &p.alice.TLS}})
	if !ex.OK() || string(ex.Body) != "hello alice" {
		t.Fatalf("got %v %q", ex.Err, ex.Body)
	}
	if ex.TLS == nil || !ex.TLS.CertRequested || !ex.TLS.ClientCertSent || ex.TLS.Version != tls.VersionTLS13 {
		t.Fatalf("TLS info not recorded: %+v", ex.TLS)
	}
	if len(ex.TLS.AcceptableCAs) != 1 || !strings.Contains(ex.TLS.AcceptableCAs[0], "CN=Client CA") {
		t.Fatalf("acceptable CAs %v", ex.TLS.AcceptableCAs)
	}
	// A second request reuses the connection and still reports its TLS facts.
	ex2 := c.Do(context.Background(), Request{URL: ts.URL + "/y", Identity: &Identity{Name: "user", Certificate: &p.alice.TLS}})
	if ex2.TLS == nil || !ex2.TLS.ClientCertSent {
		t.Fatalf("reused connection lost TLS info: %+v", ex2.TLS)
	}
}

// In TLS 1.3 the client finishes its handshake before the server checks the certificate,
// so the rejection arrives as an alert on the first read; in TLS 1.2 during the handshake.
func TestRejectionWithoutCertificateIsClassified(t *testing.T) {
	p := newPKI()
	for _, v := range []struct {
		name string
		max  uint16
		want []int
	}{{"tls13", tls.VersionTLS13, []int{AlertCertificateRequired}}, {"tls12", tls.VersionTLS12, []int{AlertBadCertificate, AlertHandshakeFailure}}} {
		t.Run(v.name, func(t *testing.T) {
			ts := p.start(t, tls.RequireAndVerifyClientCert, v.max, http.HandlerFunc(echoCN))
			ex := p.client(t, Config{}).Do(context.Background(), Request{URL: ts.URL})
			if ex.OK() || ex.ErrKind != ErrTLSAlert {
				t.Fatalf("kind %q err %v", ex.ErrKind, ex.Err)
			}
			ok := false
			for _, w := range v.want {
				ok = ok || ex.Alert == w
			}
			if !ok || !IsClientCertRejection(ex.Alert) {
				t.Fatalf("alert %d (%s), want one of %v", ex.Alert, AlertName(ex.Alert), v.want)
			}
			if !ex.TLS.CertRequested || ex.TLS.ClientCertSent {
				t.Fatalf("TLS info %+v", ex.TLS)
			}
		})
	}
}

func TestCertificateNeverSentOutOfScope(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.RequestClientCert, 0, http.HandlerFunc(echoCN))
	c := p.client(t, Config{Scope: []string{"api.example.com"}})
	ex := c.Do(context.Background(), Request{URL: ts.URL, Identity: &Identity{Name: "user", Certificate: &p.alice.TLS}})
	var be *BlockedError
	if ex.ErrKind != ErrBlocked || !errors.As(ex.Err, &be) || c.Sent() != 0 {
		t.Fatalf("out-of-scope certificate request went out: %v sent=%d", ex.Err, c.Sent())
	}
	// Without a certificate the same host may be probed.
	if ex := c.Do(context.Background(), Request{URL: ts.URL}); !ex.OK() || string(ex.Body) != "hello anonymous" {
		t.Fatalf("anonymous probe: %v %q", ex.Err, ex.Body)
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	p := newPKI()
	var hits atomic.Int32
	other := p.start(t, tls.RequestClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		echoCN(w, r)
	}))
	ts := p.start(t, tls.RequestClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	}))
	ex := p.client(t, Config{}).Do(context.Background(), Request{URL: ts.URL, Identity: &Identity{Name: "user", Certificate: &p.alice.TLS}})
	if ex.Status != http.StatusFound || hits.Load() != 0 {
		t.Fatalf("status %d, redirect target hit %d times", ex.Status, hits.Load())
	}
}

func TestUnsafeMethodsNeedOptIn(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(echoCN))
	c := p.client(t, Config{})
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH"} {
		if ex := c.Do(context.Background(), Request{Method: m, URL: ts.URL}); ex.ErrKind != ErrBlocked {
			t.Errorf("%s was sent: %v", m, ex.Err)
		}
	}
	if c.Sent() != 0 {
		t.Fatalf("sent %d", c.Sent())
	}
	for _, m := range []string{"GET", "HEAD", "OPTIONS"} {
		if ex := c.Do(context.Background(), Request{Method: m, URL: ts.URL}); !ex.OK() {
			t.Errorf("%s: %v", m, ex.Err)
		}
	}
	if ex := p.client(t, Config{AllowUnsafe: true}).Do(context.Background(), Request{Method: "POST", URL: ts.URL}); !ex.OK() {
		t.Fatalf("POST with AllowUnsafe: %v", ex.Err)
	}
}

func TestBodyCapAndEndlessBody(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := []byte(strings.Repeat("A", 4096))
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	}))
	ex := p.client(t, Config{MaxBody: 10000}).Do(context.Background(), Request{URL: ts.URL})
	if !ex.OK() || len(ex.Body) != 10000 || !ex.BodyTruncated {
		t.Fatalf("err %v len %d truncated %v", ex.Err, len(ex.Body), ex.BodyTruncated)
	}
}

func TestServerThatNeverAnswersTimesOut(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold the connection open, say nothing
		}
	}()
	c, _ := New(Config{Timeout: 300 * time.Millisecond, Rate: -1})
	ex := c.Do(context.Background(), Request{URL: "https://" + ln.Addr().String() + "/"})
	if ex.ErrKind != ErrTimeout {
		t.Fatalf("kind %q err %v", ex.ErrKind, ex.Err)
	}
}

func TestTLSGarbageIsAHandshakeError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi garbage garbage garbage")
			c.Close()
		}
	}()
	c, _ := New(Config{Timeout: 2 * time.Second, Rate: -1})
	ex := c.Do(context.Background(), Request{URL: "https://" + ln.Addr().String() + "/"})
	if ex.ErrKind != ErrTLSHandshake && ex.ErrKind != ErrProtocol {
		t.Fatalf("kind %q err %v", ex.ErrKind, ex.Err)
	}
}

func TestUnknownServerCAIsReported(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(echoCN))
	c, _ := New(Config{RootCAs: pki.NewCA("other").Pool(), Rate: -1})
	if ex := c.Do(context.Background(), Request{URL: ts.URL}); ex.ErrKind != ErrServerCert {
		t.Fatalf("kind %q err %v", ex.ErrKind, ex.Err)
	}
	c, _ = New(Config{Insecure: true, Rate: -1})
	if ex := c.Do(context.Background(), Request{URL: ts.URL}); !ex.OK() {
		t.Fatalf("insecure: %v", ex.Err)
	}
}

func TestRefusedConnection(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	c, _ := New(Config{Rate: -1})
	if ex := c.Do(context.Background(), Request{URL: "https://" + addr + "/"}); ex.ErrKind != ErrRefused {
		t.Fatalf("kind %q err %v", ex.ErrKind, ex.Err)
	}
}

func TestIdenticalRequestsAreAnsweredFromCache(t *testing.T) {
	p := newPKI()
	var hits atomic.Int32
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, r.Header.Get("Origin"))
	}))
	c := p.client(t, Config{})
	h := http.Header{"Origin": {"https://a.example"}}
	a := c.Do(context.Background(), Request{URL: ts.URL, Header: h})
	b := c.Do(context.Background(), Request{URL: ts.URL, Header: h})
	d := c.Do(context.Background(), Request{URL: ts.URL, Header: http.Header{"Origin": {"https://b.example"}}})
	if hits.Load() != 2 || c.Sent() != 2 || a.Cached || !b.Cached || string(d.Body) != "https://b.example" {
		t.Fatalf("hits %d sent %d cached %v/%v", hits.Load(), c.Sent(), a.Cached, b.Cached)
	}
	c.Do(context.Background(), Request{URL: ts.URL, Header: h, NoCache: true})
	if hits.Load() != 3 {
		t.Fatal("NoCache ignored")
	}
}

func TestHeaderSpellingIsKept(t *testing.T) {
	p := newPKI()
	var got string
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k := range r.Header {
			if strings.Contains(k, "_") {
				got = k
			}
		}
	}))
	p.client(t, Config{}).Do(context.Background(), Request{URL: ts.URL, Header: http.Header{"X_SSL_Client_S_DN": {"CN=alice"}}})
	// Go's server canonicalises case; what matters is that the underscores arrived.
	if !strings.EqualFold(got, "X_SSL_Client_S_DN") {
		t.Fatalf("server saw %q", got)
	}
}

func TestEvidenceRendering(t *testing.T) {
	ex := &Exchange{Method: "OPTIONS", URL: "https://api.test:8443/v1/p?q=1", Identity: "user",
		RequestHeader: http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"PUT"}},
		Status:        200, StatusText: "OK", Proto: "HTTP/1.1", Header: http.Header{"Access-Control-Allow-Origin": {"*"}},
		Body: []byte("secret-body-value")}
	req := ex.RequestText()
	if !strings.HasPrefix(req, "OPTIONS /v1/p?q=1 HTTP/1.1\nHost: api.test:8443\n") || !strings.Contains(req, "Origin: https://evil.example") {
		t.Fatalf("request text:\n%s", req)
	}
	resp := ex.ResponseText(100, func(b []byte) []byte { return []byte("[redacted]") })
	if strings.Contains(resp, "secret-body-value") || !strings.Contains(resp, "Access-Control-Allow-Origin: *") {
		t.Fatalf("response text:\n%s", resp)
	}
	curl := ex.Curl(CurlOptions{CACert: true})
	want := "curl -sS -i -X OPTIONS --cert CLIENT_CERT.pem --key CLIENT_KEY.pem --cacert SERVER_CA.pem -H 'Access-Control-Request-Method: PUT' -H 'Origin: https://evil.example' 'https://api.test:8443/v1/p?q=1'"
	if curl != want {
		t.Fatalf("curl\n got %s\nwant %s", curl, want)
	}
}

func FuzzClassify(f *testing.F) {
	f.Add("remote error", "tls: certificate required")
	f.Add("read", "connection reset by peer")
	f.Fuzz(func(t *testing.T, op, msg string) {
		k, code := Classify(&net.OpError{Op: op, Err: errors.New(msg)})
		if k == ErrNone {
			t.Fatal("an error classified as none")
		}
		if k != ErrTLSAlert && code != -1 {
			t.Fatal("alert code without alert kind")
		}
	})
}

// A queue longer than the timeout at a low rate delays requests; it must not fail them.
func TestRateLimitWaitIsNotPartOfTheTimeout(t *testing.T) {
	p := newPKI()
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(echoCN))
	// 0.5 requests per second with a burst of one: the second request queues for about 2 s,
	// far longer than its 150 ms timeout.
	c := p.client(t, Config{Rate: 0.5, Timeout: 150 * time.Millisecond})
	c.Do(context.Background(), Request{URL: ts.URL + "/first"})
	if ex := c.Do(context.Background(), Request{URL: ts.URL + "/second"}); !ex.OK() {
		t.Fatalf("second request behind the rate limit failed: %v", ex.Err)
	}
}

func TestRedactedEvidence(t *testing.T) {
	ex := &Exchange{Method: "GET", URL: "https://bob:Hunter2Secret@api.test/x?access_token=abcdef123456&page=2", Identity: "alice2",
		RequestHeader: http.Header{"Authorization": {"Bearer SuperSecretToken123456789"}, "Cookie": {"sessionid=abc"}, "Origin": {"https://evil.example"}},
		Status:        200, Proto: "HTTP/1.1", Header: http.Header{"Set-Cookie": {"sessionid=abc123def456; Path=/; HttpOnly"}}}
	r := ex.Redacted()
	all := r.RequestText() + r.ResponseText(0, nil) + r.Curl(CurlOptions{})
	for _, secret := range []string{"Hunter2Secret", "SuperSecretToken123456789", "sessionid=abc", "abc123def456", "abcdef123456"} {
		if strings.Contains(all, secret) {
			t.Errorf("redacted evidence shows %q:\n%s", secret, all)
		}
	}
	for _, kept := range []string{"Bearer MASKED-25-CHARS", "Origin: https://evil.example", "sessionid=MASKED-12-CHARS; Path=/; HttpOnly", "page=2", "--cert ALICE2_CERT.pem --key ALICE2_KEY.pem"} {
		if !strings.Contains(all, kept) {
			t.Errorf("redacted evidence lacks %q:\n%s", kept, all)
		}
	}
	if ex.RequestHeader.Get("Authorization") != "Bearer SuperSecretToken123456789" {
		t.Fatal("Redacted changed the original exchange")
	}
}

func TestTimeoutsAreCounted(t *testing.T) {
	p := newPKI()
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	ts := p.start(t, tls.NoClientCert, 0, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-block:
			case <-r.Context().Done():
			}
			return
		}
		io.WriteString(w, "ok")
	}))
	c := p.client(t, Config{Timeout: 200 * time.Millisecond})
	c.Do(context.Background(), Request{URL: ts.URL + "/fast"})
	for i := range 2 {
		if ex := c.Do(context.Background(), Request{URL: fmt.Sprintf("%s/slow?%d", ts.URL, i)}); ex.ErrKind != ErrTimeout {
			t.Fatalf("kind %q", ex.ErrKind)
		}
	}
	if c.TimedOut() != 2 {
		t.Fatalf("TimedOut() = %d, want 2", c.TimedOut())
	}
	// A cancelled scan is not a timeout of the server.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Do(ctx, Request{URL: ts.URL + "/slow?cancelled"})
	if c.TimedOut() != 2 {
		t.Fatalf("cancellation counted as a timeout: %d", c.TimedOut())
	}
}

// Evidence may pass through more than one redactor: the second must not change the first's
// output (lengths included).
func TestRedactedIsIdempotent(t *testing.T) {
	ex := &Exchange{Method: "GET", URL: "https://api.test/x?access_token=abcdef123456", Identity: "user",
		RequestHeader: http.Header{"Authorization": {"Bearer SuperSecretToken123456789"}, "X-Api-Key": {"k-123"}},
		Status:        200, Proto: "HTTP/1.1", Header: http.Header{"Set-Cookie": {"sessionid=abc123def456; Path=/"}}}
	once := ex.Redacted()
	twice := once.Redacted()
	a := once.RequestText() + once.ResponseText(0, nil) + once.URL
	b := twice.RequestText() + twice.ResponseText(0, nil) + twice.URL
	if a != b {
		t.Fatalf("redacting twice changed the evidence:\n%s\n---\n%s", a, b)
	}
}
