# checks: django-debug-enabled
import os

DEBUG = True
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
TEMPLATE_DEBUG = os.environ["DJANGO_TEMPLATE_DEBUG"] == "1"
if not DEBUG:
    ALLOWED_HOSTS = ["api.example.com"]
