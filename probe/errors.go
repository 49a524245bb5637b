package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrKind classifies why an exchange failed, in terms a report can explain.
type ErrKind string

const (
	ErrNone         ErrKind = ""
	ErrTimeout      ErrKind = "timeout"       // no answer within --timeout
	ErrRefused      ErrKind = "refused"       // TCP connection refused
	ErrDNS          ErrKind = "dns"           // name did not resolve
	ErrTLSAlert     ErrKind = "tls-alert"     // the server sent a TLS alert (AlertCode says which)
	ErrServerCert   ErrKind = "server-cert"   // the server's certificate did not verify
	ErrTLSHandshake ErrKind = "tls-handshake" // handshake failed otherwise (not TLS, version, ...)
	ErrClosed       ErrKind = "closed"        // connection closed without an answer
	ErrReset        ErrKind = "reset"         // connection reset (TCP RST) without an answer
	ErrProtocol     ErrKind = "protocol"      // the server did not speak HTTP
	ErrBlocked      ErrKind = "blocked"       // crossgate refused to send it (safety policy)
	ErrOther        ErrKind = "other"
)

// Alert codes a server uses to reject a client certificate, or its absence (RFC 8446 6.2).
const (
	AlertHandshakeFailure    = 40
	AlertBadCertificate      = 42
	AlertCertificateExpired  = 45
	AlertCertificateUnknown  = 46
	AlertIllegalParameter    = 47
	AlertUnknownCA           = 48
	AlertAccessDenied        = 49
	AlertDecryptError        = 51
	AlertProtocolVersion     = 70
	AlertInternalError       = 80
	AlertCertificateRequired = 116
)

// crypto/tls reports a received alert as a net.OpError{Op: "remote error"} whose inner error
// is unexported; its text is "tls: <name>". This table maps those names back to codes.
var alertNames = map[string]int{
	"close notify": 0, "unexpected message": 10, "bad record MAC": 20, "record overflow": 22,
	"handshake failure": 40, "bad certificate": 42, "unsupported certificate": 43,
	"revoked certificate": 44, "expired certificate": 45, "unknown certificate": 46,
	"illegal parameter": 47, "unknown certificate authority": 48, "access denied": 49,
	"error decoding message": 50, "error decrypting message": 51, "protocol version not supported": 70,
	"insufficient security level": 71, "internal error": 80, "inappropriate fallback": 86,
	"user canceled": 90, "missing extension": 109, "unsupported extension": 110,
	"unrecognized name": 112, "certificate required": 116, "no application protocol": 120,
}

// Closed reports whether the connection ended without an answer, closed or reset.
func (k ErrKind) Closed() bool { return k == ErrClosed || k == ErrReset }

// AlertName returns the RFC name of an alert code, for reports.
func AlertName(code int) string {
	for n, c := range alertNames {
		if c == code {
			return n
		}
	}
	return "alert(" + strconv.Itoa(code) + ")"
}

// IsClientCertRejection reports whether an alert code is one servers send when the client
// certificate is missing or not trusted.
func IsClientCertRejection(code int) bool {
	switch code {
	case AlertHandshakeFailure, AlertBadCertificate, AlertCertificateExpired, AlertCertificateUnknown,
		AlertUnknownCA, AlertAccessDenied, AlertCertificateRequired, AlertDecryptError, AlertIllegalParameter:
		return true
	}
	return false
}

// Classify maps a transport error to a kind and, for TLS alerts, the alert code (else -1).
func Classify(err error) (ErrKind, int) {
	if err == nil {
		return ErrNone, -1
	}
	var blocked *BlockedError
	if errors.As(err, &blocked) {
		return ErrBlocked, -1
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" && op.Err != nil {
		name := strings.TrimPrefix(op.Err.Error(), "tls: ")
		if c, ok := alertNames[name]; ok {
			return ErrTLSAlert, c
		}
		if strings.HasPrefix(name, "alert(") {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(name, "alert("), ")"))
			return ErrTLSAlert, n
		}
		return ErrTLSAlert, -1
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return ErrTimeout, -1
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ErrTimeout, -1
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return ErrDNS, -1
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return ErrRefused, -1
	}
	var uae x509.UnknownAuthorityError
	var hne x509.HostnameError
	var cie x509.CertificateInvalidError
	var cve *tls.CertificateVerificationError
	if errors.As(err, &cve) || errors.As(err, &uae) || errors.As(err, &hne) || errors.As(err, &cie) {
		return ErrServerCert, -1
	}
	var rhe tls.RecordHeaderError
	if errors.As(err, &rhe) {
		return ErrTLSHandshake, -1
	}
	// A reset is told apart from a close: under load it is the server (or a proxy) shedding
	// connections, which a report must not pass off as an answer about client certificates.
	if errors.Is(err, syscall.ECONNRESET) {
		return ErrReset, -1
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, net.ErrClosed) {
		return ErrClosed, -1
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "malformed HTTP"), strings.Contains(msg, "server gave HTTP response to HTTPS"):
		return ErrProtocol, -1
	case strings.Contains(msg, "tls:"):
		return ErrTLSHandshake, -1
	case strings.Contains(msg, "connection reset"):
		return ErrReset, -1
	case strings.Contains(msg, "EOF"), strings.Contains(msg, "server closed"):
		return ErrClosed, -1
	}
	return ErrOther, -1
}

// BlockedError is returned when the safety policy stops a request before it is sent.
type BlockedError struct{ Reason string }

func (e *BlockedError) Error() string { return "crossgate refused to send the request: " + e.Reason }
