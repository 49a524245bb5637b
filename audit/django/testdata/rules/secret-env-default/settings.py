# checks: django-secret-key-hardcoded
from os import getenv

SECRET_KEY = getenv("SECRET_KEY", "changeme-" + "please")  # want: django-secret-key-hardcoded@1
