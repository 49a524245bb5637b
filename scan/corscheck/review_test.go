package corscheck

import (
	"context"
	"crypto/tls"
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
	"github.com/crossgate/crossgate/scan/mtlscheck"
)

// scanInspected runs the mTLS inspector first, as a real scan does, so Facts.Auth, Baseline
// and Anonymous are what the endpoint really shows.
func scanInspected(t *testing.T, srv *vulnserver.Server, trusted ...string) ([]finding.Finding, *endpoint.Env) {
	t.Helper()
	c, err := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	env := &endpoint.Env{Client: c, URL: u, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS},
		TrustedOrigins: trusted, Sensitive: emailDetector}
	mtlscheck.Inspect(context.Background(), env)
	return Run(context.Background(), env), env
}

// Certificate optional at TLS, but the application shows anonymous callers less: Chromium
// presents the certificate on non-credentialed requests, so a wildcard or a reflection hands
// the victim's content to any page (browser-client-certs.md §4, "optional at TLS" row).
func TestOptionalCertificateWithOtherAnonymousContent(t *testing.T) {
	for _, tc := range []struct {
		kind vulnserver.Kind
		rule string
	}{{vulnserver.Wildcard, "cors-wildcard-on-mtls"}, {vulnserver.Reflect, "cors-reflect-origin"}} {
		srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, AnonymousBody: `{"user":null,"public":true}`,
			Policy: vulnserver.Policy{Kind: tc.kind}})
		fs, env := scanInspected(t, srv)
		if env.Facts.Auth != endpoint.AuthOptional {
			t.Fatalf("%s: inspector says %s, want optional", tc.kind, env.Facts.Auth)
		}
		got := ruleSet(fs)
		f, ok := got[tc.rule]
		if !ok || f.Severity != finding.High {
			t.Errorf("%s: want high %s (victim's data, Chromium only), got %s", tc.kind, tc.rule, names(got))
			continue
		}
		if !strings.Contains(f.SeverityReason, "Chromium") || !strings.Contains(f.SeverityReason, "anonymous") {
			t.Errorf("%s: reason should say Chromium reads as the victim and Firefox the anonymous answer: %s", tc.kind, f.SeverityReason)
		}
		if _, ok := got["cors-wildcard"]; ok {
			t.Errorf("%s: cors-wildcard next to the mTLS rating: %s", tc.kind, names(got))
		}
	}
	// The same content with and without a certificate is a public read, and the reason must
	// not claim that no certificate is sent (Chromium sends it; it changes nothing).
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _ := scanInspected(t, srv)
	f, ok := ruleSet(fs)["cors-wildcard"]
	if !ok || f.Severity != finding.Low || strings.Contains(f.SeverityReason, "no cookies or client certificate are sent") {
		t.Fatalf("optional certificate, same content: want low cors-wildcard with an accurate reason, got %s (%s)", names(ruleSet(fs)), f.SeverityReason)
	}
}

// Firefox sends the preflight without a certificate, so on an endpoint that requires one the
// credentialed preflighted request works in Chromium only; the reason must not say "any
// browser" (browser-client-certs.md §7.3 and the re-measured table).
func TestPreflightReasonsNameTheBrowser(t *testing.T) {
	for _, md := range modes {
		cfg := vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials, PermissivePreflight: true}, Cookies: !md.mtls}
		md.apply(&cfg)
		srv := vulnserver.StartT(t, cfg)
		fs, _, _ := scanTarget(t, srv, md.auth, scanOpts{sensitive: true})
		f, ok := ruleSet(fs)["cors-permissive-preflight"]
		if !ok || f.Severity != finding.High {
			t.Errorf("%s: want high cors-permissive-preflight, got %s", md.name, names(ruleSet(fs)))
			continue
		}
		chromiumOnly := strings.Contains(f.SeverityReason, "Firefox")
		if chromiumOnly != md.mtls {
			t.Errorf("%s: reason names Firefox = %v, want %v: %s", md.name, chromiumOnly, md.mtls, f.SeverityReason)
		}
	}
}

// A fixed ACAO with a trailing slash matches no origin, but names the host the operator
// trusts: it must still seed the mutations.
func TestLearnsFixedOriginWithTrailingSlash(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Fixed, Origins: []string{trustedOrigin + "/"}}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{sensitive: true})
	if len(fs) != 0 {
		t.Fatalf("fixed ACAO with a slash: want no findings, got %s", names(ruleSet(fs)))
	}
	var sawPrefix bool
	for _, o := range srv.Origins() {
		sawPrefix = sawPrefix || strings.HasPrefix(o, trustedOrigin+".evil-")
	}
	if !sawPrefix {
		t.Fatalf("the learned origin was not mutated: %v", srv.Origins())
	}
}

// The largest common plan (a domain target, one trusted origin on another domain) fits the
// budget up to the lowest-priority probes (another port, file://): a class that holds only for
// the last special character is still found.
func TestBudgetSendsEveryPlannedProbe(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, DNSNames: []string{"api.corp.example.com"},
		Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://www\.example\.org(;.*)?$`}})
	fs, sent := scanDomain(t, srv, []string{"https://www.example.org"})
	if sent > int64(Budget()) {
		t.Fatalf("sent %d, budget %d", sent, Budget())
	}
	t.Logf("domain target, trusted origin on another domain: %d requests", sent)
	if _, ok := ruleSet(fs)["cors-special-char-bypass"]; !ok {
		t.Fatalf("the last special character was not sent or not reported: %s", names(ruleSet(fs)))
	}
	seen := map[string]bool{}
	for _, o := range srv.Origins() {
		seen[o] = true
	}
	for _, c := range specialChars {
		found := false
		for o := range seen {
			found = found || strings.HasPrefix(o, "https://www.example.org"+c+".evil-")
		}
		if !found {
			t.Errorf("special character %q was not sent", c)
		}
	}
}

// Origin: file:// (some WebViews; django-cors-headers matches a listed "file://") is probed
// and reported with the null origin, at low: mainstream browsers send null from file: pages.
func TestFileOriginTrusted(t *testing.T) {
	for _, md := range modes {
		cfg := vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin, "file://"}, Credentials: true}}
		md.apply(&cfg)
		srv := vulnserver.StartT(t, cfg)
		fs, _, _ := scanTarget(t, srv, md.auth, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
		got := ruleSet(fs)
		f, ok := got["cors-null-origin"]
		if !ok || f.Severity != finding.Low || !strings.Contains(f.Detail, "file://") || len(got) != 1 {
			t.Errorf("%s: want only a low cors-null-origin naming file://, got %s", md.name, names(got))
		}
	}
	// --origin file:// is the user's choice, like any other trusted origin.
	srv0 := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
		Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin, "file://"}, Credentials: true}})
	if fs, _, _ := scanTarget(t, srv0, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin, "file://"}, sensitive: true}); len(fs) != 0 {
		t.Errorf("file:// named as trusted: want no findings, got %s", names(ruleSet(fs)))
	}
	// null and file:// both trusted: the proof is null, which every browser sends.
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
		Policy: vulnserver.Policy{Kind: vulnserver.NullAllowed, Origins: []string{trustedOrigin, "file://"}, Credentials: true}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
	if f := ruleSet(fs)["cors-null-origin"]; f.Severity != finding.Critical || !strings.Contains(f.Detail, "file://") {
		t.Errorf("null and file://: want critical cors-null-origin listing both, got %s: %s", names(ruleSet(fs)), f.Detail)
	}
}

// An allowlist that ignores the port (cors-anchors.md C14: a host-only comparison, or a
// ^https://app\.example\.com(:\d+)?$ regex) lets any other service on the trusted host read.
// The probe and the check exist only once the catalogue holds cors-any-port (rules.md is the
// lead's); until then no request is spent on it.
func TestAnyPort(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
		Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com(:\d+)?$`, Credentials: true}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
	sawPort := false
	for _, o := range srv.Origins() {
		sawPort = sawPort || o == trustedOrigin+":1337"
	}
	f, ok := ruleSet(fs)[portRule]
	if !sawPort || !ok || !strings.Contains(f.Detail, ":1337") {
		t.Fatalf("want cors-any-port from %s:1337, got probe %v, %s", trustedOrigin, sawPort, names(ruleSet(fs)))
	}
	// An unanchored regex accepts the port too, but that is the prefix bypass, reported once.
	srv = vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
		Policy: vulnserver.Policy{Kind: vulnserver.Prefix, Origins: []string{trustedOrigin}}})
	fs, _, _ = scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
	if _, ok := ruleSet(fs)[portRule]; ok {
		t.Fatalf("prefix check: cors-any-port reported next to cors-prefix-bypass: %s", names(ruleSet(fs)))
	}
}

const portRule = "cors-any-port"

func init() {
	cases = append(cases, tcase{name: "port-insensitive allowlist", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com(:\d+)?$`}},
		want: map[string]sev{portRule: {finding.Medium, finding.Low}}})
}

// A policy that answers every origin permissively is one finding, not a second "only the
// trusted origin" one that contradicts it.
func TestPermissivePreflightReportedOnceWhenEveryoneGetsIt(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.NoClientCert, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials, PermissivePreflight: true}})
	c, err := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	env := &endpoint.Env{Client: c, URL: u, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}, TrustedOrigins: []string{trustedOrigin}}
	env.Facts.Auth = endpoint.AuthNotRequested
	n := 0
	for _, f := range Run(context.Background(), env) {
		if f.Rule == "cors-permissive-preflight" {
			n++
			if strings.Contains(f.SeverityReason, "Only the trusted origin") {
				t.Errorf("contradictory reason: %s", f.SeverityReason)
			}
		}
	}
	if n != 1 {
		t.Fatalf("cors-permissive-preflight reported %d times, want 1", n)
	}
}
