# checks: django-cors-allow-all django-cors-allow-all-credentials
INSTALLED_APPS = ["corsheaders"]
CORS_ORIGIN_ALLOW_ALL = True  # want: django-cors-allow-all@1
CORS_ALLOW_CREDENTIALS = False
