# checks: django-allowed-hosts-wildcard
ALLOWED_HOSTS = [".example.com", "api.example.org"]
