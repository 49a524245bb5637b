package guard

import (
	"bufio"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

// dialRaw opens a TLS connection to the guard presenting leaf, for requests written by hand.
func (f *fixture) dialRaw(t *testing.T, leaf *pki.Leaf) (*tls.Conn, *bufio.Reader) {
	t.Helper()
	c, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{leaf.TLS}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c, bufio.NewReader(c)
}

// recordingUpstream answers "METHOD PATH BODY-LENGTH user=IDENTITY" and keeps every request
// it got, as the application saw it.
type recordingUpstream struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newRecordingUpstream(t *testing.T) *recordingUpstream {
	u := &recordingUpstream{}
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		line := r.Method + " " + r.URL.Path + " " + string(b) + " user=" + r.Header.Get(DefaultIdentityHeader)
		u.mu.Lock()
		u.seen = append(u.seen, line)
		u.mu.Unlock()
		io.WriteString(w, line)
	}))
	t.Cleanup(u.Close)
	return u
}

func (u *recordingUpstream) requests() []string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]string(nil), u.seen...)
}

func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading guard's answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading guard's answer body: %v", err)
	}
	return resp, string(b)
}

// TestFrontPipelinedAndReframed: requests sent back to back on one connection are answered
// in order, and a request framed two ways at once (Content-Length and chunked) reaches the
// application framed one way, by guard: the bytes after the chunked body are a request of
// their own, checked and mapped like any other, never part of the first.
func TestFrontPipelinedAndReframed(t *testing.T) {
	up := newRecordingUpstream(t)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL })
	c, br := f.dialRaw(t, f.leaves["alice"])
	io.WriteString(c, "GET /one HTTP/1.1\r\nHost: api\r\n\r\nGET /two HTTP/1.1\r\nHost: api\r\nX-SSL-Client-S-DN: CN=bob\r\n\r\n"+
		"POST /three HTTP/1.1\r\nHost: api\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: api\r\n\r\n")
	for _, want := range []string{"GET /one  user=alice", "GET /two  user=alice", "POST /three  user=alice", "GET /smuggled  user=alice"} {
		resp, body := readResponse(t, br, http.MethodGet)
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, want)
		}
	}
	if got := up.requests(); len(got) != 4 {
		t.Fatalf("the application got %d requests, want 4: %q", len(got), got)
	}
}

// TestFrontRefuses: what net/http's server refuses, guard refuses too, with the status it
// would give and the connection closed after it; and what a proxy in front of an
// application has no business with (CONNECT, absolute-form targets).
func TestFrontRefuses(t *testing.T) {
	up := newRecordingUpstream(t)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL; c.MaxHeaderBytes = 4096 })
	for _, tc := range []struct {
		name, raw string
		want      int
	}{
		{"malformed request line", "GET\r\n\r\n", 400},
		{"no Host in HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", 400},
		{"bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400},
		{"two different lengths", "POST / HTTP/1.1\r\nHost: api\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde", 400},
		{"unknown transfer coding", "POST / HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: gzip\r\n\r\n", 400},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505},
		{"header too large", "GET / HTTP/1.1\r\nHost: api\r\nX-Big: " + strings.Repeat("a", 12000) + "\r\n\r\n", 431},
		{"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405},
		{"absolute-form target", "GET http://other.example/ HTTP/1.1\r\nHost: api\r\n\r\n", 400},
		{"unknown expectation", "PUT / HTTP/1.1\r\nHost: api\r\nExpect: magic\r\nContent-Length: 1\r\n\r\nx", 417},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, br := f.dialRaw(t, f.leaves["alice"])
			io.WriteString(c, tc.raw)
			resp, _ := readResponse(t, br, http.MethodGet)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.want)
			}
			if _, err := br.ReadByte(); err != io.EOF {
				t.Fatalf("the connection stayed open after the refusal (%v)", err)
			}
		})
	}
	if got := up.requests(); len(got) != 0 {
		t.Fatalf("refused requests reached the application: %q", got)
	}
}

// TestFrontTimeouts: a header sent too slowly and a connection left idle are closed.
func TestFrontTimeouts(t *testing.T) {
	up := newRecordingUpstream(t)
	f := newFixture(t, func(c *Config) {
		c.Upstream = up.URL
		c.HeaderTimeout = 200 * time.Millisecond
		c.IdleTimeout = 600 * time.Millisecond
	})
	t.Run("slow header", func(t *testing.T) {
		c, br := f.dialRaw(t, f.leaves["alice"])
		start := time.Now()
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: api\r\n")
		for range 10 { // a byte every 100 ms: the header is never done
			if _, err := io.WriteString(c, "X: 1\r\n"); err != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("a header trickled in stayed open (%v)", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("closed only after %v", d)
		}
	})
	t.Run("idle", func(t *testing.T) {
		c, br := f.dialRaw(t, f.leaves["alice"])
		io.WriteString(c, "GET /a HTTP/1.1\r\nHost: api\r\n\r\n")
		if resp, _ := readResponse(t, br, http.MethodGet); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		// Idle longer than the header timeout but within the idle one: still served.
		time.Sleep(400 * time.Millisecond)
		io.WriteString(c, "GET /b HTTP/1.1\r\nHost: api\r\n\r\n")
		if resp, _ := readResponse(t, br, http.MethodGet); resp.StatusCode != 200 {
			t.Fatalf("after 400 ms idle: status %d", resp.StatusCode)
		}
		if _, err := br.ReadByte(); err != io.EOF {
			t.Fatalf("an idle connection stayed open (%v)", err)
		}
	})
}

// TestFrontExpectContinue: a body held back for "100 Continue" is asked for when the request
// goes upstream; a request refused before its body was wanted closes the connection instead
// of waiting for it.
func TestFrontExpectContinue(t *testing.T) {
	up := newRecordingUpstream(t)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL })
	c, br := f.dialRaw(t, f.leaves["alice"])
	io.WriteString(c, "PUT /upload HTTP/1.1\r\nHost: api\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	interim, err := http.ReadResponse(br, &http.Request{Method: http.MethodPut})
	if err != nil || interim.StatusCode != http.StatusContinue {
		t.Fatalf("want 100 Continue first, got %v %v", interim, err)
	}
	io.WriteString(c, "hello")
	if resp, body := readResponse(t, br, http.MethodPut); resp.StatusCode != 200 || body != "PUT /upload hello user=alice" {
		t.Fatalf("got %d %q", resp.StatusCode, body)
	}

	stranger := f.leafWith("mallory", pki.Options{})
	c2, br2 := f.dialRaw(t, stranger)
	io.WriteString(c2, "PUT /upload HTTP/1.1\r\nHost: api\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n")
	if resp, _ := readResponse(t, br2, http.MethodPut); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("unmapped certificate: status %d, want 403", resp.StatusCode)
	}
	if _, err := br2.ReadByte(); err != io.EOF {
		t.Fatalf("the connection waited for a body it never asked for (%v)", err)
	}
}

// TestFrontHTTP10AndHead: an HTTP/1.0 request is answered and its connection closed; a HEAD
// answer carries the length and no body.
func TestFrontHTTP10AndHead(t *testing.T) {
	up := newRecordingUpstream(t)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL })
	c, br := f.dialRaw(t, f.leaves["alice"])
	io.WriteString(c, "HEAD /h HTTP/1.1\r\nHost: api\r\n\r\nGET /old HTTP/1.0\r\nHost: api\r\n\r\n")
	resp, body := readResponse(t, br, http.MethodHead)
	if resp.StatusCode != 200 || body != "" || resp.ContentLength != int64(len("HEAD /h  user=alice")) {
		t.Fatalf("HEAD: %d, length %d, body %q", resp.StatusCode, resp.ContentLength, body)
	}
	resp, body = readResponse(t, br, http.MethodGet)
	if resp.StatusCode != 200 || body != "GET /old  user=alice" || !resp.Close {
		t.Fatalf("HTTP/1.0: %d %q close=%v", resp.StatusCode, body, resp.Close)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("the HTTP/1.0 connection stayed open (%v)", err)
	}
}

// TestGracefulShutdown: a request in flight when guard is told to stop is answered in full;
// idle connections are closed, and no new connection is accepted.
func TestGracefulShutdown(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			<-release
		}
		io.WriteString(w, "done "+r.URL.Path)
	}))
	t.Cleanup(up.Close)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL; c.ShutdownTimeout = 10 * time.Second })
	idle, idleBR := f.dialRaw(t, f.leaves["alice"])
	io.WriteString(idle, "GET /quick HTTP/1.1\r\nHost: api\r\n\r\n")
	readResponse(t, idleBR, http.MethodGet)
	busy, busyBR := f.dialRaw(t, f.leaves["alice"])
	io.WriteString(busy, "GET /slow HTTP/1.1\r\nHost: api\r\n\r\n")
	time.Sleep(100 * time.Millisecond) // the request is with the application
	stopped := make(chan struct{})
	go func() { f.stop(); close(stopped) }()
	if _, err := idleBR.ReadByte(); err != io.EOF {
		t.Errorf("an idle connection stayed open during shutdown (%v)", err)
	}
	time.Sleep(100 * time.Millisecond)
	if c, err := tls.Dial("tcp", f.addr, &tls.Config{RootCAs: f.serverCA.Pool(), Certificates: []tls.Certificate{f.leaves["alice"].TLS}}); err == nil {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		_, err = io.WriteString(c, "GET / HTTP/1.1\r\nHost: api\r\n\r\n")
		if err == nil {
			_, err = c.Read(make([]byte, 1))
		}
		c.Close()
		if err == nil {
			t.Error("a new connection was served during shutdown")
		}
	}
	close(release)
	resp, body := readResponse(t, busyBR, http.MethodGet)
	if resp.StatusCode != 200 || body != "done /slow" {
		t.Fatalf("the request in flight got %d %q, want it answered in full", resp.StatusCode, body)
	}
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		t.Fatal("guard did not stop after the last request")
	}
}

// TestWriteFieldsCannotStartALine: a value with CR or LF stays one field, a name that is not a
// field name is left out, and the fields guard frames itself are not copied.
func TestWriteFieldsCannotStartALine(t *testing.T) {
	var b strings.Builder
	bw := bufio.NewWriter(&b)
	writeFields(bw, http.Header{
		"X-A":            {"a\r\nInjected: 1"},
		"Bad Name":       {"x"},
		"Content-Length": {"5"},
		"Vary":           {"Origin"},
	}, responseExclude)
	bw.Flush()
	lines := strings.Split(strings.TrimSuffix(b.String(), "\r\n"), "\r\n")
	slices.Sort(lines)
	if want := []string{"Vary: Origin", "X-A: a  Injected: 1"}; !slices.Equal(lines, want) {
		t.Fatalf("got %q, want %q", lines, want)
	}
}
