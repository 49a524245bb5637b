# Shared settings; production.py star-imports this and overrides what production needs.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = "django-insecure-base-key-for-local-development-only-0123456789"  # want: django-secret-key-hardcoded@1; through dev.py
DEBUG = True
ALLOWED_HOSTS = []

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",  # want: django-cors-middleware-order@5; through dev.py
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "mysite.urls"

CORS_ORIGIN_ALLOW_ALL = True

SESSION_COOKIE_SECURE = False  # want: django-insecure-cookies@1
