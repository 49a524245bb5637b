package corscheck

import (
	"fmt"
	"strconv"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
)

// Wildcard rules: Access-Control-Allow-Origin: *, read by every origin without credentials.

var ruleWildcardOnMTLS = finding.Rule{
	ID: "cors-wildcard-on-mtls", Family: "cors", Severity: finding.High, CWE: []string{"CWE-942", "CWE-213"}, OWASP: "API8:2023", ReadRank: 2,
	Title:   "Wildcard CORS on an endpoint that requires a client certificate",
	Summary: "Access-Control-Allow-Origin: * on an endpoint that requires a client certificate. Readable cross-origin in Chromium, which presents the client certificate even on requests without credentials.",
	Advice:  "Never send Access-Control-Allow-Origin: * on an endpoint that authenticates with client certificates: Chromium presents the certificate anyway. Allow only the named browser origins.",
}

var ruleWildcard = finding.Rule{
	ID: "cors-wildcard", Family: "cors", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023", ReadRank: 11,
	Title:   "Wildcard CORS (Access-Control-Allow-Origin: *)",
	Summary: "ACAO: * on an endpoint without mTLS. Raise to medium if the body carries sensitive data.",
	Advice:  "Replace Access-Control-Allow-Origin: * with an exact allowlist unless the data is truly public.",
}

var ruleWildcardWithCredentials = finding.Rule{
	ID: "cors-wildcard-with-credentials", Family: "cors", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023",
	Title:   "Wildcard CORS combined with Access-Control-Allow-Credentials: true",
	Summary: "ACAO: * together with ACAC: true (browsers refuse it, but it shows intent and breaks clients).",
	Advice:  "Drop Access-Control-Allow-Credentials or the wildcard: name the allowed origins exactly if credentialed calls are needed.",
}

// wildcardProof is the response an untrusted origin reads through ACAO: *, preferring the
// arbitrary origin and authenticated content (status below 400).
func (s *session) wildcardProof() *result {
	var errPage *result
	for _, r := range append([]*result{s.arbitrary()}, s.results...) {
		if r == nil || !r.ok() || !r.wildcard || !r.omit.Allowed {
			continue
		}
		if r.ex.Status < 400 {
			return r
		}
		if errPage == nil {
			errPage = r
		}
	}
	return errPage
}

func checkWildcardOnMTLS(s *session) []hit {
	if !s.certGuarded() {
		return nil
	}
	r := s.wildcardProof()
	if r != nil && r.ex.Status < 400 && s.f.certSent {
		f := s.newFinding(ruleWildcardOnMTLS, r, fmt.Sprintf(
			"The authenticated response (client certificate %s) carries Access-Control-Allow-Origin: * for Origin %s; Fetch: readable without credentials (omit / same-origin) by any origin, not with credentials: include, %s. %s",
			s.id.Subject(), r.Origin, includeFails(r.include), s.browserNote()))
		if s.env.Facts.Unauthenticated {
			f.SetSeverity(readSeverity(reachAnyPage, exposePublic, s.f.sensitive, false), "Rated as on a public endpoint because a certificate bypass already serves this content without a certificate (reported by the mTLS checks); the body carries "+s.dataPhrase()+".")
			return []hit{{f: f}}
		}
		reason := "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so any page can read this response there (silently when the certificate is auto-selected by policy or was already chosen for this host in the session, otherwise after a certificate prompt naming the API host); Firefox sends no certificate and " + s.firefoxGets()
		f.SetSeverity(readSeverity(reachAnyPage, exposeVictimChromium, s.f.sensitive, false), reason+"; the response carries "+s.dataPhrase()+".")
		return []hit{{f: f}}
	}
	// The wildcard only on the certificate-rejection page (nginx add_header ... always):
	// a page reads the error page, nothing else.
	errPage := r
	if errPage == nil || errPage.ex.Status < 400 {
		errPage = nil
		if s.anon != nil && s.anon.OK() && s.anon.Status >= 400 {
			origin := "https://evil-" + s.rnd + ".example"
			if v := cors.Check(cors.Request{Origin: origin, Credentials: cors.Omit}, s.anon.Status, s.anon.Header); v.Allowed {
				if acao, _ := cors.HeaderValue(s.anon.Header, "Access-Control-Allow-Origin"); acao == "*" {
					errPage = &result{Mutation: Mutation{Origin: origin, Class: ClassArbitrary}, ex: s.anon, omit: v, wildcard: true}
				}
			}
		}
	}
	if errPage == nil {
		return nil
	}
	detail := fmt.Sprintf("Access-Control-Allow-Origin: * is sent on the %d response to a request without a client certificate, not on the authenticated content; a page can read that error page and nothing else.", errPage.ex.Status)
	if !s.f.certSent {
		detail = fmt.Sprintf("Access-Control-Allow-Origin: * is sent on the %d response to a request without a client certificate; the authenticated content was not seen (no --cert given), so whether it carries the wildcard too is unknown.", errPage.ex.Status)
	}
	f := s.newFinding(ruleWildcardOnMTLS, errPage, detail)
	f.SetSeverity(finding.Info, "Harmless as it stands: without a certificate (Firefox, or Chromium with OmitCorsClientCert) the readable response is the rejection page; it becomes cors-wildcard-on-mtls at high if the header ever reaches the authenticated content.")
	return []hit{{f: f}}
}

func checkWildcard(s *session) []hit {
	if s.certGuarded() {
		return nil
	}
	r := s.wildcardProof()
	if r == nil {
		return nil
	}
	f := s.newFinding(ruleWildcard, r, fmt.Sprintf(
		"Access-Control-Allow-Origin: * for Origin %s; Fetch: readable without credentials (omit / same-origin) by any origin in every browser, never with credentials: include, %s.",
		r.Origin, includeFails(r.include)))
	sev := readSeverity(reachAnyPage, exposePublic, s.f.sensitive, r.ex.Status >= 400)
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(sev, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable, in any browser and without credentials.")
	case s.f.sensitive:
		f.SetSeverity(sev, "Any page, in any browser, reads this response without credentials, and it carries "+s.f.what+" (worth it for an attacker if the endpoint is reachable only from an intranet or an allowlisted IP).")
	default:
		f.SetSeverity(sev, "Any page reads this response without credentials, but "+s.noCredentialsMatter()+", and it carries no sensitive data crossgate recognised.")
	}
	return []hit{{f: f}}
}

func checkWildcardWithCredentials(s *session) []hit {
	for _, r := range s.results {
		if r.ok() && r.wildcard && r.acac == "true" {
			f := s.newFinding(ruleWildcardWithCredentials, r, fmt.Sprintf(
				"Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true for Origin %s; Fetch: a credentials: include read fails (%s), a non-credentialed read succeeds.",
				r.Origin, r.include.Step))
			f.SetSeverity(finding.Low, "Browsers refuse * with credentials: include, so no credentialed read happens; the pair shows the intent to share credentialed responses and breaks credentialed clients.")
			return []hit{{f: f}}
		}
	}
	return nil
}

// --- reflection ---------------------------------------------------------------------------
