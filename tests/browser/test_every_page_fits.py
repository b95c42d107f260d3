"""Every page fits 390 px, for every role that may see it (issue 15, "done means"): a walk of every GET URL
of the URL configuration, the list and its path arguments taken from the access matrix
(tests/security/test_url_matrix.py: REGISTRY, the categories' expectations and its test association),
at 390 px wide. No page may be wider than the viewport (`document.documentElement.scrollWidth`), and
axe-core finds no WCAG 2.1 A/AA violation on any of them.

One browser context per role, logged in once. A URL that answers something other than a full HTML page
to a GET (a download, a redirect, an htmx fragment, a refusal) is not a page and is left out; the test
says how many of each it saw, and fails if it reaches too few pages to mean anything.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.browser.conftest import AXE_TAGS, format_violations
from tests.security.dataset import PASSWORD, seed_world
from tests.security.test_url_matrix import (
    A_ROLES,
    EXPECTED,
    NOT_FOUND,
    OPEN_LIST,
    PUBLIC,
    PUBLISHED,
    REGISTRY,
    build_kwargs,
    category_of,
    project_urls,
)

pytestmark = pytest.mark.browser

WIDTH = 390
# The pages the walk must at least reach (every role's plan pages, editor, budget, review...): fewer
# means the walk broke, not that the pages got fewer.
AT_LEAST = 60


@pytest.fixture
def alfa(transactional_db):
    return seed_world("alfa")


def pages_to_visit(world) -> list[tuple[str, str, str]]:
    """(role, url, what) for every GET URL and every role whose category lets it see the page."""
    visits = []
    for entry in project_urls():
        if entry.name not in REGISTRY:
            continue  # tests/security/test_url_matrix.py reports it
        for fixed in entry.variants():
            category = category_of(entry.name, "GET", fixed)
            if category == NOT_FOUND:
                continue
            kwargs, uses_objects = build_kwargs(entry, world, world.objects, fixed)
            plans = [("draft", kwargs)]
            if uses_objects:
                adopted, _ = build_kwargs(entry, world, world.adopted_objects, fixed)
                if adopted != kwargs:
                    plans.append(("adopted", adopted))
            for plan, plan_kwargs in plans:
                url = reverse(entry.name, kwargs=plan_kwargs)
                roles = [role for role in A_ROLES if "ok" in EXPECTED[category][plan][role]]
                if category in (PUBLIC, PUBLISHED, OPEN_LIST):
                    roles.append("anonymous")
                visits += [(role, url, f"{entry.name} ({plan} plan)") for role in roles]
    return visits


def log_in(page, user) -> None:
    page.goto(reverse("login"))
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in").click()
    assert reverse("login") not in page.url, f"login as {user.username} failed"


def is_page(response) -> bool:
    """A full HTML page answered to the GET itself (not a download, a redirect or an htmx fragment)."""
    if response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
        return False
    return response.text().lstrip()[:15].lower() == "<!doctype html>"


def goto(page, url, *, answer=None):
    """Go to `url`; with `answer` (the probe's response to the same GET, with the same cookies) the browser
    gets that instead of asking the server to render the page a second time."""
    if answer is None:
        return page.goto(url)
    path = urlsplit(url).path

    def same_url(requested: str) -> bool:
        return urlsplit(requested).path == path

    page.route(same_url, lambda route: route.fulfill(response=answer))
    try:
        return page.goto(url)
    finally:
        page.unroute(same_url)


def axe_violations(page) -> list[dict]:
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT)
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    return page.evaluate("(options) => axe.run(document, options)", options)["violations"]


def test_every_page_fits_390_px_and_passes_axe_for_every_role(new_page, alfa, capsys):
    started = time.perf_counter()
    visits = pages_to_visit(alfa)
    pages = {}
    for role in ("anonymous", *A_ROLES):
        page = new_page()
        page.set_viewport_size({"width": WIDTH, "height": 844})
        if role != "anonymous":
            log_in(page, alfa.users[role])
        pages[role] = page
    too_wide, inaccessible, skipped, seen = [], [], 0, 0
    axe_seconds = 0.0
    kinds: dict[tuple[str, bool], bool] = {}
    checked: set[str] = set()  # axe runs once per URL, as the first role that sees it (the chief, mostly)
    for role, url, what in visits:
        page = pages[role]
        # Whether a URL answers a page depends on whether one is logged in (the login page), not on the
        # role of one who may see it.
        kind = (url, role == "anonymous")
        probe = None
        if kind not in kinds:
            probe = page.request.get(url, max_redirects=0)
            kinds[kind] = is_page(probe)
        if not kinds[kind]:
            skipped += 1
            continue
        response = goto(page, url, answer=probe)
        assert response.status == 200, f"{url} [{what}] as {role}: {response.status}"
        seen += 1
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            too_wide.append(f"{url} [{what}] as {role}: {width} px")
        if url in checked:
            continue
        checked.add(url)
        axe_started = time.perf_counter()
        violations = axe_violations(page)
        axe_seconds += time.perf_counter() - axe_started
        if violations:
            inaccessible.append(f"{url} [{what}] as {role}:\n{format_violations(violations)}")
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\n390 px walk: {seen} pages (role × URL) fit, {len(checked)} URLs pass axe, {skipped} answers that are no page "
            f"(downloads, redirects, fragments, refusals), in {elapsed:.1f} s (axe: {axe_seconds:.1f} s)"
        )
    assert not too_wide, "wider than 390 px:\n" + "\n".join(too_wide)
    assert not inaccessible, "axe-core violations:\n" + "\n".join(inaccessible)
    assert seen >= AT_LEAST, f"the walk reached only {seen} pages"
