#!/usr/bin/env python3
"""Entry point for the e2e fixture project; run with Debian's /usr/bin/python3."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xg.cfg_exact")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
