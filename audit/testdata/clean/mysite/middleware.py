from django.http import HttpResponseForbidden

USERS = {"CN=alice,O=Example": "alice"}


class ClientCertMiddleware:
    """Maps the verified client certificate nginx forwards to a user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
            return HttpResponseForbidden("no verified certificate")
        user = USERS.get(request.META.get("HTTP_X_SSL_CLIENT_S_DN", ""))
        if user is None:
            return HttpResponseForbidden("unknown certificate")
        request.cert_user = user
        return self.get_response(request)
