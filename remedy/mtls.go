package remedy

import (
	"strings"

	"github.com/crossgate/crossgate/internal/idheaders"
)

// MTLSNginx is the nginx fragment for a `server { listen 443 ssl; ssl_certificate ...; }` block
// that terminates mutual TLS in front of an application. Placeholders: the client CA bundle
// /etc/nginx/client-ca.pem and the upstream http://127.0.0.1:8000. Every location that proxies
// must repeat the proxy_set_header lines: a location that sets any proxy_set_header of its own
// inherits none from the server block, which would let a client's own identity headers through.
func MTLSNginx() string {
	return `# Inside server { listen 443 ssl; ssl_certificate ...; ssl_certificate_key ...; }
# Only the CA that issues your clients' certificates (never the OS bundle or a shared CA).
ssl_client_certificate /etc/nginx/client-ca.pem;
# Require a certificate that chains to that CA and is valid now (missing or bad: HTTP 400).
ssl_verify_client on;
ssl_verify_depth 2;
# Before TLS 1.3 the client certificate crosses the network unencrypted.
ssl_protocols TLSv1.2 TLSv1.3;
# Drop client headers with underscores (X_SSL_Client_S_DN reaches Django as HTTP_X_SSL_CLIENT_S_DN too).
underscores_in_headers off;
ignore_invalid_headers on;

location / {
    # Defence in depth: stays correct if ssl_verify_client is ever relaxed to optional.
    if ($ssl_client_verify != SUCCESS) {
        return 403;
    }
    proxy_pass http://127.0.0.1:8000;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-Proto $scheme;
` + nginxIdentityHeaders() + `}
# Repeat the proxy_set_header lines in EVERY other location that proxies.
`
}

// nginxIdentityVars are the nginx variables the fix sends in identity headers; every other
// header of idheaders.Overwritten is cleared.
var nginxIdentityVars = map[string]string{
	"X-SSL-Client-Verify": "$ssl_client_verify",
	"X-SSL-Client-S-DN":   "$ssl_client_s_dn",
	"X-SSL-Client-Cert":   "$ssl_client_escaped_cert",
}

// nginxIdentityHeaders are MTLSNginx's proxy_set_header lines for idheaders.Overwritten,
// so the fix overwrites every header crossgate scan forges.
func nginxIdentityHeaders() string {
	var set, cleared strings.Builder
	for _, n := range idheaders.Overwritten {
		if v, ok := nginxIdentityVars[n]; ok {
			set.WriteString("    proxy_set_header " + n + " " + v + ";\n")
		} else {
			cleared.WriteString("    proxy_set_header " + n + " \"\";\n")
		}
	}
	return "    # Overwrite every identity header a client could send; nginx sends its own value instead.\n" +
		set.String() +
		"    # An empty value removes the header: these are never forwarded from the client.\n" +
		cleared.String()
}

// MTLSDjangoMiddleware is a Django middleware module (Python 3, Django 3.2+) that accepts a
// request only when nginx says the certificate verified and its subject, parsed as RFC 2253,
// equals one of ALLOWED_SUBJECTS exactly. Add "yourapp.mtls.ClientCertificateMiddleware" to
// MIDDLEWARE after CorsMiddleware. It trusts the headers only because nginx (MTLSNginx)
// overwrites them; the app must listen on loopback so nobody can reach it around nginx.
func MTLSDjangoMiddleware() string {
	return `"""Client-certificate authorisation behind nginx (crossgate remediation).

nginx verifies the certificate and overwrites X-SSL-Client-Verify and X-SSL-Client-S-DN
($ssl_client_verify, $ssl_client_s_dn); the app must only be reachable through nginx.
"""
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponseForbidden

# Exact subjects, in RFC 2253 form as nginx's $ssl_client_s_dn writes them, mapped to the
# identity the application uses. Compared after parsing: never by substring or prefix.
ALLOWED_SUBJECTS = {"CN=alice,O=Example": "alice"}

_HEX = "0123456789abcdefABCDEF"


def parse_rfc2253(dn):
    """Parse an RFC 2253 distinguished name into a tuple of RDNs, each a sorted tuple of
    (TYPE, value) pairs. Returns None for anything malformed, so it can never match."""
    if not isinstance(dn, str) or not dn:
        return None
    rdns, rdn = [], []
    attr, value = None, []
    i, n = 0, len(dn)
    in_value = False
    while i < n:
        c = dn[i]
        if not in_value:
            if c == "=":
                attr = "".join(value).strip().upper()
                if not attr:
                    return None
                value, in_value = [], True
            elif c in ",+\\\"":
                return None
            else:
                value.append(c)
            i += 1
            continue
        if c == "\\":
            if i + 1 >= n:
                return None
            nxt = dn[i + 1]
            if nxt in ",+\"\\<>;= #":
                value.append(nxt)
                i += 2
            elif i + 2 < n and nxt in _HEX and dn[i + 2] in _HEX:
                value.append(chr(int(dn[i + 1:i + 3], 16)))
                i += 3
            else:
                return None
            continue
        if c in ",+":
            rdn.append((attr, "".join(value)))
            value, attr, in_value = [], None, False
            if c == ",":
                rdns.append(tuple(sorted(rdn)))
                rdn = []
            i += 1
            continue
        if c in "\"<>;=":
            return None
        value.append(c)
        i += 1
    if not in_value:
        return None
    rdn.append((attr, "".join(value)))
    rdns.append(tuple(sorted(rdn)))
    if any(not v for r in rdns for _, v in r):
        return None
    return tuple(rdns)


class ClientCertificateMiddleware:
    """Reject every request without a verified, exactly allowed client certificate."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.allowed = {}
        for subject, identity in ALLOWED_SUBJECTS.items():
            parsed = parse_rfc2253(subject)
            if parsed is None:
                raise ImproperlyConfigured("ALLOWED_SUBJECTS has a malformed subject: %r" % subject)
            self.allowed[parsed] = identity

    def __call__(self, request):
        request.client_identity = None
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("client certificate required\n", content_type="text/plain")
        parsed = parse_rfc2253(request.META.get("HTTP_X_SSL_CLIENT_S_DN", ""))
        identity = self.allowed.get(parsed) if parsed is not None else None
        if identity is None:
            return HttpResponseForbidden("client certificate not allowed\n", content_type="text/plain")
        request.client_identity = identity
        return self.get_response(request)
`
}

// MTLSDjango is the whole fix for a Django application that maps client certificates to
// users: the middleware (MTLSDjangoMiddleware), then the nginx in front of it (MTLSNginx),
// which overwrites the identity headers the middleware trusts.
func MTLSDjango() string {
	return "# Django middleware (e.g. yourapp/mtls.py, listed in MIDDLEWARE after CorsMiddleware):\n" +
		MTLSDjangoMiddleware() +
		"\n# and in the nginx server block in front of it:\n" +
		MTLSNginx()
}

// MTLSLayer is where an mTLS weakness is fixed.
type MTLSLayer int

const (
	// AtTerminator: the TLS terminator's configuration fixes it (verification, protocols).
	AtTerminator MTLSLayer = iota
	// InApplication: the application behind the terminator must map identities exactly too.
	InApplication
)

// MTLS returns a rule's advice (its one-line fix) followed by the fix in the target's dialect.
// TLS-level rules are fixed at the terminator, so nginx text is given for Django targets too;
// identity rules get both, also on an nginx target, since the identity mapping is done by the
// application behind it.
func MTLS(s Stack, advice string, layer MTLSLayer) string {
	appLevel := layer == InApplication
	var b strings.Builder
	b.WriteString(advice)
	b.WriteString("\n\n")
	switch {
	case s.IsZero() && !appLevel:
		b.WriteString("Example for nginx:\n\n")
		b.WriteString(MTLSNginx())
	case s.IsZero():
		b.WriteString("Example for nginx in front of Django:\n\n")
		b.WriteString(MTLSNginx())
		b.WriteString("\n# Django middleware (e.g. yourapp/mtls.py, listed in MIDDLEWARE after CorsMiddleware):\n")
		b.WriteString(MTLSDjangoMiddleware())
	case s.App == Django && appLevel:
		b.WriteString(MTLSDjango())
	case appLevel:
		// nginx in front hides the application (its Server header is all a scan sees), and
		// the identity mapping lives in that application: nginx text alone cannot fix it.
		b.WriteString(MTLSNginx())
		b.WriteString("\n# The application behind nginx must map the verified subject exactly; for Django\n" +
			"# (e.g. yourapp/mtls.py, listed in MIDDLEWARE after CorsMiddleware):\n")
		b.WriteString(MTLSDjangoMiddleware())
	default:
		b.WriteString(MTLSNginx())
	}
	return b.String()
}
