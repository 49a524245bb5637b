import logging

from django.http import JsonResponse

logger = logging.getLogger(__name__)


def account(request):
    user = getattr(request, "client_user", None)
    logger.info("account request for %s %s", user, request.path)
    return JsonResponse({"user": user})
