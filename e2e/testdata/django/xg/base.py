# Shared settings of the crossgate e2e fixture. Each cfg_*.py imports this and changes only
# what its configuration is about, so a scan result can be pinned to one setting.
# The secret key is a throwaway for a loopback test server, not a credential.
SECRET_KEY = "e2e-fixture-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "xg.urls"
# No database apps: nothing to migrate, nothing written to disk.
INSTALLED_APPS = ["corsheaders"]
DATABASES = {}
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xg.middleware.SubjectMiddleware",
]
USE_TZ = True
APPEND_SLASH = False
LOGGING_CONFIG = None

# The view reads the identity from this request attribute (set by the identity middleware).
CROSSGATE_USER_ATTR = "xg_user"
# When set, a request without an identity is served this user's profile (an app that
# trusts nginx to have enforced the certificate).
CROSSGATE_DEFAULT_USER = None
# When true, the profile carries a fake AWS access key id (secret-in-response).
CROSSGATE_PROFILE_SECRET = False

CORS_ALLOW_ALL_ORIGINS = False
CORS_ALLOWED_ORIGINS = []
CORS_ALLOW_CREDENTIALS = False
