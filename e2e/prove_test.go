package e2e

// scan --prove against the real stack: Debian's Chromium, holding alice's certificate
// (imported into a throwaway NSS database and auto-selected by policy), loads a page on
// another origin that fetch()es nginx + Django. What the page reads must agree with the
// browser matrix measured in shared/knowledge/browser-client-certs.md ("Re-measured"
// table): Chromium presents the certificate on every request, preflights included.

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/report"
	"github.com/crossgate/crossgate/scan"
	"github.com/crossgate/crossgate/scan/prove"
)

// requireChromium skips without Chromium and the NSS tools, or fails under CROSSGATE_E2E=1.
func requireChromium(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts Chromium")
	}
	_, err := prove.FindBrowser("")
	if err == nil {
		err = prove.FindTools()
	}
	if err != nil {
		if os.Getenv("CROSSGATE_E2E") == "1" {
			t.Fatalf("%v (CROSSGATE_E2E=1: chromium and libnss3-tools are mandatory here; apt-get install -y chromium libnss3-tools)", err)
		}
		t.Skip(err)
	}
}

// allAttempts are the six fetch() variants, as finding.Proof.Attempt names them.
var allAttempts = []string{"omit", "omit+preflight", "same-origin", "same-origin+preflight", "include", "include+preflight"}

// readIn lists the attempts in which the page read a successful response.
func readIn(ps []finding.Proof) []string {
	var out []string
	for _, p := range ps {
		if p.Read && p.Status < 400 {
			out = append(out, p.Attempt())
		}
	}
	slices.Sort(out)
	return out
}

func sorted(ss ...string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

func proveScan(t *testing.T, s *Stack, origins []string) *report.Report {
	t.Helper()
	cfg := scanConfig(t, s, scanCase{origins: origins})
	cas, err := scan.LoadCACerts(s.ServerCAFile)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Prove = &prove.Options{CACerts: cas}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	rep, err := scan.Run(ctx, cfg)
	if err != nil {
		t.Fatalf("scan.Run: %v", err)
	}
	for _, tg := range rep.Targets {
		if tg.Error != "" {
			t.Fatalf("target %s not scanned: %s", tg.URL, tg.Error)
		}
		for _, w := range tg.Warnings {
			if strings.HasPrefix(w, "--prove") {
				t.Errorf("prove warning: %s", w)
			}
		}
	}
	return rep
}

func TestProveRealStack(t *testing.T) {
	RequireStack(t)
	requireChromium(t)
	before := leftovers(t)
	cases := []struct {
		name, config, rule string
		origins            []string
		wantRead           []string
		pageOrigin         string // "" crossgate's own attacker origin
	}{
		// The seed: CORS_ALLOW_ALL_ORIGINS behind ssl_verify_client on. ACAO * is readable
		// without credentials, the certificate going along; include is refused for *.
		{name: "wildcard on mTLS", config: "allow_all", rule: "cors-wildcard-on-mtls",
			wantRead: sorted("omit", "omit+preflight", "same-origin", "same-origin+preflight")},
		// Allow-all with credentials: the origin reflected with ACAC: true, read in all six.
		{name: "reflect with credentials", config: "allow_all_creds", rule: "cors-reflect-origin-credentials",
			wantRead: sorted(allAttempts...)},
		// The unanchored regex lets https://app.example.com.<anything> in: the page is served
		// on the origin the scan found, and reads in all six.
		{name: "regex bypass", config: "regex_unanchored", rule: "cors-prefix-bypass", origins: []string{appOrigin},
			wantRead: sorted(allAttempts...), pageOrigin: "https://app.example.com."},
		// "null" allowed with credentials: a sandboxed frame reads in all six.
		{name: "null origin", config: "null", rule: "cors-null-origin", origins: []string{appOrigin},
			wantRead: sorted(allAttempts...), pageOrigin: "null"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := shared(t, tc.config)
			rep := proveScan(t, s, tc.origins)
			f := only(t, rep, tc.rule)
			if len(f.Proof) != len(allAttempts) {
				t.Fatalf("%s: %d proofs, want %d: %+v", tc.rule, len(f.Proof), len(allAttempts), f.Proof)
			}
			if got := readIn(f.Proof); !slices.Equal(got, tc.wantRead) {
				t.Errorf("%s: read in %v, want %v (the knowledge note's matrix); proofs: %+v", tc.rule, got, tc.wantRead, f.Proof)
			}
			p := finding.Proven(f.Proof)
			if p == nil {
				t.Fatalf("%s: not proven: %s", tc.rule, finding.ProofLine(f.Proof))
			}
			switch {
			case tc.pageOrigin == "":
				if !strings.HasPrefix(p.PageOrigin, "https://"+prove.AttackerHost+":") {
					t.Errorf("page origin %q, want crossgate's attacker origin", p.PageOrigin)
				}
			case !strings.HasPrefix(p.PageOrigin, tc.pageOrigin):
				t.Errorf("page origin %q, want %s...", p.PageOrigin, tc.pageOrigin)
			}
			if p.Browser != "chromium" || !strings.HasPrefix(p.Version, prove.Major(p.Version)+".") || p.CertPresented != prove.CertPolicy {
				t.Errorf("proof names browser %q version %q certificate %q", p.Browser, p.Version, p.CertPresented)
			}
			// The page read alice's profile: the body nginx serves only with her certificate.
			if p.Status != 200 || p.Bytes < 50 || !strings.Contains(p.Excerpt, "alice") {
				t.Errorf("the page read HTTP %d, %d bytes, %q: not the authenticated profile", p.Status, p.Bytes, p.Excerpt)
			}
			for _, raw := range profileRaw {
				if strings.Contains(p.Excerpt, raw) {
					t.Errorf("the excerpt holds the raw value %q: not redacted", raw)
				}
			}
			if f.Severity < finding.High {
				t.Errorf("a proven read lowered %s to %v", tc.rule, f.Severity)
			}
			line := finding.ProofLine(f.Proof)
			if !strings.HasPrefix(line, "proven in Chromium "+prove.Major(p.Version)+": a page on "+p.PageOrigin+" read ") {
				t.Errorf("proof line %q", line)
			}
			t.Logf("%s: %s; read in %v", tc.rule, line, readIn(f.Proof))
		})
	}

	// The exact allowlist claims no read, so the scan proves nothing; ask the browser
	// directly, from crossgate's attacker origin: it must read nothing in any mode.
	t.Run("exact allowlist", func(t *testing.T) {
		s := shared(t, "exact")
		rep := proveScan(t, s, []string{appOrigin})
		for _, f := range rep.Findings {
			if len(f.Proof) > 0 {
				t.Errorf("%s carries a proof, but the exact allowlist claims no cross-origin read", f.Rule)
			}
		}
		res := proveDirect(t, s, prove.Claim{URL: mustParse(t, s.URL("/api/profile"))})
		out := res.Outcomes[0]
		if out.Err != nil || len(out.Proofs) != len(allAttempts) {
			t.Fatalf("exact allowlist: %v, %d proofs", out.Err, len(out.Proofs))
		}
		if got := readIn(out.Proofs); len(got) > 0 {
			t.Errorf("exact allowlist read from %s in %v", out.PageOrigin, got)
		}
		for _, p := range out.Proofs {
			if !strings.Contains(p.Error, "CORS") {
				t.Errorf("%s: blocked for %q, want the browser's CORS reason", p.Attempt(), p.Error)
			}
		}
	})

	// Without root the proxy presents the certificate: the seed's wildcard reads the same.
	t.Run("proxy mode", func(t *testing.T) {
		s := shared(t, "allow_all")
		res := proveDirect(t, s, prove.Claim{URL: mustParse(t, s.URL("/api/profile"))}, func(o *prove.Options) { o.ForceProxy = true })
		out := res.Outcomes[0]
		if res.CertPresented != prove.CertProxy || len(res.Notes) == 0 {
			t.Errorf("proxy mode not labelled: %q, notes %v", res.CertPresented, res.Notes)
		}
		if got, want := readIn(out.Proofs), sorted("omit", "omit+preflight", "same-origin", "same-origin+preflight"); !slices.Equal(got, want) {
			t.Errorf("proxy mode: read in %v, want %v: %+v", got, want, out.Proofs)
		}
	})

	if after := leftovers(t); len(after) > len(before) {
		t.Errorf("--prove left files behind: %v", after)
	}
}

func proveDirect(t *testing.T, s *Stack, c prove.Claim, mod ...func(*prove.Options)) *prove.Result {
	t.Helper()
	cas, err := scan.LoadCACerts(s.ServerCAFile)
	if err != nil {
		t.Fatal(err)
	}
	o := prove.Options{Identity: s.Identity("alice").Certificate, CACerts: cas, Timeout: 10 * time.Second}
	for _, m := range mod {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := prove.Run(ctx, o, []prove.Claim{c})
	if err != nil {
		t.Fatalf("prove.Run: %v", err)
	}
	if len(res.Outcomes) != 1 {
		t.Fatalf("%d outcomes", len(res.Outcomes))
	}
	return res
}

// leftovers are the files a proving session may write: its policy and its temporary profile.
func leftovers(t *testing.T) []string {
	var out []string
	for _, pat := range []string{filepath.Join(prove.DefaultPolicyDir, fmt.Sprintf("crossgate-prove-%d-*", os.Getpid())), filepath.Join(os.TempDir(), fmt.Sprintf("crossgate-prove-%d-*", os.Getpid()))} {
		m, _ := filepath.Glob(pat)
		out = append(out, m...)
	}
	return out
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
