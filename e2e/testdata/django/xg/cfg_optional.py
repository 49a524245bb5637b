from xg.base import *  # noqa: F401,F403

# The app assumes nginx enforced the certificate and serves the account without one.
CROSSGATE_DEFAULT_USER = "alice"
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
