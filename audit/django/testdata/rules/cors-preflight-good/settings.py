# checks: django-cors-broad-preflight
from corsheaders.defaults import default_headers, default_methods

CORS_ALLOW_METHODS = list(default_methods)
CORS_ALLOW_HEADERS = list(default_headers) + ["x-request-id"]
CORS_PREFLIGHT_MAX_AGE = 86400
