# checks: django-cors-middleware-order
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
MIDDLEWARE.append("corsheaders.middleware.CorsMiddleware")  # want: django-cors-middleware-order@19
