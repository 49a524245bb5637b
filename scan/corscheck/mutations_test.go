package corscheck

import (
	"context"
	"crypto/tls"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

func planOf(t testing.TB, target string, trusted ...string) map[string]Class {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]Class{}
	for _, mu := range Plan(u, trusted, "r4nd") {
		if _, dup := m[mu.Origin]; dup {
			t.Errorf("duplicate probe %s", mu.Origin)
		}
		m[mu.Origin] = mu.Class
	}
	return m
}

func TestPlanProbes(t *testing.T) {
	m := planOf(t, "https://api.corp.example.com/v1/users", "https://www.example.com")
	want := map[string]Class{
		"https://api.corp.example.com":              ClassOwn,
		"https://www.example.com":                   ClassTrusted,
		"https://evil-r4nd.example":                 ClassArbitrary,
		"null":                                      ClassNull,
		"https://www.example.com.evil-r4nd.example": ClassPrefix,
		"https://evilr4ndwww.example.com":           ClassSubdomain, // a sibling under example.com: the site's own name

		"https://evil-example.com":                       ClassSuffix,
		"https://xwww.example.comx.example":              ClassSubstring,
		"https://xample.com":                             ClassSubstring,
		"https://wwwxexample.com":                        ClassDot,
		"https://crossgate-sub.www.example.com":          ClassSubdomain,
		"https://crossgate-sub.example.com":              ClassSubdomain, // of api.corp.example.com, two labels down
		"https://crossgate-www-r4nd.example.com":         ClassSubdomain, // of www.example.com, after its suffix probe
		"http://www.example.com":                         ClassHTTP,
		"http://api.corp.example.com":                    ClassHTTP,
		"https://apixcorp.example.com":                   ClassSubdomain, // still under example.com
		"https://api.corpxexample.com":                   ClassDot,
		"https://www.example.com_.evil-r4nd.example":     ClassSpecial,
		"https://www.example.com`.evil-r4nd.example":     ClassSpecial,
		"https://crossgate.github.io":                    ClassThirdParty,
		"http://localhost:3000":                          ClassLocalhost,
		"http://127.0.0.1":                               ClassLocalhost,
		"https://api.corp.example.com.evil-r4nd.example": ClassPrefix,
	}
	for o, c := range want {
		if got, ok := m[o]; !ok || got != c {
			t.Errorf("probe %s: got class %q (present %v), want %q", o, got, ok, c)
		}
	}
	// The dot before the top-level domain is never replaced: nobody can host
	// www.examplexcom, so accepting it proves nothing exploitable and costs a request.
	for _, o := range []string{"https://www.examplexcom", "https://api.corp.examplexcom"} {
		if _, ok := m[o]; ok {
			t.Errorf("probe %s under a non-existent top-level domain", o)
		}
	}
	// The sub-domain of the domain waits for the suffix probe of a host one label under it.
	target, _ := url.Parse("https://api.corp.example.com/v1/users")
	for _, mu := range Plan(target, []string{"https://www.example.com"}, "r4nd") {
		want := ""
		if mu.Origin == "https://crossgate-www-r4nd.example.com" {
			want = "https://evilr4ndwww.example.com"
		}
		if mu.Origin == "https://crossgate-www-r4nd.example.com" || mu.Origin == "https://crossgate-sub.example.com" {
			if mu.After != want {
				t.Errorf("probe %s waits for %q, want %q", mu.Origin, mu.After, want)
			}
		}
	}
	// Special characters only for the first base: they are the lowest priority.
	if _, ok := m["https://api.corp.example.com_.evil-r4nd.example"]; ok {
		t.Error("special characters sent for the second base")
	}
}

// An address has no registrable domain, so no sub-domain or look-alike probes; but a prefix
// or substring mutation of it is a registrable DNS name and is probed, and the dot and suffix
// mutations of an IPv4 address (no browser can send them) are probed marked unsendable.
func TestPlanAddressHosts(t *testing.T) {
	for _, target := range []string{"https://127.0.0.1:8443/x", "https://[::1]:8443/", "https://localhost/"} {
		u, _ := url.Parse(target)
		plan := Plan(u, nil, "r4nd")
		for _, mu := range plan {
			if mu.Class == ClassSubdomain {
				t.Errorf("%s: sub-domain mutation %s for an address host", target, mu.Origin)
			}
			if _, err := cors.ParseOrigin(mu.Origin); mu.Origin != "null" && mu.Origin != fileOrigin && (err != nil) != mu.Unsendable {
				t.Errorf("%s: %s marked unsendable=%v, parse error %v", target, mu.Origin, mu.Unsendable, err)
			}
		}
		if len(plan) > Budget() {
			t.Errorf("%s: %d probes", target, len(plan))
		}
	}
	m := planOf(t, "https://127.0.0.1:8443/x")
	for o, c := range map[string]Class{
		"https://127.0.0.1.evil-r4nd.example": ClassPrefix,
		"https://x127.0.0.1x.example":         ClassSubstring,
		"https://127x0.0.1":                   ClassDot,
		"https://evilr4nd127.0.0.1":           ClassSuffix,
	} {
		if m[o] != c {
			t.Errorf("127.0.0.1: probe %s: class %q, want %q", o, m[o], c)
		}
	}
	if _, ok := m["https://127.0.0.1"]; ok {
		t.Error("127.0.0.1: a dot mutation that parses back to the address itself (127.0x0.1 is 127.0.0.1) was planned as a dot probe")
	}
	m = planOf(t, "https://[::1]:8443/")
	if m["http://[::1]:8443"] != ClassHTTP || m["https://[::1]:8443"] != ClassOwn {
		t.Errorf("IPv6 own and downgrade probes missing: %v", m)
	}
}

func TestPlanKeepsTrustedPort(t *testing.T) {
	m := planOf(t, "https://10.0.0.1/", "https://app.example.com:8443")
	for _, o := range []string{"https://crossgate-sub.app.example.com:8443", "http://app.example.com:8443", "https://appxexample.com:8443"} {
		if _, ok := m[o]; !ok {
			t.Errorf("missing %s", o)
		}
	}
	// The target's own host is mutated without its port (attacker pages use default
	// ports); its downgrade keeps the port.
	m = planOf(t, "https://api.example.com:8443/")
	for _, o := range []string{"https://crossgate-sub.api.example.com", "https://evilr4ndapi.example.com", "http://api.example.com:8443"} {
		if _, ok := m[o]; !ok {
			t.Errorf("missing %s", o)
		}
	}
}

func TestRegisteredDomain(t *testing.T) {
	for in, want := range map[string]string{"a.b.example.com": "example.com", "example.com": "example.com", "intranet": "intranet", "x.y.": "x.y",
		// The public suffix list, not the last two labels.
		"app.example.co.uk": "example.co.uk", "alice.github.io": "alice.github.io", "127.0.0.1": "127.0.0.1"} {
		if got := registeredDomain(in); got != want {
			t.Errorf("registeredDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPlan(f *testing.F) {
	for _, seed := range [][2]string{
		{"api.example.com", "https://app.example.com"},
		{"[::1]:8443", "https://[2001:db8::1]:9443"},
		{"127.0.0.1:1", "null"},
		{"a..b", "http://localhost:3000"},
		{"xn--bcher-kva.example", "https://ex_ample.com"},
		{"", "garbage"},
		{"0x7f.1", "https://0x7f.1"},
		{"a.b.c.d.e.f.g.h", "HTTPS://APP.EXAMPLE.COM:0443"},
	} {
		f.Add(seed[0], seed[1], "8f00")
	}
	f.Fuzz(func(t *testing.T, host, trusted, rnd string) {
		u := &url.URL{Scheme: "https", Host: host, Path: "/"}
		if pu, err := url.Parse("https://" + host + "/"); err == nil {
			u = pu
		}
		for _, m := range Plan(u, []string{trusted, trusted + "x"}, rnd) {
			if m.Origin == "null" || m.Origin == fileOrigin {
				continue
			}
			o, err := cors.ParseOrigin(m.Origin)
			if m.Unsendable {
				if err == nil || !unsendable(m.Origin) {
					t.Fatalf("probe %q marked unsendable, parse error %v", m.Origin, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("probe %q (%s) does not parse: %v", m.Origin, m.Class, err)
			}
			if o.String() != m.Origin {
				t.Fatalf("probe %q is not in serialized form (%q)", m.Origin, o.String())
			}
		}
	})
}

// A domain-named target (dialled to loopback) gets the host-based mutations too; with one
// trusted origin on another domain the plan is the largest common case.
func TestBudgetDomainTarget(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, DNSNames: []string{"api.corp.example.com"},
		Policy: vulnserver.Policy{Kind: vulnserver.Suffix, Origins: []string{"corp.example.com"}}})
	fs, sent := scanDomain(t, srv, []string{"https://www.example.org"})
	if sent > int64(Budget()) {
		t.Fatalf("sent %d, budget %d", sent, Budget())
	}
	t.Logf("domain target with one trusted origin: %d requests", sent)
	// "Ends with corp.example.com" lets evil<rnd>api.corp.example.com in: a name under the
	// site's own registrable domain (example.com), so every sub-domain is trusted; no name an
	// attacker can register gets through, so it is no suffix bypass.
	if _, ok := ruleSet(fs)["cors-any-subdomain"]; !ok {
		t.Fatalf("suffix check on the target's own domain: want cors-any-subdomain, got %s", names(ruleSet(fs)))
	}
	if _, ok := ruleSet(fs)["cors-suffix-bypass"]; ok {
		t.Fatalf("a sibling sub-domain was reported as a suffix bypass: %s", names(ruleSet(fs)))
	}
}

func scanDomain(t testing.TB, srv *vulnserver.Server, trusted []string) ([]finding.Finding, int64) {
	t.Helper()
	addr := strings.TrimPrefix(srv.Base, "https://")
	_, port, _ := net.SplitHostPort(addr)
	c, err := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"api.corp.example.com"}, Rate: -1,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://api.corp.example.com:" + port + "/api/profile")
	env := &endpoint.Env{Client: c, URL: u, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}, TrustedOrigins: trusted, Sensitive: emailDetector}
	env.Facts.Auth = endpoint.AuthRequiredTLS
	return Run(context.Background(), env), c.Sent()
}

func BenchmarkCORSScanEndpoint(b *testing.B) {
	srv := vulnserver.StartT(b, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}}})
	var total int64
	for b.Loop() {
		_, sent, _ := scanTarget(b, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
		total += sent
	}
	b.ReportMetric(float64(total)/float64(b.N), "requests/scan")
}

func BenchmarkPlan(b *testing.B) {
	u, _ := url.Parse("https://api.corp.example.com/v1")
	for b.Loop() {
		Plan(u, []string{"https://www.example.com", "https://admin.example.org"}, "r4nd")
	}
}
