# Development settings: named by no entry point, so crossgate does not audit them.
from .base import *  # noqa: F401,F403

DEBUG = True
CORS_ALLOW_ALL_ORIGINS = True
