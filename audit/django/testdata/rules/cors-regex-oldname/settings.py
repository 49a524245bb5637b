# checks: django-cors-regex-unsafe
CORS_ORIGIN_REGEX_WHITELIST = (r"https://partner\.example\.org",)  # want: django-cors-regex-unsafe@32
