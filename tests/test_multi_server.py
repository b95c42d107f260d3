"""Several app servers: two gunicorn instances and one task worker share PostgreSQL and an S3 store.

The test starts moto's standalone S3 server on a loopback port, two gunicorn instances (production
settings, tests/server_settings.py) on two more, both on the test's PostgreSQL database and that store,
and one `db_worker`. Then one association's chief and chair send their requests alternately to both
instances, as behind a load balancer without sticky sessions: a login on one is valid on the other, an
edit through one conflicts (409) with a stale edit through the other, the plan is submitted, approved and
adopted, the worker renders the archived PDF/A into the store and either instance serves the very same
bytes, and the published plan's open link works on both. Nothing may depend on which instance answered.

Needs PostgreSQL (two processes on one SQLite file is not the setting under test); skipped without it,
except in CI (CI=true) or with FINSAM_REQUIRE_POSTGRES=1, where that is a failure.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import http.client
import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pypdf
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from PIL import Image

from budgets.models import BudgetAmount
from finsam.site.benchmark.measure import free_port
from plans.models import Plan, PlanPdf
from tests.postgres import database_url, needs_postgresql

BIN = Path(sys.executable).parent
BUCKET = "finsam-test"
S3_KEYS = {"FINSAM_S3_ACCESS_KEY_ID": "testing", "FINSAM_S3_SECRET_ACCESS_KEY": "testing"}
START_SECONDS = 30
RENDER_SECONDS = 40

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only]


def server_env(*, s3_port: int, media_root: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("FINSAM_", "DJANGO_"))}
    env.update(
        S3_KEYS,
        DJANGO_SETTINGS_MODULE="tests.server_settings",
        DJANGO_SECRET_KEY="multi-server-test-" + "k" * 40,  # one key for all: sessions valid everywhere
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        DATABASE_URL=database_url(),
        FINSAM_S3_BUCKET=BUCKET,
        FINSAM_S3_ENDPOINT_URL=f"http://127.0.0.1:{s3_port}",
        FINSAM_S3_REGION="us-east-1",
        FINSAM_S3_ADDRESSING_STYLE="path",
        # A local folder that must stay empty: every file goes to the store.
        FINSAM_MEDIA_ROOT=str(media_root),
    )
    return env


def wait_for(port: int, path: str, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{what} ended at start (exit {process.returncode})")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status < 500:
                return
        time.sleep(0.2)
    raise AssertionError(f"{what} did not answer on port {port} within {START_SECONDS} s")


class Browser:
    """One user's browser: cookies kept across instances, no redirects followed, every request to the
    instance named by its port (as a load balancer without sticky sessions might send it)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, fields: dict | None = None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        all_headers = {"Host": f"127.0.0.1:{port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(fields or {})
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
            all_headers["Origin"] = f"http://127.0.0.1:{port}"
            all_headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, cookie_value = value.partition(";")[0].partition("=")
                self.cookies[key.strip()] = cookie_value
        conn.close()
        return response.status, content, dict(response.getheaders())

    def login(self, port: int, username: str) -> None:
        login = reverse("login")
        assert self.request(port, "GET", login)[0] == 200  # the CSRF cookie
        status, _body, headers = self.request(
            port, "POST", login, {"username": username, "password": "secret-pass-123"}
        )
        assert status == 302 and headers["Location"] != login, (status, headers)


@pytest.fixture
def servers(tmp_path):
    """(port A, port B, S3 client): moto's S3 server, two gunicorn instances and one worker, all running
    until the test ends."""
    needs_postgresql()
    processes: list[subprocess.Popen] = []
    log = (tmp_path / "servers.log").open("wb")

    def start(*command, env) -> subprocess.Popen:
        process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR, stdout=log, stderr=log)
        processes.append(process)
        return process

    try:
        s3_port = free_port()
        moto = start(str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(s3_port), env=dict(os.environ))
        env = server_env(s3_port=s3_port, media_root=tmp_path / "media")
        ports = [free_port(), free_port()]
        gunicorns = [
            start(
                str(BIN / "gunicorn"),
                "finsam.wsgi",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                env=env,
            )
            for port in ports
        ]
        start(sys.executable, "manage.py", "db_worker", "--no-reload", "--interval", "0.2", env=env)
        wait_for(s3_port, "/", moto, "moto_server")
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{s3_port}",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        s3.create_bucket(Bucket=BUCKET)
        for port, process in zip(ports, gunicorns, strict=True):
            wait_for(port, "/healthz", process, "gunicorn")
        yield ports[0], ports[1], s3
        assert not any((tmp_path / "media").rglob("*.*")), "a file went to the local disk"
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()
        # Shown by pytest when the test fails: what the servers and the worker said.
        print((tmp_path / "servers.log").read_text(errors="replace")[-5000:])
        # The database must be free again for pytest-django's flush after the test.
        connection.close()


def logo_png() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (120, 40), "#0b5394").save(image, format="PNG")
    return image.getvalue()


def cover_images(pdf: bytes) -> int:
    cover = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    objects = cover["/Resources"].get("/XObject", {}).values()
    return sum(1 for x in objects if x.get_object()["/Subtype"] == "/Image")


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_and_a_worker_share_the_database_and_the_file_store(
    association, chief, chair, small_plan, servers
):
    a, b, s3 = servers
    plan = small_plan
    slug = association.slug

    def url(name, **kwargs):
        return reverse(name, kwargs={"association": slug, "pk": plan.pk, **kwargs})

    # The association's logo is in the store, where the worker reads it for the PDF's cover.
    s3.put_object(Bucket=BUCKET, Key="logos/alfa.png", Body=logo_png())
    type(association).objects.filter(pk=association.pk).update(logo="logos/alfa.png")

    # Logged in on A, known on B: the session is in the database, signed with the shared key.
    chief_browser = Browser()
    chief_browser.login(a, chief.username)
    status, body, _ = chief_browser.request(b, "GET", plan.get_absolute_url())
    assert status == 200 and plan.title in body.decode()

    # A cell saved through B (the plan counts in tkr: 12 is 12 000 kr); the same cell's older version sent through A is a conflict (409) showing
    # the value saved through B; saving again knowingly, with the version the conflict gave, works.
    line = plan.budget_groups.get(name="Administration").lines.get(name="Förbundschef")
    column = plan.budget_columns.get(year=2027)
    version = BudgetAmount.objects.get(line=line, column=column).version
    cell = url("budget_cell", line_id=line.pk, column_id=column.pk)
    htmx = {"HX-Request": "true"}
    status, _, _ = chief_browser.request(b, "POST", cell, {"amount": "12", "version": version}, htmx)
    assert status == 200
    status, body, _ = chief_browser.request(a, "POST", cell, {"amount": "13", "version": version}, htmx)
    assert status == 409
    assert "Någon annan har just ändrat samma cell" in body.decode()
    assert f'name="version" value="{version + 1}"' in body.decode()
    assert BudgetAmount.objects.get(line=line, column=column).amount.amount == 12_000
    status, _, _ = chief_browser.request(a, "POST", cell, {"amount": "13", "version": version + 1}, htmx)
    assert status == 200
    assert BudgetAmount.objects.get(line=line, column=column).amount.amount == 13_000

    # Submitted through B; approved through A and adopted through B by the chair (logged in on B).
    assert chief_browser.request(b, "POST", url("plan_action"), {"action": "submit"})[0] == 302
    assert Plan.objects.get(pk=plan.pk).state == Plan.State.IN_REVIEW
    chair_browser = Browser()
    chair_browser.login(b, chair.username)
    assert chair_browser.request(a, "GET", url("plan_review"))[0] == 200
    assert (
        chair_browser.request(a, "POST", url("plan_action"), {"action": "approve", "comment": ""})[0] == 302
    )
    assert Plan.objects.get(pk=plan.pk).state == Plan.State.APPROVED
    adopt = {"action": "adopt", "adopted_on": datetime.date.today().isoformat(), "minutes_reference": "§7"}
    assert chair_browser.request(b, "POST", url("plan_action"), adopt)[0] == 302
    assert Plan.objects.get(pk=plan.pk).state == Plan.State.ADOPTED

    # The worker renders the archive into the store; both instances serve the stored bytes.
    deadline = time.monotonic() + RENDER_SECONDS
    pdf = PlanPdf.objects.get(plan=plan, is_archival=True)
    while pdf.is_pending and time.monotonic() < deadline:
        time.sleep(0.3)
        pdf.refresh_from_db()
    assert pdf.status == PlanPdf.Status.DONE, (pdf.status, pdf.error)
    stored = s3.get_object(Bucket=BUCKET, Key=pdf.file.name)["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == pdf.sha256
    downloads = []
    for port in (a, b):
        status, content, headers = chief_browser.request(port, "GET", url("plan_pdf_file", pdf=pdf.pk))
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        downloads.append(content)
    assert downloads[0] == downloads[1] == stored
    assert cover_images(stored) == 1  # the logo, read from the store by the worker

    # Published through A; the open page and the open PDF link answer anyone, on both instances.
    assert chief_browser.request(a, "POST", url("plan_publish"), {"public": "1"})[0] == 302
    visitor = Browser()
    for port in (a, b):
        status, body, _ = visitor.request(
            port, "GET", reverse("public_plan", kwargs={"association": slug, "pk": plan.pk})
        )
        assert status == 200 and plan.title in body.decode()
        status, content, _ = visitor.request(port, "GET", url("plan_pdf_public"))
        assert status == 200 and content == stored
