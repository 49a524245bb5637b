package corscheck

import (
	"net/http"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// check is one rule and the function that reads the session's recorded answers and returns
// its findings. A rule is declared next to its check (wildcard.go, reflection.go, bypasses.go,
// preflight.go, vary.go, headers.go); adding one means declaring both there and a row here.
type check struct {
	rule finding.Rule
	run  func(*session) []hit
}

// hit is a finding and what keeps its fingerprint apart from the rule's other findings.
type hit struct {
	f   finding.Finding
	key string
}

// checks run in this order, which is also the order the catalogue (docs/rules.md) lists the
// rules in: init registers them from here rather than file by file, since Go runs a
// package's init functions in file-name order.
var checks = []check{
	{ruleWildcardOnMTLS, checkWildcardOnMTLS},
	{ruleWildcard, checkWildcard},
	{ruleWildcardWithCredentials, checkWildcardWithCredentials},
	{ruleReflectOrigin, checkReflect},
	{ruleReflectOriginCredentials, checkReflectCredentials},
	bypass(ruleNullOrigin, ClassNull, ClassFile),
	bypass(rulePrefixBypass, ClassPrefix),
	bypass(ruleSuffixBypass, ClassSuffix),
	bypass(ruleSubstringBypass, ClassSubstring),
	bypass(ruleUnescapedDotBypass, ClassDot),
	bypass(ruleSpecialCharBypass, ClassSpecial),
	bypass(ruleAnySubdomain, ClassSubdomain),
	bypass(ruleHTTPOriginTrusted, ClassHTTP),
	bypass(ruleThirdPartyOrigin, ClassThirdParty),
	bypass(ruleLocalhostOrigin, ClassLocalhost),
	{ruleCredentialsOnDisallowedOrigin, checkCredentialsOnDisallowed},
	{ruleMissingVaryOrigin, checkMissingVary},
	{rulePermissivePreflight, checkPermissivePreflight},
	{rulePrivateNetwork, checkPrivateNetwork},
	{ruleSensitiveExposedHeaders, checkExposedHeaders},
	{ruleProxyConflict, checkProxyConflict},
	bypass(ruleAnyPort, ClassPort),
}

func init() {
	for _, c := range checks {
		finding.Register(c.rule)
	}
}

// Rules lists the rule IDs this package reports, in check order.
func Rules() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.rule.ID
	}
	return out
}

func (s *session) arbitraryOrigin() string { return "https://evil-" + s.rnd + ".example" }

func (s *session) arbitrary() *result { return s.byOrigin[s.arbitraryOrigin()] }

func (s *session) arbitraryHTTPOrigin() string { return "http://evil-" + s.rnd + ".example" }

func (s *session) newFinding(rule finding.Rule, proof *result, detail string, notes ...string) finding.Finding {
	f := finding.New(rule.ID)
	f.Detail = detail
	var ex *probe.Exchange
	if proof != nil {
		ex = proof.ex
	}
	f.Evidence = s.env.Evidence(ex, notes...)
	return f
}

// --- wildcard -----------------------------------------------------------------------------

func (s *session) dataPhrase() string {
	if s.f.sensitive {
		return s.f.what
	}
	return "no sensitive data crossgate recognised"
}

func (s *session) readText(r *result) string {
	switch {
	case r.include.Allowed:
		return "Fetch: readable with credentials: include in every browser, and without credentials" + s.certCarried() + "."
	case r.omit.Allowed:
		return "Fetch: readable without credentials (omit / same-origin) only, not with credentials: include, " + includeFails(r.include) + ". " + s.browserNote()
	}
	return "Fetch: not readable (" + r.omit.Step + ")."
}

// includeFails says in plain words why a credentials: include read fails, for findings about
// a read without credentials: it tells the reader that cookies are not the way in, which the
// evaluator's step name ("cors-check: ACAO wildcard with credentials") would not.
func includeFails(v cors.Verdict) string {
	switch v.Step {
	case cors.StepACAOWildcardCreds:
		return "since a wildcard never admits a credentialed request"
	case cors.StepACACMissing:
		return "since Access-Control-Allow-Credentials: true is missing"
	case cors.StepACACNotTrue:
		return "since Access-Control-Allow-Credentials is not exactly true"
	case cors.StepACAOMismatch:
		return "since the allowed origin is not the page's"
	case cors.StepACAOMultiple:
		return "since several Access-Control-Allow-Origin headers never match an origin"
	}
	return "since the response fails the CORS check for it"
}

// browserNote says how the non-credentialed read differs per browser family.
func (s *session) browserNote() string {
	if s.f.mtls && s.f.certSent {
		if s.f.optional {
			return "The endpoint serves other content without the client certificate: Chromium (Chrome, Edge) presents it on non-credentialed requests, so the read happens as the victim there; Firefox sends none and gets the anonymous answer."
		}
		return "The endpoint requires a client certificate: Chromium (Chrome, Edge) presents it on non-credentialed requests, so the read happens as the victim there; Firefox sends none and gets the rejection."
	}
	return ""
}

// certGuarded: the client certificate decides what the endpoint serves, whether the TLS or
// HTTP layer refuses requests without one or the application shows less without one.
func (s *session) certGuarded() bool { return s.env.Facts.Auth.RequiresCert() || s.f.optional }

// firefoxGets finishes "Firefox sends no certificate and ...".
func (s *session) firefoxGets() string {
	if s.f.optional {
		return "reads only the anonymous answer"
	}
	return "is not affected"
}

// noCredentialsMatter says why a non-credentialed read gets nothing private.
func (s *session) noCredentialsMatter() string {
	if s.env.Facts.Auth == endpoint.AuthOptional {
		return "no cookies are sent, and the client certificate Chromium presents changes nothing: the endpoint serves the same content without one"
	}
	return "no cookies or client certificate are sent"
}

func (s *session) certCarried() string {
	if s.f.mtls && s.f.certSent {
		return "; the request carries the client certificate"
	}
	return ""
}

func (s *session) authDescription() string {
	switch {
	case s.f.mtls && s.f.cookies:
		return "certificate- and cookie-authenticated"
	case s.f.mtls:
		return "certificate-authenticated"
	case s.f.cookies:
		return "cookie-authenticated"
	}
	return "public"
}

func hv(h http.Header, name string) string {
	v, ok := cors.HeaderValue(h, name)
	if !ok {
		return "(absent)"
	}
	return v
}

// remediation is the rule's own advice, then the allowlist in the target's dialect (for a
// permissive preflight, the lists it should answer with).
func remediation(rule finding.Rule, s *session) string {
	if rule.ID == rulePermissivePreflight.ID {
		return rule.Advice + "\n" + remedy.PreflightFix(s.env.Facts.Stack, s.preflightNeeds())
	}
	return rule.Advice + "\n" + remedy.CORS(s.env.Facts.Stack, s.env.TrustedOrigins)
}
