"""Views of crossgate's mTLS review suite: answers that make naive comparisons fail."""
import datetime
import uuid

from django.http import JsonResponse

from xg.users import USERS
from xg.views import _user


def profile_stamped(request):
    # A timestamp and a nonce in every answer, as many APIs add.
    user = _user(request)
    stamp = {
        "generated_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
        "request_id": str(uuid.uuid4()),
    }
    if user is None:
        return JsonResponse(dict(stamp, detail="client certificate required"), status=403)
    body = {"user": user}
    body.update(USERS[user])
    body.update(stamp)
    return JsonResponse(body)


def profile_noname(request):
    # Without an identity the app still serves the default account, only without naming it.
    user = getattr(request, "xg_user", None)
    if user is None:
        return JsonResponse(dict(USERS["alice"]))
    body = {"user": user}
    body.update(USERS[user])
    return JsonResponse(body)


def team(request):
    # Shared data: every authenticated user sees the same team list.
    if _user(request) is None:
        return JsonResponse({"detail": "client certificate required"}, status=403)
    return JsonResponse({"team": [{"user": u, "name": USERS[u]["name"]} for u in sorted(USERS)]})


def headers(request):
    # Every request header that reached the app (whoami-headers shows only X- ones).
    meta = {k: v for k, v in request.META.items() if k.startswith("HTTP_")}
    return JsonResponse(meta)
