# checks: django-insecure-cookies; want: django-insecure-cookies@1
# CsrfViewMiddleware without CSRF_COOKIE_SECURE: Django's W016 (reported at the module, as
# the setting is not assigned). No sessions app or middleware: no session-cookie finding.
INSTALLED_APPS = ["django.contrib.contenttypes"]
MIDDLEWARE = [
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]
CSRF_COOKIE_HTTPONLY = False
