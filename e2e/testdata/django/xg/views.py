import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse

from xg.users import FAKE_AWS_KEY_ID, USERS


def _user(request):
    value = getattr(request, settings.CROSSGATE_USER_ATTR, None)
    if isinstance(value, dict):
        value = value.get("username") or value.get("user") or value.get("cn") or value.get("CN")
    elif value is not None and not isinstance(value, str):
        value = getattr(value, "username", None) or str(value)
    if isinstance(value, str) and value not in USERS:
        # A fixed middleware may hand over the whole subject: take its CN, compared exactly.
        for part in value.replace("/", ",").split(","):
            part = part.strip()
            if part.startswith("CN=") and part[3:] in USERS:
                return part[3:]
        return None
    if value is None and settings.CROSSGATE_DEFAULT_USER:
        return settings.CROSSGATE_DEFAULT_USER
    return value


def profile(request):
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "client certificate required"}, status=403)
    body = {"user": user}
    body.update(USERS[user])
    if settings.CROSSGATE_PROFILE_SECRET:
        body["integration"] = {"aws_access_key_id": FAKE_AWS_KEY_ID}
    return JsonResponse(body)


def item(request, n):
    """One of many alike endpoints (the budget test's 16): the user's own record."""
    user = _user(request)
    if user is None:
        return JsonResponse({"detail": "client certificate required"}, status=403)
    body = {"item": n, "owner": user}
    body.update(USERS[user])
    return JsonResponse(body)


def health(request):
    return JsonResponse({"ok": True})


def boom(request):
    raise RuntimeError("e2e fixture: deliberate failure for the technical 500 page")


def identity_headers(request):
    # Lets the stack tests see exactly which identity headers reached the app.
    meta = {k: v for k, v in request.META.items() if k.startswith("HTTP_X_")}
    return HttpResponse(json.dumps(meta, sort_keys=True), content_type="application/json")
