# A seed-like project: every mistake crossgate audit must find. Not for production.
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-9x!2kq#m4z@v7w$e1r&t5y*u8i(o0p)a3s-d6f_g+h=j"

DEBUG = True

ALLOWED_HOSTS = ["api.example.com"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "corsheaders",
]

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mysite.middleware.ClientCertMiddleware",
]

ROOT_URLCONF = "mysite.urls"

CORS_ALLOW_ALL_ORIGINS = True

DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}
