package corscheck

import (
	"context"
	"crypto/tls"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/vulnserver"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// A server that reflects a made-up origin lets every mutation read: none is sent, the
// reflection is reported, and the finding says why the others were not sent.
func TestReflectionSendsNoMutation(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: vulnserver.Policy{Kind: vulnserver.ReflectCredentials}})
	fs, sent, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
	f, ok := ruleSet(fs)["cors-reflect-origin-credentials"]
	if !ok {
		t.Fatalf("reflection not reported: %s", names(ruleSet(fs)))
	}
	if !strings.Contains(f.Detail, "were not sent") {
		t.Errorf("the finding does not say the mutations were not sent: %s", f.Detail)
	}
	// own, trusted, arbitrary, null, then the preflights (two untrusted, one trusted).
	if sent != 7 {
		t.Errorf("sent %d requests, want 7 (learning 4, preflights 3): %v", sent, srv.Origins())
	}
}

// An exact allowlist refuses the target's own origin: the look-alikes of the target's host
// are not sent (their answer is known), those of the trusted origin, which is allowed, are.
func TestRefusedHostLookalikesNotSent(t *testing.T) {
	srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
		Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}})
	fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
	if n := len(ruleSet(fs)); n > 0 && hasBypass(fs) {
		t.Fatalf("an exact allowlist reported a bypass: %s", names(ruleSet(fs)))
	}
	var own, trusted int
	for _, o := range srv.Origins() {
		switch {
		case strings.Contains(o, "127.0.0.1") && !strings.HasPrefix(o, "http://127.0.0.1"):
			own++
		case strings.Contains(o, "app.example.com") || strings.Contains(o, "appxexample") || strings.Contains(o, "xample.com"):
			trusted++
		}
	}
	if own != 1 { // the own origin itself, and no look-alike (the http:// downgrade is apart)
		t.Errorf("%d probes on the target's host, want only its own origin: %v", own, srv.Origins())
	}
	if trusted < 10 {
		t.Errorf("%d probes on the trusted host, want its look-alikes sent: %v", trusted, srv.Origins())
	}
}

func hasBypass(fs []finding.Finding) bool {
	for _, f := range fs {
		if strings.HasSuffix(f.Rule, "-bypass") {
			return true
		}
	}
	return false
}

// The probes sent even when the host's own origin is refused still find what an allowlist
// can name without naming the host: its http:// downgrade and its sub-domains.
func TestRefusedHostDowngradeAndSubdomainStillFound(t *testing.T) {
	for _, c := range []struct {
		name, rule string
		policy     vulnserver.Policy
	}{
		{"http-listed", "cors-http-origin-trusted", vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{"http://app.example.com"}, Credentials: true}},
		{"subdomains-only", "cors-any-subdomain", vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://[a-z-]+\.app\.example\.com$`, Credentials: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: c.policy})
			fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
			if _, ok := ruleSet(fs)[c.rule]; !ok {
				t.Fatalf("%s not reported: %s (sent %v)", c.rule, names(ruleSet(fs)), srv.Origins())
			}
		})
	}
}

// Each special character kept in the plan stands for one way a host check stops early (see
// specialChars): a policy per class lets only the look-alikes whose character ends its host
// through. Dropping any kept character makes its row fail; "}" and "!" need no probe of their
// own because the "`" and ";" rows accept them for the same reason.
func TestSpecialCharClasses(t *testing.T) {
	const host = `^https://app\.example\.com`
	for _, tc := range []struct{ name, pattern, char string }{
		// A lax parser or a host pattern stops at a character outside the URI grammar.
		{"outside the URI grammar", host + "(\x60.*)?$", "`"},
		// A strict parser first (no "`" anywhere), then a letters-digits-hyphens host.
		{"letters, digits, hyphens", host + `(_[^\x60}]*)?$`, "_"},
		// A strict parser, then a [\w.-] host: "_" belongs to it, "~" does not.
		{"word characters", host + `(~[^\x60}]*)?$`, "~"},
		// A strict parser, then an unreserved-only host: sub-delimiters end it.
		{"unreserved only", host + `(;[^\x60}]*)?$`, ";"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
				Policy: vulnserver.Policy{Kind: vulnserver.Regex, Pattern: tc.pattern, Credentials: true}})
			fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
			f, ok := ruleSet(fs)["cors-special-char-bypass"]
			if !ok {
				t.Fatalf("special-character bypass (%q) not reported: %s", tc.char, names(ruleSet(fs)))
			}
			if !strings.Contains(f.Detail, "app.example.com"+tc.char+".evil-") {
				t.Errorf("the finding does not name the %q probe: %s", tc.char, f.Detail)
			}
			if _, ok := ruleSet(fs)["cors-prefix-bypass"]; ok {
				t.Errorf("prefix bypass reported for a host that stops at %q", tc.char)
			}
		})
	}
}

// The contains probe (https://xapp.example.comx.example) is sent only when the prefix probe
// was let through: a contains check lets both through, so a refused prefix probe rules it
// out. The other substring probe (the registered domain minus a letter) finds a different
// check and is always sent.
func TestContainsProbeOnlyAfterPrefixLetThrough(t *testing.T) {
	const contains = "https://xapp.example.comx.example"
	t.Run("contains check", func(t *testing.T) {
		srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
			Policy: vulnserver.Policy{Kind: vulnserver.Substring, Origins: []string{"app.example.com"}, Credentials: true}})
		fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
		f, ok := ruleSet(fs)["cors-substring-bypass"]
		if !ok {
			t.Fatalf("substring bypass not reported: %s", names(ruleSet(fs)))
		}
		if !strings.Contains(f.Detail, contains) {
			t.Errorf("the finding is not proved by the contains probe: %s", f.Detail)
		}
		if _, ok := ruleSet(fs)["cors-prefix-bypass"]; ok {
			t.Errorf("the prefix probe of a contains check is reported apart: %s", names(ruleSet(fs)))
		}
	})
	t.Run("exact allowlist", func(t *testing.T) {
		srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert,
			Policy: vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}})
		scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
		sent := map[string]bool{}
		for _, o := range srv.Origins() {
			sent[o] = true
		}
		if sent[contains] {
			t.Errorf("the contains probe was sent though the prefix probe was refused")
		}
		if !sent["https://app.example.com.evil-"+strings.TrimPrefix(firstEvil(srv.Origins()), "https://evil-")] {
			t.Errorf("the prefix probe was not sent: %v", srv.Origins())
		}
		if !sent["https://xample.com"] {
			t.Errorf("the registered-domain substring probe was not sent: %v", srv.Origins())
		}
	})
}

// firstEvil returns the made-up origin (https://evil-<rnd>.example) among origins.
func firstEvil(origins []string) string {
	for _, o := range origins {
		if strings.HasPrefix(o, "https://evil-") && strings.HasSuffix(o, ".example") {
			return o
		}
	}
	return ""
}

// TestMadeUpMethodPreflightOnlyWhereTheOriginGetsThrough: the preflight asking for a made-up
// method goes to an untrusted origin only once that origin got through, on its GET or on the
// PUT preflight; a server that refuses the PUT preflight for its headers and echoes any
// method to an origin it lets through still shows the echo.
func TestMadeUpMethodPreflightOnlyWhereTheOriginGetsThrough(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy vulnserver.Policy
		sent   bool
	}{
		{"exact allowlist", vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}, false},
		{"reflection, PUT preflight refused for its headers", vulnserver.Policy{Kind: vulnserver.Reflect, StrictPreflightHeaders: true}, true},
		{"allowlist, preflight answered by a reflecting proxy", vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: tc.policy}
			if tc.name == "allowlist, preflight answered by a reflecting proxy" {
				cfg.PreflightPolicy = &vulnserver.Policy{Kind: vulnserver.Reflect, PermissivePreflight: true}
			}
			srv := vulnserver.StartT(t, cfg)
			var mu sync.Mutex
			madeUp := 0
			ctx := probe.WithTrace(context.Background(), func(x probe.Sent) {
				if x.Method == http.MethodOptions && x.Header.Get("Access-Control-Request-Method") == unusualMethod {
					mu.Lock()
					madeUp++
					mu.Unlock()
				}
			})
			fs, _, _ := scanTargetCtx(ctx, t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
			if (madeUp > 0) != tc.sent {
				t.Fatalf("%d made-up-method preflights sent, want sent=%v", madeUp, tc.sent)
			}
			if !tc.sent {
				return
			}
			f, ok := ruleSet(fs)["cors-permissive-preflight"]
			if !ok || !strings.Contains(f.Detail, "made-up method "+unusualMethod) {
				t.Errorf("the echoed method is not reported: %s", names(ruleSet(fs)))
			}
		})
	}
}

// waitCase is a policy, and whether a probe that waits for another (Mutation.After) is sent
// under it and reported.
type waitCase struct {
	name     string
	policy   vulnserver.Policy
	sent     bool
	reported bool
}

// exactAllowlistWaits: an exact allowlist refuses the probe waited for, so the waiting one is
// neither sent nor reported.
var exactAllowlistWaits = waitCase{"exact allowlist", vulnserver.Policy{Kind: vulnserver.Allowlist, Origins: []string{trustedOrigin}, Credentials: true}, false, false}

// TestDomainSuffixOnlyAfterHostSuffix: https://evil-example.com ("ends with the domain") is sent
// only once https://evil<rnd>app.example.com ("ends with the host") was let through, since that
// name ends with the domain too; a check on the domain is still found, and one on the host
// alone still gets the domain probe, refused.
func TestDomainSuffixOnlyAfterHostSuffix(t *testing.T) {
	const domainSuffix = "https://evil-example.com"
	for _, tc := range []waitCase{
		exactAllowlistWaits,
		{"ends with the domain", vulnserver.Policy{Kind: vulnserver.Suffix, Origins: []string{"example.com"}}, true, true},
		{"ends with the host", vulnserver.Policy{Kind: vulnserver.Suffix, Origins: []string{"app.example.com"}}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: tc.policy})
			fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
			sent := slices.Contains(srv.Origins(), domainSuffix)
			if sent != tc.sent {
				t.Errorf("%s sent: %v, want %v (%v)", domainSuffix, sent, tc.sent, srv.Origins())
			}
			f, ok := ruleSet(fs)["cors-suffix-bypass"]
			if reported := ok && strings.Contains(f.Detail, domainSuffix); reported != tc.reported {
				t.Errorf("%s reported: %v, want %v (%s)", domainSuffix, reported, tc.reported, names(ruleSet(fs)))
			}
		})
	}
}

// TestDomainSubdomainOnlyAfterHostSuffix: the sub-domain of the registered domain
// (https://crossgate-app-<rnd>.example.com) is sent only once https://evil<rnd>app.example.com,
// one label under example.com as well, was let through; a pattern on any one-label sub-domain
// of example.com is still reported with it, a check on the host alone still gets it, refused.
func TestDomainSubdomainOnlyAfterHostSuffix(t *testing.T) {
	for _, tc := range []waitCase{
		exactAllowlistWaits,
		{"one-label sub-domains of the domain", vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://[a-z0-9-]+\.example\.com$`}, true, true},
		{"any sub-domain of the domain", vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://.*\.example\.com$`}, true, true},
		{"ends with the host", vulnserver.Policy{Kind: vulnserver.Suffix, Origins: []string{"app.example.com"}}, true, false},
		// Letters and hyphens only: the hex in both names keeps both out, so the second is not asked.
		{"letters-and-hyphens sub-domains", vulnserver.Policy{Kind: vulnserver.Regex, Pattern: `^https://[a-z-]+\.example\.com$`}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := vulnserver.StartT(t, vulnserver.Config{ClientAuth: tls.RequireAndVerifyClientCert, Policy: tc.policy})
			fs, _, _ := scanTarget(t, srv, endpoint.AuthRequiredTLS, scanOpts{trusted: []string{trustedOrigin}})
			var domainSub string
			for _, o := range srv.Origins() {
				if strings.HasPrefix(o, "https://crossgate-app-") && strings.HasSuffix(o, ".example.com") {
					domainSub = o
				}
			}
			if sent := domainSub != ""; sent != tc.sent {
				t.Fatalf("domain sub-domain sent: %v, want %v (%v)", sent, tc.sent, srv.Origins())
			}
			reported := false
			for _, f := range fs {
				reported = reported || (domainSub != "" && strings.Contains(f.Detail, domainSub))
			}
			if reported != tc.reported {
				t.Errorf("%s reported: %v, want %v (%s)", domainSub, reported, tc.reported, names(ruleSet(fs)))
			}
		})
	}
}
