# checks: django-insecure-cookies; want: django-insecure-cookies@1
import os

INSTALLED_APPS = ["django.contrib.sessions"]
MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]
SESSION_COOKIE_SECURE = False  # want: django-insecure-cookies@1
