package mtlscheck

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// testPKI is minted once per test binary: a CA that issues the server and the clients.
type testPKI struct {
	ca                          *pki.CA
	server                      *pki.Leaf
	alice, alice2, bob, expired *pki.Leaf
}

var (
	pkiOnce sync.Once
	pkiVal  *testPKI
)

func fixturePKI() *testPKI {
	pkiOnce.Do(func() {
		ca := pki.NewCA("Example Internal Client CA")
		now := time.Now()
		pkiVal = &testPKI{
			ca:     ca,
			server: ca.Server(),
			alice:  ca.Client("alice", "Example"),
			alice2: ca.Client("alice2", "Example"),
			bob:    ca.Client("bob", "Example"),
			expired: ca.Issue(pki.Options{Subject: pkix.Name{CommonName: "alice", Organization: []string{"Example"}},
				NotBefore: now.Add(-40 * 24 * time.Hour), NotAfter: now.Add(-10 * 24 * time.Hour)}),
		}
	})
	return pkiVal
}

// fixture is one in-process TLS target.
type fixture struct {
	auth       tls.ClientAuthType
	clientCAs  bool // advertise (and verify against) the test CA
	minVersion uint16
	maxVersion uint16
	verify     func([][]byte, [][]*x509.Certificate) error
	handler    http.HandlerFunc
}

func start(t testing.TB, fx fixture) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(fx.handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	cfg := &tls.Config{
		Certificates:          []tls.Certificate{fixturePKI().server.TLS},
		ClientAuth:            fx.auth,
		MinVersion:            fx.minVersion,
		MaxVersion:            fx.maxVersion,
		VerifyPeerCertificate: fx.verify,
	}
	if fx.clientCAs {
		cfg.ClientCAs = fixturePKI().ca.Pool()
	}
	srv.TLS = cfg
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func newEnv(t testing.TB, rawURL string, user *pki.Leaf, extra ...*probe.Identity) *endpoint.Env {
	t.Helper()
	c, err := probe.New(probe.Config{RootCAs: fixturePKI().ca.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	env := &endpoint.Env{Client: c, URL: u, User: probe.None, Extra: extra}
	if user != nil {
		env.User = &probe.Identity{Name: "user", Certificate: &user.TLS}
	}
	return env
}

func ident(name string, l *pki.Leaf) *probe.Identity {
	return &probe.Identity{Name: name, Certificate: &l.TLS}
}

// --- application behaviours ---

func profile(w http.ResponseWriter, user string) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"user": user, "email": user + "@example.com",
		"note": "private profile of " + user + ", account settings, billing address and recent orders",
	})
}

func anonymousPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"user":"anonymous","message":"welcome to the public landing page, please present your certificate"}`)
}

func forbidden(w http.ResponseWriter) { http.Error(w, "forbidden", http.StatusForbidden) }

// verified returns the subject of the peer certificate if it chains to the test CA now.
func verified(r *http.Request) (pkix.Name, bool) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return pkix.Name{}, false
	}
	leaf := r.TLS.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: fixturePKI().ca.Pool(), Intermediates: inter, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}})
	return leaf.Subject, err == nil
}

func peerSubject(r *http.Request) (pkix.Name, bool) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return pkix.Name{}, false
	}
	return r.TLS.PeerCertificates[0].Subject, true
}

// static ignores certificates: the same private profile for everyone.
func static(w http.ResponseWriter, r *http.Request) { profile(w, "alice") }

// peerCN trusts whatever certificate the TLS layer let through.
func peerCN(w http.ResponseWriter, r *http.Request) {
	if n, ok := peerSubject(r); ok {
		profile(w, n.CommonName)
		return
	}
	forbidden(w)
}

func verifiedOr403(w http.ResponseWriter, r *http.Request) {
	if n, ok := verified(r); ok {
		profile(w, n.CommonName)
		return
	}
	forbidden(w)
}

func verifiedOrAnonymous(w http.ResponseWriter, r *http.Request) {
	if n, ok := verified(r); ok {
		profile(w, n.CommonName)
		return
	}
	anonymousPage(w)
}

// nginxLike behaves like nginx with ssl_verify_client on: the handshake completes, the HTTP
// answer is nginx's 400 page.
func nginxLike(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		nginx400(w, "No required SSL certificate was sent")
		return
	}
	n, ok := verified(r)
	if !ok {
		nginx400(w, "The SSL certificate error")
		return
	}
	profile(w, n.CommonName)
}

func nginx400(w http.ResponseWriter, msg string) {
	w.Header().Set("Content-Type", "text/html")
	w.Header().Set("Server", "nginx/1.22.1")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, "<html>\r\n<head><title>400 "+msg+"</title></head>\r\n<body>\r\n<center><h1>400 Bad Request</h1></center>\r\n<center>"+msg+"</center>\r\n<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n")
}

var cnRE = regexp.MustCompile(`CN=([^,/]+)`)

// trustsHeader is an app behind a proxy that does not overwrite the named header: it takes
// the subject from it when the verify header says SUCCESS (or, for headers that carry no
// verify flag, whenever present).
func trustsHeader(name string, needVerify string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if n, ok := verified(r); ok {
			profile(w, n.CommonName)
			return
		}
		v := r.Header.Get(name)
		if v != "" && (needVerify == "" || r.Header.Get(needVerify) == "SUCCESS") {
			if m := cnRE.FindStringSubmatch(v); m != nil {
				profile(w, m[1])
				return
			}
		}
		forbidden(w)
	}
}

// substringMapping maps subjects to users with strings.Contains: CN=alice2 becomes alice.
func substringMapping(w http.ResponseWriter, r *http.Request) {
	n, ok := verified(r)
	if !ok {
		forbidden(w)
		return
	}
	for _, u := range []string{"alice", "bob"} {
		if strings.Contains(n.String(), "CN="+u) {
			profile(w, u)
			return
		}
	}
	forbidden(w)
}

func exactMapping(w http.ResponseWriter, r *http.Request) {
	n, ok := verified(r)
	if !ok {
		forbidden(w)
		return
	}
	users := map[string]string{"CN=alice,O=Example": "alice", "CN=alice2,O=Example": "alice2", "CN=bob,O=Example": "bob"}
	if u, ok := users[n.String()]; ok {
		profile(w, u)
		return
	}
	forbidden(w)
}

// resetWithoutCert hangs up (TCP RST) after the handshake when no certificate came.
func resetWithoutCert(w http.ResponseWriter, r *http.Request) {
	if _, ok := peerSubject(r); ok {
		verifiedOr403(w, r)
		return
	}
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*tls.Conn); ok {
		if tcp, ok := tc.NetConn().(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		_ = tc.NetConn().Close()
		return
	}
	_ = conn.Close()
}

// ignoreExpiry checks that the certificate was signed by the test CA and nothing else: the
// "custom verification that forgot the clock" mistake.
func ignoreExpiry(raw [][]byte, _ [][]*x509.Certificate) error {
	if len(raw) == 0 {
		return errors.New("no certificate")
	}
	leaf, err := x509.ParseCertificate(raw[0])
	if err != nil {
		return err
	}
	return leaf.CheckSignatureFrom(fixturePKI().ca.Cert)
}
