"""The identity middleware with the two classic bugs crossgate must find:

* it trusts X-SSL-Client-S-DN without looking at X-SSL-Client-Verify (so a client-sent header
  that nginx fails to overwrite is an identity), and
* it maps the subject to a user by substring ('CN=alice' in 'CN=alice2,O=Example').
"""
from xg.users import USERS


class SubjectMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The legacy header first, then the one nginx sets: whichever arrives wins.
        subject = request.META.get("HTTP_X_SSL_CLIENT_S_DN") or request.META.get(
            "HTTP_X_CLIENT_SUBJECT", ""
        )
        request.xg_user = None
        for name in USERS:
            if "CN=" + name in subject:
                request.xg_user = name
                break
        return self.get_response(request)
