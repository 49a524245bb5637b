package e2e

// Which probe origins an attacker can actually use (issue 10, items 3 and 4): a sibling
// sub-domain under the trusted host's own registrable domain is cors-any-subdomain, not a
// suffix bypass; an IP-literal host gets its registrable prefix mutation probed; and a
// mutation no browser can send (a host ending in a number that is no IPv4 address) is never
// reported as readable, only as an info finding.

import (
	"strings"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
)

func init() {
	on := func(settings string) func() StackConfig {
		return func() StackConfig { return StackConfig{Verify: "on", Settings: settings} }
	}
	register("regex_sibling", on("cfg_regex_sibling"))
	register("regex_suffix", on("cfg_regex_suffix"))
	register("regex_ip", on("cfg_regex_ip"))
}

func TestRegistrableOrigins(t *testing.T) {
	cases := []scanCase{
		{name: "sibling_subdomain_is_any_subdomain", config: "regex_sibling", origins: []string{appOrigin},
			want:   []string{"cors-any-subdomain"},
			absent: []string{"cors-suffix-bypass", "cors-reflect-origin-credentials", "cors-unescaped-dot-bypass"},
			check: func(t *testing.T, rep *report.Report, _ []byte) {
				f := only(t, rep, "cors-any-subdomain")
				if !strings.Contains(f.Detail, ".example.com") {
					t.Errorf("cors-any-subdomain does not name the sibling it proved: %s", f.Detail)
				}
			}},
		{name: "registrable_suffix_is_suffix_bypass", config: "regex_suffix", origins: []string{appOrigin},
			want: []string{"cors-suffix-bypass"},
			check: func(t *testing.T, rep *report.Report, _ []byte) {
				f := only(t, rep, "cors-suffix-bypass")
				if !strings.Contains(f.Detail, "https://evil-example.com") {
					t.Errorf("cors-suffix-bypass is not proved by the registrable name https://evil-example.com: %s", f.Detail)
				}
			}},
		{name: "ip_literal_prefix_and_unsendable", config: "regex_ip",
			want:   []string{"cors-prefix-bypass"},
			absent: []string{"cors-reflect-origin-credentials"},
			check: func(t *testing.T, rep *report.Report, _ []byte) {
				f := only(t, rep, "cors-prefix-bypass")
				if !strings.Contains(f.Detail, "https://127.0.0.1.evil") || f.Severity < finding.High {
					t.Errorf("prefix bypass of the IP host: %v %s", f.Severity, f.Detail)
				}
				var unsendable bool
				for _, g := range rep.Findings {
					if strings.Contains(g.Detail, "https://127x0.0.1") || strings.Contains(g.Detail, "127.0x0.1") || strings.Contains(g.Detail, "127.0.0x1") {
						if g.Severity != finding.Info {
							t.Errorf("%s reports an origin no browser can send at %v: %s", g.Rule, g.Severity, g.Detail)
						}
						if strings.Contains(g.Detail, "no browser can send") {
							unsendable = true
						}
					}
				}
				if !unsendable {
					t.Errorf("no info finding for an allowlist that accepts origins no browser can send")
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := shared(t, tc.config)
			rep, raw := scanStack(t, s, tc)
			assertRules(t, rep, tc)
			tc.check(t, rep, raw)
		})
	}
}
