# checks: django-cors-broad-preflight
CORS_ALLOW_METHODS = ["*"]  # want: django-cors-broad-preflight@1
CORS_ALLOW_HEADERS = ["content-type", "*"]  # want: django-cors-broad-preflight@39
CORS_PREFLIGHT_MAX_AGE = 7 * 86400  # want: django-cors-broad-preflight@1
