from xg.base import *  # noqa: F401,F403

DEBUG = True
# Limited on purpose: any other Host raises DisallowedHost, which DEBUG renders as a technical page.
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
