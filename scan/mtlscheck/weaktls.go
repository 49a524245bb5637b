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

// handshakeAt tries one fresh handshake capped at version v, without a client certificate.
// A server that answers with ServerHello at v and then rejects the missing certificate still
// speaks v: the CertificateRequest proves it.
func (s *assessment) handshakeAt(ctx context.Context, v uint16) (accepted bool, detail string) {
	c := s.env.Client
	host := s.env.URL.Hostname()
	ctx, cancel := context.WithTimeout(ctx, c.Config().Timeout)
	defer cancel()
	raw, err := c.DialRaw(ctx, s.env.URL)
	if err != nil {
		return false, err.Error()
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	info := &probe.TLSInfo{}
	cfg := c.TLSConfig(host, probe.None, info)
	cfg.MinVersion, cfg.MaxVersion = v, v
	tc := tls.Client(raw, cfg)
	err = tc.HandshakeContext(ctx)
	if err == nil {
		st := tc.ConnectionState()
		return st.Version == v, "handshake completed with " + tls.CipherSuiteName(st.CipherSuite)
	}
	kind, code := probe.Classify(err)
	if kind == probe.ErrTLSAlert && info.CertRequested && probe.IsClientCertRejection(code) {
		return true, fmt.Sprintf("the server negotiated it and sent a CertificateRequest, then rejected the missing certificate (alert %d %s)", code, probe.AlertName(code))
	}
	if kind == probe.ErrServerCert {
		// The version was negotiated far enough for the server to send its certificate.
		return true, "the server negotiated it (its certificate did not verify: " + err.Error() + ")"
	}
	return false, err.Error()
}

var ruleTLSWeakProtocol = finding.Rule{
	ID: "tls-weak-protocol", Family: "mtls", Severity: finding.Medium, CWE: []string{"CWE-326"}, OWASP: "API8:2023",
	Title:   "TLS 1.0 or 1.1 accepted",
	Summary: "TLS 1.0/1.1 accepted (and in TLS <= 1.2 the client certificate travels in clear).",
	Advice:  "Accept only TLS 1.2 and 1.3 (nginx: ssl_protocols TLSv1.2 TLSv1.3;), so client certificates are not sent over obsolete protocols.",
}

func (s *assessment) weakProtocols(ctx context.Context) {
	var accepted, notes []string
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		ok, why := s.handshakeAt(ctx, v)
		notes = append(notes, tls.VersionName(v)+": "+why)
		if ok {
			accepted = append(accepted, tls.VersionName(v))
		}
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
