package corscheck

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// check is one rule: it reads the scan's recorded answers and returns its findings. Adding a
// rule means adding a function and a row here.
type check struct {
	rule string
	run  func(*session) []hit
}

// hit is a finding and what keeps its fingerprint apart from the rule's other findings.
type hit struct {
	f   finding.Finding
	key string
}

var checks = []check{
	{"cors-wildcard-on-mtls", checkWildcardOnMTLS},
	{"cors-wildcard", checkWildcard},
	{"cors-wildcard-with-credentials", checkWildcardWithCredentials},
	{"cors-reflect-origin", checkReflect},
	{"cors-reflect-origin-credentials", checkReflectCredentials},
	{"cors-null-origin", bypass("cors-null-origin", ClassNull, ClassFile)},
	{"cors-prefix-bypass", bypass("cors-prefix-bypass", ClassPrefix)},
	{"cors-suffix-bypass", bypass("cors-suffix-bypass", ClassSuffix)},
	{"cors-substring-bypass", bypass("cors-substring-bypass", ClassSubstring)},
	{"cors-unescaped-dot-bypass", bypass("cors-unescaped-dot-bypass", ClassDot)},
	{"cors-special-char-bypass", bypass("cors-special-char-bypass", ClassSpecial)},
	{"cors-any-subdomain", bypass("cors-any-subdomain", ClassSubdomain)},
	{"cors-http-origin-trusted", bypass("cors-http-origin-trusted", ClassHTTP)},
	{"cors-third-party-origin", bypass("cors-third-party-origin", ClassThirdParty)},
	{"cors-localhost-origin", bypass("cors-localhost-origin", ClassLocalhost)},
	{"cors-credentials-on-disallowed-origin", checkCredentialsOnDisallowed},
	{"cors-missing-vary-origin", checkMissingVary},
	{"cors-permissive-preflight", checkPermissivePreflight},
	{"cors-private-network", checkPrivateNetwork},
	{"cors-sensitive-exposed-headers", checkExposedHeaders},
	{"cors-proxy-conflict", checkProxyConflict},
	{"cors-any-port", bypass("cors-any-port", ClassPort)},
}

// Rules lists the rule IDs this package reports, in check order.
func Rules() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.rule
	}
	return out
}

func (s *session) arbitraryOrigin() string { return "https://evil-" + s.rnd + ".example" }

func (s *session) arbitrary() *result { return s.byOrigin[s.arbitraryOrigin()] }

func (s *session) arbitraryHTTPOrigin() string { return "http://evil-" + s.rnd + ".example" }

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

func (s *session) newFinding(rule string, proof *result, detail string, notes ...string) finding.Finding {
	f := finding.New(rule)
	f.Detail = detail
	var ex *probe.Exchange
	if proof != nil {
		ex = proof.ex
	}
	f.Evidence = s.env.Evidence(ex, notes...)
	return f
}

// --- wildcard -----------------------------------------------------------------------------

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

func (s *session) dataPhrase() string {
	if s.f.sensitive {
		return s.f.what
	}
	return "no sensitive data crossgate recognised"
}

func checkWildcardOnMTLS(s *session) []hit {
	if !s.certGuarded() {
		return nil
	}
	r := s.wildcardProof()
	if r != nil && r.ex.Status < 400 && s.f.certSent {
		f := s.newFinding("cors-wildcard-on-mtls", r, fmt.Sprintf(
			"The authenticated response (client certificate %s) carries Access-Control-Allow-Origin: * for Origin %s; Fetch: readable without credentials (omit / same-origin) by any origin, not with credentials: include (%s). %s",
			s.id.Subject(), r.Origin, r.include.Step, s.browserNote()))
		if s.env.Facts.Unauthenticated {
			sev := finding.Low
			if s.f.sensitive {
				sev = finding.Medium
			}
			f.SetSeverity(sev, "Rated as on a public endpoint because a certificate bypass already serves this content without a certificate (reported by the mTLS checks); the body carries "+s.dataPhrase()+".")
			return []hit{{f: f}}
		}
		reason := "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so any page can read this response there (silently when the certificate is auto-selected by policy or was already chosen for this host in the session, otherwise after a certificate prompt naming the API host); Firefox sends no certificate and " + s.firefoxGets()
		if s.f.sensitive {
			f.SetSeverity(finding.Critical, reason+"; the response carries "+s.f.what+".")
		} else {
			f.SetSeverity(finding.High, reason+"; the response carries no sensitive data crossgate recognised.")
		}
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
	f := s.newFinding("cors-wildcard-on-mtls", errPage, detail)
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
	f := s.newFinding("cors-wildcard", r, fmt.Sprintf(
		"Access-Control-Allow-Origin: * for Origin %s; Fetch: readable without credentials (omit / same-origin) by any origin in every browser, never with credentials: include (%s).",
		r.Origin, r.include.Step))
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(finding.Info, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable, in any browser and without credentials.")
	case s.f.sensitive:
		f.SetSeverity(finding.Medium, "Any page, in any browser, reads this response without credentials, and it carries "+s.f.what+" (worth it for an attacker if the endpoint is reachable only from an intranet or an allowlisted IP).")
	default:
		f.SetSeverity(finding.Low, "Any page reads this response without credentials, but "+s.noCredentialsMatter()+", and it carries no sensitive data crossgate recognised.")
	}
	return []hit{{f: f}}
}

func checkWildcardWithCredentials(s *session) []hit {
	for _, r := range s.results {
		if r.ok() && r.wildcard && r.acac == "true" {
			f := s.newFinding("cors-wildcard-with-credentials", r, fmt.Sprintf(
				"Access-Control-Allow-Origin: * together with Access-Control-Allow-Credentials: true for Origin %s; Fetch: a credentials: include read fails (%s), a non-credentialed read succeeds.",
				r.Origin, r.include.Step))
			f.SetSeverity(finding.Low, "Browsers refuse * with credentials: include, so no credentialed read happens; the pair shows the intent to share credentialed responses and breaks credentialed clients.")
			return []hit{{f: f}}
		}
	}
	return nil
}

// --- reflection ---------------------------------------------------------------------------

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
	if len(classes) == 0 {
		return "No other mutation was sent or accepted."
	}
	return "Also accepted, implied by the reflection: " + strings.Join(classes, ", ") + "."
}

func checkReflect(s *session) []hit {
	r := s.reflected()
	if !s.reflectAll() {
		return s.preflightOnlyReflection("cors-reflect-origin", false)
	}
	if r.include.Allowed {
		return nil
	}
	f := s.newFinding("cors-reflect-origin", r, fmt.Sprintf(
		"Origin %s is reflected in Access-Control-Allow-Origin without Access-Control-Allow-Credentials: true; Fetch: readable without credentials (omit / same-origin), not with credentials: include (%s).%s %s %s",
		r.Origin, r.include.Step, s.httpOnly(r), s.browserNote(), s.alsoAccepted()))
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(finding.Low, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable.")
	case s.f.mtls && s.f.certSent:
		reason := "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so any page reads this authenticated response there; Firefox sends no certificate and " + s.firefoxGets()
		if s.f.sensitive {
			f.SetSeverity(finding.Critical, reason+"; it carries "+s.f.what+".")
		} else {
			f.SetSeverity(finding.High, reason+"; it carries no sensitive data crossgate recognised.")
		}
	case s.f.sensitive:
		f.SetSeverity(finding.Medium, "Any page reads this response without credentials in every browser ("+s.noCredentialsMatter()+"); it carries "+s.f.what+".")
	default:
		f.SetSeverity(finding.Low, "Any page reads this response without credentials ("+s.noCredentialsMatter()+"), and it carries no sensitive data crossgate recognised.")
	}
	return []hit{{f: f}}
}

func checkReflectCredentials(s *session) []hit {
	r := s.reflected()
	if !s.reflectAll() {
		return s.preflightOnlyReflection("cors-reflect-origin-credentials", true)
	}
	if !r.include.Allowed {
		return nil
	}
	f := s.newFinding("cors-reflect-origin-credentials", r, fmt.Sprintf(
		"Origin %s is reflected with Access-Control-Allow-Credentials: true; Fetch: readable with credentials: include (all browsers, simple requests)%s.%s %s",
		r.Origin, s.certCarried(), s.httpOnly(r), s.alsoAccepted()))
	auth := s.authDescription()
	switch {
	case r.ex.Status >= 400:
		f.SetSeverity(finding.Low, "Only an error response (status "+strconv.Itoa(r.ex.Status)+") is readable.")
	case s.authenticated() && s.f.sensitive:
		f.SetSeverity(finding.Critical, "Every browser lets any page read this "+auth+" response with credentials: include on a simple GET, and it carries "+s.f.what+".")
	case s.authenticated():
		f.SetSeverity(finding.High, "Every browser lets any page read this "+auth+" response with credentials: include on a simple GET; it carries no sensitive data crossgate recognised.")
	case s.f.sensitive:
		f.SetSeverity(finding.Medium, "Any page reads this response with credentials in every browser, but the endpoint is not authenticated (no mTLS, no session cookie), so it reads what anyone can fetch: "+s.f.what+".")
	default:
		f.SetSeverity(finding.Low, "Any page reads this response with credentials in every browser, but the endpoint is not authenticated and it carries no sensitive data crossgate recognised.")
	}
	return []hit{{f: f}}
}

// --- bypass classes -----------------------------------------------------------------------

func (s *session) acceptedOf(c Class) []*result {
	var out []*result
	for _, r := range s.results {
		if r.Class == c && r.accepted() {
			out = append(out, r)
		}
	}
	return out
}

func (s *session) anyAccepted(c Class, pred func(*result) bool) bool {
	for _, r := range s.acceptedOf(c) {
		if pred == nil || pred(r) {
			return true
		}
	}
	return false
}

// implied tells, per class, whether a broader accepted class already explains the hit, so
// one misconfiguration is reported once: a substring check accepts the prefix and suffix
// probes, a suffix check accepts the sub-domain and some dot probes, a prefix check accepts
// the special-character probes. An accepted http:// origin is always its own finding: whatever
// check let it through, a network attacker can now inject the reading script.
func (s *session) implied(c Class, r *result) (string, bool) {
	substring := s.anyAccepted(ClassSubstring, nil)
	suffixOf := func(r *result) bool {
		o, err := cors.ParseOrigin(r.Origin)
		if err != nil || r.Base == "" {
			return false
		}
		b, err := cors.ParseOrigin(r.Base)
		if err != nil {
			return false
		}
		rd := registeredDomain(b.Host)
		return s.anyAccepted(ClassSuffix, func(x *result) bool {
			xo, err := cors.ParseOrigin(x.Origin)
			return err == nil && strings.HasSuffix(xo.Host, rd) && strings.HasSuffix(o.Host, rd)
		})
	}
	sameBase := func(c Class) bool {
		return s.anyAccepted(c, func(x *result) bool { return x.Base == r.Base })
	}
	switch c {
	case ClassPrefix, ClassSuffix:
		if substring {
			return "cors-substring-bypass", true
		}
	case ClassDot, ClassSubdomain:
		if substring {
			return "cors-substring-bypass", true
		}
		if suffixOf(r) {
			return "cors-suffix-bypass", true
		}
	case ClassPort:
		// An unanchored ^https://host regex accepts :1337 as it accepts .evil.example.
		if sameBase(ClassPrefix) {
			return "cors-prefix-bypass", true
		}
		if substring {
			return "cors-substring-bypass", true
		}
	case ClassSpecial:
		if sameBase(ClassPrefix) {
			return "cors-prefix-bypass", true
		}
		if substring {
			return "cors-substring-bypass", true
		}
	}
	return "", false
}

func bypass(rule string, classes ...Class) func(*session) []hit {
	return func(s *session) []hit {
		if s.reflectAll() {
			return nil
		}
		var hits, impliedBy []string
		var proof *result
		var accepted []*result
		for _, c := range classes {
			accepted = append(accepted, s.acceptedOf(c)...)
		}
		for _, r := range accepted {
			if by, ok := s.implied(r.Class, r); ok {
				impliedBy = append(impliedBy, r.Origin+" (explained by "+by+")")
				continue
			}
			hits = append(hits, r.Origin)
			// The proof is the origin every browser can send (null before file://), then the
			// one that reads with credentials.
			if proof == nil || (proof.Class == ClassFile && r.Class != ClassFile) ||
				(r.Class == proof.Class && r.include.Allowed && !proof.include.Allowed) {
				proof = r
			}
		}
		if proof == nil {
			return nil
		}
		var b strings.Builder
		fmt.Fprintf(&b, "Origin %s is allowed by name (Access-Control-Allow-Origin: %s", proof.Origin, proof.acao)
		if proof.acac != "" {
			fmt.Fprintf(&b, ", Access-Control-Allow-Credentials: %s", proof.acac)
		}
		b.WriteString("); ")
		b.WriteString(s.readText(proof))
		if proof.Base != "" {
			fmt.Fprintf(&b, " The probe was built from %s.", proof.Base)
		}
		if len(hits) > 1 {
			fmt.Fprintf(&b, " Accepted probes of this class: %s.", strings.Join(hits, ", "))
		}
		if len(impliedBy) > 0 {
			fmt.Fprintf(&b, " Not counted here: %s.", strings.Join(impliedBy, ", "))
		}
		f := s.newFinding(rule, proof, b.String())
		s.rateBypass(&f, proof)
		return []hit{{f: f}}
	}
}

func (s *session) readText(r *result) string {
	switch {
	case r.include.Allowed:
		return "Fetch: readable with credentials: include in every browser, and without credentials" + s.certCarried() + "."
	case r.omit.Allowed:
		return "Fetch: readable without credentials (omit / same-origin) only; with credentials: include the check fails (" + r.include.Step + "). " + s.browserNote()
	}
	return "Fetch: not readable (" + r.omit.Step + ")."
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

// preflightOnlyReflection reports an untrusted origin that the preflight allows by name while
// the GET answer does not (a proxy answering OPTIONS itself in front of an app allowlist). The
// browser then sends the PUT or DELETE with the victim's credentials; reading the answer
// depends on the actual response, which crossgate does not provoke (only safe methods are
// sent), so this is at least a cross-origin write with the victim's identity.
func (s *session) preflightOnlyReflection(rule string, credentialed bool) []hit {
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
		f := finding.New(rule)
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

// rateBypass applies rules.md "Severity" to a bypass class: one level up when the bypass
// origin reads the victim's sensitive data, one level down when it reads only what anyone
// can fetch.
func (s *session) rateBypass(f *finding.Finding, r *result) {
	base := f.BaseSeverity
	origin := r.Origin
	page := "a page on " + origin
	if origin == "null" {
		page = "a sandboxed iframe or data: page (Origin: null)"
	}
	if origin == fileOrigin {
		page = "a local file page in a client that sends Origin: file://"
	}
	switch {
	case r.ex.Status >= 400:
		sev := base
		if sev > finding.Low {
			sev = finding.Low
		}
		f.SetSeverity(sev, upper(page)+" reads only an error response (status "+strconv.Itoa(r.ex.Status)+").")
	case origin == fileOrigin:
		f.SetSeverity(finding.Low, "Chromium and Firefox send Origin: null from file: pages, never file://, so only clients that send file:// (some embedded WebViews of hybrid apps) read this, and the victim must first open the attacker's file in one.")
	case r.include.Allowed && s.authenticated():
		if s.f.sensitive {
			f.SetSeverity(base.Raise(1), "Every browser lets "+page+" read this "+s.authDescription()+" response with credentials: include (simple GET), and it carries "+s.f.what+".")
		} else {
			f.SetSeverity(base, "Every browser lets "+page+" read this "+s.authDescription()+" response with credentials: include; it carries no sensitive data crossgate recognised.")
		}
	case r.omit.Allowed && s.f.mtls && s.f.certSent:
		reason := "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so " + page + " reads this authenticated response there; Firefox sends no certificate and " + s.firefoxGets()
		if s.f.sensitive {
			f.SetSeverity(base.Raise(1), reason+"; it carries "+s.f.what+".")
		} else {
			f.SetSeverity(base, reason+"; it carries no sensitive data crossgate recognised.")
		}
	case r.include.Allowed:
		f.SetSeverity(base, upper(page)+" reads this response with credentials: include in every browser; the endpoint shows no authentication (no required client certificate, no session cookie), and the body carries "+s.dataPhrase()+".")
	default:
		why := "the endpoint is not authenticated (no required client certificate, no session cookie)"
		if s.f.cookies {
			why = "cookies are only sent with credentials: include, which this response does not allow"
		}
		f.SetSeverity(base.Raise(-1), upper(page)+" reads this response only without credentials and "+why+", so it gets what anyone can fetch ("+s.dataPhrase()+").")
	}
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// --- hygiene ------------------------------------------------------------------------------

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
	f := s.newFinding("cors-credentials-on-disallowed-origin", proof, fmt.Sprintf(
		"Access-Control-Allow-Credentials: true is sent to %d origins the evaluator does not allow (e.g. %s: %s); django-cors-headers before 4.3 (Debian 12 ships 3.14) does this with CORS_ALLOW_CREDENTIALS = True.",
		len(hits), proof.Origin, proof.omit.Step))
	f.SetSeverity(finding.Info, "No browser reads these responses (no matching Access-Control-Allow-Origin); it is typically a fingerprint of django-cors-headers before 4.3 and makes ACAC alone meaningless as a signal.")
	return []hit{{f: f}}
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
	f := s.newFinding("cors-missing-vary-origin", proof, fmt.Sprintf(
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

func maxAge(h http.Header) int {
	v, _ := cors.HeaderValue(h, "Access-Control-Max-Age")
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return -1
	}
	return n
}

// preflightFacts is what the evaluator concludes about one preflight answer.
type preflightFacts struct {
	p                        *preflight
	corsOK                   bool // the origin passes the CORS check of the preflight
	unusual, header, authz   bool
	unusualCred, headerCred  bool
	age                      int
	pna                      bool
	methodAllowed, credAllow bool
}

func evalPreflight(p *preflight) preflightFacts {
	pf := preflightFacts{p: p, age: -1}
	if p == nil || !p.ex.OK() {
		return pf
	}
	st, h := p.ex.Status, p.ex.Header
	chk := func(method string, hdr http.Header, cred cors.CredentialsMode) bool {
		return cors.CheckPreflight(cors.Request{Origin: p.origin, Method: method, Headers: hdr, Credentials: cred}, st, h).Allowed
	}
	pf.corsOK = chk(http.MethodGet, nil, cors.Omit)
	pf.methodAllowed = chk(p.method, nil, cors.Omit)
	pf.credAllow = chk(p.method, nil, cors.Include)
	switch p.method {
	case unusualMethod:
		pf.unusual = pf.methodAllowed
		pf.unusualCred = pf.credAllow
	case http.MethodPut:
		pf.header = chk(http.MethodPut, http.Header{"X-Crossgate-Test": {"1"}}, cors.Omit)
		pf.headerCred = chk(http.MethodPut, http.Header{"X-Crossgate-Test": {"1"}}, cors.Include)
		pf.authz = chk(http.MethodPut, http.Header{"Authorization": {"Bearer x"}}, cors.Omit)
		acapn, _ := cors.HeaderValue(h, "Access-Control-Allow-Private-Network")
		pf.pna = acapn == "true"
	}
	pf.age = maxAge(h)
	return pf
}

func checkPermissivePreflight(s *session) []hit {
	type group struct {
		origin   string
		trusted  bool
		problems []string
		proof    *preflight
		cred     bool
		wide     bool // a made-up method or header is allowed, not just a long max-age
	}
	var groups []*group
	byOrigin := map[string]*group{}
	for _, p := range s.pre {
		pf := evalPreflight(p)
		if !pf.corsOK {
			continue
		}
		g := byOrigin[p.origin]
		if g == nil {
			g = &group{origin: p.origin, trusted: p.trusted}
			byOrigin[p.origin] = g
			groups = append(groups, g)
		}
		add := func(problem string) {
			for _, x := range g.problems {
				if x == problem {
					return
				}
			}
			g.problems = append(g.problems, problem)
			if g.proof == nil {
				g.proof = p
			}
		}
		if pf.unusual {
			add("the made-up method " + unusualMethod + " is allowed (Access-Control-Allow-Methods: " + hv(p.ex.Header, "Access-Control-Allow-Methods") + ")")
			g.cred = g.cred || pf.unusualCred
			g.wide = true
		}
		if pf.header {
			add("the made-up request header " + testHeader + " is allowed (Access-Control-Allow-Headers: " + hv(p.ex.Header, "Access-Control-Allow-Headers") + ")")
			g.cred = g.cred || pf.headerCred
			g.wide = true
		}
		if pf.age > maxAgeLimit {
			add("Access-Control-Max-Age is " + strconv.Itoa(pf.age) + " s (more than a day)")
		}
	}
	// When an untrusted origin already gets a permissive answer, the trusted origin's (the
	// same policy) adds nothing, and its "only the trusted origin" reason would be false.
	untrustedHit := false
	for _, g := range groups {
		untrustedHit = untrustedHit || (!g.trusted && len(g.problems) > 0)
	}
	var out []hit
	for _, g := range groups {
		if len(g.problems) == 0 || (g.trusted && untrustedHit) {
			continue
		}
		who := "an origin the user did not name as trusted"
		if g.trusted {
			who = "the trusted origin"
		}
		f := finding.New("cors-permissive-preflight")
		f.Detail = fmt.Sprintf("Preflight from %s (%s): %s.", g.origin, who, strings.Join(g.problems, "; "))
		f.Evidence = s.env.Evidence(g.proof.ex)
		switch {
		case !g.wide:
			// MDN, Access-Control-Max-Age: Firefox caps it at 24 hours, Chromium at 2 hours.
			f.SetSeverity(finding.Low, "Only the cache lifetime is long, and browsers cap it (Firefox at 24 hours, Chromium at 2 hours), so it merely delays a policy change reaching browsers that cached this answer.")
		case g.trusted:
			f.SetSeverity(finding.Low, "Only the trusted origin gets this answer, so it widens what a compromise of that origin can do rather than opening the API to others.")
		case g.cred && s.authenticated() && s.f.mtls && !s.f.optional:
			f.SetSeverity(finding.High, "Chromium presents the client certificate on the preflight and the request, so a page on "+g.origin+" sends arbitrary methods and headers with credentials to this "+s.authDescription()+" endpoint after one preflight there; Firefox sends the preflight without a certificate, which this endpoint refuses (unless it exempts OPTIONS from the certificate check).")
		case g.cred && s.authenticated():
			f.SetSeverity(finding.High, "Any browser lets a page on "+g.origin+" send arbitrary methods and headers with credentials to this "+s.authDescription()+" endpoint after one preflight.")
		default:
			f.SetSeverity(finding.Medium, "A page on "+g.origin+" may send arbitrary methods or headers to this endpoint, and the answer reveals which verbs it accepts.")
		}
		key := "untrusted"
		if g.trusted {
			key = "trusted"
		}
		out = append(out, hit{f, key})
	}
	return out
}

func hv(h http.Header, name string) string {
	v, ok := cors.HeaderValue(h, name)
	if !ok {
		return "(absent)"
	}
	return v
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
		f := finding.New("cors-private-network")
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
	case "authorization", "proxy-authorization", "set-cookie", "cookie", "client-cert", "client-cert-chain",
		"x-forwarded-client-cert", "x-csrftoken", "x-csrf-token", "x-api-key", "api-key":
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
	f := s.newFinding("cors-sensitive-exposed-headers", best, fmt.Sprintf(
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
		f := s.newFinding("cors-proxy-conflict", list, fmt.Sprintf(
			"The response to Origin %s carries one Access-Control-Allow-Origin header holding a list (%q); the header takes a single origin, so no browser accepts it (%s). Several origins need the server to compare the Origin header with its list and echo the one that matches.",
			list.Origin, list.acao, list.omit.Step))
		f.SetSeverity(finding.Low, "No browser reads a response whose Access-Control-Allow-Origin is a list, so nothing is exposed; the legitimate cross-origin callers are broken.")
		return []hit{{f: f, key: "list"}}
	}
	if proof == nil {
		return nil
	}
	f := s.newFinding("cors-proxy-conflict", proof, "Two layers set CORS headers and disagree: "+strings.Join(reasons, "; ")+".")
	f.SetSeverity(finding.Medium, "Conflicting layers make the effective policy depend on which header wins per response: legitimate cross-origin calls break and a proxy-level * re-opens what the app restricts.")
	return []hit{{f: f}}
}

// --- remediation --------------------------------------------------------------------------

func remediation(rule string, s *session) string {
	stack := remedy.Generic
	switch s.env.Facts.Stack {
	case "django":
		stack = remedy.Django
	case "nginx":
		stack = remedy.Nginx
	}
	r, _ := finding.Lookup(rule)
	return r.Advice + "\n" + remedy.CORS(stack, s.env.TrustedOrigins)
}
