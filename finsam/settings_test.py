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
# Tasks are queued, not run: rendering an archival PDF takes seconds, and most tests that adopt a plan
# (every demo load does) do not read it. A test that does asks for it with the `renders_pdfs` fixture
# (tests/conftest.py), which runs tasks at once, inside the request.
TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# WhiteNoise would index every file under STATIC_ROOT (a `collectstatic`, e.g. by `make bench`) each time a
# test client builds its middleware: tens of milliseconds per test. Files are looked up when asked instead.
WHITENOISE_AUTOREFRESH = True
