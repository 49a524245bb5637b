# checks: django-logging-sensitive
import logging

logger = logging.getLogger(__name__)


def dump(request, token):
    headers = request.headers
    cc = parse(headers)
    logger.debug("cache control %r", cc)  # want: django-logging-sensitive@5
    logger.debug("auth %s", headers["Authorization"])  # want: django-logging-sensitive@5
    logger.debug("token %s", token["access_token"])  # want: django-logging-sensitive@5


def parse(headers):
    return {}
