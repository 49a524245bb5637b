# checks: django-cors-middleware-order
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "myapp.middleware.TokenAuthMiddleware",
]
MIDDLEWARE.insert(0, "corsheaders.middleware.CorsMiddleware")
