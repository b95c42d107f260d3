"""Settings of the app servers and the worker that tests/test_multi_server.py starts: the production
settings (DEBUG off, the database task queue, the file store from the environment), with two exceptions
that only save time:

- static files are served from the source folders, not from a `collectstatic` of the manifest storage
  (which compresses every file: about 25 s on the CI machine, for files the test never asks for);
- the test's users are made in the test process, whose passwords are hashed with MD5 (settings_test).
"""

import os

os.environ.pop("FINSAM_DEBUG", None)

from finsam.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
