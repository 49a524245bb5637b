// Package cors evaluates responses the way the WHATWG Fetch standard's CORS
// protocol does: whether a page on a given origin may read a cross-origin
// response, whether its request needs a CORS-preflight fetch, and whether a
// preflight response lets the actual request go ahead. It is pure: no I/O,
// no clock, no state. Step numbers in comments and Verdict.Step follow Fetch
// as of the 2026-06 review draft (whatwg/fetch review-drafts/2026-06.bs).
//
// The evaluator is the specification, not any one browser. Fetch counts a
// TLS client certificate as a credential, so a spec-following browser
// (Firefox by default, Chromium with OmitCorsClientCert) presents none on
// preflights or on requests whose credentials mode is not "include", while
// Chromium by default presents the certificate whatever the credentials mode,
// preflights included. Readability does not depend on that, since the CORS
// check looks only at the response headers and the credentials mode: an
// "Access-Control-Allow-Origin: *" response is readable without credentials
// in every browser. What differs is whether that response was produced with
// the victim's certificate and whether an mTLS server answered the preflight
// at all. Callers apply that per-browser matrix; this package does not.
//
// Verdict.Step values are stable identifiers, exported as the Step* constants.
package cors

import (
	"net/http"
	"strings"
)

// CredentialsMode is a request's credentials mode as fetch() sets it.
type CredentialsMode string

// The credentials modes of Fetch. The zero value ("") means SameOrigin,
// which is the fetch() default.
const (
	Omit       CredentialsMode = "omit"
	SameOrigin CredentialsMode = "same-origin"
	Include    CredentialsMode = "include"
)

// Request is what the attacker page's fetch() would send, in "cors" mode,
// to a URL of another origin.
type Request struct {
	// Origin is the serialized origin of the requesting page, e.g.
	// "https://evil.example" or "null". It is normalised as a browser
	// serializes it (lower-case scheme and host, default port dropped).
	Origin string
	// Method is the request method; "" means GET. Like fetch(), the methods
	// DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased when given in
	// another case; other methods are kept byte for byte.
	Method string
	// Headers are the author request headers. Forbidden request-headers
	// (Cookie, Origin, Sec-*, ...) are dropped, as the Headers object drops
	// them, and values are trimmed of leading and trailing HTTP whitespace.
	Headers http.Header
	// Credentials is the credentials mode; "" means SameOrigin, which for a
	// cross-origin request behaves like Omit.
	Credentials CredentialsMode
}

// Verdict is the outcome of an evaluation.
type Verdict struct {
	Allowed         bool     // the page may read the response
	Step            string   // the spec step that decided (a Step* constant)
	Reason          string   // one sentence for humans
	PreflightNeeded bool     // the request needs a CORS-preflight fetch
	Preflight       *Verdict // the preflight's verdict when one was needed
}

// NeedsPreflight reports whether fetch() makes a CORS-preflight fetch before
// req (Fetch "HTTP fetch" step 4.1, makeCORSPreflight): the method is not a
// CORS-safelisted method or some header is CORS-unsafe. An invalid request
// (fetch() would throw) needs no preflight.
func NeedsPreflight(req Request) bool {
	n, bad := normalize(req)
	if bad != nil {
		return false
	}
	return n.needsPreflight()
}

// UnsafeHeaderNames returns the Fetch "CORS-unsafe request-header names" of
// h: sorted, lower-case, without duplicates. Forbidden request-headers are
// ignored because fetch() never sends the author's value for them.
func UnsafeHeaderNames(h http.Header) []string {
	return unsafeNames(authorHeaders(h))
}

// Check runs the Fetch "CORS check" on one response to req and says whether
// the page can read it. status matters only for redirects: a redirect that
// passes the CORS check is followed by the browser, not exposed.
// PreflightNeeded is reported, but no preflight is evaluated; use Evaluate
// for the whole flow.
func Check(req Request, status int, resp http.Header) Verdict {
	n, bad := normalize(req)
	if bad != nil {
		return *bad
	}
	v := n.check(status, resp)
	v.PreflightNeeded = n.needsPreflight()
	return v
}

// CheckPreflight validates a CORS-preflight response for req (Fetch
// "CORS-preflight fetch" step 7): the CORS check with the actual request's
// credentials mode, an ok status (2xx), then Access-Control-Allow-Methods and
// Access-Control-Allow-Headers. A status of 0 with a nil header means no HTTP
// response arrived (e.g. the TLS handshake failed without a client certificate).
func CheckPreflight(req Request, status int, resp http.Header) Verdict {
	n, bad := normalize(req)
	if bad != nil {
		return *bad
	}
	v := n.checkPreflight(status, resp)
	v.PreflightNeeded = n.needsPreflight()
	return v
}

// Evaluate runs the whole flow for req: the preflight when one is needed
// (preflight may be nil when none is), then the CORS check on the actual
// response. When a needed preflight has status 0 and a nil header, no
// response arrived and the fetch fails.
func Evaluate(req Request, preflightStatus int, preflight http.Header, status int, resp http.Header) Verdict {
	n, bad := normalize(req)
	if bad != nil {
		return *bad
	}
	if !n.needsPreflight() {
		return n.check(status, resp)
	}
	pv := n.checkPreflight(preflightStatus, preflight)
	pv.PreflightNeeded = true
	if !pv.Allowed {
		return Verdict{
			Allowed:         false,
			Step:            pv.Step,
			Reason:          "The preflight failed, so the actual request is never sent: " + pv.Reason,
			PreflightNeeded: true,
			Preflight:       &pv,
		}
	}
	v := n.check(status, resp)
	v.PreflightNeeded = true
	v.Preflight = &pv
	return v
}

// ExposedHeaders returns the lower-case, sorted names of the headers in resp
// that the page can read through response.headers: the CORS-safelisted
// response-header names plus those listed in Access-Control-Expose-Headers
// ("*" lists all only when the credentials mode is not "include").
// Set-Cookie is never exposed. It returns nil when the CORS check fails.
func ExposedHeaders(req Request, resp http.Header) []string {
	n, bad := normalize(req)
	if bad != nil {
		return nil
	}
	if ok, _, _ := n.corsCheck(resp); !ok {
		return nil
	}
	return n.exposed(resp)
}

// PreflightHeaders returns the headers of the OPTIONS request a browser
// sends as the CORS-preflight for req (Fetch "CORS-preflight fetch" steps
// 2-5): Accept, Origin, Access-Control-Request-Method and, when some header is
// unsafe, Access-Control-Request-Headers joined with "," and no space, as
// browsers send it. The preflight never carries credentials (no cookies, no
// client certificate in a spec-following browser). It returns nil for a
// request fetch() would reject.
func PreflightHeaders(req Request) http.Header {
	n, bad := normalize(req)
	if bad != nil {
		return nil
	}
	h := http.Header{}
	h.Set("Accept", "*/*")
	h.Set("Origin", n.origin)
	h.Set("Access-Control-Request-Method", n.method)
	if u := unsafeNames(n.headers); len(u) > 0 {
		h.Set("Access-Control-Request-Headers", strings.Join(u, ","))
	}
	return h
}
