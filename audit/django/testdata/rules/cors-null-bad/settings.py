# checks: django-cors-null-origin
CORS_ORIGIN_WHITELIST = ["https://app.example.com", "null"]  # want: django-cors-null-origin@53
