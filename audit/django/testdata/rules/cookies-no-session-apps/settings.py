# checks: django-insecure-cookies
# An API with neither the sessions app nor SessionMiddleware nor CsrfViewMiddleware sets no
# session or CSRF cookie: Django's own checks (W010-W012, W016) stay silent, and so do we.
# A CSRF cookie readable by JavaScript is how Django ships it (CSRF_COOKIE_HTTPONLY's docs):
# not a finding either.
INSTALLED_APPS = ["django.contrib.contenttypes", "rest_framework", "corsheaders"]
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
]
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_HTTPONLY = True
