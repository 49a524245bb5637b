// Package endpoint holds what every check family sees about one endpoint: the probe client,
// the identities, the user's intent (trusted origins, expect mTLS) and the facts learned so
// far. Families (cors, mtls, exposure) read and fill Facts; the scan package orders them.
package endpoint

import (
	"net/url"
	"slices"

	"github.com/crossgate/crossgate/finding"
	"github.com/crossgate/crossgate/internal/prose"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/remedy"
)

// AuthMode is how the endpoint authenticates clients at the transport.
type AuthMode string

const (
	AuthUnknown      AuthMode = "unknown"
	AuthNotRequested AuthMode = "not-requested" // no CertificateRequest is ever sent
	AuthOptional     AuthMode = "optional"      // requested; the content comes back without one
	AuthRequiredTLS  AuthMode = "required-tls"  // handshake (or first read, TLS 1.3) fails without one
	AuthRequiredHTTP AuthMode = "required-http" // handshake completes; HTTP rejection (nginx 400)
	AuthUntestable   AuthMode = "untestable"    // e.g. post-handshake auth, or no answer at all
)

// RequiresCert reports whether a request without a client certificate is refused.
func (m AuthMode) RequiresCert() bool { return m == AuthRequiredTLS || m == AuthRequiredHTTP }

// Sensitivity says what kinds of sensitive data a response carried, by name only
// (e.g. "email address", "payment card number", "AWS access key"); values never go here.
type Sensitivity struct {
	PII     []string
	Secrets []string
}

// Any reports whether anything sensitive was seen.
func (s Sensitivity) Any() bool { return len(s.PII)+len(s.Secrets) > 0 }

// Describe names what leaks, e.g. "email addresses and a payment card number".
func (s Sensitivity) Describe() string {
	var all []string
	for _, l := range slices.Concat(s.PII, s.Secrets) {
		all = append(all, prose.ArticleUnlessPlural(l))
	}
	return prose.JoinAnd(all)
}

// Facts are learned per endpoint, in order: authentication first, then the baseline and
// its sensitivity, then each family's own observations.
type Facts struct {
	Auth       AuthMode
	AuthReason string
	TLS        *probe.TLSInfo // from the authenticated baseline handshake

	// Baseline is GET with the user's identity; Anonymous is GET without a certificate.
	Baseline  *probe.Exchange
	Anonymous *probe.Exchange

	Sensitivity Sensitivity
	// Stack is a guess from the responses (DetectStack); it picks the dialect of each fix.
	Stack remedy.Stack
	// CrossOrigin names the CORS finding that shows an untrusted page can read this
	// endpoint's responses (set after the CORS checks; empty when none was found).
	CrossOrigin string
	// Unauthenticated is set when a bypass (no cert, any cert, spoofed header) got the
	// protected content: findings are then rated as on a public endpoint.
	Unauthenticated bool
}

// Options are the user's choices the checks need (package scan sets them from scan.Options,
// which says what each means), and how evidence writes its curl commands.
type Options struct {
	ExpectMTLS, NoSpoof, ShowSecrets bool
	Curl                             probe.CurlOptions
}

// Env is one endpoint under scan.
type Env struct {
	Client *probe.Client
	URL    *url.URL
	// User is the user's main identity (--cert/--key); probe.None when none was given.
	User *probe.Identity
	// Extra are the --identity values, in order.
	Extra []*probe.Identity
	// TrustedOrigins are the --origin values: origins the user means to trust.
	TrustedOrigins []string
	Options        Options
	Facts          Facts

	// Rand is the origin's random tag (hex), shared by its endpoints; see Token.
	Rand string
	// Site is set on every endpoint of an origin but the first: the site facts (TLS set-up,
	// weak protocols, the CA list, exposed files and error pages) were learned there.
	Site bool
	// Confirm is set when the endpoint gets the short confirming set (see Confirm).
	Confirm *Confirm

	// Sensitive runs the data-exposure detectors over a body (set by the scan package).
	Sensitive func(body []byte, contentType string) Sensitivity
	// RedactBody masks secrets and PII in an evidence excerpt (identity when ShowSecrets).
	RedactBody func([]byte) []byte
}

// HasCert reports whether the user gave a client certificate.
func (e *Env) HasCert() bool { return e.User != nil && e.User.Certificate != nil }

// BodyExcerpt is how many body bytes evidence shows.
const BodyExcerpt = 512

// Evidence builds finding evidence from exchanges: the first is the proof (request,
// response, curl); others are summarised in notes.
func (e *Env) Evidence(proof *probe.Exchange, notes ...string) finding.Evidence {
	ev := finding.Evidence{Notes: notes}
	switch {
	case proof == nil:
	case e.Options.ShowSecrets:
		// --show-secrets shows what servers returned; the user's own credentials (-H values,
		// tokens in the URL) stay masked.
		proof = proof.RedactedRequest()
	default:
		proof = proof.Redacted()
	}
	if proof != nil {
		ev.Request = proof.RequestText()
		ev.Response = proof.ResponseText(BodyExcerpt, e.RedactBody)
		ev.Curl = proof.Curl(e.Options.Curl)
	}
	return ev
}

// Stamp sets the finding's URL and fingerprint; every scan finding goes through it.
func (e *Env) Stamp(f *finding.Finding, discriminator string) {
	// A password in the URL's userinfo and token-like query values never reach a report.
	f.URL = e.ReportURL()
	f.Seal(discriminator)
}

// StampSite locates a finding that belongs to the whole host (its TLS set-up, a cookie
// scoped to the site) at scheme://host/, so that scanning several endpoints of one host
// reports it once.
func (e *Env) StampSite(f *finding.Finding, discriminator string) {
	f.URL = e.URL.Scheme + "://" + e.URL.Host + "/"
	f.Seal(discriminator)
}

// ReportURL is the target URL as reports show it: credentials masked.
func (e *Env) ReportURL() string { return probe.RedactURL(e.URL.String()) }
