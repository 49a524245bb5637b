package guard

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rawUpstream is a loopback TCP server whose every connection is handled by serve, for
// answers net/http's server would not give (closing a kept-alive connection without a
// word, interim answers, oversized headers). It counts connections.
type rawUpstream struct {
	ln    net.Listener
	conns atomic.Int64
}

func newRawUpstream(t testing.TB, serve func(c net.Conn, br *bufio.Reader)) *rawUpstream {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := &rawUpstream{ln: ln}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u.conns.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				c.SetDeadline(time.Now().Add(20 * time.Second))
				serve(c, bufio.NewReader(c))
			}()
		}
	}()
	return u
}

func (u *rawUpstream) URL() string { return "http://" + u.ln.Addr().String() }

// readRequest reads one request and its body, or returns nil at the end of the stream.
func readRequest(br *bufio.Reader) *http.Request {
	r, err := http.ReadRequest(br)
	if err != nil {
		return nil
	}
	io.Copy(io.Discard, r.Body)
	return r
}

func fetch(t *testing.T, c *http.Client, url string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: body: %v", url, err)
	}
	return resp.StatusCode, string(b), resp.Trailer
}

// TestUpstreamConnectionsReused: sequential requests of one client share one connection
// to the application, and an answer with "Connection: close" is not reused.
func TestUpstreamConnectionsReused(t *testing.T) {
	var closeNext atomic.Bool
	up := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		for readRequest(br) != nil {
			if closeNext.Load() {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
				return
			}
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		}
	})
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL() })
	cl := f.client(f.leaves["alice"], true)
	for range 10 {
		if code, body, _ := fetch(t, cl, f.url("/api")); code != 200 || body != "ok" {
			t.Fatalf("got %d %q", code, body)
		}
	}
	if n := up.conns.Load(); n != 1 {
		t.Fatalf("10 sequential requests opened %d connections to the application, want 1", n)
	}
	closeNext.Store(true)
	fetch(t, cl, f.url("/api"))
	fetch(t, cl, f.url("/api"))
	if n := up.conns.Load(); n != 2 {
		t.Fatalf("after two answers with Connection: close: %d connections, want 2 (the one closed is not reused)", n)
	}
}

// TestUpstreamClosedIdleConnection: the application closes a kept-alive connection without
// saying so (as gunicorn does after its keep-alive timeout). A GET on it is sent again on a
// new connection; a POST, which cannot be replayed, gets a new connection because the
// closed one is noticed before use.
func TestUpstreamClosedIdleConnection(t *testing.T) {
	var bodies sync.Map
	up := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies.Store(r.Method, string(b))
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok") // then closes
	})
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL() })
	cl := f.client(f.leaves["alice"], true)
	for i := range 3 {
		if code, body, _ := fetch(t, cl, f.url("/api")); code != 200 || body != "ok" {
			t.Fatalf("GET %d on a connection the application closed: %d %q", i, code, body)
		}
	}
	time.Sleep(checkIdleAfter + 100*time.Millisecond)
	resp, err := cl.Post(f.url("/api"), "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST after the application closed the idle connection: %d, want 200", resp.StatusCode)
	}
	if b, _ := bodies.Load("POST"); b != "payload" {
		t.Fatalf("the application got POST body %q", b)
	}
}

// TestUpstreamAnswers: interim 1xx answers are skipped, trailers and bodies of every
// framing reach the client, hop-by-hop fields of the answer do not, and the path is put
// under the upstream's base path.
func TestUpstreamAnswers(t *testing.T) {
	var paths sync.Map
	up := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		for {
			r := readRequest(br)
			if r == nil {
				return
			}
			paths.Store(r.URL.Path, true)
			switch {
			case strings.HasSuffix(r.URL.Path, "/interim"):
				io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")
			case strings.HasSuffix(r.URL.Path, "/trailer"):
				io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Checksum\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 42\r\n\r\n")
			case strings.HasSuffix(r.URL.Path, "/hop"):
				io.WriteString(c, "HTTP/1.1 200 OK\r\nConnection: X-Private\r\nX-Private: secret\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok")
			case strings.HasSuffix(r.URL.Path, "/eof"):
				io.WriteString(c, "HTTP/1.1 200 OK\r\n\r\nuntil the end")
				return
			}
		}
	})
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL() + "/app/" })
	cl := f.client(f.leaves["alice"], true)
	if code, body, _ := fetch(t, cl, f.url("/v1/interim")); code != 200 || body != "final" {
		t.Errorf("after a 103: %d %q, want 200 \"final\"", code, body)
	}
	if code, body, tr := fetch(t, cl, f.url("/v1/trailer")); code != 200 || body != "abc" || tr.Get("X-Checksum") != "42" {
		t.Errorf("chunked with a trailer: %d %q trailer %v", code, body, tr)
	}
	resp, err := cl.Get(f.url("/v1/hop"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Private") != "" || resp.Header.Get("Keep-Alive") != "" {
		t.Errorf("hop-by-hop fields of the answer reached the client: %v", resp.Header)
	}
	if code, body, _ := fetch(t, cl, f.url("/v1/eof")); code != 200 || body != "until the end" {
		t.Errorf("a body ended by closing the connection: %d %q", code, body)
	}
	for _, p := range []string{"/app/v1/interim", "/app/v1/trailer", "/app/v1/hop", "/app/v1/eof"} {
		if _, ok := paths.Load(p); !ok {
			t.Errorf("the application never got %s", p)
		}
	}
	// The access log names the client's path, not the application's.
	f.access.waitLog(t, `"path":"/v1/interim"`, `"status":200`)
	if strings.Contains(f.access.String(), "/app/") {
		t.Errorf("the access log names the application's path:\n%s", f.access.String())
	}
}

// TestUpstreamFailures: an oversized header, an application that never answers and one
// that is not listening get 502/504, never a hang.
func TestUpstreamFailures(t *testing.T) {
	huge := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		readRequest(br)
		io.WriteString(c, "HTTP/1.1 200 OK\r\n")
		line := "X-Filler: " + strings.Repeat("a", 8000) + "\r\n"
		for range (maxUpstreamHeaderBytes / len(line)) + 2 {
			if _, err := io.WriteString(c, line); err != nil {
				return
			}
		}
	})
	silent := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		readRequest(br)
		io.Copy(io.Discard, c) // until guard gives up and closes
	})
	chatty := newRawUpstream(t, func(c net.Conn, br *bufio.Reader) {
		readRequest(br)
		for {
			if _, err := io.WriteString(c, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"); err != nil {
				return
			}
		}
	})
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	closedURL := "http://" + closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name, upstream string
		want           int
	}{
		{"header over 1 MiB", huge.URL(), http.StatusBadGateway},
		{"never answers", silent.URL(), http.StatusGatewayTimeout},
		{"not listening", closedURL, http.StatusBadGateway},
		{"interim answers without end", chatty.URL(), http.StatusBadGateway},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *Config) { c.Upstream = tc.upstream; c.UpstreamTimeout = 500 * time.Millisecond })
			code, body, _ := fetch(t, f.client(f.leaves["alice"], true), f.url("/api"))
			if code != tc.want || !strings.Contains(body, "the application did not answer") {
				t.Fatalf("got %d %q, want %d", code, body, tc.want)
			}
			f.log.waitLog(t, "upstream request failed")
		})
	}
}

// TestUpstreamClientGoesAway: a client that gives up frees the application's connection at
// once instead of holding it for the whole upstream timeout.
func TestUpstreamClientGoesAway(t *testing.T) {
	gone := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // the connection from guard was closed
		close(gone)
	}))
	t.Cleanup(up.Close)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL; c.UpstreamTimeout = time.Minute })
	cl := f.client(f.leaves["alice"], true)
	cl.Timeout = 300 * time.Millisecond
	if _, err := cl.Get(f.url("/slow")); err == nil {
		t.Fatal("the client's request did not time out")
	}
	select {
	case <-gone:
	case <-time.After(10 * time.Second):
		t.Fatal("the application's connection stayed open after the client went away")
	}
}

// TestUpstreamStreams: an event stream reaches the client event by event, not at the end.
func TestUpstreamStreams(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		<-release
		fmt.Fprint(w, "data: second\n\n")
	}))
	t.Cleanup(up.Close)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL })
	resp, err := f.client(f.leaves["alice"], true).Get(f.url("/events"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	close(release)
	if err != nil || line != "data: first\n" {
		t.Fatalf("first event: %q, %v", line, err)
	}
}

// TestUpstreamRequestBodies: bodies of known and unknown length reach the application whole.
func TestUpstreamRequestBodies(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %d %s", r.Method, len(b), r.Header.Get("X-Forwarded-Proto"))
	}))
	t.Cleanup(up.Close)
	f := newFixture(t, func(c *Config) { c.Upstream = up.URL })
	cl := f.client(f.leaves["alice"], true)
	big := strings.Repeat("x", 300<<10)
	for _, body := range []io.Reader{strings.NewReader(big), io.MultiReader(strings.NewReader(big))} {
		req, _ := http.NewRequest(http.MethodPut, f.url("/upload"), body)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := fmt.Sprintf("PUT %d https", len(big)); string(b) != want {
			t.Errorf("content length %d: the application saw %q, want %q", req.ContentLength, b, want)
		}
	}
}

// TestUpstreamChangedOnReload: after a reload names another application, requests go there,
// not over connections kept to the old one.
func TestUpstreamChangedOnReload(t *testing.T) {
	answer := func(name string) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) }))
		t.Cleanup(s.Close)
		return s
	}
	first, second := answer("first"), answer("second")
	f := newFixture(t, func(c *Config) { c.Upstream = first.URL })
	cl := f.client(f.leaves["alice"], true)
	if _, body, _ := fetch(t, cl, f.url("/")); body != "first" {
		t.Fatalf("before the reload: %q", body)
	}
	f.cfg.Upstream = second.URL
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, body, _ := fetch(t, cl, f.url("/")); body != "second" {
			t.Fatalf("after the reload: %q, want the new application's answer", body)
		}
	}
}
