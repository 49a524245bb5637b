# checks: django-logging-sensitive
import logging

logger = logging.getLogger(__name__)
log = logging.getLogger("audit")


def view(request):
    logger.debug("request meta: %s", request.META)  # want: django-logging-sensitive@5
    logging.info(request.body)  # want: django-logging-sensitive@5
    log.warning(f"auth header {request.META['HTTP_AUTHORIZATION']}")  # want: django-logging-sensitive@5
    cert = request.META.get("HTTP_X_SSL_CLIENT_CERT")
    logger.info("client cert %s", cert)  # want: django-logging-sensitive@5
    api_token = request.GET.get("t")
    logger.error("bad token %s", api_token)  # want: django-logging-sensitive@5


def remote_token(request, settings):
    # the same with a setting named for a credential
    token = request.META.get(settings.REMOTE_AUTH_TOKEN_HEADER)
    logger.info("token %s", token)  # want: django-logging-sensitive@5
    raw = request.headers[settings.AUTHORIZATION_HEADER]
    logger.info("raw %s", raw)  # want: django-logging-sensitive@5
