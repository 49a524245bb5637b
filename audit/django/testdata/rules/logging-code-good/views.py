# checks: django-logging-sensitive
import logging

logger = logging.getLogger(__name__)


def view(request):
    logger.info("%s %s from %s", request.method, request.path, request.META["REMOTE_ADDR"])
    logger.warning("token rejected for %s", request.user)
    logger.debug("agent %s", request.headers.get("User-Agent"))
    logger.exception("failed", exc_info=True)
    print(request.META)
