"""Browser tests: Playwright (sync API) drives Debian's Chromium against pytest-django's live server.

Fixtures and helpers for every browser test:
- `browser`: one Chromium for the session (never downloaded: /usr/bin/chromium, or FINSAM_CHROMIUM);
- `page` / `new_page()`: a fresh browser context per page, with the live server as base URL, short
  timeouts, and JavaScript errors collected (a test fails on any uncaught error or CSP violation);
- `demo` / `demo_loader`: the demo associations from finsam/site/demo/data (`load_demo`), in the test database;
- `login(page, username)`: logs in through the login form (demo password unless given);
- `htmx_settled(page)`: waits until htmx has finished a request and wired up the new content;
- `axe_check(page)`: runs axe-core (bundled by axe-playwright-python) with the WCAG 2.0/2.1 A and AA
  tags and fails with a readable list of every violation.

Without Chromium the tests are skipped, except where FINSAM_REQUIRE_BROWSER=1 or CI=true: there a
missing browser is a failure, never a silent skip.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from finsam.site.demo.loader import DEMO_PASSWORD, ensure_admin, load_association
from finsam.site.demo.reading import demo_files, read_demo_file

CHROMIUM = os.environ.get("FINSAM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TIMEOUT_MS = 5000
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API runs an event loop in this thread; the ORM must still work in the test itself.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def browser_required() -> bool:
    def on(name: str) -> bool:
        return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}

    return on("FINSAM_REQUIRE_BROWSER") or on("CI")


def pytest_collection_modifyitems(config, items):
    """Everything in tests/browser is a browser test, marked or not (so `-m "not browser"` skips it)."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


def no_browser(reason: str):
    if browser_required():
        pytest.fail(f"{reason} (FINSAM_REQUIRE_BROWSER=1 or CI=true: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        no_browser(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        no_browser("Playwright for Python is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    except Exception as error:  # report why the browser did not start
        playwright.stop()
        no_browser(f"Chromium did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


class PageErrors(list):
    """Uncaught JavaScript errors and Content-Security-Policy violations seen by a page."""


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable]:
    """`new_page()` opens a page in a fresh context (its own cookies: another user, another tab)."""
    contexts = []
    in_flight: dict = {}  # page -> its requests still waiting for their answer
    errors = PageErrors()

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="sv-SE")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        requests = in_flight.setdefault(page, set())
        page.on("request", lambda request: requests.add(request))
        page.on("requestfinished", lambda request: requests.discard(request))
        page.on("requestfailed", lambda request: requests.discard(request))
        page.on("pageerror", lambda error: errors.append(f"JavaScript error: {error}"))
        page.on(
            "console",
            lambda message: (
                errors.append(f"Console: {message.text}")
                if message.type == "error" and "Content Security Policy" in message.text
                else None
            ),
        )
        return page

    yield open_page
    # Let requests in flight finish first: a live-server write racing the test database's flush makes the
    # teardown fail with a foreign-key error. (Waiting for "networkidle" did that too, but waits half a
    # second after the last request, whether one is in flight or not.)
    for page, requests in in_flight.items():
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while requests and time.monotonic() < deadline and not page.is_closed():
            page.wait_for_timeout(20)
    for context in contexts:
        context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_loader(transactional_db) -> Callable:
    """`demo_loader("ostra-varmland", ...)` loads those demo associations (all without arguments)."""

    def load(*slugs: str):
        files = [read_demo_file(path) for path in demo_files()]
        chosen = [data for data in files if not slugs or data["slug"] in slugs]
        assert chosen, f"no demo data for {slugs}"
        reports = [load_association(data, source=data["slug"]) for data in chosen]
        ensure_admin()
        return reports

    return load


@pytest.fixture
def demo(demo_loader):
    """All three demo associations with their adopted plans and demo users (`chef.<slug>` ...)."""
    return demo_loader()


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    from django.urls import reverse

    login_url = reverse("login")
    page.goto(login_url)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    assert login_url not in page.url, f"login as {username} failed"


def htmx_settled(page) -> None:
    """Wait until htmx has no request in flight and has processed what it swapped in.

    `expect(...)` sees new content as soon as it is in the page, but htmx wires its attributes up a
    moment later: a key pressed in between would submit the form without htmx (a full page load).
    """
    page.wait_for_function(
        "() => window.htmx && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def axe_check(page, *, context: str | None = None, tags: list[str] | None = None) -> None:
    """Run axe-core on the page (or the `context` selector) and fail on any WCAG 2.1 A/AA violation."""
    from axe_playwright_python.base import AXE_SCRIPT

    page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": tags or AXE_TAGS}, "resultTypes": ["violations"]}
    results = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    violations = results["violations"]
    if violations:
        pytest.fail(f"axe-core on {page.url}:\n{format_violations(violations)}", pytrace=False)


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact')}): {violation['help']} [{violation['helpUrl']}]"
        )
        for node in violation["nodes"][:10]:
            lines.append(
                f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}"
            )
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


@pytest.fixture(name="login")
def login_fixture():
    return login


@pytest.fixture(name="axe_check")
def axe_check_fixture():
    return axe_check


@pytest.fixture(name="htmx_settled")
def htmx_settled_fixture():
    return htmx_settled
