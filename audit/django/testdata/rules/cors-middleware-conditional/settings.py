# checks: django-cors-middleware-order
import os

INSTALLED_APPS = ["corsheaders"]  # want: django-cors-middleware-order@19
if os.environ.get("DJANGO_ENV") == "production":
    MIDDLEWARE = ["corsheaders.middleware.CorsMiddleware", "django.middleware.common.CommonMiddleware"]
else:
    MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
