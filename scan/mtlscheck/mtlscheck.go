package mtlscheck

import (
	"context"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/internal/prose"
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
// control against endpoints that echo headers, TLS 1.0/1.1 handshakes 2.
const Budget = 2 + 3 + 9 + maxMinimise + 1 + 2

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
		s.certProbes(ctx)
		s.spoof(ctx)
		s.confusion(ctx)
		s.weakProtocols(ctx)
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
		case sens.Any() && f.Rule == "mtls-identity-confusion":
			f.SetSeverity(finding.Critical, "another client's trusted certificate obtains this user's content, which carries "+sens.Describe()+".")
		case sens.Any() && f.Rule == "mtls-expired-cert-accepted":
			f.SetSeverity(finding.Critical, "an expired certificate, which the server must no longer accept, obtains content carrying "+sens.Describe()+".")
		case f.Rule == "mtls-expired-cert-accepted" && f.SeverityReason == "":
			f.SetSeverity(f.Severity, "an expired certificate obtains the authenticated content; no sensitive data was recognised in it, so the catalogue severity stands.")
		case sens.Any():
			f.SetSeverity(finding.Critical, "the content obtained without a trusted certificate carries "+sens.Describe()+".")
		case f.Rule == "mtls-identity-confusion" && f.SeverityReason == "":
			f.SetSeverity(f.Severity, "another client's trusted certificate obtains this user's content; no sensitive data was recognised in it, so the catalogue severity stands.")
		case f.SeverityReason == "":
			f.SetSeverity(f.Severity, "the authenticated content is reachable without a trusted certificate; no sensitive data was recognised in it, so the catalogue severity stands.")
		}
	}
	f.Remediation = remedy.MTLS(remedy.Stack(s.env.Facts.Stack), f.Rule)
	if f.Rule == "mtls-ca-list-disclosure" || f.Rule == "tls-weak-protocol" {
		s.env.StampSite(&f, discriminator) // a property of the host's TLS, not of this path
	} else {
		s.env.Stamp(&f, discriminator)
	}
	s.res.Findings = append(s.res.Findings, f)
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
	f := finding.New("mtls-not-requested")
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

func (s *assessment) optionalNotEnforced() {
	if !s.open {
		return
	}
	c := s.compare(s.env.Facts.Anonymous)
	f := finding.New("mtls-optional-not-enforced")
	f.Detail = fmt.Sprintf("The server asks for a client certificate but does not require one: a request without any certificate got %s.", c.why)
	f.Evidence = s.env.Evidence(s.env.Facts.Anonymous, "baseline with the user's certificate: "+describe(s.env.Facts.Baseline),
		"auth: "+s.env.Facts.AuthReason)
	s.bypassed = true
	s.add(f, "", true)
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
	f := finding.New("mtls-ca-list-disclosure")
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

func (s *assessment) httpOnly() {
	if s.env.Facts.Auth != endpoint.AuthRequiredHTTP {
		return
	}
	f := finding.New("mtls-http-only-enforcement")
	f.Detail = "The client certificate is enforced only at HTTP level: " + s.env.Facts.AuthReason +
		". Browsers that follow the Fetch standard send no client certificate on CORS preflights and non-credentialed requests, " +
		"so those get the error after a completed handshake instead of a failed one, while Chromium presents the certificate anyway; " +
		"TLS-only scanners report such an endpoint as not requiring a certificate."
	f.Evidence = s.env.Evidence(s.env.Facts.Anonymous)
	s.add(f, "", false)
}

// mint returns a throwaway identity with a unique name (the probe client keys transports and
// its cache by name, so a reused name would present an earlier key).
func mint(kind string, leaf *pki.Leaf) *probe.Identity {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &probe.Identity{Name: "minted-" + kind + "-" + hex.EncodeToString(b[:]), Certificate: &leaf.TLS, Minted: true}
}

func (s *assessment) mintSubject() pkix.Name {
	if leaf := s.env.User.Leaf(); leaf != nil {
		n := leaf.Subject
		n.Names = nil
		return n
	}
	return pkix.Name{CommonName: "crossgate-probe", Organization: []string{"crossgate"}}
}

type certProbe struct {
	label string
	id    *probe.Identity
	ex    *probe.Exchange
	cmp   comparison
}

// certProbes presents certificates the server must not trust: one from a throwaway CA and a
// self-signed one, both copying the user's subject, one expired from the throwaway CA, and
// the user's own `expired` identity if given. A minted certificate can only ever prove
// "any certificate accepted": crossgate has no key of the CA the server trusts, so an expiry
// check is testable only with an expired certificate that CA issued (--identity expired=...).
func (s *assessment) certProbes(ctx context.Context) {
	var expiredUser *probe.Identity
	for _, id := range s.env.Extra {
		if id != nil && id.Name == ExpiredIdentity && id.Certificate != nil {
			expiredUser = id
		}
	}
	if !s.requested {
		if expiredUser != nil || s.env.HasCert() {
			s.note("certificate probes skipped: the server never sent a CertificateRequest, so no client certificate is ever presented")
		}
		return
	}
	if s.open {
		s.note("certificate probes skipped: the endpoint already serves its content without any certificate")
		return
	}
	subj := s.mintSubject()
	ca := pki.NewCA("crossgate throwaway CA " + prose.RandHex(4))
	now := time.Now()
	probes := []*certProbe{
		{label: "a certificate from a throwaway CA crossgate minted, copying the user's subject", id: mint("other-ca", ca.Issue(pki.Options{Subject: subj}))},
		{label: "a self-signed certificate copying the user's subject", id: mint("self-signed", pki.SelfSigned(pki.Options{Subject: subj}))},
		{label: "an expired certificate from the throwaway CA, copying the user's subject", id: mint("expired", ca.Issue(pki.Options{Subject: subj,
			NotBefore: now.Add(-60 * 24 * time.Hour), NotAfter: now.Add(-30 * 24 * time.Hour)}))},
	}
	for _, p := range probes {
		p.ex = s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: p.id, Fresh: true})
		p.cmp = s.compare(p.ex)
		if p.ex.OK() && s.anyCert == nil && !p.cmp.granted && p != probes[2] {
			s.anyCert, s.anyCertEx = p.id, p.ex
		}
	}
	var granted []*certProbe
	for _, p := range probes[:2] {
		if p.cmp.granted {
			granted = append(granted, p)
		}
	}
	expiredToo := probes[2].cmp.granted
	if len(granted) == 0 && expiredToo {
		granted = append(granted, probes[2])
		expiredToo = false
	}
	if len(granted) > 0 {
		f := finding.New("mtls-any-cert-accepted")
		var ws []string
		for _, p := range granted {
			ws = append(ws, p.label+" ("+p.cmp.why+")")
		}
		f.Detail = "The server accepted " + strings.Join(ws, ", and ") + "."
		notes := []string{"the certificates were minted by crossgate at run time and sent only to this host; the curl command needs such a certificate, e.g. `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=...' -keyout CLIENT_KEY.pem -out CLIENT_CERT.pem`"}
		if expiredToo {
			notes = append(notes, "an expired certificate from the same unknown CA was accepted too: neither issuer nor validity is checked")
		}
		for _, p := range probes {
			notes = append(notes, p.id.Name+": "+describe(p.ex))
		}
		f.Evidence = s.env.Evidence(granted[0].ex, notes...)
		s.bypassed, s.anyGrant = true, true
		s.add(f, "", true)
	} else if !s.ecdsaOK {
		s.note("minted certificates are ECDSA P-256 and the server's CertificateRequest lists no ECDSA signature scheme, so their rejection does not prove the CA is checked")
	}
	if expiredUser != nil {
		s.expired(ctx, expiredUser)
	}
}

func (s *assessment) expired(ctx context.Context, id *probe.Identity) {
	leaf := id.Leaf()
	if leaf == nil {
		return
	}
	if time.Now().Before(leaf.NotAfter) {
		s.note("the %q identity is not expired (valid until %s); skipped", id.Name, leaf.NotAfter.UTC().Format(time.RFC3339))
		return
	}
	ex := s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: id, Fresh: true})
	c := s.compare(ex)
	if !c.granted && ex.OK() && ex.Status < 300 && s.reference() != nil {
		// An expired certificate may map to another user; any success that an anonymous
		// request did not get counts as accepted.
		anon := s.env.Facts.Anonymous
		if !anon.OK() || anon.Status >= 400 {
			c = comparison{granted: true, why: fmt.Sprintf("HTTP %d where the request without a certificate was refused (%s)", ex.Status, describe(anon))}
		}
	}
	if !c.granted {
		return
	}
	f := finding.New("mtls-expired-cert-accepted")
	f.Detail = fmt.Sprintf("The %q identity's certificate (subject %q, expired %s) was accepted: %s.",
		id.Name, leaf.Subject.String(), leaf.NotAfter.UTC().Format(time.RFC3339), c.why)
	f.Evidence = s.env.Evidence(ex, "anonymous: "+describe(s.env.Facts.Anonymous))
	s.add(f, "", true)
}
