# checks: django-logging-sensitive
import os

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATIC_ROOT = os.path.join(BASE_DIR, "static")
LOGGING = {
    "version": 1,
    "handlers": {
        "file": {
            "class": "logging.FileHandler",
            "filename": os.path.join(STATIC_ROOT, "logs", "django.log"),  # want: django-logging-sensitive@25
        },
    },
    "loggers": {
        "django.db.backends": {"handlers": ["file"], "level": "DEBUG"},  # want: django-logging-sensitive@63
    },
}
