package mtlscheck

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
)

// handshakeIn tries one fresh handshake offering the versions lo to hi, without a client
// certificate, and returns the version the server chose (0 when it chose none of them). A
// server that answers with ServerHello and then rejects the missing certificate still speaks
// that version: the CertificateRequest proves it.
func (s *assessment) handshakeIn(ctx context.Context, lo, hi uint16) (chosen uint16, detail string) {
	c := s.env.Client
	host := s.env.URL.Hostname()
	ctx, cancel := context.WithTimeout(ctx, c.Config().Timeout)
	defer cancel()
	raw, err := c.DialRaw(ctx, s.env.URL)
	if err != nil {
		return 0, err.Error()
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	info := &probe.TLSInfo{}
	cfg := c.TLSConfig(host, probe.None, info)
	cfg.MinVersion, cfg.MaxVersion = lo, hi
	tc := tls.Client(raw, cfg)
	err = tc.HandshakeContext(ctx)
	// The version is set once ServerHello was read, also when the handshake fails later.
	v := tc.ConnectionState().Version
	if v < lo || v > hi {
		v = 0
	}
	if err == nil {
		return v, "handshake completed with " + tls.CipherSuiteName(tc.ConnectionState().CipherSuite)
	}
	kind, code := probe.Classify(err)
	if kind == probe.ErrTLSAlert && info.CertRequested && probe.IsClientCertRejection(code) && v != 0 {
		return v, fmt.Sprintf("the server negotiated it and sent a CertificateRequest, then rejected the missing certificate (alert %d %s)", code, probe.AlertName(code))
	}
	if kind == probe.ErrServerCert && v != 0 {
		// The version was negotiated far enough for the server to send its certificate.
		return v, "the server negotiated it (its certificate did not verify: " + err.Error() + ")"
	}
	return 0, err.Error()
}

var ruleTLSWeakProtocol = finding.Rule{
	ID: "tls-weak-protocol", Family: "mtls", Severity: finding.Medium, CWE: []string{"CWE-326"}, OWASP: "API8:2023",
	Title:   "TLS 1.0 or 1.1 accepted",
	Summary: "TLS 1.0/1.1 accepted (and in TLS <= 1.2 the client certificate travels in clear).",
	Advice:  "Accept only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3;), so client certificates are not sent over obsolete protocols.",
}

// weakProtocols asks first in one handshake offering TLS 1.0 and 1.1: a server picks the
// highest version both sides have, so a refusal means neither is accepted and TLS 1.0 chosen
// means 1.1 is not. (A server intolerant of a hello it cannot match would also refuse the
// TLS 1.2+ hellos the scan already completed.) Only when it picks 1.1 does a second
// handshake, capped at 1.0, ask whether 1.0 is accepted too.
func (s *assessment) weakProtocols(ctx context.Context) {
	var accepted, notes []string
	v, why := s.handshakeIn(ctx, tls.VersionTLS10, tls.VersionTLS11)
	switch v {
	case 0:
		notes = append(notes, "TLS 1.0 and 1.1, offered together: "+why)
	case tls.VersionTLS10:
		accepted = append(accepted, "TLS 1.0")
		notes = append(notes, "TLS 1.0: "+why, "TLS 1.1: not chosen when offered with 1.0, so not accepted")
	case tls.VersionTLS11:
		v10, why10 := s.handshakeIn(ctx, tls.VersionTLS10, tls.VersionTLS10)
		if v10 != 0 {
			accepted = append(accepted, "TLS 1.0")
		}
		accepted = append(accepted, "TLS 1.1")
		notes = append(notes, "TLS 1.0: "+why10, "TLS 1.1: "+why)
	}
	if len(accepted) == 0 {
		return
	}
	f := finding.New(ruleTLSWeakProtocol.ID)
	f.Detail = fmt.Sprintf("The server accepts %s. Before TLS 1.3 the client certificate is sent unencrypted, so anyone on the path sees who connects; these versions also lack modern AEAD cipher suites.",
		strings.Join(accepted, " and "))
	flag := map[string]string{"TLS 1.0": "-tls1", "TLS 1.1": "-tls1_1"}[accepted[0]]
	notes = append(notes, fmt.Sprintf("reproduce: openssl s_client -connect %s %s -cipher 'DEFAULT@SECLEVEL=0' </dev/null", hostPort(s.env.URL.Host), flag))
	f.Evidence = finding.Evidence{Notes: notes}
	s.add(f, strings.Join(accepted, ","), false)
}

func hostPort(h string) string {
	if _, _, err := net.SplitHostPort(h); err == nil {
		return h
	}
	return net.JoinHostPort(strings.Trim(h, "[]"), "443")
}
