"""CSRF on every POST, the Content-Security-Policy, production settings, and no unexplained unsafe code."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.security.dataset import seed_world
from tests.security.test_url_matrix import build_kwargs, project_urls

ROOT = Path(__file__).resolve().parents[2]


# --- CSRF ----------------------------------------------------------------------------------------------


def _post(client, url, *, token=None, htmx=False):
    headers = {}
    if token:
        headers["X-CSRFToken"] = token
    if htmx:
        headers["HX-Request"] = "true"
    with transaction.atomic():
        response = client.post(url, {}, headers=headers)
        transaction.set_rollback(True)
    return response


def _is_csrf_failure(response) -> bool:
    return response.status_code == 403 and b"CSRF" in response.content


@pytest.mark.slow
@pytest.mark.django_db
def test_every_post_needs_the_csrf_token(capsys, uninstrumented_templates):
    """As A's chief (and anonymously for the account pages): every URL that accepts POST refuses it
    without the token, with and without HTMX, and accepts the token in the X-CSRFToken header (the way
    base.html sends it for every htmx request)."""
    world = seed_world("alfa")
    chief = Client(enforce_csrf_checks=True, raise_request_exception=False)
    chief.force_login(world.users["chief"])
    chief.get(reverse("association", args=[world.association.slug]))  # sets the csrftoken cookie
    anonymous = Client(enforce_csrf_checks=True, raise_request_exception=False)
    anonymous.get(reverse("login"))

    checked = 0
    problems = []
    for entry in project_urls():
        fixed = entry.variants()[0]
        kwargs, _ = build_kwargs(entry, world, world.objects, fixed)
        url = reverse(entry.name, kwargs=kwargs)
        for name, client in (("chief", chief), ("anonymous", anonymous)):
            token = client.cookies[settings.CSRF_COOKIE_NAME].value
            probe = _post(client, url, token=token)
            if probe.status_code == 405:
                continue  # the view does not accept POST
            for htmx in (False, True):
                without = _post(client, url, htmx=htmx)
                with_token = _post(client, url, token=token, htmx=htmx)
                checked += 1
                if not _is_csrf_failure(without):
                    problems.append(
                        f"POST {url} as {name} (htmx={htmx}) without a token: {without.status_code}"
                    )
                if _is_csrf_failure(with_token) or with_token.status_code >= 500:
                    problems.append(
                        f"POST {url} as {name} (htmx={htmx}) with the token: {with_token.status_code}"
                    )
    with capsys.disabled():
        print(
            f"\nCSRF: {checked} POST endpoint × user × HTMX combinations checked, with and without the token"
        )
    assert checked > 10
    assert not problems, "\n".join(problems)


# --- Content-Security-Policy and other headers -------------------------------------------------------


@pytest.mark.django_db
def test_pages_have_a_strict_content_security_policy(client):
    world = seed_world("alfa")
    chief = Client()
    chief.force_login(world.users["chief"])
    pages = [
        (client, reverse("login")),
        (chief, world.draft.get_absolute_url()),
        (chief, reverse("plan_edit", args=[world.association.slug, world.draft.pk])),
    ]
    for browser, url in pages:
        response = browser.get(url)
        assert response.status_code == 200, url
        policy = response["Content-Security-Policy"]
        directives = dict(
            (part.split()[0], part.split()[1:]) for part in (p.strip() for p in policy.split(";")) if part
        )
        assert "'unsafe-inline'" not in directives["script-src"], policy
        assert "'unsafe-eval'" not in directives["script-src"], policy
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        nonce = next(v for v in directives["script-src"] if v.startswith("'nonce-"))[7:-1]
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce}"' in tag and "src=" in tag, (
                f"{url}: script without nonce or inline: {tag}"
            )
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), f"{url}: inline script"
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_scripts_or_event_handlers():
    """Under the CSP an inline handler would not run anyway; this keeps them from being written."""
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")) + sorted(ROOT.glob("*/templates/**/*.html")):
        text = path.read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            if re.search(r"\son[a-z]+\s*=\s*[\"']", line) or re.search(r"\bhx-on[:-]", line):
                problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
            if re.search(r"javascript:", line, re.IGNORECASE):
                problems.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                problems.append(f"{path.relative_to(ROOT)}: inline <script>")
    assert not problems, "\n".join(problems)


# --- Production settings -------------------------------------------------------------------------------


def _production_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FINSAM_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="finsam.example.se",
        FINSAM_BASE_URL="https://finsam.example.se",
    )
    return env


def test_check_deploy_reports_nothing_in_production():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


def test_production_settings_force_https_and_secure_cookies():
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k) for k in ['DEBUG', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT', 'SESSION_COOKIE_SECURE', "
        "'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    import json

    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"


def test_production_refuses_to_start_without_a_secret_key():
    env = _production_env()
    del env["DJANGO_SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr


# --- Unsafe constructs need a reason -------------------------------------------------------------------

UNSAFE = re.compile(
    r"\|\s*safe\b|\|\s*safeseq\b|\bmark_safe\(|\bSafeString\(|format_html\(\s*f[\"']|\.raw\(|"
    r"cursor\.execute|\.extra\(|\bRawSQL\(|autoescape\s+off|connection\.cursor\("
)
SOURCE_DIRS = ("finsam", "plans", "budgets", "interventions", "templates")


def _has_reason(lines: list[str], index: int) -> bool:
    """A comment on the same line, or a comment line just before it."""
    line = lines[index]
    if re.search(r"#\s*\S|\{#.+#\}|\{% comment", line):
        return True
    previous = lines[index - 1].strip() if index else ""
    return previous.startswith(("#", "{#", "{% comment"))


def test_no_unsafe_html_or_raw_sql_without_a_reason():
    problems = []
    checked = 0
    for directory in SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*")):
            if path.suffix not in {".py", ".html", ".txt", ".xml", ".svg"} or "migrations" in path.parts:
                continue
            lines = path.read_text(errors="replace").splitlines()
            for index, line in enumerate(lines):
                if not UNSAFE.search(line) or re.match(r"\s*(from|import)\s", line):
                    continue
                checked += 1
                if not _has_reason(lines, index):
                    problems.append(f"{path.relative_to(ROOT)}:{index + 1}: {line.strip()}")
    assert not problems, "Unsafe HTML or raw SQL without a comment saying why it is safe:\n" + "\n".join(
        problems
    )
    # format_html with %-formatting or .format() defeats its escaping.
    for directory in SOURCE_DIRS:
        for path in (ROOT / directory).rglob("*.py"):
            text = path.read_text()
            assert not re.search(r"format_html\([^)]*[\"']\s*(%|\.format\()", text), path


def test_check_deploy_asks_for_the_address_of_links_in_e_mail():
    env = _production_env()
    del env["FINSAM_BASE_URL"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "finsam.W001" in result.stdout + result.stderr
