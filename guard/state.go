package guard

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"time"
)

// state is one generation of everything reloadable: built whole from the files, swapped in
// whole, so a request or handshake never sees half of a reload.
type state struct {
	cfg          *Config
	tls          *tls.Config
	policy       *Policy
	upstream     *url.URL
	certNotAfter time.Time
	caNotAfter   time.Time // earliest expiry in the client CA bundle
	loadedAt     time.Time
	// trust is set when crypto/tls does not verify (custom advertised list): the chain is
	// then verified once more per connection, to hand the handler its verified chains.
	trust *x509.CertPool
}

// modernSuites are the TLS 1.2 suites kept: forward secret and AEAD only (TLS 1.3 suites
// are not configurable in Go and are all of that kind).
var modernSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// FileError is a configuration problem tied to one input, with a hint for the person who
// has to fix it.
type FileError struct {
	What, Path string
	Err        error
	Hint       string
}

func (e *FileError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %v", e.What, e.Err)
	}
	return fmt.Sprintf("%s %s: %v", e.What, e.Path, e.Err)
}
func (e *FileError) Unwrap() error { return e.Err }

func buildState(cfg *Config) (*state, error) {
	c := *cfg
	c.fillDefaults()
	st := &state{cfg: &c, loadedAt: time.Now()}
	up, err := ParseUpstream(c.Upstream)
	if err != nil {
		return nil, &FileError{What: "upstream", Err: err, Hint: "pass the application's address, e.g. --upstream http://127.0.0.1:8000"}
	}
	st.upstream = up
	if c.Cert == "" || c.Key == "" {
		return nil, &FileError{What: "server certificate", Err: errors.New("--cert and --key are required"), Hint: "pass the server certificate chain with --cert and its key with --key (PEM)"}
	}
	cert, err := tls.LoadX509KeyPair(c.Cert, c.Key)
	if err != nil {
		return nil, &FileError{What: "server certificate", Path: c.Cert + " / " + c.Key, Err: err,
			Hint: "--cert must be a PEM certificate chain (leaf first) and --key the PEM private key of that leaf"}
	}
	st.certNotAfter = cert.Leaf.NotAfter
	if c.ClientCA == "" {
		return nil, &FileError{What: "client CA", Err: errors.New("--client-ca is required"), Hint: "pass the PEM bundle of the CA(s) that issue your client certificates; guard never falls back to the system roots"}
	}
	trust, cas, err := loadPool(c.ClientCA)
	if err != nil {
		return nil, &FileError{What: "client CA", Path: c.ClientCA, Err: err, Hint: "--client-ca must be a PEM file of CA certificates (BEGIN CERTIFICATE blocks)"}
	}
	for i, ca := range cas {
		if i == 0 || ca.NotAfter.Before(st.caNotAfter) {
			st.caNotAfter = ca.NotAfter
		}
	}
	tc := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		CipherSuites: modernSuites,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"http/1.1"},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    trust,
	}
	switch c.AdvertiseCA {
	case "":
	case "none":
		tc.ClientAuth, tc.ClientCAs = tls.RequireAnyClientCert, nil
	default:
		adv, _, err := loadPool(c.AdvertiseCA)
		if err != nil {
			return nil, &FileError{What: "advertised CA list", Path: c.AdvertiseCA, Err: err, Hint: "--advertise-ca takes a PEM file of CA certificates whose names are sent, or 'none' for an empty list"}
		}
		tc.ClientAuth, tc.ClientCAs = tls.RequireAnyClientCert, adv
	}
	if tc.ClientAuth == tls.RequireAnyClientCert {
		// The advertised names differ from the trusted CAs, so crypto/tls cannot verify for
		// us. VerifyConnection runs on full and resumed handshakes alike.
		tc.VerifyConnection = func(cs tls.ConnectionState) error {
			_, err := verifyClient(cs, trust)
			return err
		}
		st.trust = trust
	}
	st.tls = tc

	if c.Identities == "" {
		return nil, &FileError{What: "identities", Err: errors.New("--identities is required"), Hint: "write a YAML file mapping certificates to users (see 'crossgate guard --help')"}
	}
	data, err := readBounded(c.Identities, maxIdentitiesFile)
	if err != nil {
		return nil, &FileError{What: "identities file", Path: c.Identities, Err: err, Hint: "check the path given to --identities"}
	}
	ids, err := ParseIdentities(data)
	if err != nil {
		return nil, &FileError{What: "identities file", Path: c.Identities, Err: err, Hint: "each entry is '- user: NAME' with exactly one of subject, uri, dns, sha256, or cn plus issuer"}
	}
	cors, err := NewCORS(c.CORS)
	if err != nil {
		return nil, &FileError{What: "CORS", Err: err, Hint: "give --allow-origin once per exact origin the browser app is served from"}
	}
	if !isToken(c.IdentityHeader) {
		return nil, &FileError{What: "identity header", Err: fmt.Errorf("%q is not a header name", c.IdentityHeader), Hint: "use a name such as X-Client-Identity"}
	}
	if strings.IndexByte(c.IdentityHeader, '_') >= 0 {
		return nil, &FileError{What: "identity header", Err: fmt.Errorf("%q contains '_'", c.IdentityHeader), Hint: "guard strips every header with '_' (WSGI reads it as the dashed name); use dashes"}
	}
	switch c.ForwardCert {
	case ForwardNone, ForwardXFCC, ForwardRFC9440:
	default:
		return nil, &FileError{What: "forward-cert", Err: fmt.Errorf("unknown mode %q", c.ForwardCert), Hint: "use xfcc, rfc9440 or none"}
	}
	st.policy = &Policy{Identities: ids, CORS: cors, IdentityHeader: c.IdentityHeader, ForwardCert: c.ForwardCert}
	return st, nil
}

// ParseUpstream checks an upstream URL: http or https, a host, nothing else.
func ParseUpstream(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("--upstream is required")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", s)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: give scheme://host:port and an optional path only", s)
	}
	return u, nil
}

// PlainRemoteUpstream reports an upstream reached over plain HTTP on another machine: the
// identity header then crosses a network anyone on the path can read and rewrite.
func PlainRemoteUpstream(u *url.URL) bool {
	if u.Scheme != "http" {
		return false
	}
	h := u.Hostname()
	if h == "localhost" {
		return false
	}
	ip := net.ParseIP(h)
	return ip == nil || !ip.IsLoopback()
}

func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}

func loadPool(path string) (*x509.CertPool, []*x509.Certificate, error) {
	data, err := readBounded(path, 16<<20)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	var certs []*x509.Certificate
	for rest := data; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			if strings.Contains(b.Type, "PRIVATE KEY") {
				return nil, nil, errors.New("holds a private key; a CA bundle needs only certificates (keep the key elsewhere)")
			}
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("certificate %d: %v", len(certs)+1, err)
		}
		pool.AddCert(c)
		certs = append(certs, c)
	}
	if len(certs) == 0 {
		return nil, nil, errors.New("no PEM certificate in the file")
	}
	return pool, certs, nil
}

// verifyClient checks the peer's chain against the trusted client CAs, for the modes where
// crypto/tls does not (an advertised list different from the trusted one).
func verifyClient(cs tls.ConnectionState, trust *x509.CertPool) ([][]*x509.Certificate, error) {
	if len(cs.PeerCertificates) == 0 {
		return nil, errors.New("tls: client didn't provide a certificate")
	}
	opts := x509.VerifyOptions{Roots: trust, Intermediates: x509.NewCertPool(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	chains, err := cs.PeerCertificates[0].Verify(opts)
	if err != nil {
		return nil, &tls.CertificateVerificationError{UnverifiedCertificates: cs.PeerCertificates, Err: err}
	}
	return chains, nil
}
