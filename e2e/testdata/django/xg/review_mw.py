"""Identity middlewares for crossgate's mTLS review suite (e2e/mtls_review_test.go).

Each trusts one way an identity can reach the app and maps it to a user by substring, so a
forged header that reaches the app is an identity; VerifyMiddleware is the correct
"optional + the app checks the verify result" pattern.
"""
import base64
import re

from xg.users import USERS


def _map(subject):
    for name in USERS:
        if "CN=" + name in subject:
            return name
    return None


def _verified(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
        return _map(request.META.get("HTTP_X_SSL_CLIENT_S_DN", ""))
    return None


class VerifyMiddleware:
    """Accept the subject only when nginx says the certificate verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.xg_user = _verified(request)
        return self.get_response(request)


_XFCC_SUBJECT = re.compile(r'Subject="([^"]*)"')


class XFCCMiddleware:
    """Trusts Envoy's X-Forwarded-Client-Cert, which nginx here never sets or clears, before
    the verified subject nginx does set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        m = _XFCC_SUBJECT.search(request.META.get("HTTP_X_FORWARDED_CLIENT_CERT", ""))
        request.xg_user = _map(m.group(1)) if m else _verified(request)
        return self.get_response(request)


class ClientCertMiddleware:
    """Trusts RFC 9440 Client-Cert (":base64 DER:"), looking for a user's common name in the
    DER, before the verified subject nginx does set."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.xg_user = _verified(request)
        value = request.META.get("HTTP_CLIENT_CERT", "").strip()
        if len(value) > 2 and value[0] == ":" and value[-1] == ":":
            try:
                der = base64.b64decode(value[1:-1], validate=True)
            except ValueError:
                der = b""
            for name in sorted(USERS, key=len, reverse=True):
                # The common name as a PrintableString or a UTF8String.
                if any(bytes([tag, len(name)]) + name.encode() in der for tag in (0x13, 0x0C)):
                    request.xg_user = name
                    break
        return self.get_response(request)
