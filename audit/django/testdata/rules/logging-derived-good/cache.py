# checks: django-logging-sensitive
# One named, harmless field picked out of a header mapping is not the mapping.
import logging

logger = logging.getLogger(__name__)


def freshness(request):
    headers = request.headers
    resp_cc = parse_cache_control(headers)
    if "max-age" in resp_cc:
        lifetime = resp_cc["max-age"]
        logger.debug("Freshness lifetime from max-age: %i", lifetime)
    logger.debug("date %s", headers["date"])
    return 0


def parse_cache_control(headers):
    return {}
