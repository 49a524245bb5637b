package exposurecheck

import (
	"crypto/x509"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crossgate/crossgate/exposure"
	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

var rulePIIInResponse = finding.Rule{
	ID: "pii-in-response", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-359"}, OWASP: "API3:2023",
	Title:   "Personal data in response",
	Summary: "emails, phone numbers, context-confirmed SSNs, Luhn-valid card numbers, IBANs in a response.",
}

var ruleSecretInResponse = finding.Rule{
	ID: "secret-in-response", Family: "exposure", Severity: finding.High, CWE: []string{"CWE-200", "CWE-522"}, OWASP: "API3:2023",
	Title:   "Secret in response",
	Summary: "API keys, private keys, tokens, DB URLs with passwords, password hashes in a response.",
}

// maxNotes bounds the per-match notes of one finding; a list endpoint with a thousand emails
// gets a count, not a thousand lines.
const maxNotes = 20

// hit is one detector match located in an exchange.
type hit struct {
	m      exposure.Match
	ex     *probe.Exchange
	header string // response header name, or "" for the body
	anon   bool   // seen in the certificate-less response
}

// scanExchange runs the detectors over ex's body and response headers. Set-Cookie is left
// to the cookie check: a session token there is the point of the header, not a leak.
func scanExchange(ex *probe.Exchange, anon bool) []hit {
	var hits []hit
	if !skipContent(ex.Header.Get("Content-Type")) {
		for _, m := range exposure.Scan(ex.Body) {
			hits = append(hits, hit{m: m, ex: ex, anon: anon})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ex.Header)) {
		if strings.EqualFold(k, "Set-Cookie") {
			continue
		}
		for _, v := range ex.Header[k] {
			// Scanned as "Name: value" so that key-name detectors see the header name.
			line := k + ": " + v
			for _, m := range exposure.Scan([]byte(line)) {
				if m.Start < len(k)+2 {
					continue // inside the name, not the value
				}
				m.Start -= len(k) + 2
				m.End -= len(k) + 2
				hits = append(hits, hit{m: m, ex: ex, header: k, anon: anon})
			}
		}
	}
	return hits
}

// sensitiveFindings reports pii-in-response and secret-in-response, once each per endpoint.
func (r *sweep) sensitiveFindings() []finding.Finding {
	var all []hit
	// Like the scan's own sensitivity pass, only content counts: a 4xx/5xx body is an
	// error page (judged by the error-page rules), and its contact addresses are not a leak.
	if b := r.env.Facts.Baseline; b.OK() && b.Status < 400 {
		all = append(all, scanExchange(b, false)...)
	}
	if r.anonymousGotContent() {
		all = append(all, scanExchange(r.env.Facts.Anonymous, true)...)
	}
	// The same value in both responses is one leak; the certificate-less sighting is the
	// one that matters for the rating.
	type key struct{ det, val string }
	idx := map[key]int{}
	var uniq []hit
	for _, h := range all {
		k := key{h.m.Detector, h.m.Value}
		if i, ok := idx[k]; ok {
			if h.anon {
				uniq[i].anon = true
			}
			continue
		}
		idx[k] = len(uniq)
		uniq = append(uniq, h)
	}
	var fs []finding.Finding
	if !slices.ContainsFunc(uniq, func(h hit) bool { return h.m.Kind == exposure.PII }) {
		if f, ok := r.testValueFinding(); ok {
			fs = append(fs, f)
		}
	}
	for _, kind := range []exposure.Kind{exposure.PII, exposure.Secret} {
		var hs []hit
		for _, h := range uniq {
			if h.m.Kind == kind {
				hs = append(hs, h)
			}
		}
		if len(hs) > 0 {
			fs = append(fs, r.sensitiveFinding(kind, hs, uniq))
		}
	}
	return fs
}

func (r *sweep) sensitiveFinding(kind exposure.Kind, hs, everything []hit) finding.Finding {
	rule := rulePIIInResponse
	if kind == exposure.Secret {
		rule = ruleSecretInResponse
	}
	f := finding.New(rule.ID)
	anon := false
	for _, h := range hs {
		anon = anon || h.anon
	}
	proof := r.env.Facts.Baseline
	if anon || !proof.OK() || proof.Status >= 400 {
		proof = r.env.Facts.Anonymous
	}

	inBody, inHeaders := false, map[string]bool{}
	for _, h := range hs {
		if h.header == "" {
			inBody = true
		} else {
			inHeaders[h.header] = true
		}
	}
	where := "the response body"
	if len(inHeaders) > 0 {
		hn := slices.Sorted(maps.Keys(inHeaders))
		hdr := "the response header " + strings.Join(hn, ", ")
		if len(hn) > 1 {
			hdr = "the response headers " + strings.Join(hn, ", ")
		}
		where = hdr
		if inBody {
			where = "the response body and " + hdr
		}
	}
	verb := "carries"
	if strings.Contains(where, " and ") || strings.Contains(where, "headers") {
		verb = "carry"
	}
	f.Detail = fmt.Sprintf("%s %s %s (redacted); %s.", prose.Capitalise(where), verb, describeHits(hs), r.exposureContext(anon, proof))

	switch kind {
	case exposure.PII:
		// The base high stands for personal data, except for a user reading their own record:
		// PII in a record that names the certificate holder, on an endpoint that refuses
		// requests without a certificate, with no bypass and no cross-origin reader found, is
		// what a profile page is for (info: a fact that raises the other findings).
		if !anon && !r.env.Facts.Unauthenticated && r.env.Facts.CrossOrigin == "" && r.env.Facts.Auth.RequiresCert() && r.ownProfile(hs) {
			f.SetSeverity(finding.Info, "the personal data belongs to the certificate holder (its subject appears in the record), the endpoint requires a client certificate ("+string(r.env.Facts.Auth)+") and no cross-origin read or bypass was found.")
		} else {
			f.SetSeverity(finding.High, "personal data ("+describeHits(hs)+") in the response; "+r.exposureContext(anon, proof)+".")
		}
	case exposure.Secret:
		if crit := criticalSecrets(hs); len(crit) > 0 {
			f.SetSeverity(finding.Critical, "the response carries "+strings.Join(crit, " and ")+": keys of this kind open infrastructure beyond this API (servers, cloud accounts, databases).")
		} else {
			f.SetSeverity(finding.High, "the response carries "+describeHits(hs)+"; "+r.exposureContext(anon, proof)+".")
		}
	}

	// Masking is by value, so every value seen anywhere is masked in the proof.
	spans := make([]span, 0, len(everything))
	for _, h := range everything {
		spans = append(spans, span{Start: h.m.Start, End: h.m.End, Value: h.m.Value})
	}
	f.Evidence = r.evidence(proof, spans, r.hitNotes(hs)...)
	f.Remediation = remediationSensitive(kind, stack(r.env))
	r.stamp(&f, "")
	return f
}

// exposureContext says who can read the response, in a clause.
func (r *sweep) exposureContext(anon bool, proof *probe.Exchange) string {
	var parts []string
	switch {
	case anon || r.env.Facts.Unauthenticated:
		parts = append(parts, "it is readable without a client certificate")
	case r.env.Facts.Auth.RequiresCert():
		parts = append(parts, "the endpoint requires a client certificate ("+string(r.env.Facts.Auth)+"), so a reader needs one, or a browser that holds one")
	case r.env.Facts.Auth == "" || r.env.Facts.Auth == "unknown":
		parts = append(parts, "client-certificate enforcement is unknown")
	default:
		parts = append(parts, "the endpoint does not require a client certificate ("+string(r.env.Facts.Auth)+")")
	}
	if r.env.Facts.CrossOrigin != "" {
		parts = append(parts, "an untrusted page can read it cross-origin (see "+r.env.Facts.CrossOrigin+")")
	} else if proof.OK() {
		if acao := proof.Header.Get("Access-Control-Allow-Origin"); acao != "" {
			parts = append(parts, fmt.Sprintf("the response sends Access-Control-Allow-Origin: %s, so cross-origin pages may read it (see the CORS findings)", acao))
		}
	}
	return strings.Join(parts, "; ")
}

// ownProfile: every PII value sits in a record that names the certificate holder (SAN email,
// or the subject CN as an email's local part or as a quoted string in the same body).
func (r *sweep) ownProfile(hs []hit) bool {
	if r.env.User == nil || len(hs) == 0 {
		return false
	}
	for _, h := range hs {
		if !matchesCert(h.m.Value, h.ex.Body, r.env.User.Leaf()) {
			return false
		}
	}
	return true
}

func matchesCert(value string, body []byte, leaf *x509.Certificate) bool {
	if leaf == nil {
		return false
	}
	v := strings.ToLower(strings.TrimSpace(value))
	for _, e := range leaf.EmailAddresses {
		if strings.ToLower(e) == v {
			return true
		}
	}
	cn := strings.ToLower(strings.TrimSpace(leaf.Subject.CommonName))
	if len(cn) < 3 {
		return false
	}
	if local, _, ok := strings.Cut(v, "@"); ok && local == cn {
		return true
	}
	return strings.Contains(strings.ToLower(string(body)), `"`+cn+`"`)
}

// criticalSecrets names the matched secrets that open more than this API: private keys,
// cloud provider keys, and database or broker URLs with a password.
func criticalSecrets(hs []hit) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range hs {
		if isCriticalSecret(h.m) && !seen[h.m.Label] {
			seen[h.m.Label] = true
			out = append(out, prose.Article(h.m.Label))
		}
	}
	return out
}

func isCriticalSecret(m exposure.Match) bool {
	s := strings.ToLower(m.Detector + " " + m.Label)
	for _, w := range []string{"private-key", "private key", "privatekey", "aws", "gcp", "google-cloud",
		"google cloud", "service-account", "service account", "azure", "alibaba"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	isURL := strings.Contains(s, "url") || strings.Contains(s, "uri") || strings.Contains(s, "dsn") || strings.Contains(s, "connection")
	if isURL {
		for _, w := range []string{"database", "db", "postgres", "mysql", "mongo", "redis", "amqp", "broker", "jdbc", "connection"} {
			if strings.Contains(s, w) {
				return true
			}
		}
	}
	return false
}

// describeMatches is describeHits over bare matches of one kind.
func describeMatches(ms []exposure.Match, kind exposure.Kind) string {
	var hs []hit
	for _, m := range ms {
		if m.Kind == kind {
			hs = append(hs, hit{m: m})
		}
	}
	return describeHits(hs)
}

// describeHits names what leaks with counts of distinct values, in first-seen order:
// "2 email addresses and a payment card number".
func describeHits(hs []hit) string {
	type group struct {
		label  string
		ms     []exposure.Match
		values map[string]bool
	}
	var order []*group
	by := map[string]*group{}
	for _, h := range hs {
		g := by[h.m.Label]
		if g == nil {
			g = &group{label: h.m.Label, values: map[string]bool{}}
			by[h.m.Label] = g
			order = append(order, g)
		}
		g.ms = append(g.ms, h.m)
		g.values[h.m.Value] = true
	}
	parts := make([]string, 0, len(order))
	for _, g := range order {
		if len(g.values) == 1 {
			parts = append(parts, prose.Article(g.label))
			continue
		}
		pii, secrets := exposure.Labels(g.ms)
		name := g.label
		if len(pii) > 0 {
			name = pii[0]
		} else if len(secrets) > 0 {
			name = secrets[0]
		}
		parts = append(parts, fmt.Sprintf("%d %s", len(g.values), name))
	}
	return prose.JoinAnd(parts)
}

func (r *sweep) hitNotes(hs []hit) []string {
	notes := make([]string, 0, min(len(hs), maxNotes)+1)
	for i, h := range hs {
		if i == maxNotes {
			notes = append(notes, fmt.Sprintf("… and %d more matches", len(hs)-maxNotes))
			break
		}
		v := exposure.Mask(h.m.Value)
		if r.show() {
			v = h.m.Value
		}
		where := fmt.Sprintf("at offset %d", h.m.Start)
		if h.header != "" {
			where = "in header " + h.header
		}
		if h.anon {
			where += " (certificate-less response)"
		}
		n := fmt.Sprintf("%s %s: %s", h.m.Label, where, v)
		if h.m.Note != "" {
			n += " (" + h.m.Note + ")"
		}
		notes = append(notes, n)
	}
	return notes
}

func remediationSensitive(kind exposure.Kind, stack remedy.Stack) string {
	if kind == exposure.Secret {
		s := "Remove the secret from the response and rotate it now: it must be treated as disclosed. Return credentials only to the service that needs them, never in API payloads or headers."
		if stack.App == remedy.Django {
			s += " In Django REST framework, list serializer fields explicitly (no fields = '__all__') and keep settings values out of views."
		}
		return s
	}
	s := "Return personal data only to the person it belongs to and only the fields the client needs; check object ownership on every request, and keep the endpoint off cross-origin reads (no wildcard or reflected CORS)."
	if stack.App == remedy.Django {
		s += " In Django REST framework, list serializer fields explicitly (no fields = '__all__') and filter querysets by request.user."
	}
	return s
}
