# want: django-insecure-cookies@1 django-ssl-redirect-off@1; one step lower for the name
# Development settings: named by no entry point, audited all the same (every settings module
# is). base.py's own values are in effect here where production.py overrides them.
from .base import *  # noqa: F401,F403

DEBUG = True  # want: django-debug-enabled@1
CORS_ALLOW_ALL_ORIGINS = True  # want: django-cors-allow-all@1
