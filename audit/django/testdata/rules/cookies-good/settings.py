# checks: django-insecure-cookies
INSTALLED_APPS = ["django.contrib.sessions"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = bool(1)
