# checks: django-cors-allow-all django-cors-allow-all-credentials
CORS_ALLOW_ALL_ORIGINS = True  # want: django-cors-allow-all-credentials@1
CORS_ALLOW_CREDENTIALS = True
