// Package mtlscheck is crossgate's mutual-TLS family: it learns how an endpoint
// authenticates clients (Inspect) and then tries to get the authenticated content without a
// trusted certificate (Run): no certificate, certificates crossgate mints, forged identity
// headers, other identities, and old TLS versions. Every verdict is differential: a probe
// counts only when its answer matches the authenticated baseline, never on status alone.
//
// Decisions worth knowing:
//
//   - "The authenticated content" is: the baseline's status and a body whose word-shingle
//     Jaccard similarity to the baseline is at least 0.85 (words with digits are masked
//     first, so timestamps, counters and nonces do not count as differences), or at least
//     0.85 once the user's common name is left out of both (the same record served without
//     naming its owner; bodies of 8 words or more only), or the baseline's status with the
//     user's common name in the body (as a whole word) where the anonymous answer lacks it.
//     Without a usable baseline (no --cert, or the user's certificate refused) a 2xx where
//     the request without a certificate was refused counts.
//   - A header family that worked is resent without each of its headers in turn, and the
//     finding names only the headers that were needed (up to maxMinimise requests). A hit
//     that rests only on the user's name in the answer is checked against one control
//     request claiming a canary subject: an endpoint that echoes headers names that too.
//   - Expiry: crossgate holds no key of the CA the server trusts, so a minted expired
//     certificate can only prove "any certificate accepted" (it is reported there, as a
//     note). mtls-expired-cert-accepted needs an expired certificate from the trusted CA,
//     given as --identity expired=CERT,KEY.
//   - mtls-not-requested is reported only when no CertificateRequest is seen (or the URL is
//     http://); a server that asks but lets everything through is mtls-optional-not-enforced.
//   - mtls-identity-confusion needs one identity's common name in the answer to another
//     that does not name its own; identical answers alone are legitimately shared data, and
//     so is an answer that a third identity gets too, naming itself and someone else (a
//     team list). With only two identities a shared list naming one of them is reported.
//   - mtls-http-only-enforcement is not reported once a bypass got the content.
//   - Facts.Unauthenticated is set when the content came back without a trusted
//     certificate: no certificate, a minted one, forged headers, or no mTLS where
//     --expect-mtls said there must be.
//
// Request budget per endpoint (Budget): Inspect 2 (1 without --cert), minted certificates 3,
// identity headers 9 (all of them at once and the legacy DN form first; the other 7 only when
// one of those two got the content) plus 3 to reduce the ones that worked and 1 echo
// control, TLS 1.0/1.1
// handshakes 1 (2 when the server picks 1.1), plus one per extra --identity. Probes that cannot tell anything are skipped
// (no headers when TLS refuses every untrusted certificate, no minted certificates when no
// CertificateRequest is sent or anyone gets the content).
package mtlscheck

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/crossgate/crossgate/internal/similar"
	"github.com/crossgate/crossgate/probe"
	"github.com/crossgate/crossgate/scan/endpoint"
)

// Inspect fills env.Facts.Auth, AuthReason, TLS, Baseline and Anonymous. It sends two fresh
// GET requests (one when the user gave no certificate): with env.User and without any
// certificate, each on its own new connection, so that each handshake is observed and no
// session is resumed across identities.
func Inspect(ctx context.Context, env *endpoint.Env) {
	if env.User == nil {
		env.User = probe.None
	}
	u := env.URL.String()
	base := env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: u, Identity: env.User, Fresh: true})
	anon := base
	if env.HasCert() {
		anon = env.Client.Do(ctx, probe.Request{Method: http.MethodGet, URL: u, Identity: probe.None, Fresh: true})
	}
	env.Facts.Baseline, env.Facts.Anonymous = base, anon
	env.Facts.TLS = base.TLS
	if env.Facts.TLS == nil || !env.Facts.TLS.HandshakeDone {
		if anon.TLS != nil && (env.Facts.TLS == nil || anon.TLS.HandshakeDone) {
			env.Facts.TLS = anon.TLS
		}
	}
	env.Facts.Auth, env.Facts.AuthReason = classify(env, base, anon)
}

func certRequested(exs ...*probe.Exchange) bool {
	for _, ex := range exs {
		if ex != nil && ex.TLS != nil && ex.TLS.CertRequested {
			return true
		}
	}
	return false
}

func versionOf(exs ...*probe.Exchange) string {
	for _, ex := range exs {
		if ex != nil && ex.TLS != nil && ex.TLS.Version != 0 {
			return ex.TLS.VersionName()
		}
	}
	return ""
}

// untestableTLS recognises a server that asks for a certificate after the handshake, which
// Go's client cannot answer: TLS 1.2 renegotiation or TLS 1.3 post-handshake authentication.
func untestableTLS(ex *probe.Exchange) bool {
	if ex == nil || ex.Err == nil {
		return false
	}
	msg := ex.Err.Error()
	return strings.Contains(msg, "renegotiation") || strings.Contains(msg, "unexpected handshake message") ||
		strings.Contains(msg, "post-handshake")
}

// classify turns the two exchanges into an AuthMode and one sentence saying why.
func classify(env *endpoint.Env, base, anon *probe.Exchange) (endpoint.AuthMode, string) {
	if env.URL.Scheme != "https" {
		return endpoint.AuthNotRequested, "the URL is plain http://, so there is no TLS handshake in which a client certificate could be requested"
	}
	requested := certRequested(base, anon)
	ver := versionOf(base, anon)
	withVer := func(s string) string {
		if ver != "" {
			return s + " (" + ver + ")"
		}
		return s
	}
	userNote := ""
	if env.HasCert() && (!base.OK() || base.Status >= 400) {
		what := describe(base)
		if m := nginxMarker(base); m != "" {
			what += fmt.Sprintf(" %q", m)
		}
		userNote = "; the request with the user's certificate failed too (" + what + ")"
	}
	if untestableTLS(anon) || untestableTLS(base) {
		ex := anon
		if !untestableTLS(ex) {
			ex = base
		}
		return endpoint.AuthUntestable, fmt.Sprintf("the server asked for a client certificate after the handshake (renegotiation or TLS 1.3 post-handshake authentication), which this client cannot answer: %v", ex.Err)
	}
	if !anon.OK() {
		switch {
		case anon.ErrKind == probe.ErrTLSAlert:
			when := "during the handshake"
			if anon.TLS != nil && anon.TLS.HandshakeDone {
				when = "on the first read"
			}
			code := fmt.Sprintf("TLS alert %d %s", anon.Alert, probe.AlertName(anon.Alert))
			if anon.Alert < 0 {
				code = "a TLS alert"
			}
			if requested || probe.IsClientCertRejection(anon.Alert) {
				return endpoint.AuthRequiredTLS, withVer(fmt.Sprintf("the handshake without a certificate failed with %s %s", code, when)) + userNote
			}
			return endpoint.AuthUnknown, withVer(fmt.Sprintf("the request without a certificate failed with %s %s, which is not a client-certificate rejection", code, when)) + userNote
		case anon.ErrKind.Closed() && (requested || base.OK()):
			what := "the server closed the connection during the handshake without a certificate"
			if anon.TLS != nil && anon.TLS.HandshakeDone {
				what = "the server completed the handshake without a certificate, then closed or reset the connection without an HTTP answer"
			}
			if !requested {
				what += " (no CertificateRequest was seen, but the request with the user's certificate was answered)"
			}
			return endpoint.AuthRequiredTLS, withVer(what) + userNote
		}
		if base.OK() {
			return endpoint.AuthUntestable, fmt.Sprintf("the request with the user's certificate was answered but the one without failed with %s, which says nothing about client authentication", describe(anon))
		}
		return endpoint.AuthUntestable, "no request got an answer: " + describe(anon)
	}
	if !requested {
		return endpoint.AuthNotRequested, withVer("the server completed the handshake and answered HTTP " + fmt.Sprint(anon.Status) + " without ever sending a CertificateRequest")
	}
	if m := nginxMarker(anon); m != "" && rejectionStatus(anon.Status) {
		return endpoint.AuthRequiredHTTP, withVer(fmt.Sprintf("nginx completed the handshake without a certificate and answered HTTP %d %q", anon.Status, m)) + userNote
	}
	if rejectionStatus(anon.Status) {
		if env.HasCert() && base.OK() && base.Status < 400 {
			return endpoint.AuthRequiredHTTP, withVer(fmt.Sprintf("the server sent a CertificateRequest, completed the handshake without a certificate and answered HTTP %d, while the request with the user's certificate got HTTP %d", anon.Status, base.Status))
		}
		return endpoint.AuthUnknown, withVer(fmt.Sprintf("the server sent a CertificateRequest and answered HTTP %d without a certificate; without an accepted certificate of the user's to compare with, an mTLS rejection cannot be told from an application one", anon.Status)) + userNote
	}
	if env.HasCert() && base.OK() && base.Status < 400 && anon.Status == base.Status {
		sim := similar.Bodies(anon.Body, base.Body)
		return endpoint.AuthOptional, withVer(fmt.Sprintf("the server sent a CertificateRequest but answered HTTP %d without a certificate too, with a body %.0f%% similar to the authenticated one", anon.Status, sim*100))
	}
	return endpoint.AuthOptional, withVer(fmt.Sprintf("the server sent a CertificateRequest but completed the handshake and answered HTTP %d without a certificate", anon.Status)) + userNote
}
