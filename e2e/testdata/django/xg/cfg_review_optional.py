from xg.cfg_optional import *  # noqa: F401,F403

# cfg_optional (serves alice without a certificate) with the review suite's extra views.
ROOT_URLCONF = "xg.review_urls"
