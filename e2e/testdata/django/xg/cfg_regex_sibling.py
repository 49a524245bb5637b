from xg.base import *  # noqa: F401,F403

# Any one-label sub-domain of example.com: every sibling of app.example.com reads the API
# (cors-any-subdomain), but no name outside example.com does.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://[a-z0-9-]+\.example\.com$"]
CORS_ALLOW_CREDENTIALS = True
