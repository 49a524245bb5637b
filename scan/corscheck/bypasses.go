package corscheck

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/crossgate/crossgate/cors"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
)

// Bypass rules: one per class of origin an allowlist lets through by mistake (null, prefix,
// suffix, substring, unescaped dot, special characters, sub-domains, http, shared hosting,
// localhost, another port).

var ruleNullOrigin = finding.Rule{
	ID: "cors-null-origin", Family: "cors", Severity: finding.High, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023", ReadRank: 4,
	Title:   "Origin null is trusted",
	Summary: "Origin: null is allowed (sandboxed iframes, data: and file pages send it).",
	Advice:  "Remove \"null\" from the allowed origins: sandboxed iframes and data: pages send it.",
}

var rulePrefixBypass = finding.Rule{
	ID: "cors-prefix-bypass", Family: "cors", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", ReadRank: 5,
	Title:   "Origin allowlist checked by prefix",
	Summary: "https://trusted.example.com.evil.net is allowed (allowlist checked with \"starts with\").",
	Advice:  "Compare the whole origin for equality (or anchor the regex with $), not with \"starts with\".",
}

var ruleSuffixBypass = finding.Rule{
	ID: "cors-suffix-bypass", Family: "cors", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", ReadRank: 6,
	Title:   "Origin allowlist checked by suffix",
	Summary: "https://eviltrusted.example.com / https://evil-example.com style origins allowed (\"ends with\", .* before the domain).",
	Advice:  "Compare the whole origin for equality (or anchor the regex at both ends and require a dot before the domain), not with \"ends with\".",
}

var ruleSubstringBypass = finding.Rule{
	ID: "cors-substring-bypass", Family: "cors", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", ReadRank: 7,
	Title:   "Origin allowlist checked by substring",
	Summary: "an origin that merely contains the trusted name is allowed.",
	Advice:  "Compare the whole origin for equality, not with \"contains\" or \"in\".",
}

var ruleUnescapedDotBypass = finding.Rule{
	ID: "cors-unescaped-dot-bypass", Family: "cors", Severity: finding.High, CWE: []string{"CWE-346"}, OWASP: "API8:2023", ReadRank: 8,
	Title:   "Origin regex has an unescaped dot",
	Summary: "a regex dot is unescaped: https://trustedXexample.com is allowed.",
	Advice:  "Escape every dot in origin regexes (\\.) and anchor them with ^ and $.",
}

var ruleSpecialCharBypass = finding.Rule{
	ID: "cors-special-char-bypass", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-346"}, OWASP: "API8:2023", ReadRank: 9,
	Title:   "Origin parser confused by special characters",
	Summary: "parser confusion with _,   , }, %60 and similar characters in the host.",
	Advice:  "Parse the origin and compare scheme, host and port exactly; do not match it with a loose regex.",
}

var ruleAnySubdomain = finding.Rule{
	ID: "cors-any-subdomain", Family: "cors", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023", ReadRank: 12,
	Title:   "Every subdomain is a trusted origin",
	Summary: "every subdomain of the site is trusted (one XSS on any subdomain reads the API).",
	Advice:  "Allow the sub-domains that host the browser app by name, not every sub-domain.",
}

var ruleHTTPOriginTrusted = finding.Rule{
	ID: "cors-http-origin-trusted", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942", "CWE-319"}, OWASP: "API8:2023", ReadRank: 13,
	Title:   "Plain-http origin trusted by an https API",
	Summary: "an http:// origin is trusted by an https:// API (network attacker injects script there).",
	Advice:  "Allow only https:// origins on an https:// API.",
}

var ruleThirdPartyOrigin = finding.Rule{
	ID: "cors-third-party-origin", Family: "cors", Severity: finding.Medium, CWE: []string{"CWE-942"}, OWASP: "API8:2023", ReadRank: 10,
	Title:   "Shared-hosting origin trusted",
	Summary: "shared hosting origins are trusted (*.github.io, *.herokuapp.com, *.s3.amazonaws.com, codepen, jsfiddle...).",
	Advice:  "Remove shared-hosting origins (github.io, herokuapp.com, S3, codepen, jsfiddle) from the allowlist: anyone can publish there.",
}

var ruleLocalhostOrigin = finding.Rule{
	ID: "cors-localhost-origin", Family: "cors", Severity: finding.Low, CWE: []string{"CWE-942"}, OWASP: "API8:2023", ReadRank: 14,
	Title:   "Localhost origin trusted",
	Summary: "http://localhost / 127.0.0.1 origins are trusted in production.",
	Advice:  "Keep localhost origins out of production settings.",
}

var ruleAnyPort = finding.Rule{
	ID: "cors-any-port", Family: "cors", Severity: finding.Low, CWE: []string{"CWE-942", "CWE-346"}, OWASP: "API8:2023",
	Title:   "Trusted origin accepted on any port",
	Summary: "The allowlist ignores the port: https://trusted.example.com:1337 is allowed, so any other service on the trusted host can read the API.",
	Advice:  "Compare the whole origin, port included: scheme, host and port must all equal an allowlist entry.",
}

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
			return ruleSubstringBypass.ID, true
		}
	case ClassDot, ClassSubdomain:
		if substring {
			return ruleSubstringBypass.ID, true
		}
		if suffixOf(r) {
			return ruleSuffixBypass.ID, true
		}
	case ClassPort:
		// An unanchored ^https://host regex accepts :1337 as it accepts .evil.example.
		if sameBase(ClassPrefix) {
			return rulePrefixBypass.ID, true
		}
		if substring {
			return ruleSubstringBypass.ID, true
		}
	case ClassSpecial:
		if sameBase(ClassPrefix) {
			return rulePrefixBypass.ID, true
		}
		if substring {
			return ruleSubstringBypass.ID, true
		}
	}
	return "", false
}

// bypass is the check of a rule that one or more origin classes prove.
func bypass(rule finding.Rule, classes ...Class) check {
	return check{rule, func(s *session) []hit {
		if s.reflectAll() {
			return nil
		}
		var hits, impliedBy, loose []string
		var proof *result
		var accepted []*result
		for _, c := range classes {
			accepted = append(accepted, s.acceptedOf(c)...)
			loose = append(loose, s.unsendableEchoes(c)...)
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
			return unsendableOnly(s, rule, loose)
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
		if len(loose) > 0 {
			fmt.Fprintf(&b, " Also echoed, though no browser can send them: %s.", strings.Join(loose, ", "))
		}
		f := s.newFinding(rule, proof, b.String())
		s.rateBypass(&f, proof)
		return []hit{{f: f}}
	}}
}

// rateBypass rates a bypass class by the severity model (readSeverity): who can host the page
// (the class), whose content it reads, and what the content carries.
func (s *session) rateBypass(f *finding.Finding, r *result) {
	origin := r.Origin
	page := "a page on " + origin
	if origin == "null" {
		page = "a sandboxed iframe or data: page (Origin: null)"
	}
	if origin == fileOrigin {
		page = "a local file page in a client that sends Origin: file://"
	}
	e := s.exposureOf(r)
	sev := readSeverity(reachOf(r.Class), e, s.f.sensitive, r.ex.Status >= 400)
	var why string
	switch {
	case r.ex.Status >= 400:
		why = prose.Capitalise(page) + " reads only an error response (status " + strconv.Itoa(r.ex.Status) + ")."
	case e == exposeVictim:
		why = "Every browser lets " + page + " read this " + s.authDescription() + " response with credentials: include (simple GET); it carries " + s.dataPhrase() + "."
	case e == exposeVictimChromium:
		why = "Chromium (Chrome, Edge) presents the client certificate on non-credentialed requests, so " + page + " reads this authenticated response there; Firefox sends no certificate and " + s.firefoxGets() + "; it carries " + s.dataPhrase() + "."
	case r.include.Allowed:
		why = prose.Capitalise(page) + " reads this response with credentials: include in every browser, but the endpoint shows no authentication (no required client certificate, no session cookie), so it reads what anyone can fetch (" + s.dataPhrase() + ")."
	default:
		cause := "the endpoint is not authenticated (no required client certificate, no session cookie)"
		if s.f.cookies {
			cause = "cookies are only sent with credentials: include, which this response does not allow"
		}
		why = prose.Capitalise(page) + " reads this response only without credentials and " + cause + ", so it gets what anyone can fetch (" + s.dataPhrase() + ")."
	}
	if pre := precondition(r.Class); pre != "" && r.ex.Status < 400 {
		why += " " + pre
	}
	if origin == fileOrigin {
		// Only some WebViews send file://, and the victim must open the attacker's file in one.
		sev = finding.Low
		why += " Chromium and Firefox send Origin: null from file: pages, never file://, so only clients that send file:// (some embedded WebViews of hybrid apps) read this, and the victim must first open the attacker's file in one."
	}
	f.SetSeverity(sev, why)
}

// precondition says what an attacker needs before a page of class c can read (rated lower).
func precondition(c Class) string {
	switch c {
	case ClassSpecial:
		return "Rated lower: only Safari sends such a host, so the victim must use Safari."
	case ClassSubdomain:
		return "Rated lower: the attacker first needs a script on one of the site's own sub-domains (an XSS or a sub-domain takeover)."
	case ClassHTTP:
		return "Rated lower: the attacker needs to be on the victim's network path to inject a script into the plain-http page."
	case ClassPort:
		return "Rated lower: the attacker needs another service on the trusted host."
	case ClassLocalhost:
		return "Rated two steps lower: only code already running on the victim's machine serves a localhost page."
	case ClassFile:
		return "Rated two steps lower: it needs a client that sends Origin: file://."
	}
	return ""
}

// --- hygiene ------------------------------------------------------------------------------

// derivedRefused reports whether m is a look-alike of a host whose own origin (the target's,
// or a trusted one) was probed and not allowed by name. A check loose enough to let a
// look-alike through (starts with, ends with, contains, an unescaped dot, a parser that
// stops at a special character, a port left out) lets the host's own origin through too, so
// the look-alike's answer is known without sending it: refused. Two kinds are sent anyway,
// because an allowlist can name them without naming the host: its http:// downgrade
// (http://app.example.com listed by mistake) and its sub-domains (a regex for
// [a-z]+\.example\.com only).
func (s *session) derivedRefused(m Mutation) bool {
	switch m.Class {
	case ClassPrefix, ClassSuffix, ClassSubstring, ClassDot, ClassSpecial, ClassPort:
	default:
		return false
	}
	b, err := cors.ParseOrigin(m.Base)
	if m.Base == "" || err != nil || b.Opaque {
		return false
	}
	probed := false
	for _, r := range s.results {
		if r.Class != ClassOwn && r.Class != ClassTrusted {
			continue
		}
		if o, err := cors.ParseOrigin(r.Origin); err != nil || o.Host != b.Host {
			continue
		}
		if !r.ok() || r.specific {
			return false // no answer says nothing; an allowed host is worth its look-alikes
		}
		probed = true
	}
	return probed
}

// containsKnown reports whether m, a contains probe (https://x<host>x.example), has a known
// answer: a check that lets an origin through because it contains the host also lets the
// prefix probe of the same host (https://<host>.evil-<rnd>.example) through, since that
// holds the host whole too. When the prefix probe was answered and not let through, no
// contains check is there and m would be refused. The other substring probe (the registered
// domain minus its first letter) finds a different check and is always sent.
func (s *session) containsKnown(m Mutation) bool {
	if !m.Contains {
		return false
	}
	for _, r := range s.results {
		if r.Class == ClassPrefix && r.Base == m.Base {
			return r.ok() && !r.specific
		}
	}
	return false
}

// afterKnown reports that m's answer is known without sending it: the probe it waits for
// (Mutation.After) was answered and refused. Every check that lets https://evil-example.com
// through (ends with "example.com", a regex without the leading dot) lets
// https://evil<rnd>app.example.com through too, since that name ends with the domain as well.
func (s *session) afterKnown(m Mutation) bool {
	if m.After == "" {
		return false
	}
	r := s.byOrigin[m.After]
	return r != nil && r.ok() && !r.specific
}
