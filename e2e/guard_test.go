package e2e

// crossgate guard in front of the real Django + django-cors-headers app, left exactly as
// misconfigured as the allow_all stack: CORS_ALLOW_ALL_ORIGINS = True and the substring
// subject middleware (xg/middleware.py). Straight through nginx the scan reports the seed's
// findings; through guard, with two identities, nothing above info.

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/guard"
)

// startGuard runs guard on loopback in front of s's Django (not its nginx) and returns
// the https base URL.
func startGuard(t *testing.T, s *Stack) string {
	t.Helper()
	dir := t.TempDir()
	ids := filepath.Join(dir, "identities.yaml")
	// The app reads the subject from X-SSL-Client-S-DN, so guard sends each user as the DN
	// the app expects; only these exact certificates map, alice2 does not.
	if err := os.WriteFile(ids, []byte(`identities:
  - user: "CN=alice,O=Example"
    subject: "CN=alice,O=Example"
  - user: "CN=bob,O=Example"
    subject: "CN=bob,O=Example"
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := &guard.Config{Listen: "127.0.0.1:0", Upstream: "http://127.0.0.1:" + strconv.Itoa(s.AppPort),
		Cert: s.CertFile["server"], Key: s.KeyFile["server"], ClientCA: s.ClientCAFile, Identities: ids,
		IdentityHeader: "X-SSL-Client-S-DN", CORS: guard.CORSConfig{AllowOrigins: []string{appOrigin}}}
	logs := &strings.Builder{}
	lw := &lockedWriter{w: logs}
	srv, err := guard.NewServer(func() (*guard.Config, error) { c := *cfg; return &c, nil }, slog.New(slog.NewJSONHandler(lw, nil)), io.Discard)
	if err != nil {
		t.Fatalf("guard: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan guard.Addrs, 1)
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, func(a guard.Addrs) { ready <- a }) }()
	var base string
	select {
	case a := <-ready:
		base = "https://" + a.HTTPS.String()
	case err := <-done:
		cancel()
		t.Fatalf("guard did not start: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("guard did not start in 10s")
	}
	t.Cleanup(func() {
		cancel()
		<-done
		if t.Failed() {
			t.Logf("guard log:\n%s", lw.String())
		}
	})
	return base
}

func TestGuardFixesTheSeed(t *testing.T) {
	s := shared(t, "allow_all")

	// Straight at nginx: the seed's findings.
	rep, _ := scanStack(t, s, scanCase{extra: []string{"alice2", "bob"}, origins: []string{appOrigin}})
	got := rules(rep)
	for _, r := range []string{"cors-wildcard-on-mtls", "mtls-identity-confusion"} {
		if got[r] == 0 {
			t.Errorf("straight at nginx: %s not reported; the seed should show it", r)
		}
	}

	// Through guard, same app, same certificates.
	base := startGuard(t, s)
	port, _ := strconv.Atoi(base[strings.LastIndexByte(base, ':')+1:])
	front := &Stack{Cfg: s.Cfg, Port: port, ServerCA: s.ServerCA, Identities: s.Identities}
	rep, _ = scanStack(t, front, scanCase{extra: []string{"bob"}, origins: []string{appOrigin}})
	sawPII := false
	for _, f := range rep.Findings {
		sawPII = sawPII || f.Rule == "pii-in-response"
		if f.Severity > finding.Info {
			t.Errorf("through guard: %v %s: %s (%s)", f.Severity, f.Rule, f.Title, f.SeverityReason)
		}
	}
	if !sawPII {
		// The control: the scan must have reached alice's profile through guard.
		t.Errorf("through guard: alice's own profile was not reached (no pii-in-response at info)")
	}

	// What the scan's verdict rests on, checked directly.
	get := func(id, origin string, h http.Header) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/profile", nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range h {
			req.Header[k] = v
		}
		resp, err := s.Client(s.Identity(id)).Do(req)
		if err != nil {
			t.Fatalf("%s through guard: %v", id, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp, string(body)
	}
	if resp, body := get("alice", "https://evil.example", nil); resp.StatusCode != 200 || !strings.Contains(body, `"user": "alice"`) && !strings.Contains(body, `"user":"alice"`) ||
		resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("alice from evil.example: %d %q ACAO=%q ACAC=%q; want her profile and no CORS grant", resp.StatusCode, body,
			resp.Header.Get("Access-Control-Allow-Origin"), resp.Header.Get("Access-Control-Allow-Credentials"))
	}
	if resp, _ := get("alice", appOrigin, nil); resp.Header.Get("Access-Control-Allow-Origin") != appOrigin {
		t.Errorf("the allowed origin got ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if resp, body := get("alice2", "", nil); resp.StatusCode != http.StatusForbidden {
		t.Errorf("alice2 (which the substring middleware takes for alice) got %d %q through guard, want 403", resp.StatusCode, body)
	}
	// bob forging alice's subject in every identity header spelling still gets bob.
	forged := http.Header{"X-Ssl-Client-S-Dn": {"CN=alice,O=Example"}, "X_SSL_Client_S_DN": {"CN=alice,O=Example"},
		"X-Client-Subject": {"CN=alice,O=Example"}, "X-Client-Cert-Subject-Dn": {"CN=alice,O=Example"}}
	if resp, body := get("bob", "", forged); resp.StatusCode != 200 || strings.Contains(body, "alice") {
		t.Errorf("bob forging alice's headers: %d %q", resp.StatusCode, body)
	}
}

// lockedWriter serialises the guard's log writes into a strings.Builder.
type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
