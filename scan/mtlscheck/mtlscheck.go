package mtlscheck

import (
	"context"
	"fmt"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// ExpiredIdentity is the --identity name that marks a certificate the user knows to be
// expired but issued by the CA the server trusts: the only honest way to test expiry checks.
const ExpiredIdentity = "expired"

// Budget is the most requests (and raw handshakes) the family sends per endpoint, besides
// one per extra --identity: Inspect 2, minted certificates 3, identity headers
// len(SpoofFamilies)+1 = 9, at most maxMinimise to show which of them were needed and 1
// control against endpoints that echo headers, TLS 1.0/1.1 handshakes 2 (1 unless the server
// picks TLS 1.1).
const Budget = 2 + 3 + 9 + maxMinimise + 1 + 2

// The rules register in the order the catalogue (docs/rules.md) lists them; each is declared
// beside its check (this file, certprobes.go, spoof.go, confusion.go, weaktls.go).
func init() {
	finding.Register(ruleNotRequested, ruleOptionalNotEnforced, ruleAnyCertAccepted, ruleExpiredCertAccepted,
		ruleHeaderSpoofing, ruleIdentityConfusion, ruleCAListDisclosure, ruleHTTPOnlyEnforcement, ruleTLSWeakProtocol)
}

// Result is what the family found on one endpoint, with the notes on what it could not test.
type Result struct {
	Findings []finding.Finding
	Notes    []string
}

// assessment is one endpoint's mTLS checks: what the inspection learned, the identities
// that got through, and the findings and notes so far.
type assessment struct {
	env       *endpoint.Env
	url       string
	marker    string // the user's common name, looked for in bodies
	requested bool   // a CertificateRequest was seen
	open      bool   // the anonymous request already gets the authenticated content, and certificates are requested
	anonHas   bool   // the anonymous request already gets the authenticated content
	ecdsaOK   bool   // the server accepts ECDSA signatures (minted certificates are ECDSA)
	res       Result
	bypassed  bool
	anyCert   *probe.Identity // a minted identity the TLS layer accepted, to carry spoofed headers
	anyCertEx *probe.Exchange // and its own answer
	anyGrant  bool            // a minted certificate already got the authenticated content
}

func (s *assessment) note(format string, a ...any) {
	s.res.Notes = append(s.res.Notes, fmt.Sprintf(format, a...))
}

// Scan runs every mTLS probe against env (after Inspect) and returns the findings, with the
// notes about probes that could not be made, for the report.
func Scan(ctx context.Context, env *endpoint.Env) Result {
	if env.User == nil {
		env.User = probe.None
	}
	s := &assessment{env: env, url: env.URL.String(), requested: certRequested(env.Facts.Baseline, env.Facts.Anonymous)}
	if leaf := env.User.Leaf(); leaf != nil {
		s.marker = leaf.Subject.CommonName
	}
	s.ecdsaOK = true
	if t := env.Facts.TLS; t != nil && len(t.SignatureScheme) > 0 {
		s.ecdsaOK = false
		for _, sc := range t.SignatureScheme {
			if strings.HasPrefix(sc, "ECDSA") {
				s.ecdsaOK = true
			}
		}
	}
	if env.Facts.Anonymous.OK() && env.HasCert() {
		s.anonHas = s.compare(env.Facts.Anonymous).granted
		s.open = s.anonHas && s.requested
	}

	s.notRequested()
	if env.URL.Scheme == "https" {
		s.optionalNotEnforced()
		s.caList()
		// On a confirming set, only the probes that proved the template's findings run.
		c := env.Confirm
		if c == nil || c.Has(ruleAnyCertAccepted.ID) || c.Has(ruleExpiredCertAccepted.ID) || c.Has(ruleHeaderSpoofing.ID) {
			s.certProbes(ctx)
		}
		if c == nil || c.Has(ruleHeaderSpoofing.ID) {
			s.spoof(ctx)
		}
		if c == nil || c.Has(ruleIdentityConfusion.ID) {
			s.confusion(ctx)
		}
		if !env.Site {
			s.weakProtocols(ctx) // the origin's TLS set-up: its first endpoint asked already
		}
		// Last: "enforced at HTTP level" is false once a bypass got the content.
		if !s.bypassed {
			s.httpOnly()
		}
	}
	if s.bypassed {
		env.Facts.Unauthenticated = true
	}
	return s.res
}

// add finishes a finding: severity correlation, remediation, evidence, URL and fingerprint.
func (s *assessment) add(f finding.Finding, discriminator string, bypass bool) {
	if bypass {
		sens := s.env.Facts.Sensitivity
		switch {
		case sens.Any() && f.Rule == ruleIdentityConfusion.ID:
			f.SetSeverity(finding.Critical, "another client's trusted certificate obtains this user's content, which carries "+sens.Describe()+".")
		case sens.Any() && f.Rule == ruleExpiredCertAccepted.ID:
			f.SetSeverity(finding.Critical, "an expired certificate, which the server must no longer accept, obtains content carrying "+sens.Describe()+".")
		case f.Rule == ruleExpiredCertAccepted.ID && f.SeverityReason == "":
			f.SetSeverity(f.Severity, "an expired certificate obtains the authenticated content; no sensitive data was recognised in it, so the catalogue severity stands.")
		case sens.Any():
			f.SetSeverity(finding.Critical, "the content obtained without a trusted certificate carries "+sens.Describe()+".")
		case f.Rule == ruleIdentityConfusion.ID && f.SeverityReason == "":
			f.SetSeverity(f.Severity, "another client's trusted certificate obtains this user's content; no sensitive data was recognised in it, so the catalogue severity stands.")
		case f.SeverityReason == "":
			f.SetSeverity(f.Severity, "the authenticated content is reachable without a trusted certificate; no sensitive data was recognised in it, so the catalogue severity stands.")
		}
	}
	f.Remediation = remediation(s.env.Facts.Stack, f.Rule)
	if f.Rule == ruleCAListDisclosure.ID || f.Rule == ruleTLSWeakProtocol.ID {
		s.env.StampSite(&f, discriminator) // a property of the host's TLS, not of this path
	} else {
		s.env.Stamp(&f, discriminator)
	}
	s.res.Findings = append(s.res.Findings, f)
}

var ruleNotRequested = finding.Rule{
	ID: "mtls-not-requested", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-306"}, OWASP: "API2:2023",
	Title:   "Server never requests a client certificate",
	Summary: "the user said the endpoint should require a client certificate, but the server never asks for one.",
	Advice:  "Make the TLS terminator request and verify a client certificate (nginx: ssl_verify_client on with ssl_client_certificate pointing at your client CA).",
}

// remediation is the rule's advice, then the fix in the target's dialect. Spoofed identity
// headers and confused identities are fixed in the application behind the terminator too.
func remediation(stack remedy.Stack, id string) string {
	rule, _ := finding.Lookup(id)
	layer := remedy.AtTerminator
	if id == ruleHeaderSpoofing.ID || id == ruleIdentityConfusion.ID {
		layer = remedy.InApplication
	}
	return remedy.MTLS(stack, rule.Advice, layer)
}

func (s *assessment) notRequested() {
	if !s.env.Options.ExpectMTLS || s.requested {
		return
	}
	if s.env.Facts.Auth == endpoint.AuthUntestable || s.env.Facts.Auth == endpoint.AuthRequiredTLS {
		return // a closed connection or post-handshake auth is not proof that nothing is asked
	}
	if !s.env.Facts.Anonymous.OK() {
		return
	}
	f := finding.New(ruleNotRequested.ID)
	f.Detail = "--expect-mtls says this endpoint must require a client certificate, but " + s.env.Facts.AuthReason + "."
	ev := s.env.Evidence(s.env.Facts.Anonymous, "CertificateRequest seen: no")
	f.Evidence = ev
	if s.env.Facts.Sensitivity.Any() {
		f.SetSeverity(finding.Critical, "the endpoint the user expects to be protected by mTLS returns "+s.env.Facts.Sensitivity.Describe()+" to anyone.")
	} else {
		f.SetSeverity(f.Severity, "the user declared the endpoint mTLS-protected, and anyone reaches it without a certificate.")
	}
	s.bypassed = true
	s.add(f, "", false)
}

var ruleOptionalNotEnforced = finding.Rule{
	ID: "mtls-optional-not-enforced", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-306", "CWE-287"}, OWASP: "API2:2023",
	Title:   "Protected content served without a client certificate",
	Summary: "the protected content comes back without any client certificate.",
	Advice:  "Require the certificate, not just request it: ssl_verify_client on (not optional / optional_no_ca), or reject every request whose $ssl_client_verify is not SUCCESS, in every location.",
}

func (s *assessment) optionalNotEnforced() {
	if !s.open {
		return
	}
	c := s.compare(s.env.Facts.Anonymous)
	f := finding.New(ruleOptionalNotEnforced.ID)
	f.Detail = fmt.Sprintf("The server asks for a client certificate but does not require one: a request without any certificate got %s.", c.why)
	f.Evidence = s.env.Evidence(s.env.Facts.Anonymous, "baseline with the user's certificate: "+describe(s.env.Facts.Baseline),
		"auth: "+s.env.Facts.AuthReason)
	s.bypassed = true
	s.add(f, "", true)
}

var ruleCAListDisclosure = finding.Rule{
	ID: "mtls-ca-list-disclosure", Family: "mtls", Severity: finding.Info, CWE: []string{"CWE-200"}, OWASP: "API8:2023",
	Title:   "CertificateRequest discloses internal CA names",
	Summary: "the CertificateRequest advertises internal CA names.",
	Advice:  "The acceptable-CA list is sent to anyone who connects (informational). Use a dedicated client CA whose name reveals nothing internal. nginx advertises every CA of ssl_client_certificate, and the nginx of Debian 12 (1.22) refuses ssl_trusted_certificate alone with ssl_verify_client, so the list cannot be emptied there; a Go terminator can verify in VerifyPeerCertificate with an empty ClientCAs.",
}

func (s *assessment) caList() {
	t := s.env.Facts.TLS
	if t == nil || len(t.AcceptableCAs) == 0 {
		if a := s.env.Facts.Anonymous.TLS; a != nil && len(a.AcceptableCAs) > 0 {
			t = a
		} else {
			return
		}
	}
	f := finding.New(ruleCAListDisclosure.ID)
	f.Detail = fmt.Sprintf("The CertificateRequest names %d acceptable CA(s), visible to anyone who connects: %s.",
		len(t.AcceptableCAs), strings.Join(quoteAll(t.AcceptableCAs), "; "))
	f.Evidence = finding.Evidence{Notes: append([]string{"acceptable CA names from the CertificateRequest (" + t.VersionName() + "):"}, t.AcceptableCAs...)}
	s.add(f, "", false)
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

var ruleHTTPOnlyEnforcement = finding.Rule{
	ID: "mtls-http-only-enforcement", Family: "mtls", Severity: finding.Info, CWE: []string{}, OWASP: "API8:2023",
	Title:   "Client certificate enforced only at HTTP level",
	Summary: "client certificate is demanded only at HTTP level (nginx answers 400), so preflights and non-credentialed requests are rejected after the handshake: a fact for the report, not a weakness.",
	Advice:  "Informational: the server completes the handshake without a certificate and refuses at HTTP level (nginx's ssl_verify_client on answers 400; an application that checks the verify result answers 403 itself). Keep ssl_verify_client on and the $ssl_client_verify check; expect CORS preflights from spec-following browsers to be refused.",
}

func (s *assessment) httpOnly() {
	if s.env.Facts.Auth != endpoint.AuthRequiredHTTP {
		return
	}
	f := finding.New(ruleHTTPOnlyEnforcement.ID)
	f.Detail = "The client certificate is enforced only at HTTP level: " + s.env.Facts.AuthReason +
		". Browsers that follow the Fetch standard send no client certificate on CORS preflights and non-credentialed requests, " +
		"so those get the error after a completed handshake instead of a failed one, while Chromium presents the certificate anyway; " +
		"TLS-only scanners report such an endpoint as not requiring a certificate."
	f.Evidence = s.env.Evidence(s.env.Facts.Anonymous)
	s.add(f, "", false)
}
