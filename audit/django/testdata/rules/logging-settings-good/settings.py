# checks: django-logging-sensitive
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
MEDIA_ROOT = BASE_DIR / "media"
LOGGING = {
    "version": 1,
    "handlers": {"file": {"class": "logging.FileHandler", "filename": "/var/log/app/django.log"}},
    "loggers": {"django.db.backends": {"handlers": ["file"], "level": "INFO"}},
}
LOGGING["loggers"]["django.request"] = {"level": "DEBUG"}
