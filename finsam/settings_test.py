"""Fast settings for the test suite: cheap hashing, in-memory cache and e-mail."""

import os

os.environ.setdefault("FINSAM_DEBUG", "1")

from finsam.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Throttling is tested explicitly where it matters; elsewhere it would make logins order-dependent.
AXES_ENABLED = os.environ.get("FINSAM_TEST_AXES", "0") == "1"
# Tasks run at once, inside the request, so tests see their results synchronously.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
