import logging

from django.http import JsonResponse

logger = logging.getLogger(__name__)


def account(request):
    logger.info("account request headers=%s", request.headers)  # want: django-logging-sensitive@5
    user = getattr(request, "client_user", None)
    return JsonResponse({"user": user, "email": "alice@example.com"})
