# checks: django-insecure-cookies
import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware"]
CSRF_USE_SESSIONS = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True  # want: django-insecure-cookies@5
