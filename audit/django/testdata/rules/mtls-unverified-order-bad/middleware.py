# checks: django-mtls-header-unverified
# The verify result is looked at, but only after the identity has been used.
from django.core.exceptions import PermissionDenied


class CertMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        dn = request.META.get("HTTP_X_SSL_CLIENT_S_DN")  # want: django-mtls-header-unverified@14
        if dn:
            request.client_dn = dn
            return self.get_response(request)
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            raise PermissionDenied
        return self.get_response(request)


def whoami(request):
    user = lookup(request.headers["X-SSL-Client-S-DN"])  # want: django-mtls-header-unverified@19
    verified = request.headers.get("X-SSL-Client-Verify") == "SUCCESS"
    return {"user": user, "verified": verified}


def lookup(dn):
    return dn
