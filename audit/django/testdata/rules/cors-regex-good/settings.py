# checks: django-cors-regex-unsafe
CORS_ALLOWED_ORIGIN_REGEXES = [
    r"^https://app\.example\.com$",
    r"^https://[a-z0-9-]+\.example\.com$",
    r"^https://app\.example\.com(:\d+)?$",
    r"^https://(?:www|app)\.example\.com\Z",
    r"^https://(?=app)app\.example\.com$",
]
# the old name is ignored when the new one is set
CORS_ORIGIN_REGEX_WHITELIST = [r"https://.*"]
