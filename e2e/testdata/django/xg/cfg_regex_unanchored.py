from xg.base import *  # noqa: F401,F403

# Missing "$": re.match accepts https://app.example.com.evil.example.
CORS_ALLOWED_ORIGIN_REGEXES = [r"^https://app\.example\.com"]
CORS_ALLOW_CREDENTIALS = True
