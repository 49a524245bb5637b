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
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/idheaders"
	"github.com/crossgate/crossgate/internal/pki"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
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

// SpoofFamilies returns the header sets sent, one request each (idheaders.Families), filled
// with the subject and certificate (never a key) of the identity claimed.
func SpoofFamilies(rfc2253, legacy string, certDER []byte) []SpoofFamily {
	sum := sha256.Sum256(certDER)
	esc := escapedPEM(certDER)
	values := map[idheaders.Value]string{
		idheaders.SubjectDN:       rfc2253,
		idheaders.SubjectDNLegacy: legacy,
		idheaders.Verified:        "SUCCESS",
		idheaders.EscapedPEM:      esc,
		idheaders.XFCC:            fmt.Sprintf("Hash=%s;Cert=\"%s\";Subject=\"%s\"", hex.EncodeToString(sum[:]), esc, rfc2253),
		idheaders.ByteSequence:    ":" + base64.StdEncoding.EncodeToString(certDER) + ":",
	}
	out := make([]SpoofFamily, 0, len(idheaders.Families))
	for _, fam := range idheaders.Families {
		h := http.Header{}
		for _, f := range fam.Fields {
			h[f.Name] = []string{values[f.Value]}
		}
		out = append(out, SpoofFamily{Name: fam.Name, Header: h})
	}
	return out
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

func (s *assessment) spoofTarget() spoofIdentity {
	leaf := s.env.User.Leaf()
	if leaf == nil {
		l := pki.SelfSigned(pki.Options{Subject: pkix.Name{CommonName: canaryCN, Organization: []string{"crossgate"}}})
		leaf = l.Cert
	}
	legacy, err := LegacyDN(leaf.RawSubject)
	if err != nil {
		legacy = "/CN=" + leaf.Subject.CommonName
	}
	return spoofIdentity{rfc2253: leaf.Subject.String(), legacy: legacy, certDER: leaf.Raw}
}

var ruleHeaderSpoofing = finding.Rule{
	ID: "mtls-header-spoofing", Family: "mtls", Severity: finding.Critical, CWE: []string{"CWE-290"}, OWASP: "API2:2023",
	Title:   "Client identity spoofable through request headers",
	Summary: "sending identity headers (X-SSL-Client-S-DN, X-SSL-Client-Verify, XFCC, X-Client-Cert, RFC 9440 Client-Cert, underscore variants...) without a valid certificate changes who the app thinks you are.",
	Advice:  "Never trust identity headers a client can send: overwrite every one with proxy_set_header in EVERY location that proxies, drop underscore variants, keep the app on loopback, and in the app require X-SSL-Client-Verify == \"SUCCESS\" before reading the subject.",
}

// spoof forges the identity headers a proxy would set, without a certificate the server
// trusts, and reports the header families that got the authenticated content.
func (s *assessment) spoof(ctx context.Context) {
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
	case s.env.Facts.Auth == endpoint.AuthRequiredTLS || nginxMarker(anon) != "":
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
	// First every header at once, and the one family whose value the union overrides (the
	// legacy one-line DN): an application that trusts any of these headers gets its identity
	// from one of the two requests. Only then is each family sent alone, to name the headers
	// that were needed; on the many endpoints that trust none, 2 requests instead of 9.
	send := func(fam SpoofFamily) *probe.Exchange {
		return s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: carrier, Header: fam.Header})
	}
	legacy, all := fams[1], fams[len(fams)-1]
	if !s.compareWith(send(all), plain).granted && !s.compareWith(send(legacy), plain).granted {
		return
	}
	var hits []spoofHit
	for _, fam := range fams {
		ex := send(fam) // the two above come from the client's cache
		if c := s.compareWith(ex, plain); c.granted {
			hits = append(hits, spoofHit{fam: fam, ex: ex, cmp: c})
		}
	}
	if len(hits) == 0 {
		return
	}
	var echoNote string
	if hits, echoNote = s.dropReflections(ctx, carrier, hits); len(hits) == 0 {
		s.note("%s", echoNote)
		return
	}
	single := hits
	if len(hits) > 1 && hits[len(hits)-1].fam.Name == "all identity headers together" {
		single = hits[:len(hits)-1]
	}
	left := maxMinimise
	known := map[string]bool{}
	var names, unneeded []string
	for i := range single {
		var dropped []string
		if single[i].fam.Name != "all identity headers together" {
			dropped = s.minimise(ctx, carrier, plain, &single[i], &left, known)
			unneeded = append(unneeded, dropped...)
		}
		h := single[i]
		label := h.fam.Name + " [" + strings.Join(headerNames(h.fam.Header), ", ") + "]"
		if len(dropped) > 0 {
			label += " (sent with it but not needed: " + strings.Join(dropped, ", ") + ")"
		}
		if !h.minimal && len(h.fam.Header) > 1 && h.fam.Name != "all identity headers together" {
			label += " (not reduced further: probe budget spent)"
		}
		names = append(names, label)
	}
	f := finding.New(ruleHeaderSpoofing.ID)
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
	if echoNote != "" {
		notes = append(notes, echoNote)
	}
	if len(unneeded) > 0 {
		notes = append(notes, "sent too but not needed (the same answer came back without them): "+strings.Join(slices.Compact(slices.Sorted(slices.Values(unneeded))), ", "))
	}
	f.Evidence = s.env.Evidence(single[0].ex, notes...)
	s.bypassed = true
	s.add(f, single[0].fam.Name, true)
}

func headerNames(h http.Header) []string { return slices.Sorted(maps.Keys(h)) }

type spoofHit struct {
	fam     SpoofFamily
	ex      *probe.Exchange
	cmp     comparison
	minimal bool // every header left was shown to be needed
}

// maxMinimise bounds the requests spent proving which headers of the families that worked
// were needed.
const maxMinimise = 3

// minimise resends h's family without each of its headers in turn, keeps the headers without
// which the content no longer came back, and returns the names of those that were not
// needed. A report that says "X-SSL-Client-S-DN with X-SSL-Client-Verify" when the app reads
// only the first sends the reader to fix the wrong check. h's exchange becomes the one with
// the reduced set, so the evidence shows exactly the headers that matter.
func (s *assessment) minimise(ctx context.Context, carrier *probe.Identity, plain *probe.Exchange, h *spoofHit, left *int, known map[string]bool) []string {
	var dropped []string
	// Headers an earlier family did without are tried first: the RFC 2253 and the legacy
	// DN families share their verify header, so the second costs one request, not two.
	names := headerNames(h.fam.Header)
	sort.SliceStable(names, func(i, j int) bool { return known[names[i]] && !known[names[j]] })
	for _, name := range names {
		if len(h.fam.Header) < 2 {
			break
		}
		if *left <= 0 {
			return dropped
		}
		*left--
		fewer := h.fam.Header.Clone()
		delete(fewer, name)
		ex := s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: carrier, Header: fewer})
		if c := s.compareWith(ex, plain); c.granted {
			h.fam.Header, h.ex, h.cmp = fewer, ex, c
			dropped = append(dropped, name)
			known[name] = true
		}
	}
	h.minimal = true
	return dropped
}

// dropReflections guards the weakest verdict, "the answer names the user", against an
// endpoint that echoes request headers (a debug or whoami view): every forged header that
// carries the user's name would then count. When a hit rests on that alone, all families are
// sent once more claiming a canary subject instead; if the answer names the canary, the
// endpoint reflects what it is sent and such hits are dropped. Hits whose body matches the
// authenticated baseline stand.
func (s *assessment) dropReflections(ctx context.Context, carrier *probe.Identity, hits []spoofHit) ([]spoofHit, string) {
	byName := false
	for _, h := range hits {
		byName = byName || h.cmp.byName
	}
	if !byName || s.env.User.Leaf() == nil {
		return hits, ""
	}
	l := pki.SelfSigned(pki.Options{Subject: pkix.Name{CommonName: canaryCN, Organization: []string{"crossgate"}}})
	legacy, err := LegacyDN(l.Cert.RawSubject)
	if err != nil {
		legacy = "/CN=" + canaryCN
	}
	control := allFamilies(SpoofFamilies(l.Cert.Subject.String(), legacy, l.Cert.Raw))
	ex := s.env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: s.url, Identity: carrier, Header: control.Header})
	if !ex.OK() || !ContainsToken(ex.Body, canaryCN) {
		return hits, ""
	}
	kept := hits[:0]
	for _, h := range hits {
		if !h.cmp.byName {
			kept = append(kept, h)
		}
	}
	return kept, fmt.Sprintf("the endpoint echoes request headers (a control request claiming %q got an answer naming it), so forged headers whose answer merely names the user were not counted", canaryCN)
}
