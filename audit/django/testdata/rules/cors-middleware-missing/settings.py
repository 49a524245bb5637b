# checks: django-cors-middleware-order
INSTALLED_APPS = [
    "django.contrib.sessions",
    "corsheaders",  # want: django-cors-middleware-order@5
]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
