package mtlscheck

import (
	"context"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/target"
	"github.com/crossgate/crossgate/internal/testpki"
	"github.com/crossgate/crossgate/probe"
)

// SpoofFamily is one set of identity headers a proxy in front of an app might set, and the
// app might trust without checking that the proxy, not the client, set them.
type SpoofFamily struct {
	Name   string
	Header http.Header // spelling kept exactly as written (underscores, case)
}

// spoofIdentity is what the forged headers claim.
type spoofIdentity struct {
	rfc2253, legacy string
	certDER         []byte
}

// canaryCN is claimed when the user gave no certificate: an obviously fake subject, never a
// real person's.
const canaryCN = "crossgate-spoof-canary"

func escapedPEM(der []byte) string {
	p := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	// nginx's $ssl_client_escaped_cert and ALB escape the PEM as a URI component.
	return strings.ReplaceAll(url.QueryEscape(string(p)), "+", "%20")
}

// SpoofFamilies returns the header sets sent, one request each, filled with the subject and
// certificate (never a key) of the identity claimed.
func SpoofFamilies(rfc2253, legacy string, certDER []byte) []SpoofFamily {
	sum := sha256.Sum256(certDER)
	esc := escapedPEM(certDER)
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = []string{kv[i+1]}
		}
		return out
	}
	return []SpoofFamily{
		{"X-SSL-Client-S-DN (RFC 2253) with X-SSL-Client-Verify", h("X-SSL-Client-S-DN", rfc2253, "X-SSL-Client-Verify", "SUCCESS")},
		{"X-SSL-Client-S-DN (legacy one-line form) with X-SSL-Client-Verify", h("X-SSL-Client-S-DN", legacy, "X-SSL-Client-Verify", "SUCCESS")},
		{"X-SSL-Client-Cert with X-SSL-Client-Verify", h("X-SSL-Client-Cert", esc, "X-SSL-Client-Verify", "SUCCESS")},
		{"X-Client-Cert", h("X-Client-Cert", esc, "X-Client-Cert-Dn", legacy, "X-Client-Cert-Subject-DN", rfc2253, "X-Client-Cert-Valid", "SUCCESS")},
		{"X-Forwarded-Client-Cert (Envoy XFCC)", h("X-Forwarded-Client-Cert", fmt.Sprintf("Hash=%s;Cert=\"%s\";Subject=\"%s\"", hex.EncodeToString(sum[:]), esc, rfc2253))},
		{"Client-Cert (RFC 9440)", h("Client-Cert", ":"+base64.StdEncoding.EncodeToString(certDER)+":")},
		{"X-Amzn-Mtls-Clientcert (AWS ALB)", h("X-Amzn-Mtls-Clientcert", esc, "X-Amzn-Mtls-Clientcert-Leaf", esc, "X-Amzn-Mtls-Clientcert-Subject", rfc2253)},
		{"X_SSL_Client_S_DN and X_SSL_Client_Verify (underscore variants)", h("X_SSL_Client_S_DN", rfc2253, "X_SSL_Client_Verify", "SUCCESS", "X_SSL_Client_Cert", esc)},
	}
}

// allFamilies merges every family into one request (the RFC 2253 DN wins where two collide).
func allFamilies(fams []SpoofFamily) SpoofFamily {
	all := http.Header{}
	for i := len(fams) - 1; i >= 0; i-- {
		for k, v := range fams[i].Header {
			all[k] = v
		}
	}
	return SpoofFamily{Name: "all identity headers together", Header: all}
}

var oidShort = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street",
	"2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.17": "postalCode",
	"0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
	"1.2.840.113549.1.9.1": "emailAddress",
}

// LegacyDN renders a DER subject in OpenSSL's one-line form, most significant RDN first
// ("/O=Example/CN=alice"), as nginx's $ssl_client_s_dn_legacy and older Apache write it.
func LegacyDN(rawSubject []byte) (string, error) {
	var seq pkix.RDNSequence
	rest, err := asn1.Unmarshal(rawSubject, &seq)
	if err != nil {
		return "", err
	}
	if len(rest) != 0 {
		return "", fmt.Errorf("trailing data after subject")
	}
	var b strings.Builder
	for _, rdn := range seq {
		for i, atv := range rdn {
			if i == 0 {
				b.WriteByte('/')
			} else {
				b.WriteByte('+')
			}
			name := oidShort[atv.Type.String()]
			if name == "" {
				name = atv.Type.String()
			}
			fmt.Fprintf(&b, "%s=%v", name, atv.Value)
		}
	}
	return b.String(), nil
}

func (s *scan) spoofTarget() spoofIdentity {
	leaf := s.env.User.Leaf()
	if leaf == nil {
		l := testpki.SelfSigned(testpki.Options{Subject: pkix.Name{CommonName: canaryCN, Organization: []string{"crossgate"}}})
		leaf = l.Cert
	}
	legacy, err := LegacyDN(leaf.RawSubject)
	if err != nil {
		legacy = "/CN=" + leaf.Subject.CommonName
	}
	return spoofIdentity{rfc2253: leaf.Subject.String(), legacy: legacy, certDER: leaf.Raw}
}

// spoof forges the identity headers a proxy would set, without a certificate the server
// trusts, and reports the header families that got the authenticated content.
func (s *scan) spoof(ctx context.Context) {
	if s.env.Options.NoSpoof {
		return
	}
	if s.anonHas {
		s.note("identity-header probes skipped: the content is served without any certificate already")
		return
	}
	if s.anyGrant {
		s.note("identity-header probes skipped: any certificate already gets the content")
		return
	}
	anon := s.env.Facts.Anonymous
	carrier, plain := probe.None, anon
	switch {
	case s.env.Facts.Auth == target.AuthRequiredTLS || nginxMarker(anon) != "":
		if s.anyCert == nil || nginxMarker(s.anyCertEx) != "" {
			s.note("identity-header probes not possible: the TLS terminator itself refuses requests without a certificate it trusts (%s), so forged headers never reach the application", describe(anon))
			return
		}
		carrier, plain = s.anyCert, s.anyCertEx
	case !anon.OK():
		s.note("identity-header probes not possible: the request without a certificate got no HTTP answer (%s)", describe(anon))
		return
	}
	if s.env.User.Leaf() == nil {
		s.marker = canaryCN
		defer func() { s.marker = "" }()
	}
	id := s.spoofTarget()
	fams := SpoofFamilies(id.rfc2253, id.legacy, id.certDER)
	fams = append(fams, allFamilies(fams))
	type hit struct {
		fam SpoofFamily
		ex  *probe.Exchange
		cmp comparison
	}
	var hits []hit
	for _, fam := range fams {
		ex := s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: carrier, Header: fam.Header})
		if c := s.compareWith(ex, plain); c.granted {
			hits = append(hits, hit{fam, ex, c})
		}
	}
	if len(hits) == 0 {
		return
	}
	single := hits
	if len(hits) > 1 && hits[len(hits)-1].fam.Name == "all identity headers together" {
		single = hits[:len(hits)-1]
	}
	var names []string
	for _, h := range single {
		names = append(names, h.fam.Name+" ["+strings.Join(headerNames(h.fam.Header), ", ")+"]")
	}
	f := finding.New("mtls-header-spoofing")
	how := "without any client certificate"
	if carrier != probe.None {
		how = "over a connection with a crossgate-minted certificate from an unknown CA (which the TLS layer let through)"
	}
	f.Detail = fmt.Sprintf("Forged identity headers claiming %q, sent %s, got the authenticated content: %s. Header(s) that worked: %s.",
		id.rfc2253, how, single[0].cmp.why, strings.Join(names, "; "))
	notes := []string{"request without the headers: " + describe(plain)}
	if len(single) == 1 && single[0].fam.Name == "all identity headers together" {
		notes = append(notes, "no single header family worked on its own; the combination did")
	}
	f.Evidence = s.env.Evidence(single[0].ex, notes...)
	s.bypassed = true
	s.add(f, single[0].fam.Name, true)
}

func headerNames(h http.Header) []string {
	var out []string
	for k := range h {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
