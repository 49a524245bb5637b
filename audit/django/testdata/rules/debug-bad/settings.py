# checks: django-debug-enabled
import os

DEBUG = os.environ.get("DJANGO_DEBUG", "1") == "1"  # want: django-debug-enabled@1
if os.environ.get("STAGING"):
    DEBUG = True  # want: django-debug-enabled@5
