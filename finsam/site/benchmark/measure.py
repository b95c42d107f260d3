"""Measurements for `make bench`: server time, queries, browser latency, PDF and throughput.

Figures are printed, never asserted: the query-count *tests* live in the test suite; this reports what
this machine reaches. Every loop is bounded in count and time and talks only to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from finsam.security import SlidingSessionMiddleware
from finsam.site.benchmark.synthetic import Installation


@dataclass
class Endpoint:
    label: str
    method: str
    # (installation, plan) -> (url, POST data) or None when the endpoint does not exist in this build
    build: Callable[[Installation, object], tuple[str, dict] | None]
    partial: bool = False


@dataclass
class Timing:
    label: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries_small: int | None = None
    queries_large: int | None = None
    status: int | None = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def url_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_requests(
    client: Client, method: str, url: str, data: dict, *, runs: int, htmx: bool
) -> tuple[list[float], int]:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    samples = []
    status = 0
    for _ in range(runs):
        payload = data() if callable(data) else data
        start = time.perf_counter()
        response = client.get(url, **headers) if method == "GET" else client.post(url, payload, **headers)
        samples.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    return samples, status


def refresh_session(client: Client) -> None:
    """Mark the client's session as just refreshed, so that the next request does not write it: the
    session is written once a minute at most (finsam.security.SlidingSessionMiddleware), and that write
    would otherwise land in whichever request a count happened to make at the minute."""

    session = client.session
    session[SlidingSessionMiddleware.KEY] = int(time.time())
    session.save()


def count_queries(client: Client, method: str, url: str, data, *, htmx: bool) -> tuple[int, int]:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    payload = data() if callable(data) else data
    refresh_session(client)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers) if method == "GET" else client.post(url, payload, **headers)
    return len(captured), response.status_code


def measure_endpoints(inst: Installation, endpoints: list[Endpoint], *, runs: int = 40) -> list[Timing]:
    client = Client()
    # force_login: django-axes (on in production settings) refuses authenticate() without a request.
    client.force_login(get_user_model().objects.get(username=inst.chief_username))
    results = []
    for endpoint in endpoints:
        large = endpoint.build(inst, inst.largest_plan)
        small = endpoint.build(inst, inst.small_plan)
        if large is None:
            results.append(Timing(endpoint.label, note="finns inte i denna version"))
            continue
        url, data = large
        for _ in range(3):  # warm caches and templates
            time_requests(client, endpoint.method, url, data, runs=1, htmx=endpoint.partial)
        samples, status = time_requests(client, endpoint.method, url, data, runs=runs, htmx=endpoint.partial)
        queries_large, _ = count_queries(client, endpoint.method, url, data, htmx=endpoint.partial)
        queries_small = None
        if small is not None:
            queries_small, _ = count_queries(
                client, endpoint.method, small[0], small[1], htmx=endpoint.partial
            )
        results.append(
            Timing(
                endpoint.label,
                median_ms=statistics.median(samples),
                p95_ms=percentile(samples, 0.95),
                queries_small=queries_small,
                queries_large=queries_large,
                status=status,
            )
        )
    return results


# --- a production server, for throughput ---------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url: str, port: int = 0) -> dict:
    """Production settings (DEBUG off, whitenoise's manifest) on plain HTTP: the load generator and the
    browser say X-Forwarded-Proto: https, as a TLS proxy would."""
    env = {key: value for key, value in os.environ.items() if key != "FINSAM_DEBUG"}
    # The same secret key as the benchmark process: the sessions it creates must be valid in gunicorn.
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + "x" * 50)
    env.update(
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DJANGO_CSRF_TRUSTED_ORIGINS=f"http://localhost:{port},http://127.0.0.1:{port}",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
        FINSAM_MEDIA_ROOT=str(settings.MEDIA_ROOT),
    )
    return env


def start_gunicorn(
    database_url: str, *, workers: int = 2, extra_env: dict | None = None, collectstatic: bool = True
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = production_env(database_url, port) | (extra_env or {})
    if collectstatic:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=settings.BASE_DIR,
        )
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    process = subprocess.Popen(
        [
            gunicorn,
            "finsam.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=settings.BASE_DIR,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection_.request("GET", "/healthz")
            if connection_.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def throughput(port: int, path: str, *, cookie: str = "", seconds: float = 8.0, concurrency: int = 4) -> dict:
    """Requests per second with keep-alive connections, bounded in time; only 127.0.0.1."""
    deadline = time.monotonic() + seconds
    counts = [0] * concurrency
    errors = [0] * concurrency

    def worker(slot: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = (
            {"Cookie": cookie, "X-Forwarded-Proto": "https"} if cookie else {"X-Forwarded-Proto": "https"}
        )
        while time.monotonic() < deadline:
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status == 200:
                    counts[slot] += 1
                else:
                    errors[slot] += 1
            except OSError:
                errors[slot] += 1
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    threads = [threading.Thread(target=worker, args=(slot,)) for slot in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"requests_per_second": sum(counts) / elapsed, "requests": sum(counts), "errors": sum(errors)}
