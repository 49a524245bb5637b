# Seed-like settings: the mistakes of the "CORS wildcard in Django with mutual TLS" page.  # want: django-insecure-cookies@1 django-insecure-cookies@1 django-ssl-redirect-off@1
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-7x!k2m#q9w@e4r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0z"  # want: django-secret-key-hardcoded@1

DEBUG = True  # want: django-debug-enabled@1

ALLOWED_HOSTS = ["*"]  # want: django-allowed-hosts-wildcard@18

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "corsheaders",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # want: django-cors-middleware-order@5
    "django.middleware.csrf.CsrfViewMiddleware",
    "mysite.middleware.ClientCertMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

CORS_ALLOW_ALL_ORIGINS = True  # want: django-cors-allow-all-credentials@1
CORS_ALLOW_CREDENTIALS = True

USE_TZ = True
