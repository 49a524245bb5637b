# checks: django-allowed-hosts-wildcard
ALLOWED_HOSTS = ["api.example.com"]
ALLOWED_HOSTS += ["*"]  # want: django-allowed-hosts-wildcard@19
