# checks: django-cors-regex-unsafe
CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://app.example\.com$",  # want: django-cors-regex-unsafe@5
    r"^https://app\.example\.com",  # want: django-cors-regex-unsafe@5
    r"^https://.*example\.com$",  # want: django-cors-regex-unsafe@5
    r"^https?://app\.example\.com$",  # want: django-cors-regex-unsafe@5
    r"^(null|https://app\.example\.com)$",  # want: django-cors-regex-unsafe@5
    "^https://app\\.example\\.com\\Z",
]
