package scan

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/prove"
)

func proofs(read func(mode string, preflight bool) (bool, int)) []finding.Proof {
	var ps []finding.Proof
	for _, m := range prove.Modes {
		for _, pre := range []bool{false, true} {
			p := finding.Proof{Browser: "chromium", Version: "156.0.8078.129", PageOrigin: "https://crossgate-attacker.test:4000",
				Mode: m, Preflight: pre, CertPresented: "policy"}
			p.Read, p.Status = read(m, pre)
			if p.Read {
				p.Bytes = 117
			} else {
				p.Error = "blocked by CORS: No 'Access-Control-Allow-Origin' header is present on the requested resource."
			}
			ps = append(ps, p)
		}
	}
	return ps
}

func TestJudge(t *testing.T) {
	critical := func() finding.Finding {
		f := finding.New("cors-wildcard-on-mtls")
		f.SetSeverity(finding.Critical, "Chromium presents the certificate.")
		return f
	}
	t.Run("proven keeps the rating", func(t *testing.T) {
		f := critical()
		judge(&f, prove.Outcome{Proofs: proofs(func(m string, _ bool) (bool, int) { return m != "include", 200 })})
		if f.Severity != finding.Critical || len(f.Proof) != 6 {
			t.Errorf("severity %v, %d proofs", f.Severity, len(f.Proof))
		}
	})
	t.Run("not read is lowered with the browser's reason", func(t *testing.T) {
		f := critical()
		judge(&f, prove.Outcome{Proofs: proofs(func(string, bool) (bool, int) { return false, 0 })})
		if f.Severity != finding.Low {
			t.Errorf("severity %v, want low", f.Severity)
		}
		for _, want := range []string{"Not proven in Chromium 156: a page on https://crossgate-attacker.test:4000 could not read", "omit: blocked by CORS: No 'Access-Control-Allow-Origin'", "Was critical: Chromium presents"} {
			if !strings.Contains(f.SeverityReason, want) {
				t.Errorf("reason %q lacks %q", f.SeverityReason, want)
			}
		}
	})
	// nginx's 400 for a missing certificate, readable through add_header ... always, proves
	// nothing about the protected content.
	t.Run("error page only is lowered", func(t *testing.T) {
		f := critical()
		judge(&f, prove.Outcome{Proofs: proofs(func(m string, _ bool) (bool, int) { return m == "omit", 400 })})
		if f.Severity != finding.Low || !strings.Contains(f.SeverityReason, "read only an HTTP 400 error response") {
			t.Errorf("severity %v: %s", f.Severity, f.SeverityReason)
		}
	})
	t.Run("not tried keeps the rating", func(t *testing.T) {
		f := critical()
		judge(&f, prove.Outcome{Err: errors.New("crossgate cannot serve a page on https://10.0.0.1")})
		if f.Severity != finding.Critical || len(f.Evidence.Notes) != 1 || !strings.Contains(f.Evidence.Notes[0], "Not tried in a browser") {
			t.Errorf("severity %v notes %v", f.Severity, f.Evidence.Notes)
		}
	})
	t.Run("already low stays low", func(t *testing.T) {
		f := finding.New("cors-wildcard")
		f.SetSeverity(finding.Info, "Only an error response.")
		judge(&f, prove.Outcome{Proofs: proofs(func(string, bool) (bool, int) { return false, 0 })})
		if f.Severity != finding.Info {
			t.Errorf("severity %v, want info kept", f.Severity)
		}
	})
}

func TestClaimOrigin(t *testing.T) {
	for _, tc := range []struct{ rule, request, want string }{
		{"cors-wildcard-on-mtls", "GET / HTTP/1.1\nOrigin: https://evil-1.example", ""},
		{"cors-reflect-origin-credentials", "GET / HTTP/1.1\nOrigin: https://evil-1.example", ""},
		{"cors-null-origin", "GET / HTTP/1.1\nOrigin: null", "null"},
		{"cors-prefix-bypass", "GET /api HTTP/1.1\nHost: a\norigin: https://app.example.com.evil-1.example\n(client certificate: user)", "https://app.example.com.evil-1.example"},
		{"cors-http-origin-trusted", "GET / HTTP/1.1\nHost: a", ""},
	} {
		f := finding.New(tc.rule)
		f.Evidence.Request = tc.request
		if got := claimOrigin(f); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.rule, got, tc.want)
		}
	}
}

// The seed's mistake with --prove, in process: the wildcard finding carries Chromium's proof
// that a page on another origin read the certificate-guarded profile, and keeps its rating.
func TestRunProveInProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	if _, err := prove.FindBrowser(""); err != nil {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	rep, err := Run(context.Background(), Config{
		Targets: []string{srv.URL},
		User:    &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
		Probe:   probe.Config{RootCAs: srv.CA.Pool(), Rate: -1},
		Prove:   &prove.Options{CACerts: []*x509.Certificate{srv.CA.Cert}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, ok := rules(rep)["cors-wildcard-on-mtls"]
	if !ok {
		t.Fatalf("no cors-wildcard-on-mtls: %v", keys(rules(rep)))
	}
	p := finding.Proven(f.Proof)
	// High: the victim's content read in Chromium only (README "How severity is rated").
	if p == nil || p.Mode != "omit" || p.Status != 200 || f.Severity != finding.High {
		t.Fatalf("not proven, or lowered (%v): %+v", f.Severity, f.Proof)
	}
	// The excerpt is redacted like every other evidence (example.com addresses are
	// documentation placeholders to the detectors; the phone number is not).
	if strings.Contains(p.Excerpt, "202-555-0143") || !strings.Contains(p.Excerpt, "hmac:") {
		t.Errorf("excerpt not redacted: %q", p.Excerpt)
	}
	for _, g := range rep.Findings {
		if g.Rule != "cors-wildcard-on-mtls" && len(g.Proof) > 0 {
			t.Errorf("%s carries a proof but claims no cross-origin read", g.Rule)
		}
	}
}
