from xg.base import *  # noqa: F401,F403

# "Ends with example.com": https://evil-example.com, a name anyone can register, reads the API.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://.*example\.com$"]
CORS_ALLOW_CREDENTIALS = True
