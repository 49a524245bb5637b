from xg.base import *  # noqa: F401,F403

# A preflight that lets any header through and is cached for days (django-cors-headers sends
# "*" literally, which browsers read as "any header" on non-credentialed requests).
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_HEADERS = ["*"]
CORS_PREFLIGHT_MAX_AGE = 1000000
