package e2e

// Scans of each real-stack configuration with crossgate's engine (scan.Run): every rule the
// configuration reproduces must be reported, and the rules it does not reproduce must not.
//
// Two mTLS rules cannot be shown with nginx and live in-process instead (Go TLS servers in
// the mTLS checks' own tests): tls-weak-protocol, because Debian 12's OpenSSL refuses
// TLS 1.0/1.1 at its default security level, and mtls-expired-cert-accepted, because nginx
// rejects an expired certificate from a trusted CA under every ssl_verify_client mode
// (optional_no_ca tolerates only issuer errors).

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
)

type scanCase struct {
	name, config string
	path         string // default /api/profile
	user         string // identity name; default alice; "-" for none
	extra        []string
	origins      []string
	opts         scan.Options
	want         []string // rule ids that must be reported
	absent       []string // rule ids that must not be reported
	// clean: no finding above info at all; noCORS: no cors-* finding above info.
	clean, noCORS bool
	check         func(t *testing.T, rep *report.Report, raw []byte)
}

// The secret and PII values the fixtures serve; none may appear in a report unless
// --show-secrets.
var (
	profileRaw  = []string{"AKIAZ7QX4RM2TLD5KJ3W", "alice.liddell@wonderland-mail.net", "+44 20 7946 0321"}
	dotfilesRaw = []string{"AKIA4HQZ7RWXN2EMPL3K", "q8Vt3nLx0pZ7rB2mK9sW4yH6cJ1fD5gT8uE3iO0a", "hunter2-fixture"}
)

var bypasses = []string{"mtls-optional-not-enforced", "mtls-any-cert-accepted", "mtls-header-spoofing", "mtls-identity-confusion"}

func scanCases() []scanCase {
	return []scanCase{
		{name: "allow_all", config: "allow_all",
			want:   []string{"cors-wildcard-on-mtls", "mtls-http-only-enforcement", "mtls-ca-list-disclosure"},
			absent: append([]string{"cors-reflect-origin-credentials", "cors-wildcard", "mtls-not-requested"}, bypasses...)},
		{name: "allow_all_creds", config: "allow_all_creds",
			want:   []string{"cors-reflect-origin-credentials"},
			absent: append([]string{"cors-wildcard-on-mtls"}, bypasses...),
			check: func(t *testing.T, rep *report.Report, _ []byte) {
				f := only(t, rep, "cors-reflect-origin-credentials")
				if f.Severity != finding.Critical {
					t.Errorf("cors-reflect-origin-credentials on an mTLS endpoint serving PII: severity %v (%s), want critical", f.Severity, f.SeverityReason)
				}
			}},
		{name: "exact", config: "exact", origins: []string{appOrigin}, noCORS: true,
			want:   []string{"pii-in-response", "secret-in-response"},
			absent: append([]string{"error-debug-page", "exposed-env-file", "exposed-log-file", "mtls-not-requested"}, bypasses...),
			check: func(t *testing.T, rep *report.Report, raw []byte) {
				for _, rule := range []string{"pii-in-response", "secret-in-response"} {
					f := only(t, rep, rule)
					if f.Evidence.Response == "" && f.Evidence.Snippet == "" && len(f.Evidence.Notes) == 0 {
						t.Errorf("%s has no evidence", rule)
					}
				}
				assertRedacted(t, raw, profileRaw)
			}},
		{name: "exact_show_secrets", config: "exact", origins: []string{appOrigin},
			opts: scan.Options{ShowSecrets: true}, want: []string{"secret-in-response"},
			check: func(t *testing.T, rep *report.Report, raw []byte) {
				// The control for the redaction test above: the value is findable at all.
				if !strings.Contains(string(raw), profileRaw[0]) {
					t.Errorf("--show-secrets: the fake AWS key id does not appear in the report")
				}
			}},
		// The default middleware maps subjects by substring: alice2 gets alice's profile.
		{name: "identity_confusion", config: "exact", extra: []string{"alice2", "bob"}, origins: []string{appOrigin},
			want: []string{"mtls-identity-confusion"}},
		{name: "identity_distinct", config: "exact", extra: []string{"bob"}, origins: []string{appOrigin},
			absent: []string{"mtls-identity-confusion"}},
		{name: "regex_unanchored", config: "regex_unanchored", origins: []string{appOrigin},
			want: []string{"cors-prefix-bypass"}, absent: []string{"cors-reflect-origin-credentials", "cors-null-origin"}},
		{name: "null", config: "null", origins: []string{appOrigin},
			want: []string{"cors-null-origin"}, absent: []string{"cors-reflect-origin-credentials", "cors-prefix-bypass"}},
		{name: "http_origin", config: "http_origin", origins: []string{appOrigin},
			want: []string{"cors-http-origin-trusted"}, absent: []string{"cors-reflect-origin-credentials", "cors-null-origin"}},
		{name: "proxy_wildcard", config: "proxy_wildcard", origins: []string{appOrigin},
			want: []string{"cors-proxy-conflict"}},
		{name: "debug", config: "debug", origins: []string{appOrigin},
			want: []string{"error-debug-page"},
			check: func(t *testing.T, rep *report.Report, _ []byte) {
				// Several probes (missing path, bad Host; HTML and plain text) see the page:
				// one finding.
				only(t, rep, "error-debug-page")
			}},
		{name: "optional", config: "optional", origins: []string{appOrigin},
			want: []string{"mtls-optional-not-enforced"}, absent: []string{"mtls-any-cert-accepted", "mtls-http-only-enforcement"}},
		{name: "optional_no_ca", config: "optional_no_ca", origins: []string{appOrigin},
			want: []string{"mtls-any-cert-accepted"}, absent: []string{"mtls-optional-not-enforced", "mtls-header-spoofing"}},
		{name: "unsanitised", config: "unsanitised", origins: []string{appOrigin},
			want: []string{"mtls-header-spoofing"}, absent: []string{"mtls-optional-not-enforced", "mtls-any-cert-accepted"}},
		{name: "unsanitised_no_spoof", config: "unsanitised", origins: []string{appOrigin},
			opts: scan.Options{NoSpoof: true}, absent: []string{"mtls-header-spoofing"}},
		{name: "trap", config: "trap", origins: []string{appOrigin},
			want: []string{"mtls-header-spoofing"}, absent: []string{"mtls-optional-not-enforced"}},
		{name: "dotfiles_expect_mtls", config: "dotfiles", origins: []string{appOrigin},
			opts: scan.Options{ExpectMTLS: true},
			want: []string{"mtls-not-requested", "exposed-env-file", "exposed-log-file"},
			check: func(t *testing.T, rep *report.Report, raw []byte) {
				only(t, rep, "exposed-env-file")
				only(t, rep, "exposed-log-file")
				assertRedacted(t, raw, dotfilesRaw)
			}},
		{name: "dotfiles", config: "dotfiles", origins: []string{appOrigin},
			absent: []string{"mtls-not-requested", "mtls-ca-list-disclosure", "error-stack-trace"}},
	}
}

func TestScan(t *testing.T) {
	for _, tc := range scanCases() {
		t.Run(tc.name, func(t *testing.T) {
			s := shared(t, tc.config)
			rep, raw := scanStack(t, s, tc)
			assertRules(t, rep, tc)
			if tc.check != nil {
				tc.check(t, rep, raw)
			}
		})
	}
}

// scanStack runs scan.Run against one path of s and returns the report and its JSON.
func scanStack(t testing.TB, s *Stack, tc scanCase) (*report.Report, []byte) {
	t.Helper()
	cfg := scanConfig(t, s, tc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("scan.Run: %v", err)
	}
	raw, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("report of %s:\n%s", cfg.Targets[0], summarize(rep))
		}
	})
	for _, tg := range rep.Targets {
		if tg.Error != "" {
			t.Fatalf("target %s not scanned: %s", tg.URL, tg.Error)
		}
	}
	return rep, raw
}

func scanConfig(t testing.TB, s *Stack, tc scanCase) scan.Config {
	path := tc.path
	if path == "" {
		path = "/api/profile"
	}
	var user *probe.Identity
	switch tc.user {
	case "":
		user = s.Identity("alice")
	case "-":
	default:
		user = s.Identity(tc.user)
	}
	var extra []*probe.Identity
	for _, n := range tc.extra {
		extra = append(extra, s.Identity(n))
	}
	return scan.Config{
		Targets: []string{s.URL(path)},
		User:    user,
		Extra:   extra,
		Origins: tc.origins,
		// Loopback against our own servers: no politeness delay, so the suite stays quick.
		Probe:       probe.Config{RootCAs: s.ServerCA, Timeout: 15 * time.Second, Rate: -1},
		Concurrency: 1,
		Options:     tc.opts,
	}
}

func summarize(rep *report.Report) string {
	var b strings.Builder
	for _, tg := range rep.Targets {
		b.WriteString("target " + tg.URL + " auth=" + tg.Auth + " (" + tg.AuthReason + ") stack=" + tg.Stack + "\n")
	}
	for _, f := range rep.Findings {
		b.WriteString("  " + f.Severity.String() + " " + f.Rule + ": " + f.Title)
		if f.SeverityReason != "" {
			b.WriteString(" [" + f.SeverityReason + "]")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func rules(rep *report.Report) map[string]int {
	m := map[string]int{}
	for _, f := range rep.Findings {
		m[f.Rule]++
	}
	return m
}

func assertRules(t *testing.T, rep *report.Report, tc scanCase) {
	t.Helper()
	got := rules(rep)
	for _, r := range tc.want {
		if got[r] == 0 {
			t.Errorf("%s: want %s, not reported", tc.name, r)
		}
	}
	for _, r := range tc.absent {
		if got[r] > 0 {
			t.Errorf("%s: %s reported, must not be", tc.name, r)
		}
	}
	for _, f := range rep.Findings {
		if f.Severity <= finding.Info {
			continue
		}
		if tc.clean {
			t.Errorf("%s: must scan clean, got %v %s: %s", tc.name, f.Severity, f.Rule, f.Title)
		} else if tc.noCORS && strings.HasPrefix(f.Rule, "cors-") {
			t.Errorf("%s: no CORS finding above info expected, got %v %s: %s", tc.name, f.Severity, f.Rule, f.Title)
		}
	}
}

// only returns the single finding of rule, failing unless there is exactly one.
func only(t *testing.T, rep *report.Report, rule string) finding.Finding {
	t.Helper()
	var hits []finding.Finding
	for _, f := range rep.Findings {
		if f.Rule == rule {
			hits = append(hits, f)
		}
	}
	if len(hits) != 1 {
		t.Fatalf("%s reported %d times, want exactly once", rule, len(hits))
	}
	return hits[0]
}

func assertRedacted(t *testing.T, raw []byte, values []string) {
	t.Helper()
	for _, v := range values {
		// JSON escapes "+" nowhere and "/" nowhere, so the raw value is a plain substring.
		if i := strings.Index(string(raw), v); i >= 0 {
			from, to := max(0, i-300), min(len(raw), i+len(v)+100)
			t.Errorf("the report's JSON contains the raw value %q:\n...%s...", v, raw[from:to])
		}
	}
}

func TestScanFixed(t *testing.T) {
	for _, config := range []string{"fixed_nginx_cors", "fixed_django_cors"} {
		t.Run(config, func(t *testing.T) {
			s := shared(t, config)
			// The health check carries no data: everything above info is a misconfiguration.
			rep, _ := scanStack(t, s, scanCase{path: "/api/health", extra: []string{"alice2", "bob"}, origins: fixedOrigins})
			assertRules(t, rep, scanCase{name: config + " /api/health", clean: true})
			// The profile is the certificate holder's own personal data: pii-in-response names
			// it at info; nothing may be reported above info.
			rep, _ = scanStack(t, s, scanCase{extra: []string{"alice2", "bob"}, origins: fixedOrigins})
			sawPII := false
			for _, f := range rep.Findings {
				sawPII = sawPII || f.Rule == "pii-in-response"
				if f.Severity > 0 {
					t.Errorf("%s /api/profile: %v %s: %s (%s)", config, f.Severity, f.Rule, f.Title, f.SeverityReason)
				}
			}
			if !sawPII {
				t.Errorf("%s /api/profile: the user's own PII should still be named (info)", config)
			}
		})
	}
}
