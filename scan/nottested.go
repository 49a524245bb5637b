package scan

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// notTested says why nothing the endpoint protects was reached although it answered, or ""
// when something was. The rule (README "When a target is not tested"): with the user's
// certificate (or without one when the endpoint needs none) no answer carried content,
// that is every answer was a client error (4xx) and no server error page came back. A
// certificate-guarded endpoint scanned without --cert is no such case: the user chose to
// test what a client without a certificate sees, and a warning says so.
//
// now is when the scan runs (tests pass a fixed time for an expiring certificate).
func notTested(env *endpoint.Env, now time.Time) string {
	base, anon := env.Facts.Baseline, env.Facts.Anonymous
	if env.Facts.Auth.RequiresCert() && !env.HasCert() {
		return ""
	}
	if reached(base) || (!env.Facts.Auth.RequiresCert() && reached(anon)) {
		return ""
	}
	if env.HasCert() && certRefused(env, base, anon) {
		return ownCertRefused(env, base, now)
	}
	if !base.OK() {
		// No HTTP answer at all is a failure the caller reports as an error.
		return ""
	}
	if plainHTTPToTLS(base) {
		return fmt.Sprintf("every answer was the server's HTTP 400 %q: this port speaks HTTPS, not plain HTTP; scan %s instead",
			"The plain HTTP request was sent to HTTPS port", httpsURL(env))
	}
	switch base.Status {
	case http.StatusNotFound, http.StatusGone:
		return fmt.Sprintf("every answer was HTTP %d %s: nothing is served at %s; check the path for a typo", base.Status, http.StatusText(base.Status), env.URL.Path)
	}
	return fmt.Sprintf("every answer was HTTP %d %s: the protected content was not reached; check the URL, the headers (-H) and the client certificate",
		base.Status, http.StatusText(base.Status))
}

// reached is true for an answer that carries content: a success, a redirect, or a server
// error page (debug pages are findings of their own).
func reached(ex *probe.Exchange) bool {
	return ex.OK() && (ex.Status < 400 || ex.Status >= 500)
}

// certRefused is true when the user's certificate is what the server turned down: the
// handshake failed with it, or the answer with it is a certificate error (nginx's 400 "The
// SSL certificate error", 495, 496) or no better than the answer without it.
func certRefused(env *endpoint.Env, base, anon *probe.Exchange) bool {
	if !base.OK() {
		return base != nil && env.Facts.Auth.RequiresCert() &&
			(base.ErrKind == probe.ErrTLSAlert || base.ErrKind == probe.ErrTLSHandshake || base.ErrKind == probe.ErrClosed)
	}
	switch base.Status {
	case 495, 496:
		return true
	case http.StatusBadRequest:
		if strings.Contains(string(base.Body), "SSL certificate error") {
			return true
		}
	}
	if !env.Facts.Auth.RequiresCert() && env.Facts.Auth != endpoint.AuthOptional {
		return false
	}
	// On a certificate-guarded endpoint a 401 or 403 with the certificate, like the answer
	// without one, means the certificate did not count.
	return (base.Status == http.StatusUnauthorized || base.Status == http.StatusForbidden) &&
		(!anon.OK() || anon.Status == base.Status)
}

// ownCertRefused names why the server turned down the user's certificate, as far as the
// certificate and the server's CertificateRequest tell.
func ownCertRefused(env *endpoint.Env, base *probe.Exchange, now time.Time) string {
	leaf := env.User.Leaf()
	answer := "the handshake failed"
	if base.OK() {
		answer = fmt.Sprintf("the server answered HTTP %d", base.Status)
	} else if base != nil && base.Err != nil {
		answer = "the handshake failed (" + describeFailure(base) + ")"
	}
	if leaf == nil {
		return "your client certificate was refused (" + answer + "): the protected content was not tested"
	}
	who := "your client certificate " + leaf.Subject.String()
	switch {
	case now.After(leaf.NotAfter):
		return fmt.Sprintf("%s expired (notAfter %s) and was refused (%s): the protected content was not tested; renew it",
			who, leaf.NotAfter.UTC().Format("2006-01-02 15:04:05 MST"), answer)
	case now.Before(leaf.NotBefore):
		return fmt.Sprintf("%s is not valid before %s and was refused (%s): the protected content was not tested",
			who, leaf.NotBefore.UTC().Format("2006-01-02 15:04:05 MST"), answer)
	}
	if cas := acceptableCAs(env); len(cas) > 0 && !issuerAccepted(leaf.Issuer.String(), cas) {
		return fmt.Sprintf("%s is issued by %s, which the server does not trust (it asks for certificates from %s); it was refused (%s): the protected content was not tested; pass a certificate from one of those CAs",
			who, leaf.Issuer.String(), strings.Join(cas, "; "), answer)
	}
	return fmt.Sprintf("%s was refused (%s): the protected content was not tested; check that it is issued by a CA this server trusts and that the key matches", who, answer)
}

func acceptableCAs(env *endpoint.Env) []string {
	for _, ex := range []*probe.Exchange{env.Facts.Baseline, env.Facts.Anonymous} {
		if ex != nil && ex.TLS != nil && len(ex.TLS.AcceptableCAs) > 0 {
			return ex.TLS.AcceptableCAs
		}
	}
	if env.Facts.TLS != nil {
		return env.Facts.TLS.AcceptableCAs
	}
	return nil
}

func issuerAccepted(issuer string, cas []string) bool {
	for _, ca := range cas {
		if strings.EqualFold(strings.ReplaceAll(ca, ", ", ","), strings.ReplaceAll(issuer, ", ", ",")) {
			return true
		}
	}
	return false
}

// plainHTTPToTLS recognises nginx's answer to plain HTTP on an ssl port (and the generic
// wording other servers use).
func plainHTTPToTLS(ex *probe.Exchange) bool {
	if ex.Status != http.StatusBadRequest {
		return false
	}
	b := strings.ToLower(string(ex.Body))
	return strings.Contains(b, "plain http request was sent to https port") || strings.Contains(b, "speaking plain http to an ssl-enabled")
}

func httpsURL(env *endpoint.Env) string {
	u := *env.URL
	u.Scheme = "https"
	return probe.RedactURL(u.String())
}
