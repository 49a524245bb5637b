package guard

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// FuzzUpstreamAnswer: whatever bytes the application answers with, guard gives the client a
// response (the application's, or 502/504) within its upstream timeout, keeps serving, and
// never panics. The seeds are answers of every framing and the broken kinds.
func FuzzUpstreamAnswer(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n2\r\nok\r\n0\r\nX-T: 1\r\n\r\n",
		"HTTP/1.1 103 Early Hints\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"HTTP/1.0 200 OK\r\n\r\nuntil the end",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\nzz\r\n",
		"HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 999 Odd\r\nX: \x00\r\n\r\n",
		"garbage\r\n\r\n",
		"",
	} {
		f.Add([]byte(seed))
	}
	var mu sync.Mutex
	var answer []byte
	up := newRawUpstream(f, func(c net.Conn, br *bufio.Reader) {
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		mu.Lock()
		a := answer
		mu.Unlock()
		c.Write(a)
	})
	fx := newFixture(f, func(c *Config) {
		c.Upstream = up.URL()
		c.UpstreamTimeout = 300 * time.Millisecond
	})
	cl := fx.client(fx.leaves["alice"], true)
	f.Fuzz(func(t *testing.T, data []byte) {
		mu.Lock()
		answer = data
		mu.Unlock()
		resp, err := cl.Get(fx.url("/fuzz"))
		if err != nil {
			// The answer may break the response off mid-body; guard then closes the client's
			// connection, which is all it can do once the status line is out.
			if !strings.Contains(err.Error(), "EOF") && !strings.Contains(err.Error(), "unexpected") && !strings.Contains(err.Error(), "reset") {
				t.Fatalf("GET through guard: %v", err)
			}
		} else {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 100 || resp.StatusCode > 999 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		if strings.Contains(fx.log.String(), "panic") {
			t.Fatalf("guard panicked:\n%s", fx.log.String())
		}
	})
}
