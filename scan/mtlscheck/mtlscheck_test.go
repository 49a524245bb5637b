package mtlscheck

import (
	"context"
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

var versions = []struct {
	name string
	max  uint16
}{{"TLS1.2", tls.VersionTLS12}, {"TLS1.3", tls.VersionTLS13}}

func TestInspectClassification(t *testing.T) {
	cases := []struct {
		name   string
		fx     fixture
		noUser bool
		want   endpoint.AuthMode
		reason map[uint16][]string // per max version, substrings the reason must contain
	}{
		{name: "NoClientCert", fx: fixture{auth: tls.NoClientCert, handler: static}, want: endpoint.AuthNotRequested,
			reason: map[uint16][]string{0: {"without ever sending a CertificateRequest"}}},
		{name: "RequestClientCert", fx: fixture{auth: tls.RequestClientCert, handler: static}, want: endpoint.AuthOptional},
		{name: "RequireAnyClientCert", fx: fixture{auth: tls.RequireAnyClientCert, handler: peerCN}, want: endpoint.AuthRequiredTLS,
			reason: map[uint16][]string{tls.VersionTLS13: {"alert 116 certificate required", "on the first read", "TLS 1.3"}}},
		{name: "VerifyClientCertIfGiven/anonymous-page", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: verifiedOrAnonymous}, want: endpoint.AuthOptional},
		{name: "VerifyClientCertIfGiven/403", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: verifiedOr403}, want: endpoint.AuthRequiredHTTP,
			reason: map[uint16][]string{0: {"HTTP 403", "got HTTP 200"}}},
		{name: "RequireAndVerifyClientCert", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403}, want: endpoint.AuthRequiredTLS,
			reason: map[uint16][]string{
				tls.VersionTLS12: {"alert 40 handshake failure", "during the handshake"},
				tls.VersionTLS13: {"alert 116 certificate required", "on the first read"}}},
		{name: "nginx-on", fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike}, want: endpoint.AuthRequiredHTTP,
			reason: map[uint16][]string{0: {"nginx completed the handshake", "400", "No required SSL certificate was sent"}}},
		{name: "reset-after-handshake", fx: fixture{auth: tls.RequestClientCert, handler: resetWithoutCert}, want: endpoint.AuthRequiredTLS,
			reason: map[uint16][]string{0: {"closed or reset"}}},
		// Without a certificate of the user's, crossgate still tells requested from required.
		{name: "no-user/RequireAndVerify", noUser: true, fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403}, want: endpoint.AuthRequiredTLS},
		{name: "no-user/nginx-on", noUser: true, fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike}, want: endpoint.AuthRequiredHTTP},
		{name: "no-user/NoClientCert", noUser: true, fx: fixture{auth: tls.NoClientCert, handler: static}, want: endpoint.AuthNotRequested},
		{name: "no-user/VerifyIfGiven-403", noUser: true, fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: verifiedOr403}, want: endpoint.AuthUnknown},
		{name: "no-user/RequestClientCert", noUser: true, fx: fixture{auth: tls.RequestClientCert, handler: static}, want: endpoint.AuthOptional},
	}
	for _, tc := range cases {
		for _, v := range versions {
			t.Run(tc.name+"/"+v.name, func(t *testing.T) {
				fx := tc.fx
				fx.maxVersion = v.max
				srv := start(t, fx)
				user := fixturePKI().alice
				if tc.noUser {
					user = nil
				}
				env := newEnv(t, srv.URL, user)
				Inspect(context.Background(), env)
				if env.Facts.Auth != tc.want {
					t.Fatalf("Auth = %s (%s), want %s", env.Facts.Auth, env.Facts.AuthReason, tc.want)
				}
				if env.Facts.AuthReason == "" || strings.Contains(env.Facts.AuthReason, "\n") {
					t.Fatalf("AuthReason must be one sentence, got %q", env.Facts.AuthReason)
				}
				for _, want := range append(tc.reason[0], tc.reason[v.max]...) {
					if !strings.Contains(env.Facts.AuthReason, want) {
						t.Errorf("AuthReason %q lacks %q", env.Facts.AuthReason, want)
					}
				}
				if env.Facts.Baseline == nil || env.Facts.Anonymous == nil {
					t.Fatal("Baseline and Anonymous must be set")
				}
				if env.Facts.TLS == nil {
					t.Fatal("no TLS facts")
				}
				// A TLS 1.2 handshake that failed for want of a certificate has no version.
				if done := env.Facts.TLS.HandshakeDone; done && (env.Facts.TLS.Version != v.max || len(env.Facts.TLS.ServerChain) == 0) {
					t.Fatalf("TLS facts = %+v, want version %x and the server chain", env.Facts.TLS, v.max)
				} else if !done && (env.HasCert() || v.max == tls.VersionTLS13) {
					t.Fatalf("handshake not recorded as done: %+v", env.Facts.TLS)
				}
				if fx.auth != tls.NoClientCert && !env.Facts.TLS.CertRequested {
					t.Error("CertificateRequest not recorded")
				}
				if fx.clientCAs && env.HasCert() && env.Facts.TLS.Version == tls.VersionTLS13 && len(env.Facts.TLS.SignatureScheme) == 0 {
					t.Error("signature schemes not recorded")
				}
			})
		}
	}
}

func TestInspectPlainHTTP(t *testing.T) {
	srv := httptest.NewServer(fixture{handler: static}.handler)
	defer srv.Close()
	env := newEnv(t, srv.URL, fixturePKI().alice)
	env.Options.ExpectMTLS = true
	Inspect(context.Background(), env)
	if env.Facts.Auth != endpoint.AuthNotRequested || !strings.Contains(env.Facts.AuthReason, "http://") {
		t.Fatalf("Auth = %s (%s)", env.Facts.Auth, env.Facts.AuthReason)
	}
	fs := Scan(context.Background(), env).Findings
	if got := rules(fs); !got["mtls-not-requested"] || len(got) != 1 {
		t.Fatalf("findings = %v, want only mtls-not-requested", got)
	}
}

func scanEnv(t testing.TB, env *endpoint.Env) Result {
	t.Helper()
	Inspect(context.Background(), env)
	return Scan(context.Background(), env)
}

func rules(fs []finding.Finding) map[string]bool {
	m := map[string]bool{}
	for _, f := range fs {
		m[f.Rule] = true
	}
	return m
}

func find(fs []finding.Finding, rule string) *finding.Finding {
	for i := range fs {
		if fs[i].Rule == rule {
			return &fs[i]
		}
	}
	return nil
}

// ruleCase is one fixture and what the scan must (and must not) report on it.
type ruleCase struct {
	name     string
	fx       fixture
	user     *pki.Leaf
	extra    []*probe.Identity
	expect   bool // --expect-mtls
	noSpoof  bool
	want     []string
	wantNot  []string
	detail   map[string][]string // rule -> substrings of its Detail
	unauth   bool                // Facts.Unauthenticated after Run
	versions bool                // run with TLS 1.2 and 1.3
}

func runRuleCases(t *testing.T, cases []ruleCase) {
	for _, tc := range cases {
		vs := versions[1:]
		if tc.versions {
			vs = versions
		}
		for _, v := range vs {
			t.Run(tc.name+"/"+v.name, func(t *testing.T) {
				fx := tc.fx
				if fx.maxVersion == 0 {
					fx.maxVersion = v.max
				}
				srv := start(t, fx)
				user := tc.user
				if user == nil {
					user = fixturePKI().alice
				}
				env := newEnv(t, srv.URL, user, tc.extra...)
				env.Options.ExpectMTLS, env.Options.NoSpoof = tc.expect, tc.noSpoof
				res := scanEnv(t, env)
				got := rules(res.Findings)
				for _, r := range tc.want {
					if !got[r] {
						t.Errorf("missing %s; got %v (auth %s: %s; notes %q)", r, got, env.Facts.Auth, env.Facts.AuthReason, res.Notes)
					}
				}
				for _, r := range tc.wantNot {
					if got[r] {
						t.Errorf("unexpected %s: %s", r, find(res.Findings, r).Detail)
					}
				}
				for r, subs := range tc.detail {
					f := find(res.Findings, r)
					if f == nil {
						continue
					}
					for _, s := range subs {
						if !strings.Contains(f.Detail, s) {
							t.Errorf("%s detail %q lacks %q", r, f.Detail, s)
						}
					}
				}
				if env.Facts.Unauthenticated != tc.unauth {
					t.Errorf("Unauthenticated = %v, want %v", env.Facts.Unauthenticated, tc.unauth)
				}
				for _, f := range res.Findings {
					if f.Remediation == "" || f.Fingerprint == "" || f.URL == "" || f.Detail == "" {
						t.Errorf("%s incomplete: %+v", f.Rule, f)
					}
				}
				if n := env.Client.Sent(); n > int64(Budget+len(tc.extra)) {
					t.Errorf("sent %d requests, budget %d", n, Budget+len(tc.extra))
				}
			})
		}
	}
}

var bypassRules = []string{"mtls-optional-not-enforced", "mtls-any-cert-accepted", "mtls-expired-cert-accepted", "mtls-header-spoofing", "mtls-identity-confusion", "mtls-not-requested"}

func TestRuleNotRequested(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/NoClientCert+expect", fx: fixture{auth: tls.NoClientCert, handler: static}, expect: true,
			want: []string{"mtls-not-requested"}, wantNot: []string{"mtls-optional-not-enforced"}, unauth: true, versions: true,
			detail: map[string][]string{"mtls-not-requested": {"--expect-mtls", "CertificateRequest"}}},
		{name: "clean/NoClientCert-without-expect", fx: fixture{auth: tls.NoClientCert, handler: static}, wantNot: bypassRules},
		{name: "clean/RequireAndVerify+expect", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403}, expect: true,
			wantNot: bypassRules, versions: true},
	})
}

func TestRuleOptionalNotEnforced(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/RequestClientCert-static", fx: fixture{auth: tls.RequestClientCert, handler: static},
			want: []string{"mtls-optional-not-enforced"}, wantNot: []string{"mtls-any-cert-accepted", "mtls-header-spoofing"}, unauth: true, versions: true,
			detail: map[string][]string{"mtls-optional-not-enforced": {"similar"}}},
		{name: "clean/VerifyIfGiven-anonymous-page", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: verifiedOrAnonymous},
			wantNot: bypassRules, versions: true},
		{name: "clean/nginx-on", fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike}, wantNot: bypassRules},
	})
}

func TestRuleAnyCertAccepted(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/RequireAnyClientCert", fx: fixture{auth: tls.RequireAnyClientCert, handler: peerCN},
			want: []string{"mtls-any-cert-accepted"}, wantNot: []string{"mtls-optional-not-enforced", "mtls-expired-cert-accepted"}, unauth: true, versions: true,
			detail: map[string][]string{"mtls-any-cert-accepted": {"throwaway CA", "self-signed"}}},
		{name: "trigger/RequestClientCert-unverified-peer", fx: fixture{auth: tls.RequestClientCert, handler: peerCN},
			want: []string{"mtls-any-cert-accepted"}, unauth: true},
		{name: "clean/RequireAndVerify", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403},
			wantNot: bypassRules, versions: true},
		{name: "clean/nginx-on", fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike}, wantNot: bypassRules},
		// The TLS layer lets any certificate through but the app verifies it (optional_no_ca done right).
		{name: "clean/RequireAny+app-verifies", fx: fixture{auth: tls.RequireAnyClientCert, handler: verifiedOr403}, wantNot: bypassRules},
	})
}

func TestRuleExpiredCertAccepted(t *testing.T) {
	expired := func() []*probe.Identity { return []*probe.Identity{ident(ExpiredIdentity, fixturePKI().expired)} }
	runRuleCases(t, []ruleCase{
		{name: "trigger/ignores-expiry", fx: fixture{auth: tls.RequireAnyClientCert, verify: ignoreExpiry, handler: peerCN}, extra: expired(),
			want: []string{"mtls-expired-cert-accepted"}, wantNot: []string{"mtls-any-cert-accepted", "mtls-optional-not-enforced"}, versions: true,
			detail: map[string][]string{"mtls-expired-cert-accepted": {`"expired"`, "CN=alice,O=Example"}}},
		{name: "clean/RequireAndVerify", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403}, extra: expired(),
			wantNot: bypassRules, versions: true},
		{name: "clean/ignores-expiry-without-expired-identity", fx: fixture{auth: tls.RequireAnyClientCert, verify: ignoreExpiry, handler: peerCN},
			wantNot: bypassRules},
	})
}

func TestExpiredAlsoAcceptedByAnyCert(t *testing.T) {
	srv := start(t, fixture{auth: tls.RequireAnyClientCert, handler: peerCN, maxVersion: tls.VersionTLS13})
	env := newEnv(t, srv.URL, fixturePKI().alice)
	res := scanEnv(t, env)
	f := find(res.Findings, "mtls-any-cert-accepted")
	if f == nil {
		t.Fatalf("no any-cert finding: %v", rules(res.Findings))
	}
	if !strings.Contains(strings.Join(f.Evidence.Notes, "\n"), "expired certificate from the same unknown CA was accepted too") {
		t.Errorf("notes do not say the expired throwaway certificate was accepted too: %q", f.Evidence.Notes)
	}
}

func TestRuleHeaderSpoofing(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/X-SSL-Client-S-DN", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify")},
			want: []string{"mtls-header-spoofing"}, wantNot: []string{"mtls-optional-not-enforced", "mtls-any-cert-accepted"}, unauth: true, versions: true,
			detail: map[string][]string{"mtls-header-spoofing": {"X-SSL-Client-S-DN (RFC 2253)", "legacy", "without any client certificate", "CN=alice,O=Example"}}},
		{name: "trigger/XFCC-only", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X-Forwarded-Client-Cert", "")},
			want: []string{"mtls-header-spoofing"}, unauth: true,
			detail: map[string][]string{"mtls-header-spoofing": {"X-Forwarded-Client-Cert"}}},
		{name: "trigger/underscore-only", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X_SSL_Client_S_DN", "X_SSL_Client_Verify")},
			want: []string{"mtls-header-spoofing"}, unauth: true,
			detail: map[string][]string{"mtls-header-spoofing": {"X_SSL_Client_S_DN", "underscore"}}},
		// optional_no_ca in front of a header-trusting app: spoofing rides on a minted certificate.
		{name: "trigger/RequireAny+header-app", fx: fixture{auth: tls.RequireAnyClientCert, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify")},
			want: []string{"mtls-header-spoofing"}, wantNot: []string{"mtls-any-cert-accepted"}, unauth: true,
			detail: map[string][]string{"mtls-header-spoofing": {"minted certificate"}}},
		{name: "clean/no-spoof-flag", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify")},
			noSpoof: true, wantNot: bypassRules},
		{name: "clean/ignores-headers", fx: fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: verifiedOr403}, wantNot: bypassRules, versions: true},
		{name: "clean/RequireAndVerify", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify")},
			wantNot: bypassRules},
	})
}

func TestSpoofNotPossibleNote(t *testing.T) {
	srv := start(t, fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify"), maxVersion: tls.VersionTLS13})
	env := newEnv(t, srv.URL, fixturePKI().alice)
	res := scanEnv(t, env)
	if !strings.Contains(strings.Join(res.Notes, "\n"), "identity-header probes not possible") {
		t.Fatalf("notes = %q", res.Notes)
	}
}

func TestSpoofWithoutUserCert(t *testing.T) {
	// No --cert: the canary subject is claimed, and a 200 where the plain request got 403 counts.
	srv := start(t, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify"), maxVersion: tls.VersionTLS13})
	env := newEnv(t, srv.URL, nil)
	res := scanEnv(t, env)
	f := find(res.Findings, "mtls-header-spoofing")
	if f == nil {
		t.Fatalf("no spoofing finding: %v, notes %q", rules(res.Findings), res.Notes)
	}
	if !strings.Contains(f.Detail, canaryCN) {
		t.Errorf("detail %q does not name the canary subject", f.Detail)
	}
	for _, ex := range []string{f.Evidence.Request, f.Evidence.Curl} {
		if strings.Contains(ex, "PRIVATE KEY") {
			t.Fatal("a private key went into a spoofed header")
		}
	}
}

func TestRuleIdentityConfusion(t *testing.T) {
	alice2 := func() []*probe.Identity { return []*probe.Identity{ident("alice2", fixturePKI().alice2)} }
	runRuleCases(t, []ruleCase{
		{name: "trigger/substring-DN", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: substringMapping}, extra: alice2(),
			want: []string{"mtls-identity-confusion"}, wantNot: []string{"mtls-any-cert-accepted", "mtls-optional-not-enforced"}, versions: true,
			detail: map[string][]string{"mtls-identity-confusion": {`identity "alice2"`, `"CN=alice2,O=Example"`, `naming "alice"`, `identity "user"`}}},
		{name: "clean/exact-DN", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: exactMapping}, extra: alice2(),
			wantNot: bypassRules, versions: true},
		{name: "clean/substring-DN-distinct-names", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: substringMapping},
			extra: []*probe.Identity{ident("bob", fixturePKI().bob)}, wantNot: bypassRules},
	})
}

func TestRuleCAListDisclosure(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/ClientCAs", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403},
			want: []string{"mtls-ca-list-disclosure"}, versions: true,
			detail: map[string][]string{"mtls-ca-list-disclosure": {"Example Internal Client CA"}}},
		{name: "clean/no-CA-names", fx: fixture{auth: tls.RequireAnyClientCert, handler: verifiedOr403}, wantNot: []string{"mtls-ca-list-disclosure"}, versions: true},
	})
}

func TestRuleHTTPOnlyEnforcement(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/nginx-on", fx: fixture{auth: tls.RequestClientCert, clientCAs: true, handler: nginxLike},
			want: []string{"mtls-http-only-enforcement"}, wantNot: bypassRules, versions: true,
			detail: map[string][]string{"mtls-http-only-enforcement": {"preflight", "Chromium", "No required SSL certificate was sent"}}},
		{name: "clean/RequireAndVerify", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403},
			wantNot: []string{"mtls-http-only-enforcement"}, versions: true},
	})
}

func TestRuleWeakProtocol(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{name: "trigger/TLS1.0-accepted", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403, minVersion: tls.VersionTLS10},
			want: []string{"tls-weak-protocol"}, wantNot: bypassRules, versions: true,
			detail: map[string][]string{"tls-weak-protocol": {"TLS 1.0 and TLS 1.1"}}},
		{name: "trigger/TLS1.1-only-weak", fx: fixture{auth: tls.NoClientCert, handler: static, minVersion: tls.VersionTLS11},
			want: []string{"tls-weak-protocol"}, detail: map[string][]string{"tls-weak-protocol": {"TLS 1.1"}}},
		{name: "clean/default-min-version", fx: fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403},
			wantNot: []string{"tls-weak-protocol"}, versions: true},
	})
}

// TestWeakProtocolHandshakes: one raw handshake offering TLS 1.0 and 1.1 answers for both when
// the server refuses them; a second, capped at 1.0, only when the server chose 1.1.
func TestWeakProtocolHandshakes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		min        uint16
		handshakes int
		want       string
	}{
		{"refused", 0, 1, ""},
		{"TLS 1.1 and up", tls.VersionTLS11, 2, "TLS 1.1."},
		{"TLS 1.0 and up", tls.VersionTLS10, 2, "TLS 1.0 and TLS 1.1."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403, minVersion: tc.min, maxVersion: tls.VersionTLS13})
			env := newEnv(t, srv.URL, fixturePKI().alice)
			var mu sync.Mutex
			handshakes := 0
			ctx := probe.WithTrace(context.Background(), func(x probe.Sent) {
				mu.Lock()
				defer mu.Unlock()
				if x.Handshake {
					handshakes++
				}
			})
			Inspect(ctx, env)
			res := Scan(ctx, env)
			if handshakes != tc.handshakes {
				t.Errorf("%d raw handshakes, want %d", handshakes, tc.handshakes)
			}
			f := find(res.Findings, "tls-weak-protocol")
			switch {
			case tc.want == "" && f != nil:
				t.Errorf("reported: %s", f.Detail)
			case tc.want != "" && (f == nil || !strings.Contains(f.Detail, "accepts "+tc.want)):
				t.Errorf("want %q in the finding, got %+v", tc.want, f)
			}
		})
	}
}

func TestSeverityCorrelation(t *testing.T) {
	expired := []*probe.Identity{ident(ExpiredIdentity, fixturePKI().expired)}
	for _, sensitive := range []bool{false, true} {
		srv := start(t, fixture{auth: tls.RequireAnyClientCert, verify: ignoreExpiry, handler: peerCN, maxVersion: tls.VersionTLS13})
		env := newEnv(t, srv.URL, fixturePKI().alice, expired...)
		Inspect(context.Background(), env)
		if sensitive {
			env.Facts.Sensitivity = endpoint.Sensitivity{PII: []string{"email address"}}
		}
		fs := Scan(context.Background(), env).Findings
		f := find(fs, "mtls-expired-cert-accepted")
		if f == nil {
			t.Fatalf("sensitive=%v: no finding", sensitive)
		}
		want := finding.High
		if sensitive {
			want = finding.Critical
		}
		if f.Severity != want || f.BaseSeverity != finding.High || f.SeverityReason == "" {
			t.Errorf("sensitive=%v: severity %s (base %s, reason %q), want %s", sensitive, f.Severity, f.BaseSeverity, f.SeverityReason, want)
		}
		if sensitive && !strings.Contains(f.SeverityReason, "email address") {
			t.Errorf("reason %q does not name the data", f.SeverityReason)
		}
	}
}

func TestBudget(t *testing.T) {
	// The worst case: every probe runs (header-trusting app, minted carrier, an extra identity).
	srv := start(t, fixture{auth: tls.VerifyClientCertIfGiven, clientCAs: true, handler: trustsHeader("X-SSL-Client-S-DN", "X-SSL-Client-Verify"), maxVersion: tls.VersionTLS13})
	env := newEnv(t, srv.URL, fixturePKI().alice, ident("bob", fixturePKI().bob))
	scanEnv(t, env)
	if n := env.Client.Sent(); n > 20 || n > int64(Budget+1) {
		t.Fatalf("sent %d requests and handshakes, budget %d", n, Budget+1)
	}
	if Budget > 20 {
		t.Fatalf("Budget = %d, the family aims at 20 or fewer", Budget)
	}
}

func TestMintedIdentitiesStayInScope(t *testing.T) {
	// Minted certificates go through the probe client's scope check like any identity.
	srv := start(t, fixture{auth: tls.RequireAnyClientCert, handler: peerCN, maxVersion: tls.VersionTLS13})
	c, err := probe.New(probe.Config{RootCAs: fixturePKI().ca.Pool(), Scope: []string{"other.example"}, Rate: -1})
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t, srv.URL, fixturePKI().alice)
	env.Client = c
	res := scanEnv(t, env)
	if f := find(res.Findings, "mtls-any-cert-accepted"); f != nil {
		t.Fatalf("a certificate went to an out-of-scope host: %s", f.Detail)
	}
}

// The expired certificate from the throwaway CA fails every check the valid one from that CA
// fails, so it is sent only once a minted certificate was accepted. Where the issuer is
// checked and expiry is not, the minted expired one is refused too: only the user's own
// expired identity (from the trusted CA) shows that, and it is still sent.
func TestMintedExpiredOnlyAfterAnAcceptedMint(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fx    fixture
		extra []*probe.Identity
		mints int
		want  string
	}{
		{"issuer checked", fixture{auth: tls.RequireAndVerifyClientCert, clientCAs: true, handler: verifiedOr403}, nil, 2, ""},
		{"issuer checked, expiry ignored", fixture{auth: tls.RequireAnyClientCert, verify: ignoreExpiry, handler: peerCN},
			[]*probe.Identity{ident(ExpiredIdentity, fixturePKI().expired)}, 2, "mtls-expired-cert-accepted"},
		{"nothing checked", fixture{auth: tls.RequireAnyClientCert, handler: peerCN}, nil, 3, "mtls-any-cert-accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t, tc.fx)
			env := newEnv(t, srv.URL, fixturePKI().alice, tc.extra...)
			var mu sync.Mutex
			minted := map[string]bool{}
			ctx := probe.WithTrace(context.Background(), func(x probe.Sent) {
				if strings.HasPrefix(x.Identity, "minted-") {
					mu.Lock()
					minted[x.Identity] = true
					mu.Unlock()
				}
			})
			Inspect(ctx, env)
			res := Scan(ctx, env)
			if len(minted) != tc.mints {
				t.Errorf("%d minted certificates presented, want %d: %v", len(minted), tc.mints, minted)
			}
			if tc.want != "" && find(res.Findings, tc.want) == nil {
				t.Errorf("%s not reported: %v", tc.want, rules(res.Findings))
			}
			if tc.want == "" && find(res.Findings, "mtls-any-cert-accepted") != nil {
				t.Errorf("any-cert reported on a server that checks the issuer")
			}
		})
	}
}
