# checks: django-logging-sensitive
import logging

logger = logging.getLogger(__name__)


def view(request):
    logger.info("%s %s from %s", request.method, request.path, request.META["REMOTE_ADDR"])
    logger.warning("token rejected for %s", request.user)
    logger.debug("agent %s", request.headers.get("User-Agent"))
    logger.exception("failed", exc_info=True)
    print(request.META)


def remote_groups(request, settings):
    # netbox's shape: one header whose name is a setting, named for what it holds (groups),
    # is that header, as a literal key would be; not the request's credentials.
    groups_string = request.META.get(settings.REMOTE_AUTH_GROUP_HEADER, None)
    groups = groups_string.split(",") if groups_string else []
    logger.debug(f"Groups are {groups}")
    tenant = request.headers[settings.TENANT_HEADER]
    logger.info("tenant %s", tenant)
