from xg.base import *  # noqa: F401,F403

# crossgate's own remediation, generated at test time from package remedy:
# the identity middleware (remedy.MTLSDjangoMiddleware) and, when CORS is the app's job,
# the django-cors-headers settings (remedy.CORSDjango).
from xg.fixed_cors import *  # noqa: F401,F403,E402
from xg.fixed_user import CROSSGATE_USER_ATTR, FIXED_MIDDLEWARE  # noqa: E402

MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    FIXED_MIDDLEWARE,
]
