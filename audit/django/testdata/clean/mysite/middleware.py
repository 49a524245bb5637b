from django.http import HttpResponseForbidden

# exact subject DN, as nginx formats $ssl_client_s_dn -> user
CLIENTS = {
    "CN=alice,OU=payments,O=Example Corp,C=US": "alice",
    "CN=bob,OU=payments,O=Example Corp,C=US": "bob",
}


class ClientCertMiddleware:
    """Maps the verified client certificate nginx forwards to a user, exactly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_X_SSL_CLIENT_VERIFY") != "SUCCESS":
                return HttpResponseForbidden("verified client certificate required")
            subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")
            user = CLIENTS.get(subject)
            if user is None:
                return HttpResponseForbidden("unknown client certificate")
            request.client_user = user
        return self.get_response(request)
