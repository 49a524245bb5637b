# checks: django-logging-sensitive
# What the client sent still counts, through a parser; a secret picked by name still counts.
import logging

logger = logging.getLogger(__name__)


def view(request, credentials):
    parsed = parse(request.headers)
    logger.debug("headers %r", parsed)  # want: django-logging-sensitive@5
    password = credentials.get("password")
    logger.debug("login with %s", password)  # want: django-logging-sensitive@5
    raw = str(request.body).strip()
    logger.info("body %s", raw)  # want: django-logging-sensitive@5


def parse(headers):
    return {}
