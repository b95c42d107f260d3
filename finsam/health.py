"""Readiness for a load balancer: can this instance serve requests right now?

`/healthz` is liveness (the process answers; it touches nothing). `/readyz` asks `readiness()`: the database
answers a trivial query on a new connection, and the file store (Django's `default_storage`, the local disk
or an object store) takes, returns and deletes a small file. An instance that cannot do both answers 503, so
the load balancer sends its traffic elsewhere instead of to pages that could only fail.

The answer comes within READINESS_SECONDS even when the database host does not answer at all (packets
dropped, no refusal): libpq and psycopg wait at least 2 s for a connection (`connect_timeout` below 2
counts as 2), so each check runs in a thread of its own and the answer does not wait for it past the
deadline. A check that is still running from an earlier probe is not started again (it counts as no
answer), so a database that hangs costs at most one waiting thread per check and process; the probe's own
connection gives up after PROBE_CONNECT_TIMEOUT.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend

logger = logging.getLogger("finsam.health")

READINESS_SECONDS = 0.5
# Seconds the probe's own PostgreSQL connection waits for the server (libpq's minimum is 2).
PROBE_CONNECT_TIMEOUT = 2
PROBE_CONTENT = b"finsam readiness probe\n"
PROBE_FOLDER = "readiness-probe"


def database_probe(settings_dict: dict | None = None) -> None:
    """`SELECT 1` on a new connection, closed afterwards: the request thread's connection may be an old
    one, and a new connection is what the next request after CONN_MAX_AGE needs. `settings_dict`: another
    database than the default one (the tests point it at a closed port)."""
    settings_dict = dict(settings_dict or connections.settings[DEFAULT_DB_ALIAS])
    settings_dict["OPTIONS"] = dict(settings_dict.get("OPTIONS") or {})
    backend = load_backend(settings_dict["ENGINE"])
    database = backend.DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    if database.vendor == "postgresql":
        database.settings_dict["OPTIONS"]["connect_timeout"] = PROBE_CONNECT_TIMEOUT
    try:
        with database.cursor() as cursor:
            # A constant statement, no parameters: the smallest round trip to the server.
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        database.close()


def storage_probe() -> None:
    """Write a small file to the file store, read it back and delete it (an unmounted disk or a
    read-only bucket fails here; `exists()` alone would answer False without an error)."""
    name = default_storage.save(f"{PROBE_FOLDER}/{uuid.uuid4().hex}.txt", ContentFile(PROBE_CONTENT))
    try:
        with default_storage.open(name, "rb") as stored:
            if stored.read() != PROBE_CONTENT:
                raise OSError("the file store returned other content than was written")
    finally:
        default_storage.delete(name)


class Check:
    """One readiness check, run in a thread of its own; at most one at a time per process."""

    def __init__(self, name: str, probe: Callable[[], None]):
        self.name = name
        self.probe = probe
        self._busy = threading.Lock()

    def start(self) -> Future | None:
        """The running probe's future (its result: None, or the exception it raised), or None when the
        previous probe has not finished yet."""
        if not self._busy.acquire(blocking=False):
            return None
        future: Future = Future()

        def run():
            error = None
            try:
                self.probe()
            except Exception as exc:  # whatever the store or database raises means "not ready"
                error = exc
            finally:
                # Released before the result is set: the next probe, right after this answer, may start.
                self._busy.release()
                future.set_result(error)

        threading.Thread(target=run, name=f"readiness-{self.name}", daemon=True).start()
        return future


CHECKS = [Check("database", database_probe), Check("storage", storage_probe)]


def readiness(checks: list[Check] | None = None, seconds: float = READINESS_SECONDS) -> list[str]:
    """The checks that failed, one line each ("database: no answer within 0.5 s"), or [] when ready.
    The checks run side by side; the answer comes after `seconds` at most. The lines name the check and
    the kind of error only (no host names, no messages): the full error goes to the log."""
    deadline = time.monotonic() + seconds
    started = [(check, check.start()) for check in checks or CHECKS]
    problems = []
    for check, future in started:
        if future is None:
            problems.append(f"{check.name}: no answer (the previous check is still waiting)")
            continue
        try:
            error = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except TimeoutError:
            problems.append(f"{check.name}: no answer within {seconds} s")
            continue
        if error is not None:
            logger.warning("readiness check %s failed: %s: %s", check.name, type(error).__name__, error)
            problems.append(f"{check.name}: {type(error).__name__}")
    if problems:
        logger.warning("not ready: %s", "; ".join(problems))
    return problems
