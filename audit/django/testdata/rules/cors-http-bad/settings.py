# checks: django-cors-http-origin
CORS_ALLOWED_ORIGINS = [
    "https://app.example.com",
    "http://app.example.com",  # want: django-cors-http-origin@5
    "http://localhost:3000",  # want: django-cors-http-origin@5
]
