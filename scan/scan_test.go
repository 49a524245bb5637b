package scan

import (
	"context"
	"crypto/tls"
	"strconv"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
)

func scanTarget(t testing.TB, srv *vulnserver.Server, origins ...string) *report.Report {
	t.Helper()
	rep, err := Run(context.Background(), Config{
		Targets: []string{srv.URL},
		User:    &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
		Origins: origins,
		Probe:   probe.Config{RootCAs: srv.CA.Pool(), Rate: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func rules(r *report.Report) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range r.Findings {
		m[f.Rule] = f
	}
	return m
}

// The seed's mistake end to end: mTLS required, ACAO *, a profile with PII. The wildcard is
// rated as readable in Chromium with a client certificate (high with the personal data: the
// victim's content, one browser family), as audit rates django-cors-allow-all.
func TestSeedMistakeIsCorrelated(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	rep := scanTarget(t, srv, "https://app.example.com")
	got := rules(rep)
	f, ok := got["cors-wildcard-on-mtls"]
	if !ok {
		t.Fatalf("no cors-wildcard-on-mtls in %v", keys(got))
	}
	if f.Severity != finding.High || f.SeverityReason == "" {
		t.Errorf("severity %s (%q), want high: mTLS + PII, Chromium only", f.Severity, f.SeverityReason)
	}
	if _, dup := got["cors-wildcard"]; dup {
		t.Error("cors-wildcard reported besides cors-wildcard-on-mtls")
	}
	tg := rep.Targets[0]
	if tg.Auth != "required-tls" {
		t.Errorf("auth %q", tg.Auth)
	}
	if tg.TLSCipher == "" || len(tg.ServerChain) == 0 || !strings.Contains(tg.ServerChain[0], "issuer ") ||
		len(tg.ClientCAs) != 1 || len(tg.ClientSignatureSchemes) == 0 {
		t.Errorf("TLS facts missing from the target: %+v", tg)
	}
	if _, ok := got["pii-in-response"]; !ok {
		t.Errorf("no pii-in-response in %v", keys(got))
	}
	if f.Evidence.Curl == "" || f.Evidence.Request == "" || f.Remediation == "" {
		t.Errorf("finding lacks evidence or remediation: %+v", f)
	}
}

// The same wildcard on a public endpoint that returns nothing sensitive stays low.
func TestPublicWildcardStaysLow(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.NoClientCert, Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	rep := scanTarget(t, srv)
	got := rules(rep)
	f, ok := got["cors-wildcard"]
	if !ok || f.Severity > finding.Low {
		t.Fatalf("cors-wildcard %v severity %s; rules %v", ok, f.Severity, keys(got))
	}
	if _, bad := got["cors-wildcard-on-mtls"]; bad {
		t.Fatal("wildcard on a public endpoint reported as on mTLS")
	}
}

func TestExactAllowlistIsClean(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Clean: true,
		Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{"https://app.example.com"}}})
	rep := scanTarget(t, srv, "https://app.example.com")
	for _, f := range rep.Findings {
		if f.Severity > finding.Info {
			t.Errorf("clean target: %s %s: %s", f.Severity, f.Rule, f.Detail)
		}
	}
}

func TestUnreachableTargetIsReportedNotFatal(t *testing.T) {
	rep, err := Run(context.Background(), Config{Targets: []string{"https://127.0.0.1:1/"}, Probe: probe.Config{Rate: -1}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Failed != 1 || rep.Targets[0].Error == "" {
		t.Fatalf("%+v", rep.Targets)
	}
}

func keys(m map[string]finding.Finding) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// BenchmarkScanEndpoint is one full scan (mTLS, CORS, exposure) of the seed-mistake target.
func BenchmarkScanEndpoint(b *testing.B) {
	srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	var reqs int
	for b.Loop() {
		rep := scanTarget(b, srv, "https://app.example.com")
		reqs = rep.Summary.Requests
	}
	b.ReportMetric(float64(reqs), "requests/scan")
}

// BenchmarkScan100Targets scans 100 loopback targets with the default concurrency.
func BenchmarkScan100Targets(b *testing.B) {
	var urls []string
	for i := range 100 {
		srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven,
			Policy: vulnserver.Policy{Kind: vulnserver.Kind(i % 5)}})
		urls = append(urls, srv.URL)
	}
	// Every target mints its own server CA, so verification is off here; and all share the
	// host 127.0.0.1, so the per-host rate limit (meant for one real server) is lifted.
	var reqs int
	for b.Loop() {
		rep, err := Run(context.Background(), Config{Targets: urls, Probe: probe.Config{Insecure: true, Rate: -1}})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Summary.Scanned != 100 {
			b.Fatalf("scanned %d of 100", rep.Summary.Scanned)
		}
		reqs = rep.Summary.Requests
	}
	b.ReportMetric(float64(reqs)/100, "requests/target")
}

// BenchmarkOriginsInFlight100 is BenchmarkScan100Targets with 4, 16 (the default)
// and 64 origins in flight, to tell what the default concurrency costs on a machine that also
// runs the 100 servers from what the machine's load costs.
func BenchmarkOriginsInFlight100(b *testing.B) {
	var urls []string
	for i := range 100 {
		srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven,
			Policy: vulnserver.Policy{Kind: vulnserver.Kind(i % 5)}})
		urls = append(urls, srv.URL)
	}
	for _, conc := range []int{4, DefaultConcurrency, 64} {
		b.Run(strconv.Itoa(conc), func(b *testing.B) {
			for b.Loop() {
				rep, err := Run(context.Background(), Config{Targets: urls, Concurrency: conc, Probe: probe.Config{Insecure: true, Rate: -1}})
				if err != nil {
					b.Fatal(err)
				}
				if rep.Summary.Scanned != 100 {
					b.Fatalf("scanned %d of 100", rep.Summary.Scanned)
				}
			}
		})
	}
}

func TestParseTarget(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.example.com":     true,
		"http://127.0.0.1:8080/x?y=1": true,
		"https://[::1]:8443/api":      true,
		"api.example.com":             false,
		"ftp://example.com/":          false,
		"https://":                    false,
		"https://exa mple.com/":       false,
		"javascript:alert(1)":         false,
	} {
		u, err := ParseTarget(raw)
		if (err == nil) != ok {
			t.Errorf("%q: err %v", raw, err)
		}
		if ok && u.Path == "" {
			t.Errorf("%q: empty path not normalised", raw)
		}
	}
}
