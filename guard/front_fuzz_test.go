package guard

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// FuzzFrontRequest: whatever bytes a client with a valid certificate sends, guard answers or
// closes the connection within its timeouts, never panics, and keeps serving others.
func FuzzFrontRequest(f *testing.F) {
	for _, seed := range []string{
		"GET / HTTP/1.1\r\nHost: api\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: api\r\n\r\nGET /2 HTTP/1.1\r\nHost: api\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: api\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\nhello",
		"PUT / HTTP/1.1\r\nHost: api\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
		"GET / HTTP/1.0\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: api\r\nConnection: close, Host\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: api\r\nOrigin: https://app.example.com\r\nAccess-Control-Request-Method: PUT\r\n\r\n",
		"GET /%zz HTTP/1.1\r\nHost: api\r\n\r\n",
		"\x16\x03\x01\x00",
		"",
	} {
		f.Add([]byte(seed))
	}
	up := newEchoUpstream(f, DefaultIdentityHeader)
	fx := newFixture(f, func(c *Config) {
		c.Upstream = up.URL
		c.HeaderTimeout = 200 * time.Millisecond
		c.IdleTimeout = 200 * time.Millisecond
		c.UpstreamTimeout = time.Second
	})
	cfg := &tls.Config{RootCAs: fx.serverCA.Pool(), Certificates: []tls.Certificate{fx.leaves["alice"].TLS}}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := tls.Dial("tcp", fx.addr, cfg)
		if err != nil {
			t.Fatalf("guard stopped accepting: %v", err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(data)
		c.CloseWrite() // the end of the client's stream: guard answers what it got, then closes
		_, err = io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("guard neither answered nor closed within 10 s")
		}
		if strings.Contains(fx.log.String(), "panic") {
			t.Fatalf("guard panicked:\n%s", fx.log.String())
		}
	})
}
