"""Liveness (/healthz) and readiness (/readyz) for a load balancer (finsam/health.py).

Readiness must answer 503 within a second when the database is gone, also when its host does not answer
at all: the tests point the database check at a closed port (refused at once) and at a port that accepts
the connection and then says nothing (what a host dropping packets looks like to the client), in process
and through a gunicorn server started for the test.
"""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.urls import reverse

from finsam import health

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def silent_port():
    """A port that accepts TCP connections (the kernel's backlog) and never answers on them."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgresql_at(port: int) -> dict:
    """The default database's settings, turned into a PostgreSQL database on a local port."""
    return {
        **connections.settings[DEFAULT_DB_ALIAS],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "finsam_health_probe",
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {},
    }


def database_check_at(port: int) -> health.Check:
    return health.Check("database", partial(health.database_probe, postgresql_at(port)))


def timed_readiness(checks) -> tuple[list[str], float]:
    started = time.monotonic()
    problems = health.readiness(checks)
    return problems, time.monotonic() - started


# --- The views ------------------------------------------------------------------------------------------


def test_liveness_needs_no_database(client):
    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server")

    with connection.execute_wrapper(database_down):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.django_db
def test_ready_when_the_database_and_the_file_store_work(client):
    response = client.get(reverse("readyz"))

    assert response.status_code == 200
    assert response.content == b"ready\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    probes = Path(settings.MEDIA_ROOT) / health.PROBE_FOLDER
    assert not any(probes.iterdir()), "the probe file is deleted again"


@pytest.mark.django_db
def test_readiness_is_asked_with_get_or_head_only(client):
    assert client.head(reverse("readyz")).status_code == 200
    assert client.post(reverse("readyz")).status_code == 405


@pytest.mark.django_db
def test_a_failing_database_answers_503_naming_the_check_without_details(client, monkeypatch, caplog):
    def refused():
        raise OperationalError('connection to server at "db.internal.example" failed: password wrong')

    monkeypatch.setattr(health.CHECKS[0], "probe", refused)

    response = client.get(reverse("readyz"))

    body = response.content.decode()
    assert response.status_code == 503
    assert body == "not ready\ndatabase: OperationalError\n"
    assert "db.internal.example" not in body and "password" not in body
    assert any("db.internal.example" in record.getMessage() for record in caplog.records), "logged in full"


@pytest.mark.django_db
def test_a_file_store_that_cannot_be_written_answers_503(client, settings, tmp_path):
    not_a_folder = tmp_path / "media-is-a-file"
    not_a_folder.write_text("the disk is not mounted here")
    settings.MEDIA_ROOT = not_a_folder

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    lines = response.content.decode().splitlines()
    assert lines[0] == "not ready"
    assert lines[1].startswith("storage: ") and "Error" in lines[1]
    assert len(lines) == 2, "the database is fine"


@pytest.mark.django_db
def test_a_file_store_that_returns_other_content_answers_503(client, monkeypatch):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    monkeypatch.setattr(default_storage, "open", lambda name, mode="rb": ContentFile(b"garbled"))

    response = client.get(reverse("readyz"))

    assert response.status_code == 503
    assert response.content.decode() == "not ready\nstorage: OSError\n"


# --- The deadline ---------------------------------------------------------------------------------------


def test_a_check_that_hangs_answers_503_within_a_second_and_is_not_started_twice():
    release = threading.Event()
    calls = []

    def hanging():
        calls.append(1)
        release.wait(10)

    check = health.Check("database", hanging)
    try:
        problems, seconds = timed_readiness([check])
        assert problems == [f"database: no answer within {health.READINESS_SECONDS} s"]
        assert seconds < 1.0

        # The next probe while the first still hangs: refused at once, no second waiting thread.
        problems, seconds = timed_readiness([check])
        assert problems == ["database: no answer (the previous check is still waiting)"]
        assert seconds < 0.1
        assert len(calls) == 1
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and timed_readiness([check])[0]:
        time.sleep(0.05)
    assert timed_readiness([check])[0] == [], "ready again once the check has finished"


def test_checks_run_side_by_side_within_one_deadline():
    release = threading.Event()
    checks = [
        health.Check("database", lambda: release.wait(10)),
        health.Check("storage", lambda: release.wait(10)),
    ]
    try:
        problems, seconds = timed_readiness(checks)
    finally:
        release.set()
    assert [problem.split(":")[0] for problem in problems] == ["database", "storage"]
    assert seconds < 1.0


def test_a_database_on_a_closed_port_is_not_ready_within_a_second(django_db_blocker):
    with django_db_blocker.unblock():  # pytest-django's guard; the database here is not the test's
        problems, seconds = timed_readiness([database_check_at(closed_port())])

    assert problems == ["database: OperationalError"]
    assert seconds < 1.0


def test_a_database_host_that_does_not_answer_is_not_ready_within_a_second(django_db_blocker):
    with silent_port() as port, django_db_blocker.unblock():
        check = database_check_at(port)
        problems, seconds = timed_readiness([check])
        assert problems == [f"database: no answer within {health.READINESS_SECONDS} s"]
        assert seconds < 1.0
        # The probe's own connection gives up after its connect timeout; then the check runs again.
        deadline = time.monotonic() + health.PROBE_CONNECT_TIMEOUT + 3
        while time.monotonic() < deadline and check._busy.locked():
            time.sleep(0.1)
        assert not check._busy.locked(), "the waiting probe ended with its connect timeout"


# --- A server, as a load balancer sees it -----------------------------------------------------------------


def get(port: int, path: str, timeout: float = 5.0) -> tuple[int, str, float]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode(), time.monotonic() - started
    finally:
        conn.close()


@contextmanager
def gunicorn(database_url: str, media_root: Path):
    """gunicorn with production settings (DEBUG off, HTTPS redirect on) on a loopback port, probed over
    plain HTTP the way a load balancer probes an app server behind the TLS proxy."""
    port = closed_port()
    env = {key: value for key, value in os.environ.items() if key != "FINSAM_DEBUG"}
    env.update(
        DJANGO_SETTINGS_MODULE="finsam.settings",
        DJANGO_SECRET_KEY="health-test-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        FINSAM_MEDIA_ROOT=str(media_root),
    )
    executable = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    command = [
        executable,
        "finsam.wsgi",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "error",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _body, _seconds = get(port, "/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("gunicorn did not start")
                time.sleep(0.2)
        assert status == 200, "liveness answers over plain HTTP (no redirect to HTTPS)"
        yield port
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.parametrize("database", ["closed port", "host that does not answer"])
def test_a_server_whose_database_is_unreachable_answers_503_within_a_second(database, tmp_path):
    with silent_port() as silent:
        port = closed_port() if database == "closed port" else silent
        with gunicorn(f"postgres://postgres@127.0.0.1:{port}/finsam_health_probe", tmp_path / "media") as app:
            assert get(app, "/healthz")[:2] == (200, "ok"), "alive all the same"
            for _attempt in range(2):
                status, body, seconds = get(app, "/readyz")
                assert status == 503
                assert body.startswith("not ready\ndatabase: ")
                assert "storage" not in body
                assert seconds < 1.0, f"{seconds:.2f} s"


def test_a_server_with_its_database_answers_ready(tmp_path):
    database = tmp_path / "empty.sqlite3"  # `SELECT 1` needs no tables
    with gunicorn(f"sqlite:///{database}", tmp_path / "media") as app:
        assert get(app, "/readyz")[:2] == (200, "ready\n")
