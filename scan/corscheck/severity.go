package corscheck

import "github.com/crossgate/crossgate/finding"

// The severity model of every CORS read (README "How severity is rated"): one function,
// three questions. Which pages can read (reach), whose content they read (exposure), and
// whether it carries data crossgate recognises as sensitive. The rule that found the read
// does not enter: the same exposure on the same endpoint gets the same severity whether a
// reflection, a null origin or a suffix bypass let the page in.

// reach is who can host the reading page.
type reach int

const (
	// reachAnyPage: any web page (a reflected or wildcard origin, null, a prefix, suffix,
	// substring or unescaped-dot bypass, a shared-hosting site anyone can publish on).
	reachAnyPage reach = iota
	// reachSomePages: a page that needs something first: a Safari-only parser quirk, a
	// script on a sibling sub-domain (XSS or takeover), a network attacker injecting into an
	// http:// page, another service on the trusted host.
	reachSomePages
	// reachLocal: code on the victim's own machine (localhost) or a WebView that sends
	// Origin: file://.
	reachLocal
)

// exposure is whose content the page reads.
type exposure int

const (
	// exposePublic: what anyone can fetch: the endpoint does not authenticate (or a bypass
	// already serves its content without a certificate), or the read carries no credentials
	// the endpoint looks at.
	exposePublic exposure = iota
	// exposeVictimChromium: the victim's certificate-authenticated content, read without
	// credentials: Chromium presents the client certificate anyway (after a certificate prompt
	// unless one is auto-selected or already chosen), Firefox does not.
	exposeVictimChromium
	// exposeVictim: the victim's authenticated content (client certificate or session cookie)
	// read with credentials: include, in every browser.
	exposeVictim
)

// readSeverity is the table (exposure × sensitive data) for a page any attacker can host,
// lowered one step per precondition of the reach, never below info. An error response (status
// 400 or more) is at most low, and info when it is public.
//
//	                          sensitive data   nothing recognised
//	victim, every browser     critical         high
//	victim, Chromium only     high             medium
//	public                    medium           low
//
// The middle row is where audit's django-cors-allow-all (high) and scan's cors-wildcard-on-mtls
// on a client-certificate API that serves personal data meet; the top row is where audit's
// django-cors-allow-all-credentials (critical) and scan's cors-reflect-origin-credentials do.
func readSeverity(r reach, e exposure, sensitive, errorPage bool) finding.Severity {
	var sev finding.Severity
	switch e {
	case exposeVictim:
		sev = finding.High
	case exposeVictimChromium:
		sev = finding.Medium
	default:
		sev = finding.Low
	}
	if sensitive {
		sev = sev.Raise(1)
	}
	sev = sev.Raise(-int(r))
	if errorPage {
		if e == exposePublic {
			return finding.Info
		}
		sev = min(sev, finding.Low)
	}
	return sev
}

// reachOf is the reach of a bypass class.
func reachOf(c Class) reach {
	switch c {
	case ClassSpecial, ClassSubdomain, ClassHTTP, ClassPort:
		return reachSomePages
	case ClassLocalhost, ClassFile:
		return reachLocal
	}
	return reachAnyPage
}

// exposureOf is what a page that passes r's CORS check reads.
func (s *session) exposureOf(r *result) exposure {
	switch {
	case r.include.Allowed && s.authenticated():
		return exposeVictim
	case r.omit.Allowed && s.f.mtls && s.f.certSent:
		return exposeVictimChromium
	}
	return exposePublic
}
