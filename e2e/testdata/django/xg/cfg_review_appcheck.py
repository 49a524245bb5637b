from xg.cfg_plain import *  # noqa: F401,F403

# ssl_verify_client optional done right: the app itself requires X-SSL-Client-Verify: SUCCESS.
ROOT_URLCONF = "xg.review_urls"
MIDDLEWARE = [
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "xg.review_mw.VerifyMiddleware",
]
