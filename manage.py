#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finsam.settings")
    # Without a secret key this is a developer's shell, not production: use development settings.
    # (finsam.wsgi, which production serves, has no such default and refuses to start without a key.)
    if not os.environ.get("DJANGO_SECRET_KEY"):
        os.environ.setdefault("FINSAM_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
