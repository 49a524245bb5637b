# checks: django-ssl-redirect-off; want: django-ssl-redirect-off@1
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
