"""`Server-Timing`: how much of a request's time went to SQL, as the server measured it (off by default).

`FINSAM_SERVER_TIMING=1` turns it on (the national benchmark, `make bench-national`, does, to report the
share of request time spent in SQL). Off, Django drops the middleware when it starts, so nothing is
measured and no header is sent: the figures tell a client how long the server worked, which production
has no reason to publish. On, the cost is two clock readings per query.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connection

HEADER = "Server-Timing"


class SqlTimer:
    """A connection execute wrapper (Django's `connection.execute_wrapper`) summing query time."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1


class ServerTimingMiddleware:
    """First in the middleware list, so the session's and the login's queries are counted too."""

    def __init__(self, get_response):
        if not getattr(settings, "FINSAM_SERVER_TIMING", False):
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        timer = SqlTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        total = time.perf_counter() - started
        response[HEADER] = (
            f'db;dur={timer.seconds * 1000:.2f};desc="{timer.queries} SQL", total;dur={total * 1000:.2f}'
        )
        return response


def parse_server_timing(value: str) -> dict[str, float]:
    """The durations (ms) of a `Server-Timing` header by metric name: {"db": 1.2, "total": 3.4}."""
    durations = {}
    for metric in value.split(","):
        name, *parameters = (part.strip() for part in metric.split(";"))
        for parameter in parameters:
            key, _, number = parameter.partition("=")
            if key == "dur" and name:
                try:
                    durations[name] = float(number)
                except ValueError:
                    continue
    return durations
