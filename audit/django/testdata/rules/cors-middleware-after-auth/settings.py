# checks: django-cors-middleware-order
INSTALLED_APPS = ["corsheaders"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "gate.ClientGate",
    "corsheaders.middleware.CorsMiddleware",  # want: django-cors-middleware-order@5
]
