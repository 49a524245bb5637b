// Package idheaders is the one list of request headers that carry a client certificate's
// identity or verification result between a TLS terminator and an application. crossgate
// scan forges them (scan/mtlscheck), the remedies tell nginx to overwrite them (remedy), and
// crossgate guard strips every one before a request reaches the upstream: when all three read
// this list, a header the scan learns to forge is one the guard learns to strip.
package idheaders

import (
	"slices"
	"strings"
)

// Overwritten are the identity headers the nginx fix (remedy.MTLSNginx) overwrites in every
// location that proxies, in the order it writes them: the three it fills from nginx's own
// variables first, then those it clears. They are every header crossgate scan forges
// (Families) and the other members of those proxies' families (nginx, Traefik, RFC 9440);
// a test keeps Families inside this list.
var Overwritten = []string{
	"X-SSL-Client-Verify", "X-SSL-Client-S-DN", "X-SSL-Client-Cert",
	"X-SSL-Client-I-DN", "X-SSL-Authenticated", "X-SSL-User-DN",
	"X-Client-Cert", "X-Client-Cert-Dn", "X-Client-Cert-Subject-DN", "X-Client-Cert-Valid",
	"X-Forwarded-Client-Cert", "X-Forwarded-Tls-Client-Cert", "X-Forwarded-Tls-Client-Cert-Info",
	"Client-Cert", "Client-Cert-Chain",
	"X-Amzn-Mtls-Clientcert", "X-Amzn-Mtls-Clientcert-Leaf", "X-Amzn-Mtls-Clientcert-Subject",
}

// others are the identity headers of further conventions that crossgate neither forges nor
// has the nginx fix clear; guard strips them like the rest.
var others = []string{
	// nginx and Apache conventions.
	"X-SSL-Client-DN", "X-SSL-Client-Escaped-Cert", "X-SSL-Client-Serial", "X-SSL-Client-Fingerprint",
	"X-SSL-Cert", "X-SSL-Subject", "SSL-Client-Cert", "SSL-Client-Verify", "SSL-Client-S-DN",
	// Kong, django-tls-certificate-auth, Azure and assorted middleware.
	"X-Client-Cert-Issuer-DN", "X-Client-Cert-Serial", "X-Client-Cert-Fingerprint",
	"X-Client-Certificate", "X-Client-Certificate-Verification", "X-Client-Verify",
	"X-Client-DN", "X-Client-S-DN", "X-Client-Subject", "X-ARR-ClientCert",
	// AWS ALB and CloudFront.
	"X-Amzn-Mtls-Clientcert-Issuer", "X-Amzn-Mtls-Clientcert-Serial-Number", "X-Amzn-Mtls-Clientcert-Validity",
	"CloudFront-Viewer-Cert-Present", "CloudFront-Viewer-Cert-Sha256", "CloudFront-Viewer-Cert-Subject",
	"CloudFront-Viewer-Cert-Issuer", "CloudFront-Viewer-Cert-Serial-Number", "CloudFront-Viewer-Cert-Validity",
	"CloudFront-Viewer-Cert-Pem",
}

// Names are the identity headers by their usual spelling: Overwritten, then the others.
// Fold matches them in any case and with '_' for '-', which is how WSGI and CGI servers
// fold them into one variable.
var Names = slices.Concat(Overwritten, others)

// prefixes catch the members of each family that Names does not spell out (vendors add
// fields): anything starting with one of these is identity, whatever follows.
var prefixes = []string{
	"x-ssl-client-", "ssl-client-", "x-client-cert", "x-client-dn", "x-client-s-dn", "x-client-subject",
	"x-client-verify", "x-forwarded-client-cert", "x-forwarded-tls-client-cert", "client-cert",
	"x-amzn-mtls-", "cloudfront-viewer-cert", "x-arr-clientcert",
}

var folded = func() map[string]bool {
	m := make(map[string]bool, len(Names))
	for _, n := range Names {
		m[Fold(n)] = true
	}
	return m
}()

// Fold is the form two header names share when a WSGI or CGI server would give the
// application the same variable for both: lower case, '_' read as '-'.
func Fold(name string) string { return strings.ToLower(strings.ReplaceAll(name, "_", "-")) }

// foldByte is Fold for one byte of an ASCII header name.
func foldByte(c byte) byte {
	switch {
	case c == '_':
		return '-'
	case 'A' <= c && c <= 'Z':
		return c + 'a' - 'A'
	}
	return c
}

// SameName reports whether a and b are one header for a WSGI or CGI application
// (Fold(a) == Fold(b) for names in ASCII, which net/http requires of header names), without
// building either folded string: guard asks it of every header of every request.
func SameName(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if foldByte(a[i]) != foldByte(b[i]) {
			return false
		}
	}
	return true
}

// maxFolded is the longest name IsIdentity folds on the stack; longer names take Fold.
const maxFolded = 128

// IsIdentity reports whether a request header of this name, in any spelling, claims a client
// certificate identity or its verification result.
func IsIdentity(name string) bool {
	var buf [maxFolded]byte
	if len(name) <= len(buf) {
		for i := 0; i < len(name); i++ {
			buf[i] = foldByte(name[i])
		}
		if folded[string(buf[:len(name)])] { // the compiler looks this up without a copy
			return true
		}
		for _, p := range prefixes {
			if len(name) >= len(p) && string(buf[:len(p)]) == p {
				return true
			}
		}
		return false
	}
	n := Fold(name)
	if folded[n] {
		return true
	}
	for _, p := range prefixes {
		if strings.HasPrefix(n, p) {
			return true
		}
	}
	return false
}
