from xg.cfg_plain import *  # noqa: F401,F403

# cfg_plain with the review suite's extra views.
ROOT_URLCONF = "xg.review_urls"
