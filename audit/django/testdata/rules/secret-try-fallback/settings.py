# checks: django-secret-key-hardcoded
try:
    with open("/run/secrets/django_key") as fh:
        SECRET_KEY = fh.read().strip()
except OSError:
    SECRET_KEY = "fallback-key-that-ships-with-the-code"  # want: django-secret-key-hardcoded@5
