from xg.base import *  # noqa: F401,F403

# An exact allowlist and nothing else: for configurations whose weakness is in nginx.
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
