# checks: django-cors-http-origin
CORS_ALLOWED_ORIGINS = ["https://app.example.com", "https://admin.example.com:8443"]
