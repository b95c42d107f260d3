import os

import pytest

# Playwright's sync API runs an event loop; Django must still allow the ORM in live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Every test using one of these fixtures is slow (`make test-fast` leaves it out): `demo_pdfs` renders the
# three demo plans as PDF/A and reads them back.
SLOW_FIXTURES = {"demo_pdfs"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing component must never turn into a green run."""
    if os.environ.get("CI", "").lower() not in {"1", "true"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI a skip is a failure.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
