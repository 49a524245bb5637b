package guard

// One test per rule of the guard, in the style of ghostunnel's integration tests: a real
// listener on loopback, a client presenting a certificate made for the case, and the
// expected outcome both on the wire (status or TLS failure) and in the log.

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
)

func get(t *testing.T, c *http.Client, url string, h http.Header) (*http.Response, string, error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp, string(body), nil
}

// TestRefusedAtTLS: certificates the TLS layer must refuse never produce an HTTP answer,
// and each refusal is logged with its reason.
func TestRefusedAtTLS(t *testing.T) {
	f := newFixture(t, nil)
	other := pki.NewCA("some other CA")
	cases := []struct {
		name, reason string
		leaf         *pki.Leaf
	}{
		{"unknown CA", "unknown-ca", other.Client("alice", "Example")},
		{"expired", "expired", f.leafWith("alice", pki.Options{NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})},
		{"wrong EKU (server auth only)", "wrong-eku", f.leafWith("alice", pki.Options{Server: true})},
		{"no certificate", "no-certificate", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, err := get(t, f.client(tc.leaf, false), f.url("/api"), nil)
			if err == nil {
				t.Fatalf("got HTTP %d; want the handshake refused", resp.StatusCode)
			}
			line := f.log.waitLog(t, `"msg":"tls handshake rejected"`, `"reason":"`+tc.reason+`"`)
			if tc.leaf != nil && !strings.Contains(line, `"cert_sha256":"`+Fingerprint(tc.leaf.Cert)+`"`) {
				t.Errorf("log line lacks the certificate fingerprint: %s", line)
			}
		})
	}
	if n := f.up.requests.Load(); n != 0 {
		t.Errorf("upstream saw %d requests; refused handshakes must never reach it", n)
	}
}

// TestUnmappedCertificate: a certificate from the trusted CA that no entry names gets 403,
// and the upstream is not called.
func TestUnmappedCertificate(t *testing.T) {
	f := newFixture(t, nil)
	// CN=alice with an extra OU: a substring match would take it for alice.
	for _, leaf := range []*pki.Leaf{f.ca.Client("mallory", "Example"), f.ca.Issue(pki.Options{Subject: pkixName("alice", "Example", "Sales")})} {
		resp, body, err := get(t, f.client(leaf, false), f.url("/api"), nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "not mapped") {
			t.Errorf("%s: got %d %q, want 403 'not mapped'", leaf.Cert.Subject, resp.StatusCode, body)
		}
		if resp.Header.Get("Vary") != "Origin" {
			t.Errorf("403 without Vary: Origin")
		}
		f.access.waitLog(t, `"status":403`, `"decision":"denied"`, `"reason":"unmapped-certificate"`, `"cert_sha256":"`+Fingerprint(leaf.Cert)+`"`)
	}
	if n := f.up.requests.Load(); n != 0 {
		t.Errorf("upstream saw %d requests for unmapped certificates", n)
	}
}

// TestMappedCertificate: the control for the two tests above.
func TestMappedCertificate(t *testing.T) {
	f := newFixture(t, nil)
	resp, body, err := get(t, f.client(f.leaves["alice"], false), f.url("/api"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || body != "user=alice" {
		t.Fatalf("got %d %q, want 200 user=alice", resp.StatusCode, body)
	}
	f.access.waitLog(t, `"status":200`, `"user":"alice"`, `"decision":"allowed"`, `"cert_sha256":"`+Fingerprint(f.leaves["alice"].Cert)+`"`)
}

// TestRevokedByRemoval: deleting an entry from the identities file and reloading locks the
// user out at once, even on a connection opened before the reload.
func TestRevokedByRemoval(t *testing.T) {
	f := newFixture(t, nil)
	c := f.client(f.leaves["alice"], true)
	if resp, body, err := get(t, c, f.url("/api"), nil); err != nil || resp.StatusCode != 200 || body != "user=alice" {
		t.Fatalf("before removal: %v %v %q", err, resp, body)
	}
	writeFile(t, f.cfg.Identities, []byte("identities:\n  - user: bob\n    subject: \"CN=bob,O=Example\"\n"))
	if err := f.srv.Reload(); err != nil {
		t.Fatal(err)
	}
	resp, _, err := get(t, c, f.url("/api"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("after removal: %d, want 403", resp.StatusCode)
	}
	f.access.waitLog(t, `"status":403`, `"reason":"unmapped-certificate"`, `"subject":"CN=alice,O=Example"`)
	f.log.waitLog(t, `"msg":"configuration reloaded"`, `"identities":1`)
}

// TestBrokenReloadKeepsConfig: a file that does not parse leaves the running policy alone.
func TestBrokenReloadKeepsConfig(t *testing.T) {
	f := newFixture(t, nil)
	writeFile(t, f.cfg.Identities, []byte("identities:\n  - user: alice\n    subject: \"CN=alice,,\"\n"))
	if err := f.srv.Reload(); err == nil {
		t.Fatal("a broken identities file reloaded")
	}
	f.log.waitLog(t, `"msg":"reload failed; the running configuration stays in force"`, "identities file")
	if resp, body, err := get(t, f.client(f.leaves["alice"], false), f.url("/api"), nil); err != nil || resp.StatusCode != 200 || body != "user=alice" {
		t.Fatalf("after a broken reload: %v %v %q", err, resp, body)
	}
}

// TestWatchReloads: a change to the identities file is picked up without SIGHUP.
func TestWatchReloads(t *testing.T) {
	f := newFixture(t, nil)
	ctx, cancel := contextWithCancel()
	defer cancel()
	go f.srv.Watch(ctx)
	time.Sleep(100 * time.Millisecond) // let the watch start
	writeFile(t, f.cfg.Identities, []byte("identities:\n  - user: robert\n    subject: \"CN=bob,O=Example\"\n"))
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if _, body, err := get(t, f.client(f.leaves["bob"], false), f.url("/api"), nil); err == nil && body == "user=robert" {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the identities file change was not picked up; log:\n%s", f.log.String())
}

// TestMetricsListenerOnly: /metrics and /_status are on the metrics listener; on the HTTPS
// listener those paths go to the application like any other.
func TestMetricsListenerOnly(t *testing.T) {
	f := newFixture(t, nil)
	get(t, f.client(f.leaves["alice"], false), f.url("/"), nil)
	resp, err := http.Get(f.metricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`crossgate_guard_requests_total{decision="allowed"} 1`, "crossgate_guard_server_certificate_expiry_timestamp_seconds", "crossgate_guard_upstream_latency_seconds_count 1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	resp, _, err = get(t, f.client(f.leaves["alice"], false), f.url("/_status"), nil)
	if err != nil || resp.StatusCode != 200 || f.up.requests.Load() != 2 {
		t.Errorf("/_status on the HTTPS listener must reach the upstream: %v, upstream saw %d", err, f.up.requests.Load())
	}
}

func TestBadFilesAreErrors(t *testing.T) {
	dir := t.TempDir()
	junk := dir + "/junk.pem"
	os.WriteFile(junk, []byte("not a pem"), 0o600)
	f := newFixture(t, nil)
	for name, mutate := range map[string]func(*Config){
		"server certificate": func(c *Config) { c.Cert = junk },
		"client CA":          func(c *Config) { c.ClientCA = junk },
		"identities file":    func(c *Config) { c.Identities = junk },
		"CORS":               func(c *Config) { c.CORS.AllowOrigins = []string{"*"} },
		"upstream":           func(c *Config) { c.Upstream = "ftp://x" },
	} {
		c := f.cfg
		mutate(&c)
		_, err := buildState(&c)
		var fe *FileError
		if err == nil || !asFileError(err, &fe) || fe.What != name || fe.Hint == "" {
			t.Errorf("%s: got %v, want a FileError about %s with a hint", name, err, name)
		}
	}
}
