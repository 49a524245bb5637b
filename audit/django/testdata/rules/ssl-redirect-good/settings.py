# checks: django-ssl-redirect-off
DEBUG = False
SECURE_SSL_REDIRECT = not DEBUG
