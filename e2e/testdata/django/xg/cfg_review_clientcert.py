from xg.cfg_plain import *  # noqa: F401,F403

# The identity comes from RFC 9440 Client-Cert, which nginx neither sets nor clears.
ROOT_URLCONF = "xg.review_urls"
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xg.review_mw.ClientCertMiddleware",
]
