package mtlscheck

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// TestClassifySynthetic covers outcomes no in-process Go server can produce (renegotiation,
// post-handshake auth, timeouts) by feeding classify recorded exchanges directly.
func TestClassifySynthetic(t *testing.T) {
	u, _ := url.Parse("https://api.example.com/")
	ok := func(status int, body string, requested bool) *probe.Exchange {
		return &probe.Exchange{Status: status, Body: []byte(body), Alert: -1,
			TLS: &probe.TLSInfo{Version: 0x0304, HandshakeDone: true, CertRequested: requested}}
	}
	fail := func(err error, done, requested bool) *probe.Exchange {
		k, a := probe.Classify(err)
		return &probe.Exchange{Err: err, ErrKind: k, Alert: a, TLS: &probe.TLSInfo{HandshakeDone: done, CertRequested: requested}}
	}
	user := &probe.Identity{Name: "user", Certificate: &fixturePKI().alice.TLS}
	cases := []struct {
		name       string
		base, anon *probe.Exchange
		want       endpoint.AuthMode
		reason     string
	}{
		{"renegotiation", ok(200, "x", false), fail(errors.New("local error: tls: no renegotiation"), true, false), endpoint.AuthUntestable, "renegotiation"},
		{"tls13-post-handshake-auth", ok(200, "x", false), fail(errors.New("tls: received unexpected handshake message of type *tls.certificateRequestMsgTLS13"), true, false), endpoint.AuthUntestable, "post-handshake"},
		{"timeout-without-cert", ok(200, "x", true), fail(context.DeadlineExceeded, true, true), endpoint.AuthUntestable, "timeout"},
		{"nothing-answers", fail(syscall.ECONNREFUSED, false, false), fail(syscall.ECONNREFUSED, false, false), endpoint.AuthUntestable, "no request got an answer"},
		{"reset-before-handshake", ok(200, "x", true), fail(syscall.ECONNRESET, false, true), endpoint.AuthRequiredTLS, "during the handshake"},
		{"nginx-400-bad-user-cert", ok(400, "<center>The SSL certificate error</center>", true), ok(400, "<center>No required SSL certificate was sent</center>", true), endpoint.AuthRequiredHTTP, "the user's certificate failed too"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := &endpoint.Env{URL: u, User: user}
			mode, reason := classify(env, tc.base, tc.anon)
			if mode != tc.want || !strings.Contains(reason, tc.reason) {
				t.Fatalf("classify = %s (%s), want %s containing %q", mode, reason, tc.want, tc.reason)
			}
		})
	}
}
