package prove

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// AttackerHost is the host name of crossgate's own attacker origin: a site that is not the
// target's, resolved to loopback by the browser's host-resolver rules only.
const AttackerHost = "crossgate-attacker.test"

const pagePath = "/crossgate-proof/"

// pageCA signs the attacker pages' certificates (and, in proxy mode, the certificates the
// proxy shows the browser for the targets). It lives in memory for one session, and only the
// throwaway profile trusts it.
type pageCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey

	mu    sync.Mutex
	leafs map[string]*tls.Certificate
}

func newPageCA() (*pageCA, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "crossgate proof pages " + randHex(4), Organization: []string{"crossgate (throwaway)"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &pageCA{cert: cert, key: key, leafs: map[string]*tls.Certificate{}}, nil
}

// leaf returns a server certificate for host, minted once.
func (ca *pageCA) leaf(host string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c := ca.leafs[host]; c != nil {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}
	ca.leafs[host] = c
	return c, nil
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

// job is one claim as the browser will run it.
type job struct {
	claim      Claim
	pageOrigin string // what the page's origin serializes to ("null" for the sandbox)
	pageURL    string
	page       []byte
	err        error
}

// pageServer serves the attacker pages on loopback, over HTTPS and plain HTTP, and knows
// which page origin maps to which of its listeners.
type pageServer struct {
	ca            *pageCA
	https, plain  net.Listener
	servers       []*http.Server
	jobs          []*job
	defaultOrigin string
	// routes maps each page origin's host:port to the loopback listener serving it; the
	// browser's host-resolver rules (or the proxy) send the page loads there.
	routes map[string]string
}

func newPageServer(ctx context.Context, claims []Claim, o Options) (*pageServer, error) {
	ca, err := newPageCA()
	if err != nil {
		return nil, err
	}
	s := &pageServer{ca: ca, routes: map[string]string{}}
	var lc net.ListenConfig
	if s.https, err = lc.Listen(ctx, "tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("cannot open a loopback port for the attacker page: %v", err)
	}
	if s.plain, err = lc.Listen(ctx, "tcp", "127.0.0.1:0"); err != nil {
		s.https.Close()
		return nil, fmt.Errorf("cannot open a loopback port for the attacker page: %v", err)
	}
	httpsPort := s.https.Addr().(*net.TCPAddr).Port
	s.defaultOrigin = "https://" + AttackerHost + ":" + strconv.Itoa(httpsPort)
	s.routes[AttackerHost+":"+strconv.Itoa(httpsPort)] = s.https.Addr().String()
	for i, c := range claims {
		s.jobs = append(s.jobs, s.plan(i, c, o))
	}
	mux := http.NewServeMux()
	mux.HandleFunc(pagePath, s.servePage)
	tlsCfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := h.ServerName
			if name == "" {
				name = AttackerHost
			}
			if !s.servesHost(name) {
				return nil, fmt.Errorf("no attacker page on %q", name)
			}
			return ca.leaf(name)
		},
	}
	for _, l := range []net.Listener{tls.NewListener(s.https, tlsCfg), s.plain} {
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, ErrorLog: quietLog()}
		s.servers = append(s.servers, srv)
		go srv.Serve(l)
	}
	return s, nil
}

// plan picks the page origin for a claim and renders its page.
func (s *pageServer) plan(i int, c Claim, o Options) *job {
	j := &job{claim: c}
	origin := s.defaultOrigin
	switch c.Origin {
	case "":
	case "null":
		j.pageOrigin = "null"
	default:
		u, err := url.Parse(c.Origin)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
			j.err = fmt.Errorf("crossgate cannot serve a page on the origin %q", c.Origin)
			return j
		}
		if net.ParseIP(u.Hostname()) != nil || u.Hostname() == "localhost" {
			// The browser connects to an address (or localhost) without asking its resolver,
			// so that origin cannot be redirected to crossgate's page.
			j.err = fmt.Errorf("crossgate cannot serve a page on %s: the browser does not resolve that host, so it cannot be pointed at crossgate's page", c.Origin)
			return j
		}
		if c.URL != nil && hostPort(u) == hostPort(c.URL) {
			j.err = fmt.Errorf("the origin %s is the target's own host and port", c.Origin)
			return j
		}
		l := s.https
		if u.Scheme == "http" {
			l = s.plain
		}
		s.routes[hostPort(u)] = l.Addr().String()
		origin = u.Scheme + "://" + u.Host
	}
	if j.pageOrigin == "" {
		j.pageOrigin = origin
	}
	j.pageURL = origin + pagePath + strconv.Itoa(i)
	page, err := pageHTML(newPageJob(c.URL.String(), c.Origin == "null", o.Timeout.Milliseconds(), o.MaxBytes))
	if err != nil {
		j.err = err
	}
	j.page = page
	return j
}

func (s *pageServer) servesHost(host string) bool {
	for hp := range s.routes {
		if h, _, err := net.SplitHostPort(hp); err == nil && strings.EqualFold(h, host) {
			return true
		}
	}
	return false
}

func (s *pageServer) servePage(w http.ResponseWriter, r *http.Request) {
	i, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, pagePath))
	if err != nil || i < 0 || i >= len(s.jobs) || s.jobs[i].err != nil {
		http.NotFound(w, r)
		return
	}
	j := s.jobs[i]
	// Each page is served only on the origin it was planned for.
	want, _ := url.Parse(j.pageURL)
	if !strings.EqualFold(r.Host, want.Host) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(j.page)
}

// resolverRules points every page origin's host:port at crossgate's listeners; nothing else
// is remapped, so the targets resolve as usual.
func (s *pageServer) resolverRules() string {
	var rules []string
	for hp, addr := range s.routes {
		rules = append(rules, "MAP "+hp+" "+addr)
	}
	slices.Sort(rules)
	return strings.Join(rules, ",")
}

func (s *pageServer) close() {
	for _, srv := range s.servers {
		srv.Close()
	}
	s.https.Close()
	s.plain.Close()
}
