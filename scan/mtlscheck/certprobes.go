package mtlscheck

import (
	"context"
	"crypto/x509/pkix"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
)

// Certificate probes: certificates the server must refuse (an unknown CA, self-signed,
// expired) presented in place of the user's.

var ruleAnyCertAccepted = finding.Rule{
	ID: "mtls-any-cert-accepted", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-295"}, OWASP: "API2:2023",
	Title:   "Client certificate from an unknown CA accepted",
	Summary: "a certificate from an unknown CA (crossgate mints one) is accepted.",
	Advice:  "Verify the certificate chain against your own client CA only: ssl_client_certificate with that CA, ssl_verify_client on (never optional_no_ca, never a verify-nothing mode such as Go's RequireAnyClientCert), and check $ssl_client_verify = SUCCESS before trusting any identity.",
}

var ruleExpiredCertAccepted = finding.Rule{
	ID: "mtls-expired-cert-accepted", Family: "mtls", Severity: finding.High, CWE: []string{"CWE-295"}, OWASP: "API2:2023",
	Title:   "Expired client certificate accepted",
	Summary: "an expired certificate is accepted.",
	Advice:  "Let the TLS terminator check validity: ssl_verify_client on rejects expired certificates; do not ignore time in custom verification callbacks (e.g. Go VerifyPeerCertificate with a fixed CurrentTime).",
}

// mint returns a throwaway identity with a unique name (the probe client keys transports and
// its cache by name, so a reused name would present an earlier key).
func mint(kind string, leaf *pki.Leaf) *probe.Identity {
	return &probe.Identity{Name: "minted-" + kind + "-" + prose.RandHex(4), Certificate: &leaf.TLS, Minted: true}
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
// self-signed one, both copying the user's subject, one expired from the throwaway CA (only
// once one of the first two was accepted), and
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
	var granted []*certProbe
	for _, p := range probes[:2] {
		p.ex = s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: p.id, Fresh: true})
		p.cmp = s.compare(p.ex)
		if p.ex.OK() && s.anyCert == nil && !p.cmp.granted {
			s.anyCert, s.anyCertEx = p.id, p.ex
		}
		if p.cmp.granted {
			granted = append(granted, p)
		}
	}
	// The expired certificate from the same throwaway CA fails every check the valid one
	// fails, and one more: when both minted certificates were refused it would be refused too,
	// so it is sent only to tell, once the issuer is shown unchecked, whether validity is.
	sent := probes[:2]
	expiredToo := false
	if len(granted) > 0 {
		p := probes[2]
		p.ex = s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: p.id, Fresh: true})
		p.cmp = s.compare(p.ex)
		expiredToo, sent = p.cmp.granted, probes
	}
	if len(granted) > 0 {
		f := finding.New(ruleAnyCertAccepted.ID)
		var ws []string
		for _, p := range granted {
			ws = append(ws, p.label+" ("+p.cmp.why+")")
		}
		f.Detail = "The server accepted " + strings.Join(ws, ", and ") + "."
		notes := []string{"the certificates were minted by crossgate at run time and sent only to this host; the curl command needs such a certificate, e.g. `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=...' -keyout CLIENT_KEY.pem -out CLIENT_CERT.pem`"}
		if expiredToo {
			notes = append(notes, "an expired certificate from the same unknown CA was accepted too: neither issuer nor validity is checked")
		}
		for _, p := range sent {
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
	f := finding.New(ruleExpiredCertAccepted.ID)
	f.Detail = fmt.Sprintf("The %q identity's certificate (subject %q, expired %s) was accepted: %s.",
		id.Name, leaf.Subject.String(), leaf.NotAfter.UTC().Format(time.RFC3339), c.why)
	f.Evidence = s.env.Evidence(ex, "anonymous: "+describe(s.env.Facts.Anonymous))
	s.add(f, "", true)
}
