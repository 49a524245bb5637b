package corscheck

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/idheaders"
)

// The other header rules: credentials sent to disallowed origins, private network access,
// exposed sensitive headers, and two layers that disagree.

var ruleCredentialsOnDisallowedOrigin = finding.Rule{
	ID: "cors-credentials-on-disallowed-origin", Family: "cors", Severity: finding.Info, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "Access-Control-Allow-Credentials sent to disallowed origins",
	Summary: "ACAC: true sent to origins that are not allowed (django-cors-headers 3.x quirk).",
	Advice:  "Upgrade django-cors-headers to 4.3 or later, which sends Access-Control-Allow-Credentials only to allowed origins.",
}

var rulePrivateNetwork = finding.Rule{
	ID: "cors-private-network", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "Private network access granted to an untrusted origin",
	Summary: "Access-Control-Allow-Private-Network: true for untrusted origins.",
	Advice:  "Send Access-Control-Allow-Private-Network: true only to the exact origins that need private-network access.",
}

var ruleSensitiveExposedHeaders = finding.Rule{
	ID: "cors-sensitive-exposed-headers", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-200"}, OWASP: "API8:2023",
	Title:   "Sensitive response headers exposed to cross-origin readers",
	Summary: "Access-Control-Expose-Headers exposes tokens or identity headers.",
	Advice:  "Remove identity, cookie and token headers from Access-Control-Expose-Headers.",
}

var ruleProxyConflict = finding.Rule{
	ID: "cors-proxy-conflict", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942", "CWE-213"}, OWASP: "API8:2023",
	Title:   "Conflicting CORS headers from two layers",
	Summary: "two layers disagree: duplicate or conflicting ACAO values, or a proxy-level * over an app that allowlists.",
	Advice:  "Set CORS headers in one layer only: remove the proxy's add_header Access-Control-Allow-Origin or the app's CORS middleware.",
}

func checkCredentialsOnDisallowed(s *session) []hit {
	var hits []string
	var proof *result
	for _, r := range s.results {
		// Only with no ACAO at all: a fixed ACAO naming another origin next to a static
		// ACAC is the ordinary single-origin setup, and several ACAO lines are a proxy conflict.
		if r.ok() && r.acac == "true" && r.acaoLines == 0 {
			hits = append(hits, r.Origin)
			if proof == nil {
				proof = r
			}
		}
	}
	if proof == nil {
		return nil
	}
	f := s.newFinding(ruleCredentialsOnDisallowedOrigin, proof, fmt.Sprintf(
		"Access-Control-Allow-Credentials: true is sent to %d origins the evaluator does not allow (e.g. %s: %s); django-cors-headers before 4.3 (Debian 12 ships 3.14) does this with CORS_ALLOW_CREDENTIALS = True.",
		len(hits), proof.Origin, proof.omit.Step))
	f.SetSeverity(finding.Info, "No browser reads these responses (no matching Access-Control-Allow-Origin); it is typically a fingerprint of django-cors-headers before 4.3 and makes ACAC alone meaningless as a signal.")
	return []hit{{f: f}}
}

func checkPrivateNetwork(s *session) []hit {
	for _, p := range s.pre {
		if p.trusted || p.method != http.MethodPut {
			continue
		}
		pf := evalPreflight(p)
		if !pf.corsOK || !pf.pna {
			continue
		}
		f := finding.New(rulePrivateNetwork.ID)
		f.Detail = fmt.Sprintf("A preflight from %s with Access-Control-Request-Private-Network: true passes the CORS check and gets Access-Control-Allow-Private-Network: true.", p.origin)
		f.Evidence = s.env.Evidence(p.ex)
		f.SetSeverity(finding.Medium, "Chromium's Private Network Access preflight would let a public page on "+p.origin+" reach this private-network endpoint; newer Chromium asks the user instead (Local Network Access), so the grant matters for older releases and embedders.")
		return []hit{{f: f}}
	}
	return nil
}

// sensitiveHeader is a response header name that carries identity or secrets.
func sensitiveHeader(name string) bool {
	n := strings.ToLower(strings.TrimSpace(name))
	switch n {
	case "authorization", "proxy-authorization", "set-cookie", "cookie", "x-csrftoken", "x-csrf-token", "x-api-key", "api-key":
		return true
	}
	if idheaders.IsIdentity(n) { // every client-certificate identity header crossgate knows
		return true
	}
	for _, p := range []string{"x-ssl-client", "ssl-client", "x-client-cert", "x-client-dn", "x-client-verify"} {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	for _, p := range []string{"token", "secret", "session", "apikey", "api-key", "password"} {
		if strings.Contains(n, p) {
			return true
		}
	}
	return false
}

func checkExposedHeaders(s *session) []hit {
	var best *result
	var bestNames []string
	for _, r := range s.results {
		if !r.ok() || !r.omit.Allowed {
			continue
		}
		vals, _ := cors.HeaderValue(r.ex.Header, "Access-Control-Expose-Headers")
		var names []string
		for _, n := range strings.Split(vals, ",") {
			n = strings.TrimSpace(n)
			switch {
			case n == "*":
				// * exposes every header to non-credentialed readers; it matters when one is
				// sensitive. With credentials: include it is the literal name "*", which
				// exposes nothing, so ACAC: true next to it is no exposure of its own.
				for k := range r.ex.Header {
					if sensitiveHeader(k) && !strings.EqualFold(k, "Set-Cookie") {
						names = append(names, "* (exposing "+k+")")
					}
				}
			case n != "" && sensitiveHeader(n):
				names = append(names, n)
			}
		}
		if len(names) == 0 {
			continue
		}
		untrusted := !r.trustedByMe
		if best == nil || (untrusted && best.trustedByMe) {
			best, bestNames = r, names
		}
	}
	if best == nil {
		return nil
	}
	f := s.newFinding(ruleSensitiveExposedHeaders, best, fmt.Sprintf(
		"Access-Control-Expose-Headers lets a page on %s read %s from the response (%s).",
		best.Origin, strings.Join(bestNames, ", "), strings.TrimSuffix(s.readText(best), ".")))
	if best.trustedByMe {
		f.SetSeverity(finding.Low, "Only the trusted origin "+best.Origin+" can read these headers; keep identity and token headers out of Access-Control-Expose-Headers unless that app needs them.")
	} else {
		f.SetSeverity(finding.Medium, "A page on the untrusted origin "+best.Origin+" reads identity or token headers from this response.")
	}
	return []hit{{f: f}}
}

func checkProxyConflict(s *session) []hit {
	var reasons []string
	var proof, list *result
	var wild, specific *result
	for _, r := range s.results {
		if !r.ok() {
			continue
		}
		if r.acaoLines > 1 {
			if proof == nil {
				proof = r
				reasons = append(reasons, fmt.Sprintf("the response to Origin %s carries Access-Control-Allow-Origin %d times (%q), which no browser accepts (%s)", r.Origin, r.acaoLines, r.acao, r.omit.Step))
			}
			continue
		}
		if r.acaoLines == 1 && strings.Contains(r.acao, ",") {
			if list == nil {
				list = r
			}
			continue
		}
		if r.wildcard && wild == nil {
			wild = r
		}
		if r.acao != "" && !r.wildcard && specific == nil {
			specific = r
		}
	}
	if wild != nil && specific != nil {
		reasons = append(reasons, fmt.Sprintf("Origin %s gets Access-Control-Allow-Origin: * while Origin %s gets %q: one layer allowlists, another adds a wildcard", wild.Origin, specific.Origin, specific.acao))
		if proof == nil {
			proof = wild
		}
	}
	for _, p := range s.pre {
		if !p.ex.OK() {
			continue
		}
		actual := s.byOrigin[p.origin]
		if !actual.ok() {
			continue
		}
		pa, _ := cors.HeaderValue(p.ex.Header, "Access-Control-Allow-Origin")
		if pa == "" || actual.acao == "" || actual.acaoLines > 1 {
			continue
		}
		if (pa == "*") != actual.wildcard {
			reasons = append(reasons, fmt.Sprintf("for Origin %s the preflight answers Access-Control-Allow-Origin %q but the GET answers %q", p.origin, pa, actual.acao))
			if proof == nil {
				proof = actual
			}
			break
		}
	}
	if proof == nil && list != nil {
		// One header line holding several origins is one layer's invalid value, not two
		// layers: the Access-Control-Allow-Origin grammar allows a single origin, "null" or *.
		f := s.newFinding(ruleProxyConflict, list, fmt.Sprintf(
			"The response to Origin %s carries one Access-Control-Allow-Origin header holding a list (%q); the header takes a single origin, so no browser accepts it (%s). Several origins need the server to compare the Origin header with its list and echo the one that matches.",
			list.Origin, list.acao, list.omit.Step))
		f.SetSeverity(finding.Low, "No browser reads a response whose Access-Control-Allow-Origin is a list, so nothing is exposed; the legitimate cross-origin callers are broken.")
		return []hit{{f: f, key: "list"}}
	}
	if proof == nil {
		return nil
	}
	f := s.newFinding(ruleProxyConflict, proof, "Two layers set CORS headers and disagree: "+strings.Join(reasons, "; ")+".")
	f.SetSeverity(finding.Medium, "Conflicting layers make the effective policy depend on which header wins per response: legitimate cross-origin calls break and a proxy-level * re-opens what the app restricts.")
	return []hit{{f: f}}
}

// --- remediation --------------------------------------------------------------------------
