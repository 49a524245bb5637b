package corscheck

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
)

// Reflection rules: the policy echoes any Origin it is sent.

var ruleReflectOrigin = finding.Rule{
	ID: "cors-reflect-origin", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023", ReadRank: 3,
	Title:   "Arbitrary Origin reflected in Access-Control-Allow-Origin",
	Summary: "An arbitrary origin is echoed back, without ACAC: true.",
	Advice:  "Stop echoing the Origin header; compare it with an exact allowlist.",
}

var ruleReflectOriginCredentials = finding.Rule{
	ID: "cors-reflect-origin-credentials", Family: "cors", Severity: finding.High, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023", ReadRank: 1,
	Title:   "Arbitrary Origin reflected with Access-Control-Allow-Credentials: true",
	Summary: "An arbitrary origin is echoed back with ACAC: true. Critical when the endpoint is authenticated (mTLS or cookies) and returns sensitive data.",
	Advice:  "Stop echoing the Origin header with credentials allowed; compare it with an exact allowlist.",
}

// reflected is the made-up origin the policy allows by name: the https one, else the http one
// (a policy that echoes every http:// origin), else the https one anyway (which may be nil).
func (s *session) reflected() *result {
	if r := s.arbitrary(); r.accepted() {
		return r
	}
	if r := s.byOrigin[s.arbitraryHTTPOrigin()]; r.accepted() {
		return r
	}
	return s.arbitrary()
}

// reflectAll is true when a made-up origin is allowed by name: the policy echoes everything,
// and the bypass classes are implied rather than separate findings.
func (s *session) reflectAll() bool { return s.reflected().accepted() }

// httpOnly says, in a reflect finding, that only http:// origins are echoed.
func (s *session) httpOnly(r *result) string {
	if r.Origin != s.arbitraryHTTPOrigin() {
		return ""
	}
	return " Only http:// origins are echoed (" + s.arbitraryOrigin() + " is refused), which needs no network attacker: any page served over plain http reads it."
}

// alsoAccepted lists the mutation classes that were accepted too, for the reflect finding.
func (s *session) alsoAccepted() string {
	seen := map[Class]bool{}
	var classes []string
	for _, r := range s.results {
		switch r.Class {
		case ClassOwn, ClassTrusted, ClassArbitrary:
			continue
		}
		if r.accepted() && !seen[r.Class] {
			seen[r.Class] = true
			classes = append(classes, string(r.Class)+" ("+r.Origin+")")
		}
	}
	notSent := ""
	if s.known > 0 {
		notSent = " The other origin mutations (prefix, suffix, sub-domains and the rest) were not sent: a policy that lets a made-up origin read lets each of them read too."
	}
	if len(classes) == 0 {
		if notSent != "" {
			return strings.TrimSpace(notSent)
		}
		return "No other mutation was sent or accepted."
	}
	return "Also accepted, implied by the reflection: " + strings.Join(classes, ", ") + "." + notSent
}

func checkReflect(s *session) []hit {
	r := s.reflected()
	if !s.reflectAll() {
		return s.preflightOnlyReflection(ruleReflectOrigin, false)
	}
	if r.include.Allowed {
		return nil
	}
	f := s.newFinding(ruleReflectOrigin, r, fmt.Sprintf(
		"Origin %s is reflected in Access-Control-Allow-Origin without Access-Control-Allow-Credentials: true; Fetch: readable without credentials (omit / same-origin), not with credentials: include, %s.%s %s %s",
		r.Origin, includeFails(r.include), s.httpOnly(r), s.browserNote(), s.alsoAccepted()))
	sev := readSeverity(reachAnyPage, s.exposureOf(r), s.f.sensitive, r.ex.Status >= 400)
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(sev, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable.")
	case s.exposureOf(r) == exposeVictimChromium:
		f.SetSeverity(sev, "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so any page reads this authenticated response there; Firefox sends no certificate and "+s.firefoxGets()+"; it carries "+s.dataPhrase()+".")
	default:
		f.SetSeverity(sev, "Any page reads this response without credentials in every browser ("+s.noCredentialsMatter()+"); it carries "+s.dataPhrase()+".")
	}
	return []hit{{f: f}}
}

func checkReflectCredentials(s *session) []hit {
	r := s.reflected()
	if !s.reflectAll() {
		return s.preflightOnlyReflection(ruleReflectOriginCredentials, true)
	}
	if !r.include.Allowed {
		return nil
	}
	f := s.newFinding(ruleReflectOriginCredentials, r, fmt.Sprintf(
		"Origin %s is reflected with Access-Control-Allow-Credentials: true; Fetch: readable with credentials: include (all browsers, simple requests)%s.%s %s",
		r.Origin, s.certCarried(), s.httpOnly(r), s.alsoAccepted()))
	auth := s.authDescription()
	sev := readSeverity(reachAnyPage, s.exposureOf(r), s.f.sensitive, r.ex.Status >= 400)
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(sev, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable.")
	case s.authenticated():
		f.SetSeverity(sev, "Every browser lets any page read this "+auth+" response with credentials: include on a simple GET; it carries "+s.dataPhrase()+".")
	default:
		f.SetSeverity(sev, "Any page reads this response with credentials in every browser, but the endpoint is not authenticated (no required client certificate, no session cookie), so it reads what anyone can fetch ("+s.dataPhrase()+").")
	}
	return []hit{{f: f}}
}

// --- bypass classes -----------------------------------------------------------------------

// preflightOnlyReflection reports an untrusted origin that the preflight allows by name while
// the GET answer does not (a proxy answering OPTIONS itself in front of an app allowlist). The
// browser then sends the PUT or DELETE with the victim's credentials; reading the answer
// depends on the actual response, which crossgate does not provoke (only safe methods are
// sent), so this is at least a cross-origin write with the victim's identity.
func (s *session) preflightOnlyReflection(rule finding.Rule, credentialed bool) []hit {
	arb := s.arbitrary()
	for _, p := range s.pre {
		if p.trusted || p.method != http.MethodPut || p.origin != s.arbitraryOrigin() || !p.ex.OK() {
			continue
		}
		pf := evalPreflight(p)
		if acao, _ := cors.HeaderValue(p.ex.Header, "Access-Control-Allow-Origin"); acao != p.origin || !pf.methodAllowed || pf.credAllow != credentialed {
			continue
		}
		mode := "without credentials"
		if credentialed {
			mode = "with credentials: include"
		}
		getStep := "no answer"
		if arb.ok() {
			getStep = arb.omit.Step
		}
		f := finding.New(rule.ID)
		f.Detail = fmt.Sprintf("The preflight for Origin %s answers Access-Control-Allow-Origin: %s (Access-Control-Allow-Credentials: %s, Access-Control-Allow-Methods: %s) and passes for PUT %s, but the GET answer does not allow that origin (%s): only the preflight reflects, so a page on any origin gets its PUT, DELETE or JSON request sent, and whether it reads the answer depends on the actual response, which was not provoked (crossgate sends only safe methods).",
			p.origin, p.origin, hv(p.ex.Header, "Access-Control-Allow-Credentials"), hv(p.ex.Header, "Access-Control-Allow-Methods"), mode, getStep)
		f.Evidence = s.env.Evidence(p.ex)
		switch {
		case credentialed && s.authenticated() && s.f.mtls && !s.f.optional && !s.f.cookies:
			f.SetSeverity(finding.High, "Chromium presents the client certificate on the preflight and on the request, so any page sends state-changing requests as the victim there; Firefox sends the preflight without a certificate, which this endpoint refuses (unless it exempts OPTIONS from the certificate check).")
		case credentialed && s.authenticated():
			f.SetSeverity(finding.High, "Every browser lets any page send state-changing requests with this "+s.authDescription()+" endpoint's credentials after this preflight.")
		case !credentialed && s.f.mtls && s.f.certSent:
			f.SetSeverity(finding.Medium, "Chromium presents the client certificate on non-credentialed preflighted requests too, so any page sends state-changing requests as the victim there; Firefox sends no certificate.")
		default:
			f.SetSeverity(finding.Low, "The endpoint is not authenticated (no required client certificate, no session cookie), so the allowed cross-origin request carries nothing an attacker could not send directly.")
		}
		return []hit{{f: f, key: "preflight"}}
	}
	return nil
}
