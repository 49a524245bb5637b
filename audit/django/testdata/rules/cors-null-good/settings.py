# checks: django-cors-null-origin
CORS_ALLOWED_ORIGINS = ["https://app.example.com", "https://null.example.com"]
