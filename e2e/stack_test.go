package e2e

// Tests of the real stack itself, with a plain Go HTTP client: they pin the behaviour of
// nginx 1.22 and django-cors-headers 3.14 that the scan tests rely on, whatever the scanner
// does.

import (
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustGet(t *testing.T, s *Stack, id *probe.Identity, path string, kv ...string) (int, http.Header, string) {
	t.Helper()
	status, h, body, err := s.Get(ctxT(t), id, path, kv...)
	if err != nil {
		t.Fatalf("GET %s as %s: %v", path, idName(id), err)
	}
	return status, h, body
}

func idName(id *probe.Identity) string {
	if id == nil {
		return "no certificate"
	}
	return id.Name
}

func profileUser(t *testing.T, body string) string {
	t.Helper()
	var p struct {
		User string `json:"user"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("profile is not JSON: %v: %q", err, body)
	}
	return p.User
}

// throwaway mints an identity from a CA nginx does not trust, copying subject.
func throwaway(name string, subject pkix.Name) *probe.Identity {
	leaf := pki.NewCA("crossgate throwaway CA").Issue(pki.Options{Subject: subject})
	cert := leaf.TLS
	return &probe.Identity{Name: name, Certificate: &cert, Minted: true}
}

var aliceSubject = pkix.Name{CommonName: "alice", Organization: []string{"Example"}}

func TestStackVerifyOn(t *testing.T) {
	s := shared(t, "allow_all")
	status, _, body := mustGet(t, s, nil, "/api/profile")
	if status != http.StatusBadRequest || !strings.Contains(body, "No required SSL certificate was sent") {
		t.Errorf("without a certificate: got %d %q, want nginx's 400 \"No required SSL certificate was sent\"", status, body)
	}
	status, _, body = mustGet(t, s, throwaway("stranger", aliceSubject), "/api/profile")
	if status != http.StatusBadRequest || !strings.Contains(body, "The SSL certificate error") {
		t.Errorf("unknown CA: got %d %q, want 400 \"The SSL certificate error\"", status, body)
	}
	status, _, body = mustGet(t, s, s.Identity("alice"), "/api/profile")
	if status != http.StatusOK || profileUser(t, body) != "alice" {
		t.Errorf("as alice: got %d %q, want alice's profile", status, body)
	}
	if !strings.Contains(body, "alice.liddell@") || !strings.Contains(body, "phone") {
		t.Errorf("profile lacks the fixture PII: %q", body)
	}
}

// The CertificateRequest carries the client CA's name (mtls-ca-list-disclosure), and
// without ssl_verify_client there is no CertificateRequest at all.
func TestStackCertificateRequest(t *testing.T) {
	for _, tc := range []struct {
		config    string
		requested bool
	}{{"allow_all", true}, {"optional_no_ca", true}, {"dotfiles", false}} {
		t.Run(tc.config, func(t *testing.T) {
			s := shared(t, tc.config)
			var got *tls.CertificateRequestInfo
			cfg := &tls.Config{RootCAs: s.ServerCA, GetClientCertificate: func(i *tls.CertificateRequestInfo) (*tls.Certificate, error) {
				got = i
				return &tls.Certificate{}, nil
			}}
			conn, err := tls.Dial("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), cfg)
			if err != nil {
				t.Fatal(err)
			}
			conn.Close()
			if (got != nil) != tc.requested {
				t.Fatalf("CertificateRequest sent = %v, want %v", got != nil, tc.requested)
			}
			if !tc.requested {
				return
			}
			found := false
			for _, raw := range got.AcceptableCAs {
				var name pkix.RDNSequence
				if _, err := asn1.Unmarshal(raw, &name); err == nil {
					var n pkix.Name
					n.FillFromRDNSequence(&name)
					found = found || n.CommonName == "Example Corp Internal Client CA"
				}
			}
			if !found {
				t.Errorf("acceptable CAs %d entries, none is the client CA", len(got.AcceptableCAs))
			}
		})
	}
}

func TestStackCORS(t *testing.T) {
	const app, evil = "https://app.example.com", "https://evil.example"
	for _, tc := range []struct {
		config, origin string
		acao           []string // all Access-Control-Allow-Origin values, in order
		acac           bool
	}{
		{"allow_all", evil, []string{"*"}, false},
		{"allow_all", "null", []string{"*"}, false},
		{"allow_all_creds", evil, []string{evil}, true},
		{"allow_all_creds", "null", []string{"null"}, true},
		{"exact", app, []string{app}, false},
		{"exact", evil, nil, false},
		{"exact", app + ".evil.example", nil, false},
		{"regex_unanchored", app + ".evil.example", []string{app + ".evil.example"}, true},
		{"regex_unanchored", evil, nil, true}, // 3.14 sends ACAC: true to every Origin
		{"null", "null", []string{"null"}, true},
		{"null", evil, nil, true},
		{"http_origin", "http://app.example.com", []string{"http://app.example.com"}, true},
		{"proxy_wildcard", app, []string{app, "*"}, false},
		{"proxy_wildcard", evil, []string{"*"}, false},
	} {
		t.Run(tc.config+"/"+tc.origin, func(t *testing.T) {
			s := shared(t, tc.config)
			status, h, body := mustGet(t, s, s.Identity("alice"), "/api/profile", "Origin", tc.origin)
			if status != http.StatusOK {
				t.Fatalf("status %d %q", status, body)
			}
			if got := h.Values("Access-Control-Allow-Origin"); strings.Join(got, "|") != strings.Join(tc.acao, "|") {
				t.Errorf("ACAO = %q, want %q", got, tc.acao)
			}
			if got := h.Get("Access-Control-Allow-Credentials") == "true"; got != tc.acac {
				t.Errorf("ACAC true = %v, want %v", got, tc.acac)
			}
		})
	}
	// add_header ... always decorates nginx's own 400 page too.
	s := shared(t, "proxy_wildcard")
	status, h, _ := mustGet(t, s, nil, "/api/profile", "Origin", evil)
	if status != http.StatusBadRequest || h.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("nginx 400 page: got %d ACAO %q, want 400 with ACAO *", status, h.Get("Access-Control-Allow-Origin"))
	}
}

func TestStackDebugPages(t *testing.T) {
	s := shared(t, "debug")
	alice := s.Identity("alice")
	status, _, body := mustGet(t, s, alice, "/crossgate-missing-page", "Accept", "text/html")
	if status != http.StatusNotFound || !strings.Contains(body, "Using the URLconf defined in") {
		t.Errorf("technical 404: got %d %.200q", status, body)
	}
	status, _, body = mustGet(t, s, alice, "/api/health", "Host", "crossgate-invalid.example", "Accept", "text/html")
	if status != http.StatusBadRequest || !strings.Contains(body, "DisallowedHost") {
		t.Errorf("DisallowedHost page: got %d %.200q", status, body)
	}
	status, _, body = mustGet(t, s, alice, "/api/boom")
	if status != http.StatusInternalServerError || !strings.Contains(body, "Traceback") || !strings.Contains(body, "RuntimeError") {
		t.Errorf("technical 500 (plain text for non-browsers): got %d %.200q", status, body)
	}

	// The same requests without DEBUG show nothing of the kind.
	s = shared(t, "exact")
	status, _, body = mustGet(t, s, s.Identity("alice"), "/crossgate-missing-page", "Accept", "text/html")
	if status != http.StatusNotFound || strings.Contains(body, "URLconf") {
		t.Errorf("DEBUG off 404: got %d %.200q", status, body)
	}
}

func TestStackHeaderSpoofing(t *testing.T) {
	spoof := []string{"X-SSL-Client-S-DN", "CN=alice,O=Example", "X-SSL-Client-Verify", "SUCCESS"}
	for _, config := range []string{"unsanitised", "trap"} {
		t.Run(config, func(t *testing.T) {
			s := shared(t, config)
			// Without any certificate the app does not know who is calling...
			if status, _, body := mustGet(t, s, nil, "/api/profile"); status != http.StatusForbidden {
				t.Errorf("no certificate, no header: got %d %q, want 403", status, body)
			}
			// ...but the client's own header reaches it and is an identity.
			status, _, body := mustGet(t, s, nil, "/api/profile", spoof...)
			if status != http.StatusOK || profileUser(t, body) != "alice" {
				t.Errorf("spoofed header: got %d %q, want alice's profile", status, body)
			}
			// A real certificate still works (the baseline a scanner compares with).
			status, _, body = mustGet(t, s, s.Identity("bob"), "/api/profile")
			if status != http.StatusOK || profileUser(t, body) != "bob" {
				t.Errorf("as bob: got %d %q", status, body)
			}
		})
	}
	t.Run("overwrite", func(t *testing.T) {
		s := shared(t, "optional_no_ca")
		status, _, body := mustGet(t, s, nil, "/api/whoami-headers", spoof...)
		if status != http.StatusOK {
			t.Fatalf("got %d %q", status, body)
		}
		var meta map[string]string
		if err := json.Unmarshal([]byte(body), &meta); err != nil {
			t.Fatal(err)
		}
		if v, ok := meta["HTTP_X_SSL_CLIENT_S_DN"]; ok {
			t.Errorf("spoofed DN reached the app through proxy_set_header: %q", v)
		}
		if v := meta["HTTP_X_SSL_CLIENT_VERIFY"]; v != "NONE" {
			t.Errorf("X-SSL-Client-Verify = %q, want nginx's own NONE", v)
		}
	})
}

func TestStackSubstringMapping(t *testing.T) {
	s := shared(t, "exact")
	for _, tc := range []struct{ id, want string }{{"alice", "alice"}, {"alice2", "alice"}, {"bob", "bob"}} {
		status, _, body := mustGet(t, s, s.Identity(tc.id), "/api/profile")
		if status != http.StatusOK || profileUser(t, body) != tc.want {
			t.Errorf("as %s: got %d %q, want %s's profile", tc.id, status, body, tc.want)
		}
	}
}

func TestStackOptional(t *testing.T) {
	s := shared(t, "optional")
	status, _, body := mustGet(t, s, nil, "/api/profile")
	if status != http.StatusOK || profileUser(t, body) != "alice" {
		t.Errorf("optional, no certificate: got %d %q, want the account served anyway", status, body)
	}
	status, _, body = mustGet(t, s, throwaway("stranger", aliceSubject), "/api/profile")
	if status != http.StatusBadRequest {
		t.Errorf("optional, unknown CA: got %d %q, want nginx's 400", status, body)
	}

	s = shared(t, "optional_no_ca")
	status, _, body = mustGet(t, s, throwaway("stranger", aliceSubject), "/api/profile")
	if status != http.StatusOK || profileUser(t, body) != "alice" {
		t.Errorf("optional_no_ca, unknown CA with alice's subject: got %d %q, want alice's profile", status, body)
	}
	status, _, body = mustGet(t, s, throwaway("stranger", aliceSubject), "/api/whoami-headers")
	if status != http.StatusOK || !strings.Contains(body, "FAILED:") {
		t.Errorf("optional_no_ca should forward verify FAILED:...: got %d %q", status, body)
	}
}

func TestStackDotfiles(t *testing.T) {
	s := shared(t, "dotfiles")
	status, h, body := mustGet(t, s, nil, "/.env")
	if status != http.StatusOK || !strings.Contains(body, "AWS_ACCESS_KEY_ID=AKIA") {
		t.Errorf(".env: got %d %.100q", status, body)
	}
	if ct := h.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf(".env Content-Type = %q", ct)
	}
	status, _, body = mustGet(t, s, nil, "/debug.log")
	if status != http.StatusOK || !strings.Contains(body, "ERROR django.request") {
		t.Errorf("debug.log: got %d %.100q", status, body)
	}
	// The API behind it is reached, but with no client authentication it knows nobody.
	if status, _, body := mustGet(t, s, nil, "/api/health"); status != http.StatusOK || !strings.Contains(body, `"ok": true`) {
		t.Errorf("/api/health: got %d %q", status, body)
	}
}

// StartStack's own life cycle: per-test PKI and files, both servers up, and after Stop no
// process of either left and the port closed.
func TestStartStackStops(t *testing.T) {
	s := StartStack(t, StackConfig{Name: "lifecycle", Verify: "on", Settings: "cfg_plain"})
	if status, _, body := mustGet(t, s, s.Identity("bob"), "/api/profile"); status != http.StatusOK || profileUser(t, body) != "bob" {
		t.Fatalf("as bob: got %d %q", status, body)
	}
	if len(s.procs) != 2 {
		t.Fatalf("%d processes, want nginx and Django", len(s.procs))
	}
	s.Stop()
	for _, cmd := range s.procs {
		if !groupGone(cmd.Process.Pid) {
			t.Errorf("process group %d (%s) still alive after Stop", cmd.Process.Pid, cmd.Path)
		}
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), time.Second); err == nil {
		c.Close()
		t.Errorf("nginx port %d still open after Stop", s.Port)
	}
	s.Stop() // idempotent, as t.Cleanup calls it again
}

// nginx 1.22 cannot verify client certificates without ssl_client_certificate, and that
// directive also fills the CertificateRequest's CA list: on Debian 12 every mTLS endpoint
// discloses its CA names (mtls-ca-list-disclosure stays, as info, in the fixed configuration).
func TestStackTrustedCertificateAlone(t *testing.T) {
	RequireStack(t)
	s, err := Start(StackConfig{Name: "trusted-only", Settings: "cfg_plain",
		ServerExtra: "ssl_verify_client on;\nssl_trusted_certificate " + PlaceholderClientCA + ";"}, t.TempDir())
	if s != nil {
		defer s.Stop()
	}
	if err == nil || !strings.Contains(err.Error(), "no ssl_client_certificate for ssl_verify_client") {
		t.Fatalf("Start = %v, want nginx's \"no ssl_client_certificate for ssl_verify_client\"", err)
	}
}
