package corscheck

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/finding"
)

// Vary rule: an Origin-dependent answer a shared cache may replay to another origin.

var ruleMissingVaryOrigin = finding.Rule{
	ID: "cors-missing-vary-origin", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942", "CWE-524"}, OWASP: "API8:2023",
	Title:   "Origin-dependent CORS response lacks Vary: Origin",
	Summary: "the ACAO value depends on Origin but the response lacks Vary: Origin (cache poisoning).",
	Advice:  "Send Vary: Origin on every response whose CORS headers depend on the Origin header.",
}

func varyCoversOrigin(h http.Header) bool {
	for _, v := range h.Values("Vary") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimSpace(t)
			if strings.EqualFold(t, "origin") || t == "*" {
				return true
			}
		}
	}
	return false
}

func checkMissingVary(s *session) []hit {
	values := map[string]bool{}
	var proof *result
	for _, r := range s.results {
		// Error answers (a WAF refusing odd origins) are left out: they are rarely cacheable,
		// and their missing ACAO says nothing about the policy.
		if !r.ok() || r.ex.Status >= 400 {
			continue
		}
		values[r.acao] = true
		if r.acao != "" && !r.wildcard && !varyCoversOrigin(r.ex.Header) && (proof == nil || proof.trustedByMe && !r.trustedByMe) {
			proof = r
		}
	}
	if len(values) < 2 || proof == nil {
		return nil
	}
	f := s.newFinding(ruleMissingVaryOrigin, proof, fmt.Sprintf(
		"Access-Control-Allow-Origin changes with the Origin header (%d distinct values, e.g. %q for Origin %s) but the response has no Vary: Origin, so a cache may serve one origin's CORS answer to another.",
		len(values), proof.acao, proof.Origin))
	cc := strings.ToLower(strings.Join(proof.ex.Header.Values("Cache-Control"), ","))
	switch {
	case strings.Contains(cc, "no-store"):
		f.SetSeverity(finding.Low, "Cache-Control: no-store keeps conforming caches from storing it, so poisoning needs a misbehaving cache.")
	case strings.Contains(cc, "private"):
		f.SetSeverity(finding.Low, "Cache-Control: private keeps shared caches from storing it, and browsers partition their own cache by top-level site, so poisoning needs a misbehaving cache.")
	default:
		f.SetSeverity(finding.Medium, "Nothing forbids shared caching (no Cache-Control: no-store or private), so a shared cache can replay an allowed origin's headers to another origin, or a refusal to the allowed one.")
	}
	return []hit{{f: f}}
}

// --- preflights ---------------------------------------------------------------------------
