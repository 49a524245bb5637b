# checks: django-secret-key-hardcoded
import os

with open("/run/secrets/django_key") as fh:
    SECRET_KEY = fh.read().strip()
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", SECRET_KEY)
SECRET_KEY_FALLBACKS = [os.environ["OLD_SECRET_KEY"]]
