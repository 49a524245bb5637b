# checks: django-logging-sensitive
# Values that only passed near a secret: the response of an API called with a client
# secret, the user name picked out of a credentials dict, an exception's body.
import logging

import requests
from django.conf import settings

logger = logging.getLogger(__name__)


def oauth_complete(request):
    data = {"client_id": settings.CLIENT_ID, "client_secret": settings.CLIENT_SECRET, "code": request.GET.get("code")}
    result = requests.post("https://provider.example/oauth/token", data)
    doc = result.json()
    if "access_token" not in doc:
        logger.warning("Unexpected OAuth response: %s", result.content)


def login_failed(sender, credentials, request, **kwargs):
    username = credentials.get("username")
    log_output = f"Login failed for user {username}"
    logger.info(log_output)


def send(api_key):
    try:
        pass
    except Exception as e:
        logger.warning("Bad request, response: %s", e.body)


def webhook(request, handlers):
    event = construct_event(payload=request.body)
    logger.debug("Processing webhook", extra={"event_type": event.type, "event_id": event.id})


def choices(PaymentMethodTokenizationResult):
    possible = ", ".join([v.name for v in PaymentMethodTokenizationResult])
    logger.warning("Possible values: %s", possible)


def construct_event(payload):
    return payload
