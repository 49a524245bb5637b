# Environment-driven settings (text-only fixture: django-environ and python-decouple are
# not installed on the test machine, so Django never loads this module).
import os

import environ
from decouple import Csv, config

env = environ.Env(DEBUG=(bool, True))

DEBUG = env("DEBUG")  # want: django-debug-enabled@1
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "dev-secret-key-not-for-production")  # want: django-secret-key-hardcoded@1
ALLOWED_HOSTS = config("ALLOWED_HOSTS", default="*", cast=Csv())  # want: django-allowed-hosts-wildcard@1

INSTALLED_APPS = ["django.contrib.sessions", "corsheaders"]
MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.security.SecurityMiddleware"]

SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)  # want: django-insecure-cookies@1
CSRF_COOKIE_SECURE = config("CSRF_COOKIE_SECURE", default=True, cast=bool)
SECURE_SSL_REDIRECT = os.getenv("SECURE_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", "31536000"))

CORS_ALLOW_ALL_ORIGINS = config("CORS_ALLOW_ALL", default="false", cast=bool)
if os.environ.get("ENABLE_LEGACY_CORS"):
    CORS_ALLOW_ALL_ORIGINS = True  # want: django-cors-allow-all@5

CORS_PREFLIGHT_MAX_AGE = int(os.environ.get("CORS_MAX_AGE", "86400"))
