package corscheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

const trustedOrigin = "https://app.example.com"

// mode is how the target asks for the client certificate. The mTLS inspector that fills
// env.Facts.Auth runs before this family in a real scan; these tests set Auth themselves to
// the mode the target really has, so the CORS ratings are tested on their own.
type mode struct {
	name  string
	apply func(*vulnserver.Config)
	auth  endpoint.AuthMode
	mtls  bool
}

var modes = []mode{
	{"tls-required", func(c *vulnserver.Config) { c.ClientAuth = tls.RequireAndVerifyClientCert }, endpoint.AuthRequiredTLS, true},
	{"tls-optional", func(c *vulnserver.Config) { c.ClientAuth = tls.VerifyClientCertIfGiven }, endpoint.AuthOptional, false},
	{"http-reject", func(c *vulnserver.Config) { c.HTTPReject = true }, endpoint.AuthRequiredHTTP, true},
}

// emailDetector stands in for the exposure family's detectors.
func emailDetector(body []byte, _ string) endpoint.Sensitivity {
	if bytes.Contains(body, []byte("@example.com")) {
		return endpoint.Sensitivity{PII: []string{"an email address"}}
	}
	return endpoint.Sensitivity{}
}

type scanOpts struct {
	trusted   []string
	sensitive bool // install emailDetector
	noCert    bool
}

func scanTarget(t testing.TB, srv *vulnserver.Server, auth endpoint.AuthMode, o scanOpts) ([]finding.Finding, int64, *endpoint.Env) {
	t.Helper()
	return scanTargetCtx(context.Background(), t, srv, auth, o)
}

// scanTargetCtx is scanTarget with the scan's context (a probe.WithTrace one, say).
func scanTargetCtx(ctx context.Context, t testing.TB, srv *vulnserver.Server, auth endpoint.AuthMode, o scanOpts) ([]finding.Finding, int64, *endpoint.Env) {
	t.Helper()
	c, err := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	user := &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}
	if o.noCert {
		user = probe.None
	}
	env := &endpoint.Env{Client: c, URL: u, User: user, TrustedOrigins: o.trusted}
	env.Facts.Auth = auth
	if o.sensitive {
		env.Sensitive = emailDetector
	}
	fs := Run(ctx, env)
	return fs, c.Sent(), env
}

// sev is the expected severity on an mTLS endpoint and on one that serves the content
// without a certificate (tls-optional).
type sev struct{ mtls, public finding.Severity }

type tcase struct {
	name    string
	cfg     vulnserver.Config
	trusted []string
	want    map[string]sev
}

var cases = []tcase{
	{name: "seed wildcard", cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}},
		want: map[string]sev{"cors-wildcard-on-mtls": {finding.High, -1}, "cors-wildcard": {-1, finding.Medium}}},
	{name: "wildcard with credentials", cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.WildcardCredentials}},
		want: map[string]sev{"cors-wildcard-on-mtls": {finding.High, -1}, "cors-wildcard": {-1, finding.Medium},
			"cors-wildcard-with-credentials": {finding.Low, finding.Low}}},
	{name: "reflect", cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Reflect}}, trusted: []string{trustedOrigin},
		want: map[string]sev{"cors-reflect-origin": {finding.High, finding.Medium}}},
	{name: "reflect with credentials", cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}}, trusted: []string{trustedOrigin},
		want: map[string]sev{"cors-reflect-origin-credentials": {finding.Critical, finding.Medium}}},
	{name: "reflect with credentials and django cookies", cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}, Cookies: true},
		want: map[string]sev{"cors-reflect-origin-credentials": {finding.Critical, finding.Critical}}},
	{name: "regex without end anchor or escaped dots", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `https://app.example.com`, Credentials: true}},
		want: map[string]sev{"cors-prefix-bypass": {finding.Critical, finding.Medium}, "cors-unescaped-dot-bypass": {finding.Critical, finding.Medium}}},
	{name: "regex with .* before the domain", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `https://.*example\.com$`}},
		want: map[string]sev{"cors-suffix-bypass": {finding.High, finding.Medium}}},
	{name: "substring check", trusted: []string{trustedOrigin},
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Substring, Origins: []string{"app.example.com"}, Credentials: true}},
		want: map[string]sev{"cors-substring-bypass": {finding.Critical, finding.Medium},
			"cors-http-origin-trusted": {finding.High, finding.Low}}},
	{name: "prefix check", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Prefix, Origins: []string{trustedOrigin}}},
		want: map[string]sev{"cors-prefix-bypass": {finding.High, finding.Medium}}},
	{name: "suffix check", trusted: []string{trustedOrigin},
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Suffix, Origins: []string{"example.com"}}},
		want: map[string]sev{"cors-suffix-bypass": {finding.High, finding.Medium},
			"cors-http-origin-trusted": {finding.Medium, finding.Low}}},
	{name: "null allowed", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.NullAllowed, Origins: []string{trustedOrigin}}},
		want: map[string]sev{"cors-null-origin": {finding.High, finding.Medium}}},
	{name: "null allowed with credentials", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.NullAllowed, Origins: []string{trustedOrigin}, Credentials: true}},
		want: map[string]sev{"cors-null-origin": {finding.Critical, finding.Medium}}},
	{name: "http origin in allowlist", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin, "http://app.example.com"}}},
		want: map[string]sev{"cors-http-origin-trusted": {finding.Medium, finding.Low}}},
	{name: "localhost in allowlist", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin, "http://localhost:3000"}}},
		want: map[string]sev{"cors-localhost-origin": {finding.Low, finding.Info}}},
	{name: "github.io regex", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com$|^https://[a-z0-9-]+\.github\.io$`}},
		want: map[string]sev{"cors-third-party-origin": {finding.High, finding.Medium}}},
	{name: "any subdomain", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://([a-z0-9-]+\.)*app\.example\.com$`}},
		want: map[string]sev{"cors-any-subdomain": {finding.Medium, finding.Low}}},
	{name: "special characters", trusted: []string{trustedOrigin},
		// A host check that stops at the first "." or ":" after the name but lets "_" and
		// friends through, so the prefix probe fails and the special ones pass.
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com([^.:/].*)?$`}},
		want: map[string]sev{"cors-special-char-bypass": {finding.Medium, finding.Low}}},
	{name: "permissive preflight for the trusted origin", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, PermissivePreflight: true}},
		want: map[string]sev{"cors-permissive-preflight": {finding.Low, finding.Low}}},
	{name: "permissive preflight for any origin",
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials, PermissivePreflight: true}},
		want: map[string]sev{"cors-reflect-origin-credentials": {finding.Critical, finding.Medium},
			"cors-permissive-preflight": {finding.High, finding.Medium}}},
	{name: "private network grant", trusted: []string{trustedOrigin},
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Reflect, PrivateNetwork: true}},
		want: map[string]sev{"cors-reflect-origin": {finding.High, finding.Medium},
			"cors-private-network": {finding.Medium, finding.Medium}}},
	{name: "exposed identity headers to any origin",
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Reflect, ExposeHeaders: []string{"Content-Language", "Authorization", "X-SSL-Client-S-DN"}}},
		want: map[string]sev{"cors-reflect-origin": {finding.High, finding.Medium},
			"cors-sensitive-exposed-headers": {finding.Medium, finding.Medium}}},
	{name: "exposed identity headers to the trusted origin", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, ExposeHeaders: []string{"X-Auth-Token"}}},
		want: map[string]sev{"cors-sensitive-exposed-headers": {finding.Low, finding.Low}}},
	{name: "proxy wildcard over app allowlist", trusted: []string{trustedOrigin},
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, DuplicateACAO: true}},
		want: map[string]sev{"cors-proxy-conflict": {finding.Medium, finding.Medium},
			"cors-wildcard-on-mtls": {finding.High, -1}, "cors-wildcard": {-1, finding.Medium}}},
	{name: "credentials on disallowed origins (django-cors-headers 3.14)", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true, CredentialsOnDisallowed: true}},
		want: map[string]sev{"cors-credentials-on-disallowed-origin": {finding.Info, finding.Info}}},
	{name: "allowlist without Vary", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, OmitVary: true}},
		want: map[string]sev{"cors-missing-vary-origin": {finding.Medium, finding.Medium}}},

	// A proxy answers OPTIONS itself with a reflected origin and credentials while the app
	// allowlists: the GET is not readable, but the credentialed PUT gets sent.
	{name: "credentialed reflection only on the preflight", trusted: []string{trustedOrigin},
		cfg: vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}},
			PreflightPolicy: &vulnserver.Policy{Kind: vulnserver.ReflectCredentials}},
		want: map[string]sev{"cors-reflect-origin-credentials": {finding.High, finding.Low}}},

	// Every http:// origin is echoed, https ones are not: a reflection that needs no network
	// attacker, reported as such rather than as one trusted http origin.
	{name: "every http origin reflected", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://app\.example\.com$|^http://`, Credentials: true}},
		want: map[string]sev{"cors-reflect-origin-credentials": {finding.Critical, finding.Medium}}},

	// Clean targets: nothing to report.
	{name: "exact allowlist", trusted: []string{trustedOrigin},
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}},
		want: map[string]sev{}},
	{name: "exact allowlist, user named no origin",
		cfg:  vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}},
		want: map[string]sev{}},
	{name: "no CORS at all", trusted: []string{trustedOrigin}, cfg: vulnserver.Config{}, want: map[string]sev{}},
	{name: "trusted http and localhost origins are the user's choice",
		trusted: []string{trustedOrigin, "http://app.example.com", "http://localhost:3000"},
		cfg:     vulnserver.Config{Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin, "http://app.example.com", "http://localhost:3000"}}},
		want:    map[string]sev{}},
}

func ruleSet(fs []finding.Finding) map[string]finding.Finding {
	m := map[string]finding.Finding{}
	for _, f := range fs {
		if _, dup := m[f.Rule]; dup && f.Rule != "cors-permissive-preflight" {
			continue
		}
		m[f.Rule] = f
	}
	return m
}

func names(m map[string]finding.Finding) string {
	var s []string
	for k, f := range m {
		s = append(s, k+"="+f.Severity.String())
	}
	sort.Strings(s)
	return strings.Join(s, " ")
}

func TestRules(t *testing.T) {
	for _, tc := range cases {
		for _, md := range modes {
			t.Run(tc.name+"/"+md.name, func(t *testing.T) {
				cfg := tc.cfg
				md.apply(&cfg)
				srv := vulnserver.StartT(t, cfg)
				fs, sent, _ := scanTarget(t, srv, md.auth, scanOpts{trusted: tc.trusted, sensitive: true})
				got := ruleSet(fs)
				for rule, s := range tc.want {
					want := s.public
					if md.mtls {
						want = s.mtls
					}
					f, ok := got[rule]
					if want < 0 {
						if ok {
							t.Errorf("%s reported on a %s endpoint, want it absent", rule, md.name)
						}
						continue
					}
					if !ok {
						t.Errorf("missing %s; got %s", rule, names(got))
						continue
					}
					if f.Severity != want {
						t.Errorf("%s severity = %s, want %s (reason: %s)", rule, f.Severity, want, f.SeverityReason)
					}
					if f.SeverityReason == "" || f.Detail == "" || f.Remediation == "" || f.Fingerprint == "" || f.URL != srv.URL {
						t.Errorf("%s incomplete: %+v", rule, f)
					}
					if f.Evidence.Curl == "" || !strings.Contains(f.Evidence.Request, "Origin: ") {
						t.Errorf("%s evidence lacks the proving exchange: %+v", rule, f.Evidence)
					}
				}
				for rule, f := range got {
					if _, ok := tc.want[rule]; !ok {
						t.Errorf("unexpected %s (%s): %s", rule, f.Severity, f.Detail)
					}
				}
				if sent > int64(Budget()) {
					t.Errorf("sent %d requests, budget is %d", sent, Budget())
				}
			})
		}
	}
}

// The nginx trap: add_header ... always puts * on the 400 "No required SSL certificate was
// sent" page, but the authenticated content has no CORS header. A page reads the error page
// only, which is not an exposure.
func TestWildcardOnlyOnRejectionPage(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{HTTPReject: true, RejectPolicy: &vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredHTTP, scanOpts{trusted: []string{trustedOrigin}, sensitive: true})
	if len(fs) != 1 || fs[0].Rule != "cors-wildcard-on-mtls" || fs[0].Severity != finding.Info {
		t.Fatalf("want one info cors-wildcard-on-mtls, got %s", names(ruleSet(fs)))
	}
	// The same page with the wildcard on the content too is the seed's critical finding.
	srv = vulnserver.StartT(t, vulnserver.Config{HTTPReject: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, _ = scanTarget(t, srv, endpoint.AuthRequiredHTTP, scanOpts{sensitive: true})
	if f := ruleSet(fs)["cors-wildcard-on-mtls"]; f.Severity != finding.High {
		t.Fatalf("seed behind nginx: want high (Chromium only, as audit rates django-cors-allow-all), got %s", names(ruleSet(fs)))
	}
}

// Without the user's certificate a TLS-required endpoint never answers: no CORS verdict.
func TestNoCertificateNoVerdict(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{noCert: true})
	if len(fs) != 0 {
		t.Fatalf("want no findings without a handshake, got %s", names(ruleSet(fs)))
	}
}

// A public health check with ACAO * and {"ok":true} is low at most.
func TestPublicCleanWildcardIsLow(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthNotRequested, scanOpts{sensitive: true})
	if m, _ := finding.Max(fs); m > finding.Low {
		t.Fatalf("public non-sensitive wildcard: want nothing above low, got %s", names(ruleSet(fs)))
	}
	if _, ok := ruleSet(fs)["cors-wildcard"]; !ok {
		t.Fatalf("want cors-wildcard (low), got %s", names(ruleSet(fs)))
	}
	// Reflection with credentials on the same public endpoint: low, per rules.md's example.
	srv = vulnserver.StartT(t, vulnserver.Config{Clean: true, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
	fs, _, _ = scanTarget(t, srv, endpoint.AuthNotRequested, scanOpts{sensitive: true})
	if f := ruleSet(fs)["cors-reflect-origin-credentials"]; f.Severity != finding.Low {
		t.Fatalf("public health check reflect+credentials: want low, got %s", names(ruleSet(fs)))
	}
}

// Env.Sensitive and Env.RedactBody may be nil; without a detector nothing counts as sensitive.
func TestNilDetectors(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Reflect}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{})
	if f := ruleSet(fs)["cors-reflect-origin"]; f.Severity != finding.Medium {
		t.Fatalf("want medium cors-reflect-origin without a detector (Chromium-only read, nothing sensitive recognised), got %s", names(ruleSet(fs)))
	}
}

// Facts.Unauthenticated (an mTLS bypass served the content) rates the wildcard as public.
func TestUnauthenticatedRatesAsPublic(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.VerifyClientCertIfGiven, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	c, _ := probe.New(probe.Config{RootCAs: srv.CA.Pool(), Scope: []string{"127.0.0.1"}, Rate: -1})
	u, _ := url.Parse(srv.URL)
	env := &endpoint.Env{Client: c, URL: u, User: &probe.Identity{Name: "user", Certificate: &srv.Client.TLS}, Sensitive: emailDetector}
	env.Facts.Auth, env.Facts.Unauthenticated = endpoint.AuthRequiredHTTP, true
	f := ruleSet(Run(context.Background(), env))["cors-wildcard-on-mtls"]
	if f.Severity != finding.Medium {
		t.Fatalf("want medium when a bypass already serves the content, got %q %s", f.Rule, f.Severity)
	}
}

func TestStackGuess(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{Cookies: true, Policy: vulnserver.Policy{Kind: vulnserver.Reflect}})
	fs, _, env := scanTarget(t, srv, endpoint.AuthOptional, scanOpts{})
	if env.Facts.Stack.App != remedy.Django {
		t.Fatalf("stack = %q, want django", env.Facts.Stack)
	}
	if len(fs) == 0 || !strings.Contains(fs[0].Remediation, "CORS_ALLOWED_ORIGINS") {
		t.Fatalf("want django remediation, got %+v", fs)
	}
	// An echoing preflight is nobody's default: nothing but nginx is known.
	srv = vulnserver.StartT(t, vulnserver.Config{ServerHeader: "nginx/1.22.1", Policy: vulnserver.Policy{Kind: vulnserver.Wildcard, PermissivePreflight: true}})
	fs, _, env = scanTarget(t, srv, endpoint.AuthOptional, scanOpts{})
	if f, ok := ruleSet(fs)["cors-wildcard"]; env.Facts.Stack != remedy.NginxStack || !ok || !strings.Contains(f.Remediation, "map $http_origin") {
		t.Fatalf("stack = %q, want nginx remediation, got %+v", env.Facts.Stack, fs)
	}
}

// django-cors-headers behind nginx, as the real stack looks: the GET shows only nginx, the
// preflight's default lists show django-cors-headers. The fix is its settings first, then
// the nginx variant.
func TestStackFromPreflight(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ServerHeader: "nginx/1.22.1", Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, env := scanTarget(t, srv, endpoint.AuthOptional, scanOpts{})
	want := remedy.Stack{App: remedy.Django, CORS: remedy.DjangoCORSHeaders, Proxy: remedy.Nginx}
	if env.Facts.Stack != want {
		t.Fatalf("stack = %q, want %q", env.Facts.Stack, want)
	}
	f, ok := ruleSet(fs)["cors-wildcard"]
	if !ok {
		t.Fatalf("no cors-wildcard: %v", fs)
	}
	django, nginx := strings.Index(f.Remediation, "CORS_ALLOWED_ORIGINS"), strings.Index(f.Remediation, "map $http_origin")
	if django < 0 || nginx < django {
		t.Errorf("want the django-cors-headers settings, then the nginx variant:\n%s", f.Remediation)
	}
}

// Many --origin values must not blow the budget.
func TestBudgetWithManyTrustedOrigins(t *testing.T) {
	trusted := []string{trustedOrigin, "https://admin.example.org", "https://a.b.c.example.net", "https://x.example.io:8443", "http://localhost:8080"}
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: trusted}})
	fs, sent, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: trusted})
	if sent > int64(Budget()) || srv.Requests() > int64(Budget()) {
		t.Fatalf("sent %d (server saw %d), budget %d", sent, srv.Requests(), Budget())
	}
	if len(fs) != 0 {
		t.Fatalf("exact allowlist: want no findings, got %s", names(ruleSet(fs)))
	}
}

func TestRulesCoverCatalogue(t *testing.T) {
	have := map[string]bool{}
	for _, r := range Rules() {
		have[r] = true
	}
	for _, r := range finding.Rules() {
		if r.Family == "cors" && !have[r.ID] {
			t.Errorf("rule %s has no check", r.ID)
		}
	}
	// Every rule is triggered by some case above.
	triggered := map[string]bool{}
	for _, tc := range cases {
		for r := range tc.want {
			triggered[r] = true
		}
	}
	for _, r := range Rules() {
		if !triggered[r] {
			t.Errorf("rule %s has no triggering fixture", r)
		}
	}
}

// A static ACAO names the origin the operator trusts; with no --origin, its host still
// becomes a mutation base. The fixed value never equals a mutation, so nothing is reported.
func TestLearnsFixedAllowedOrigin(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.Fixed, Origins: []string{trustedOrigin}}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{sensitive: true})
	if len(fs) != 0 {
		t.Fatalf("fixed ACAO: want no findings, got %s", names(ruleSet(fs)))
	}
	var sawTrusted, sawPrefix bool
	for _, o := range srv.Origins() {
		sawTrusted = sawTrusted || o == trustedOrigin
		sawPrefix = sawPrefix || strings.HasPrefix(o, trustedOrigin+".evil-")
	}
	if !sawTrusted || !sawPrefix {
		t.Fatalf("the learned origin was not probed or mutated: %v", srv.Origins())
	}
}

// Without --cert on an nginx-style endpoint only the 400 page is seen: at most an info note.
func TestHTTPRejectWithoutCertificate(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{HTTPReject: true, Policy: vulnserver.Policy{Kind: vulnserver.Wildcard}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredHTTP, scanOpts{noCert: true, sensitive: true})
	got := ruleSet(fs)
	if len(got) != 1 || got["cors-wildcard-on-mtls"].Severity != finding.Info {
		t.Fatalf("want only an info cors-wildcard-on-mtls, got %s", names(got))
	}
}
