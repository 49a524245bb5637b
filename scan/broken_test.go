package scan

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
)

// brokenServer accepts connections on loopback and mistreats each as serve says.
func brokenServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				serve(c)
			}()
		}
	}()
	return "https://" + ln.Addr().String() + "/api/profile"
}

// A target that breaks the connection is reported as failed, and the report names how it
// broke: it closed mid-response, it reset the connection, or it did not speak TLS at all.
func TestBrokenConnectionNamesTheFailure(t *testing.T) {
	ca := pki.NewCA("crossgate broken-server CA")
	server := ca.Server()
	tlsServe := func(after func(*tls.Conn)) func(net.Conn) {
		return func(c net.Conn) {
			tc := tls.Server(c, &tls.Config{Certificates: []tls.Certificate{server.TLS}})
			if tc.Handshake() != nil {
				return
			}
			_, _ = bufio.NewReader(tc).ReadString('\n')
			after(tc)
		}
	}
	for _, tc := range []struct {
		name  string
		serve func(net.Conn)
		want  string
	}{
		{"closes mid-response", tlsServe(func(c *tls.Conn) {
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"user\":"))
		}), "closed the connection in the middle of its response"},
		{"resets", tlsServe(func(c *tls.Conn) {
			if tcp, ok := c.NetConn().(*net.TCPConn); ok {
				_ = tcp.SetLinger(0) // close with RST
			}
		}), "reset the connection"},
		{"TLS garbage", func(c net.Conn) {
			_, _ = c.Write([]byte("\x16\x03\x01\x00\x05garbage-that-is-not-a-server-hello\r\n\r\n"))
		}, "TLS handshake failed"},
		{"not TLS at all", func(c net.Conn) {
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2\r\n"))
		}, "does not speak TLS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := brokenServer(t, tc.serve)
			rep, err := Run(context.Background(), Config{Targets: []string{u},
				Probe: probe.Config{RootCAs: ca.Pool(), Rate: -1, Timeout: 3 * time.Second}})
			if err != nil {
				t.Fatal(err)
			}
			tg := rep.Targets[0]
			// Headers that arrived are tested; a body cut short is a warning on the target.
			got := tg.Error + tg.NotTested + strings.Join(tg.Warnings, "; ")
			if !strings.Contains(got, tc.want) {
				t.Errorf("report says %q, want it to name %q", got, tc.want)
			}
			if tc.name != "closes mid-response" && rep.Summary.Failed != 1 {
				t.Errorf("a connection broken before any answer: failed %d, want 1", rep.Summary.Failed)
			}
			if strings.Contains(got, "client certificate") {
				t.Errorf("a broken connection blamed on the client certificate: %q", got)
			}
		})
	}
}
