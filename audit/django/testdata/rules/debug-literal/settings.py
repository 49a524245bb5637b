# checks: django-debug-enabled
DEBUG = True  # want: django-debug-enabled@1
