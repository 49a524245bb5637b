from xg.base import *  # noqa: F401,F403

# The API's own IP address, unanchored and with unescaped dots: https://127.0.0.1.evil.example
# (a registrable DNS name) reads the API; https://127x0.0.1 matches too, but no browser can send it.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://127.0.0.1"]
CORS_ALLOW_CREDENTIALS = True
