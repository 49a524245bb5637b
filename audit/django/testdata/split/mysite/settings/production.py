import os

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["api.example.com"]

MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")
MIDDLEWARE += ["django.middleware.clickjacking.XFrameOptionsMiddleware"]

# the new name wins over base.py's CORS_ORIGIN_ALLOW_ALL = True
CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOWED_ORIGINS = [
    "https://app.example.com",
    "http://localhost:3000",  # want: django-cors-http-origin@5
]

CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
