package guard

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/idheaders"
	"github.com/crossgate/crossgate/internal/pki"
)

// syncBuffer is a log sink the server writes from many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitLog waits until a log line holds every one of parts, and returns it.
func (s *syncBuffer) waitLog(t *testing.T, parts ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(s.String(), "\n") {
			ok := line != ""
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return line
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no log line with %q in:\n%s", parts, s.String())
	return ""
}

// echoUpstream answers every request with 200 and the user guard sent, and counts the
// requests that arrived carrying any identity header other than the configured one, or any
// header with '_' (neither may ever pass guard).
type echoUpstream struct {
	*httptest.Server
	requests, forged atomic.Int64
	lastForged       atomic.Value // string
}

func newEchoUpstream(t testing.TB, identityHeader string) *echoUpstream {
	e := &echoUpstream{}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.requests.Add(1)
		for k, v := range r.Header {
			if strings.EqualFold(k, identityHeader) {
				if len(v) != 1 {
					e.forged.Add(1)
					e.lastForged.Store(k + ": duplicated")
				}
				continue
			}
			if idheaders.IsIdentity(k) || strings.Contains(k, "_") {
				e.forged.Add(1)
				e.lastForged.Store(k + ": " + strings.Join(v, ","))
			}
		}
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) != 1 || xff[0] != "127.0.0.1" {
			e.forged.Add(1)
			e.lastForged.Store("X-Forwarded-For: " + strings.Join(xff, ","))
		}
		// An app left on allow-all CORS: guard must replace this.
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("user=" + r.Header.Get(identityHeader)))
	}))
	t.Cleanup(e.Close)
	return e
}

// fixture is a running guard Server with its PKI, upstream and logs.
type fixture struct {
	dir        string
	ca         *pki.CA
	serverCA   *pki.CA
	leaves     map[string]*pki.Leaf
	cfg        Config
	srv        *Server
	up         *echoUpstream
	log        *syncBuffer
	access     *syncBuffer
	addr       string
	metricsURL string
	stop       func()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// Rename, as deploy tools do: a reader never sees half a file.
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// newFixture mints a PKI (alice and bob mapped by subject), starts an echo upstream and a
// guard on loopback port 0. mutate may change the configuration before the start.
func newFixture(t testing.TB, mutate func(*Config)) *fixture {
	t.Helper()
	f := &fixture{dir: t.TempDir(), ca: pki.NewCA("guard test client CA"), serverCA: pki.NewCA("guard test server CA"),
		leaves: map[string]*pki.Leaf{}, log: &syncBuffer{}, access: &syncBuffer{}}
	for _, n := range []string{"alice", "bob"} {
		f.leaves[n] = f.ca.Client(n, "Example")
	}
	srv := f.serverCA.Server()
	cert, key, err := srv.WriteFiles(f.dir, "server")
	if err != nil {
		t.Fatal(err)
	}
	caFile, err := f.ca.WriteFile(f.dir, "client-ca")
	if err != nil {
		t.Fatal(err)
	}
	ids := filepath.Join(f.dir, "identities.yaml")
	writeFile(t, ids, []byte("identities:\n  - user: alice\n    subject: \"CN=alice,O=Example\"\n  - user: bob\n    subject: \"CN=bob,O=Example\"\n"))
	f.up = newEchoUpstream(t, DefaultIdentityHeader)
	f.cfg = Config{Listen: "127.0.0.1:0", Upstream: f.up.URL, Cert: cert, Key: key, ClientCA: caFile, Identities: ids,
		CORS:    CORSConfig{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"PUT"}, AllowHeaders: []string{"content-type"}, MaxAge: 600},
		Metrics: "127.0.0.1:0"}
	if mutate != nil {
		mutate(&f.cfg)
	}
	cfgp := &f.cfg
	f.srv, err = NewServer(func() (*Config, error) { c := *cfgp; return &c, nil },
		slog.New(slog.NewJSONHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})), f.access)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan Addrs, 1)
	done := make(chan error, 1)
	go func() { done <- f.srv.Run(ctx, func(a Addrs) { ready <- a }) }()
	select {
	case a := <-ready:
		f.addr = a.HTTPS.String()
		f.metricsURL = "http://" + a.Metrics.String()
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	}
	var once sync.Once
	f.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Errorf("guard did not shut down")
			}
		})
	}
	t.Cleanup(f.stop)
	return f
}

func (f *fixture) url(path string) string { return "https://" + f.addr + path }

// client presents leaf (none for nil) and trusts the guard's server CA; keepAlive chooses
// between one reused connection and a fresh handshake per request.
func (f *fixture) client(leaf *pki.Leaf, keepAlive bool) *http.Client {
	cfg := &tls.Config{RootCAs: f.serverCA.Pool(), MinVersion: tls.VersionTLS12}
	if leaf != nil {
		c := leaf.TLS
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }
	}
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: !keepAlive, MaxIdleConnsPerHost: 64}}
}

// leafWith issues a client certificate from the fixture's CA with the given options.
func (f *fixture) leafWith(cn string, o pki.Options) *pki.Leaf {
	o.Subject = pkix.Name{CommonName: cn, Organization: []string{"Example"}}
	return f.ca.Issue(o)
}

func pkixName(cn string, org, ou string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{org}, OrganizationalUnit: []string{ou}}
}

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

func asFileError(err error, fe **FileError) bool { return errors.As(err, fe) }
