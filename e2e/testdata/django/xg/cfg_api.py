from xg.base import *  # noqa: F401,F403

# The API fixture of issue 9 (scan by origin): an exact allowlist with credentials
# (django-cors-headers), item endpoints behind the client certificate, per-view CORS
# overrides on /api/partners/, an account endpoint that serves without a certificate, and
# the API's own OpenAPI 3.1 description at /openapi.json.
ROOT_URLCONF = "xg.api_urls"
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
