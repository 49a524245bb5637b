# checks: django-mtls-header-unverified
from django.http import HttpResponseForbidden, JsonResponse


def whoami(request):
    if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
        return HttpResponseForbidden()
    return JsonResponse({"subject": request.META["HTTP_X_SSL_CLIENT_S_DN"]})


def _verified(request):
    return request.headers.get("X-SSL-Client-Verify") == "SUCCESS"


def profile(request):
    if not _verified(request):
        return HttpResponseForbidden()
    return JsonResponse({"subject": request.headers.get("X-SSL-Client-S-DN")})


class CertMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") == "SUCCESS":
            request.subject = self.subject(request)
        return self.get_response(request)

    def subject(self, request):
        return request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")


def remote_addr(request):
    return request.META.get("REMOTE_ADDR")
