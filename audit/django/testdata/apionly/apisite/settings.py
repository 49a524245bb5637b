# An API without sessions or CSRF middleware (token auth, CORS): Django sets neither a
# session nor a CSRF cookie, so its check --deploy raises no cookie warning, and neither
# does crossgate. Otherwise hardened, so the only difference from Django is nothing.
# checks: django-insecure-cookies
import os

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["api.example.com"]
INSTALLED_APPS = ["django.contrib.contenttypes", "corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
ROOT_URLCONF = "apisite.urls"
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CSRF_COOKIE_HTTPONLY = False
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
