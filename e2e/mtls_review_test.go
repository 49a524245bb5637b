package e2e

// The mTLS review suite: client-authentication classification and every mTLS bypass probe
// against real nginx 1.22 + Django for the cases the main suite does not cover (TLS 1.3
// only, ssl_verify_depth, two server blocks on one port, an app that checks the verify
// result itself, underscores_in_headers on, XFCC and RFC 9440 identity headers, volatile
// bodies, shared data, an expired certificate from the trusted CA). The Django side is in
// testdata/django/xg/{review_mw,review_views,review_urls,cfg_review_*}.py.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/mtlscheck"
)

const tls13Only = "ssl_protocols TLSv1.3;"

func init() {
	review := func(verify, settings, headers, server string) func() StackConfig {
		return func() StackConfig {
			return StackConfig{Verify: verify, Settings: settings, Headers: headers, ServerExtra: server}
		}
	}
	register("review_on", review("on", "cfg_review_plain", "", ""))
	register("review_on_tls13", review("on", "cfg_review_plain", "", tls13Only))
	register("review_on_depth2", review("on", "cfg_review_plain", "", "ssl_verify_depth 2;"))
	register("review_on_depth0", review("on", "cfg_review_plain", "", "ssl_verify_depth 0;"))
	// With a redirect in nginx that everyone gets.
	register("review_optional", review("optional", "cfg_review_optional", "", "location = /old { return 301 /api/profile; }"))
	register("review_optional_tls13", review("optional", "cfg_review_optional", "", tls13Only))
	register("review_optional_no_ca_tls13", review("optional_no_ca", "cfg_review_plain", "", tls13Only))
	register("review_off_tls13", review("", "cfg_review_plain", "", tls13Only))
	register("review_appcheck", review("optional", "cfg_review_appcheck", "", ""))
	register("review_appcheck_tls13", review("optional", "cfg_review_appcheck", "", tls13Only))
	register("review_underscores", review("optional", "cfg_review_plain", "", "underscores_in_headers on;"))
	register("review_xfcc", review("optional", "cfg_review_xfcc", "", ""))
	register("review_clientcert", review("optional", "cfg_review_clientcert", "", ""))
	register("review_unsanitised", review("optional", "cfg_review_plain", HeadersUnsanitised, ""))
	// crossgate's nginx remediation, as printed, in front of the review app.
	register("review_remedy", func() StackConfig {
		server := remedy.MTLSNginx()
		server = strings.Replace(server, remedyClientCA, PlaceholderClientCA, 1)
		server = strings.Replace(server, remedyUpstream, PlaceholderUpstream, 1)
		return StackConfig{Headers: HeadersRemedy, Settings: "cfg_review_plain", ServerExtra: indent(server)}
	})
}

// reviewScan runs scan.Run on one URL with the given identities.
func reviewScan(t *testing.T, rawURL string, roots *x509.CertPool, user *probe.Identity, extra []*probe.Identity) *report.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, scan.Config{
		Targets: []string{rawURL}, User: user, Extra: extra, Origins: []string{appOrigin},
		Probe:       probe.Config{RootCAs: roots, Timeout: 15 * time.Second, Rate: -1},
		Concurrency: 1,
	})
	if err != nil {
		t.Fatalf("scan.Run: %v", err)
	}
	for _, tg := range rep.Targets {
		if tg.Error != "" {
			t.Fatalf("target %s not scanned: %s", tg.URL, tg.Error)
		}
	}
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("report:\n%s", summarize(rep))
			for _, f := range rep.Findings {
				if strings.HasPrefix(f.Rule, "mtls-") {
					t.Logf("%s detail: %s\nnotes: %q\nrequest:\n%s\nresponse:\n%s", f.Rule, f.Detail, f.Evidence.Notes, f.Evidence.Request, f.Evidence.Response)
				}
			}
		}
	})
	return rep
}

func findRule(rep *report.Report, rule string) *finding.Finding {
	for i := range rep.Findings {
		if rep.Findings[i].Rule == rule {
			return &rep.Findings[i]
		}
	}
	return nil
}

func wantRules(t *testing.T, rep *report.Report, want, absent []string) {
	t.Helper()
	got := rules(rep)
	for _, r := range want {
		if got[r] == 0 {
			t.Errorf("want %s, not reported", r)
		}
	}
	for _, r := range absent {
		if got[r] > 0 {
			t.Errorf("%s reported, must not be: %s", r, findRule(rep, r).Detail)
		}
	}
}

// TestReviewClassification pins the client-authentication verdict on real nginx for each
// ssl_verify_client mode, TLS 1.2 and 1.3.
func TestReviewClassification(t *testing.T) {
	cases := []struct {
		config, path, auth string
		want, absent       []string
	}{
		{"review_on", "/api/profile", "required-http", []string{"mtls-http-only-enforcement"}, bypasses},
		{"review_on_tls13", "/api/profile", "required-http", []string{"mtls-http-only-enforcement"}, bypasses},
		{"review_on_depth2", "/api/profile", "required-http", []string{"mtls-http-only-enforcement"}, bypasses},
		// OpenSSL does not count the trust anchor: depth 0 still lets a leaf issued directly
		// by the trusted CA (alice) through.
		{"review_on_depth0", "/api/profile", "required-http", []string{"mtls-http-only-enforcement"}, bypasses},
		{"review_optional", "/api/profile", "optional", []string{"mtls-optional-not-enforced"}, []string{"mtls-http-only-enforcement", "mtls-any-cert-accepted"}},
		{"review_optional_tls13", "/api/profile", "optional", []string{"mtls-optional-not-enforced"}, []string{"mtls-http-only-enforcement", "mtls-any-cert-accepted"}},
		{"review_optional_no_ca_tls13", "/api/profile", "", []string{"mtls-any-cert-accepted"}, []string{"mtls-optional-not-enforced"}},
		{"review_off_tls13", "/api/profile", "not-requested", nil, append([]string{"mtls-ca-list-disclosure"}, bypasses...)},
		// Optional at nginx, and the app itself refuses a request whose verify result is not
		// SUCCESS: nothing comes back without a certificate.
		{"review_appcheck", "/api/profile", "", nil, bypasses},
		{"review_appcheck_tls13", "/api/profile", "", nil, bypasses},
	}
	for _, tc := range cases {
		t.Run(tc.config, func(t *testing.T) {
			s := shared(t, tc.config)
			rep := reviewScan(t, s.URL(tc.path), s.ServerCA, s.Identity("alice"), nil)
			if tc.auth != "" && rep.Targets[0].Auth != tc.auth {
				t.Errorf("auth = %s (%s), want %s", rep.Targets[0].Auth, rep.Targets[0].AuthReason, tc.auth)
			}
			wantRules(t, rep, tc.want, tc.absent)
		})
	}
}

// TestReviewComparison: bypass verdicts on answers that defeat naive comparisons.
func TestReviewComparison(t *testing.T) {
	cases := []struct {
		name, config, path string
		extra              []string
		want, absent       []string
	}{
		// A timestamp and a nonce in every answer: the anonymous answer is still the profile.
		{"stamped_optional", "review_optional", "/api/profile-stamped", nil, []string{"mtls-optional-not-enforced"}, nil},
		{"stamped_unsanitised", "review_unsanitised", "/api/profile-stamped", nil, []string{"mtls-header-spoofing"}, []string{"mtls-optional-not-enforced"}},
		{"stamped_on", "review_on", "/api/profile-stamped", []string{"alice2", "bob"}, []string{"mtls-identity-confusion"}, []string{"mtls-optional-not-enforced", "mtls-header-spoofing", "mtls-any-cert-accepted"}},
		// The anonymous answer is the same account's data without the user's name.
		{"noname_optional", "review_optional", "/api/profile-noname", nil, []string{"mtls-optional-not-enforced"}, nil},
		// Shared data: every authenticated user gets the same team list naming alice and bob.
		{"team_shared", "review_on", "/api/team", []string{"alice2", "bob"}, nil, bypasses},
		{"health_shared", "review_on", "/api/health", []string{"alice2", "bob"}, nil, bypasses},
		// The authenticated answer is an error: nothing to protect, nothing to bypass.
		{"error_baseline", "review_optional", "/api/boom", nil, nil, bypasses},
		{"missing_baseline", "review_optional", "/api/nothing-here", nil, nil, bypasses},
		// An endpoint that echoes request headers names whatever identity a header claims.
		{"echo_headers", "review_appcheck", "/api/whoami-headers", nil, nil, bypasses},
		{"echo_all_headers", "review_appcheck", "/api/review-headers", nil, nil, bypasses},
		// A redirect everyone gets (nginx's own 301 page, never followed) is no content.
		{"redirect_baseline", "review_optional", "/old", nil, nil, bypasses},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := shared(t, tc.config)
			var extra []*probe.Identity
			for _, n := range tc.extra {
				extra = append(extra, s.Identity(n))
			}
			rep := reviewScan(t, s.URL(tc.path), s.ServerCA, s.Identity("alice"), extra)
			wantRules(t, rep, tc.want, tc.absent)
		})
	}
}

// TestReviewSpoofing: which identity header reaches the app through real nginx, and that
// the finding names the header that worked.
func TestReviewSpoofing(t *testing.T) {
	cases := []struct {
		name, config  string
		want          bool
		named, absent []string // header names the detail must (not) list as having worked
	}{
		{"unsanitised", "review_unsanitised", true, []string{"X-SSL-Client-S-DN"}, []string{"X-SSL-Client-Verify", "X-Forwarded-Client-Cert", "Client-Cert (RFC 9440)"}},
		// Django's runserver drops every header with an underscore (CVE-2015-0219), even when
		// nginx passes them on.
		{"underscores_in_headers_on", "review_underscores", false, nil, nil},
		{"xfcc", "review_xfcc", true, []string{"X-Forwarded-Client-Cert"}, []string{"X-SSL-Client-S-DN"}},
		{"rfc9440", "review_clientcert", true, []string{"Client-Cert"}, []string{"X-SSL-Client-S-DN", "X-Forwarded-Client-Cert"}},
		{"overwrite", "review_appcheck", false, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := shared(t, tc.config)
			rep := reviewScan(t, s.URL("/api/profile"), s.ServerCA, s.Identity("alice"), nil)
			f := findRule(rep, "mtls-header-spoofing")
			if !tc.want {
				if f != nil {
					t.Fatalf("mtls-header-spoofing reported: %s", f.Detail)
				}
				return
			}
			if f == nil {
				t.Fatalf("mtls-header-spoofing not reported")
			}
			// The bracketed lists are the headers each family was reduced to.
			_, worked, _ := strings.Cut(f.Detail, "Header(s) that worked:")
			var lists []string
			for _, part := range strings.Split(worked, "[")[1:] {
				l, _, _ := strings.Cut(part, "]")
				lists = append(lists, l)
			}
			got := strings.Join(lists, ", ")
			for _, h := range tc.named {
				if !strings.Contains(got, h) {
					t.Errorf("detail does not name %s as having worked: %s", h, worked)
				}
			}
			for _, h := range tc.absent {
				if strings.Contains(got, h) {
					t.Errorf("detail names %s as having worked, but the app never reads it: %s", h, worked)
				}
			}
			// The proof request carries the spoofed header and no certificate.
			if !strings.Contains(f.Evidence.Request, tc.named[0]) {
				t.Errorf("evidence request lacks %s:\n%s", tc.named[0], f.Evidence.Request)
			}
			if !strings.Contains(f.Evidence.Curl, tc.named[0]) || strings.Contains(f.Evidence.Curl, "--cert") {
				t.Errorf("curl does not reproduce the header without a certificate: %s", f.Evidence.Curl)
			}
		})
	}
}

// expiredFrom mints an expired certificate for alice's subject from ca, the CA nginx trusts.
func expiredFrom(ca *pki.CA) *probe.Identity {
	now := time.Now()
	leaf := ca.Issue(pki.Options{Subject: aliceSubject, NotBefore: now.Add(-40 * 24 * time.Hour), NotAfter: now.Add(-10 * 24 * time.Hour)})
	cert := leaf.TLS
	return &probe.Identity{Name: mtlscheck.ExpiredIdentity, Certificate: &cert}
}

// TestReviewExpired: an expired certificate from the trusted CA is refused by nginx in every
// mode that verifies, so mtls-expired-cert-accepted must not fire there; a Go server whose
// custom verification forgot the clock, with the same CA and certificates, must be reported.
func TestReviewExpired(t *testing.T) {
	for _, config := range []string{"review_on", "review_on_tls13", "review_optional_no_ca_tls13", "review_appcheck"} {
		t.Run(config, func(t *testing.T) {
			s := shared(t, config)
			expired := expiredFrom(s.ClientCA)
			// The stack itself: nginx refuses it.
			if status, _, body := mustGet(t, s, expired, "/api/profile"); status != http.StatusBadRequest || !strings.Contains(body, "The SSL certificate error") {
				t.Fatalf("nginx answered the expired certificate with %d %q", status, body)
			}
			rep := reviewScan(t, s.URL("/api/profile"), s.ServerCA, s.Identity("alice"), []*probe.Identity{expired})
			wantRules(t, rep, nil, []string{"mtls-expired-cert-accepted"})
		})
	}
	t.Run("go-ignores-expiry", func(t *testing.T) {
		s := shared(t, "review_on")
		ca := s.ClientCA
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
				http.Error(w, "client certificate required", http.StatusForbidden)
				return
			}
			cn := r.TLS.PeerCertificates[0].Subject.CommonName
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"user":%q,"email":"%s.liddell@wonderland-mail.net","note":"private profile and billing address"}`, cn, cn)
		}))
		server := pki.NewCA("review server CA")
		srv.TLS = &tls.Config{
			Certificates: []tls.Certificate{server.Server().TLS},
			ClientAuth:   tls.RequireAnyClientCert,
			// The mistake: the signature is checked, the validity period is not.
			VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
				if len(raw) == 0 {
					return errors.New("no certificate")
				}
				leaf, err := x509.ParseCertificate(raw[0])
				if err != nil {
					return err
				}
				return leaf.CheckSignatureFrom(ca.Cert)
			},
		}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		rep := reviewScan(t, srv.URL+"/api/profile", server.Pool(), s.Identity("alice"), []*probe.Identity{expiredFrom(ca)})
		wantRules(t, rep, []string{"mtls-expired-cert-accepted"}, []string{"mtls-any-cert-accepted", "mtls-optional-not-enforced"})
		if f := findRule(rep, "mtls-expired-cert-accepted"); f != nil {
			// The evidence is the request with the expired certificate and the answer to it.
			if !strings.Contains(f.Evidence.Response, "200") || f.Evidence.Request == "" || !strings.Contains(f.Evidence.Curl, "--cert") {
				t.Errorf("evidence does not show the expired certificate's request and answer: %+v", f.Evidence)
			}
		}
	})
}

// TestReviewSNI: two server blocks on one port, the default (no SNI) with optional
// verification in front of an app that serves the account without a certificate, the one
// named localhost with ssl_verify_client on. The scan's verdict follows the server block the
// URL reaches: its SNI and Host are the same name.
func TestReviewSNI(t *testing.T) {
	RequireStack(t)
	ports, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	port := strconv.Itoa(ports[0])
	dir := t.TempDir()
	srvCA := pki.NewCA("review SNI server CA")
	certFile, keyFile, err := srvCA.Server("lenient.test").WriteFiles(dir, "sni")
	if err != nil {
		t.Fatal(err)
	}
	block := func(name, verify string, def bool) string {
		d := ""
		if def {
			d = " default_server"
		}
		return fmt.Sprintf(`
    server {
        listen 127.0.0.1:%s ssl%s;
        server_name %s;
        ssl_certificate %s;
        ssl_certificate_key %s;
        ssl_verify_client %s;
        ssl_client_certificate {{CLIENT_CA}};
        proxy_set_header Host $host;
        proxy_set_header X-SSL-Client-S-DN $ssl_client_s_dn;
        proxy_set_header X-SSL-Client-Verify $ssl_client_verify;
        location / {
            proxy_pass {{UPSTREAM}};
        }
    }
`, port, d, name, certFile, keyFile, verify)
	}
	s := StartStack(t, StackConfig{Name: "review_sni", Verify: "on", Settings: "cfg_review_optional",
		HTTPExtra: block("lenient.test", "optional", true) + block("localhost", "on", false)})

	// https://localhost: SNI and Host both name the strict block.
	rep := reviewScan(t, "https://localhost:"+port+"/api/profile", srvCA.Pool(), s.Identity("alice"), nil)
	if rep.Targets[0].Auth != "required-http" {
		t.Errorf("localhost: auth %s (%s), want required-http", rep.Targets[0].Auth, rep.Targets[0].AuthReason)
	}
	wantRules(t, rep, nil, bypasses)
	// https://127.0.0.1: no SNI (an IP), so the default block answers: optional, served.
	rep = reviewScan(t, "https://127.0.0.1:"+port+"/api/profile", srvCA.Pool(), s.Identity("alice"), nil)
	wantRules(t, rep, []string{"mtls-optional-not-enforced"}, nil)
}

// TestReviewRemedyClearsSpoofHeaders: behind crossgate's own nginx remediation, no identity
// header crossgate forges reaches the app with the client's value. Sent over bob's valid
// certificate claiming alice: nginx must overwrite the headers it sets (with bob's values)
// and drop every other one, or an app reading it would take bob for alice.
func TestReviewRemedyClearsSpoofHeaders(t *testing.T) {
	s := shared(t, "review_remedy")
	alice := s.Leaves["alice"].Cert
	legacy, err := mtlscheck.LegacyDN(alice.RawSubject)
	if err != nil {
		t.Fatal(err)
	}
	fams := mtlscheck.SpoofFamilies(alice.Subject.String(), legacy, alice.Raw)
	// The headers the remediation sets from the verified certificate.
	nginxSets := map[string]bool{"HTTP_X_SSL_CLIENT_VERIFY": true, "HTTP_X_SSL_CLIENT_S_DN": true, "HTTP_X_SSL_CLIENT_CERT": true}
	for _, fam := range fams {
		var kv []string
		for name, vs := range fam.Header {
			kv = append(kv, name, vs[0])
		}
		status, _, body := mustGet(t, s, s.Identity("bob"), "/api/review-headers", kv...)
		if status != http.StatusOK {
			t.Fatalf("%s: status %d %q", fam.Name, status, body)
		}
		var seen map[string]string
		if err := json.Unmarshal([]byte(body), &seen); err != nil {
			t.Fatalf("%s: %v: %q", fam.Name, err, body)
		}
		for name, vs := range fam.Header {
			key := "HTTP_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
			got, ok := seen[key]
			if !ok {
				continue
			}
			if nginxSets[key] {
				// nginx's own value for bob ("SUCCESS" is bob's verify result, not alice's).
				if key != "HTTP_X_SSL_CLIENT_VERIFY" && (got == vs[0] || strings.Contains(got, "CN=alice")) {
					t.Errorf("%s: the client's %s reached the app through the remedy: %q", fam.Name, name, got)
				}
				continue
			}
			t.Errorf("%s: the client's %s reached the app through the remedy: %q", fam.Name, name, got)
		}
	}
}

// TestReviewEvidence: each bypass finding's evidence is the request that proves it (which
// certificate, which headers) and the answer it got, reproducible with curl.
func TestReviewEvidence(t *testing.T) {
	cases := []struct {
		config, rule       string
		extra              []string
		request, curl, not []string
	}{
		{"review_optional", "mtls-optional-not-enforced", nil, []string{"(client certificate: none)"}, nil, []string{"--cert"}},
		{"review_optional_no_ca_tls13", "mtls-any-cert-accepted", nil, []string{"(client certificate: minted-"}, []string{"--cert "}, nil},
		{"review_unsanitised", "mtls-header-spoofing", nil, []string{"(client certificate: none)", "CN=alice,O=Example"}, []string{"CN=alice,O=Example"}, []string{"--cert"}},
		{"review_on", "mtls-identity-confusion", []string{"alice2", "bob"}, []string{"(client certificate: alice2, subject CN=alice2,O=Example)"}, []string{"--cert "}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.rule, func(t *testing.T) {
			s := shared(t, tc.config)
			var extra []*probe.Identity
			for _, n := range tc.extra {
				extra = append(extra, s.Identity(n))
			}
			rep := reviewScan(t, s.URL("/api/profile"), s.ServerCA, s.Identity("alice"), extra)
			f := findRule(rep, tc.rule)
			if f == nil {
				t.Fatalf("%s not reported", tc.rule)
			}
			if !strings.HasPrefix(f.Evidence.Response, "HTTP/1.1 200") {
				t.Errorf("evidence response is not the 200 that proves it:\n%s", f.Evidence.Response)
			}
			for _, w := range tc.request {
				if !strings.Contains(f.Evidence.Request, w) {
					t.Errorf("evidence request lacks %q:\n%s", w, f.Evidence.Request)
				}
			}
			for _, w := range tc.curl {
				if !strings.Contains(f.Evidence.Curl, w) {
					t.Errorf("curl lacks %q: %s", w, f.Evidence.Curl)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(f.Evidence.Curl, w) {
					t.Errorf("curl has %q: %s", w, f.Evidence.Curl)
				}
			}
			if !strings.Contains(f.Remediation, "ssl_verify_client on;") {
				t.Errorf("remediation lacks the nginx fix: %s", f.Remediation)
			}
			if f.Rule == "mtls-header-spoofing" || f.Rule == "mtls-identity-confusion" {
				if !strings.Contains(f.Remediation, "class ClientCertificateMiddleware") {
					t.Errorf("Django target: remediation lacks the middleware: %s", f.Remediation)
				}
			}
		})
	}
}
