from django.http import HttpResponseForbidden


class ClientCertMiddleware:
    """Maps the client certificate nginx forwards to a user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN", "")  # want: django-mtls-header-unverified@19
        if request.path.startswith("/api/"):
            if "CN=alice" in subject:  # want: django-mtls-dn-substring@16
                request.client_user = "alice"
            elif subject.startswith("CN=bob"):  # want: django-mtls-dn-substring@18
                request.client_user = "bob"
            else:
                return HttpResponseForbidden("client certificate required")
        return self.get_response(request)
