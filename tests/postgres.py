"""Helpers of the tests that need PostgreSQL itself (several processes on one database, pg_dump)."""

from __future__ import annotations

import os

import pytest
from django.db import connection


def required(name: str) -> bool:
    """Whether a missing component must fail the test rather than skip it: CI=true or `name`=1."""
    return any(os.environ.get(key, "").strip().lower() in {"1", "true", "yes"} for key in (name, "CI"))


def needs_postgresql():
    if connection.vendor != "postgresql":
        reason = "needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/finsam_<name>"
        if required("FINSAM_REQUIRE_POSTGRES"):
            pytest.fail(f"{reason} (CI=true or FINSAM_REQUIRE_POSTGRES=1: it must run)", pytrace=False)
        pytest.skip(reason)


def database_url(name: str | None = None) -> str:
    """The test database (pytest-django's, with what the test committed), or database `name` on the same
    server, as a DATABASE_URL for another process."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name or db['NAME']}"
