"""Views of the API fixture (cfg_api): see xg/cfg_api.py."""
from django.http import JsonResponse

from xg.users import USERS
from xg.views import _user, health, item  # noqa: F401 (re-exported for api_urls)


def reflect_origin(view):
    """The per-view override a partner integration adds: echo the caller's Origin and allow
    credentials, bypassing CORS_ALLOWED_ORIGINS (the bug crossgate must find on these paths)."""

    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        origin = request.headers.get("Origin")
        if origin:
            response["Access-Control-Allow-Origin"] = origin
            response["Access-Control-Allow-Credentials"] = "true"
        return response

    return wrapped


def account(request):
    """Serves alice's account to a request without a certificate: the view trusts nginx to
    have required one, which ssl_verify_client optional does not."""
    user = _user(request) or "alice"
    body = {"user": user}
    body.update(USERS[user])
    return JsonResponse(body)


MTLS = [{"clientCert": []}]


def openapi(request):
    """The API's own description, where FastAPI and friends serve it (--discover). No
    servers: a relative document is resolved against the URL it was fetched from."""
    item_id = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "example": 3}}
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "crossgate e2e API", "version": "1"},
        "components": {"securitySchemes": {"clientCert": {"type": "mutualTLS"}}},
        "security": MTLS,
        "paths": {
            "/api/items/{id}": {
                "get": {"operationId": "getItem", "parameters": [item_id], "responses": {"200": {"description": "an item"}}},
                "put": {"operationId": "putItem", "parameters": [item_id], "responses": {"200": {"description": "stored"}}},
            },
            "/api/account": {"get": {"operationId": "getAccount", "responses": {"200": {"description": "the account"}}}},
            "/api/health": {"get": {"operationId": "health", "security": [], "responses": {"200": {"description": "ok"}}}},
        },
    }
    return JsonResponse(doc)
