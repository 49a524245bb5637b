# checks: django-cors-allow-all django-cors-allow-all-credentials
# django-cors-headers reads the new name first: the old one is ignored when both are set.
CORS_ALLOW_ALL_ORIGINS = False
CORS_ORIGIN_ALLOW_ALL = True
CORS_ALLOW_CREDENTIALS = True
