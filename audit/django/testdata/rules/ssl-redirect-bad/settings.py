# checks: django-ssl-redirect-off
SECURE_SSL_REDIRECT = False  # want: django-ssl-redirect-off@1
