# checks: django-mtls-header-unverified django-mtls-dn-substring
# The verify result is checked before the identity is read, or guards the read itself; the
# DN is split into fields and compared exactly.
from django.core.exceptions import PermissionDenied


class CertMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")
            fields = dict(x.split("=") for x in dn.split(","))
            if fields.get("CN") != "alice":
                raise PermissionDenied
            request.client_cn = fields["CN"]
        return self.get_response(request)


def exact_cn(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        raise PermissionDenied
    dn = request.META["HTTP_X_SSL_CLIENT_S_DN"]
    parts = dict(p.split("=", 1) for p in dn.split(","))
    return parts.get("CN") == "alice"


def inline(request):
    dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN") if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS" else None
    return dn


def both(request):
    ok = request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS" and request.META.get("HTTP_X_SSL_CLIENT_S_DN")
    return ok
