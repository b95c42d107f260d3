"""The load generator of `make bench-national`: chiefs and board members over plain HTTP, from threads.

Standard library only (threads, http.client). Each client thread acts in turn for its share of the
members (finsam.site.benchmark.national), round-robin over the app servers' ports on 127.0.0.1, as a
load balancer without sticky sessions would send them. It does what the browser does: a chief opens the
budget grid and types into three cells (each post with the cell's version from the page or from the
answer to the last save, and the CSRF token from the cookie), or opens a chapter's edit form and saves
it; a board member reads the review page or "what changed"; anyone may ask for the plan as a PDF and
wait for the worker to render it, polling as the page does.

Every request is a `Sample` (status, time, the server's own SQL and total time from `Server-Timing`).
Every save that succeeded goes into a `Ledger`, to check after the run that the stored value is the
value of the last successful save (no lost update). Only 127.0.0.1 is ever contacted, and every loop
ends at the deadline.
"""

from __future__ import annotations

import http.client
import random
import re
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from finsam.site.benchmark.measure import percentile
from finsam.timing import HEADER, parse_server_timing

TIMEOUT = 60.0  # seconds: an answer slower than this is an error (a timeout)
PDF_WAIT = 90.0  # seconds a client waits for its PDF before giving up (a queue figure, not an error)
CELLS_PER_VISIT = 3
# The share of each kind of action; the PDF share is set by the runner.
ACTIONS = {"cells": 0.36, "chapter": 0.16, "review": 0.23, "changes": 0.25}

# A typed cell's form (budgets/grid.html#amount-cell): where it posts, the version and the amount shown.
CELL_FORM = re.compile(
    r'action="(?P<path>[^"]*/budget/rad/\d+/kolumn/\d+/)".*?name="version" value="(?P<version>\d+)"'
    r'.*?name="amount"[^>]*?value="(?P<text>[^"]*)"',
    re.S,
)
CHECKS_DIGEST = re.compile(r'name="checks_digest" value="([^"]*)"')
PDF_POLL = re.compile(r'hx-get="([^"]*/pdf/\d+/)"')
PDF_FILE = re.compile(r'href="([^"]*/pdf/\d+/ladda-ned/)"')
MARKER = re.compile(r"\s*\[nat [^\]]*\]$")


@dataclass
class Sample:
    action: str
    port: int
    started: float  # time.monotonic()
    seconds: float
    status: int  # 0: no answer
    failure: str = ""  # why this request counts as an error; "" when it does not
    db_ms: float | None = None
    server_ms: float | None = None


@dataclass
class Answer:
    status: int
    text: str


class Ledger:
    """The saves that succeeded, per edited thing (a cell's or a chapter's path).

    Each save carries the version it was based on, and the optimistic lock lets one save per version
    succeed: the successes of a thing are ordered by that version, and after the run the stored value
    must be the value of the success with the highest version, stored at that version + 1. Two successes
    based on the same version are a lost update whatever is stored.
    """

    def __init__(self):
        self._saves: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._lock = threading.Lock()

    def record(self, key: str, version: int, value: str) -> None:
        with self._lock:
            self._saves[key].append((version, value))

    def edited(self) -> list[str]:
        return list(self._saves)

    def saves(self) -> int:
        return sum(len(saves) for saves in self._saves.values())

    def lost_updates(
        self,
        stored: dict[str, tuple[object, int]],
        expected: Callable[[str, str], object] = lambda key, value: value,
    ) -> list[str]:
        """What does not add up, one line each: `stored` maps each key to (value, version) as the database
        has them after the run; `expected(key, value)` turns a recorded value into the stored form."""
        problems = []
        for key, saves in self._saves.items():
            versions = [version for version, _ in saves]
            if len(set(versions)) != len(versions):
                problems.append(f"{key}: two saves succeeded from the same version")
            version, value = max(saves)
            if key not in stored:
                problems.append(f"{key}: not found after the run")
                continue
            stored_value, stored_version = stored[key]
            if stored_value != expected(key, value) or stored_version != version + 1:
                problems.append(
                    f"{key}: stored {stored_value!r} at version {stored_version}, "
                    f"last successful save {expected(key, value)!r} from version {version}"
                )
        return problems


class FormFields(HTMLParser):
    """The fields a browser would post from the first form of an HTML fragment (no buttons)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._forms = 0
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self._forms += 1
        if tag == "option" and self._forms == 1:
            self._option(attributes)
        if self._forms != 1 or not attributes.get("name"):
            return
        name = attributes["name"]
        if tag == "input" and attributes.get("type") not in {"submit", "button", "checkbox", "radio"}:
            self.fields[name] = attributes.get("value") or ""
        elif tag == "input" and "checked" in attributes:
            self.fields[name] = attributes.get("value") or "on"
        elif tag == "textarea":
            self._textarea = name
            self.fields[name] = ""
        elif tag == "select":
            self._select = name

    def _option(self, attributes: dict) -> None:
        """The first option of a select, unless a later one is selected."""
        if self._select and (self._select not in self.fields or "selected" in attributes):
            self.fields[self._select] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            # The line break after <textarea> belongs to the markup, not to the value (as in browsers).
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._forms += 1  # any later form is not ours

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def form_fields(html: str) -> dict[str, str]:
    parser = FormFields()
    parser.feed(html)
    return parser.fields


def normal_text(text: str) -> str:
    """Text as a form posts and stores it: line endings and surrounding space aside."""
    return text.replace("\r\n", "\n").strip()


@dataclass
class Visitor:
    """One member's browser: the session cookie, and what the pages last said about the cells."""

    username: str
    role: str
    paths: dict[str, str]
    chapters: list[str]
    cookies: dict[str, str]
    cell_versions: dict[str, tuple[int, str]] = field(default_factory=dict)  # path: (version, text)
    checks_digest: str = ""


class Connections:
    """One client thread's connections, one per server, and its turn among the servers."""

    def __init__(self, ports: list[int], offset: int):
        self.ports = ports
        self.turn = offset
        self.open: dict[int, http.client.HTTPConnection] = {}

    def next(self) -> tuple[int, http.client.HTTPConnection]:
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        if port not in self.open:
            self.open[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
        return port, self.open[port]

    def drop(self, port: int) -> None:
        connection = self.open.pop(port, None)
        if connection is not None:
            connection.close()

    def close(self) -> None:
        for port in list(self.open):
            self.drop(port)


@dataclass
class Counts:
    conflicts: int = 0  # 409: the optimistic lock refused a save made from an old version
    unsaved: int = 0  # a 200 without a new version: the amount was the stored one, or the cell asked
    pdf_ready: list[float] = field(default_factory=list)  # seconds from the request to a stored PDF
    pdf_given_up: int = 0
    pdf_failed: int = 0
    broken_pages: int = 0  # an answer without what the browser needs from it (a form, its version)


class Runner:
    """`clients` threads acting for `visitors` against `ports` for `ramp` + `peak` seconds."""

    def __init__(
        self,
        ports: list[int],
        visitors: list[Visitor],
        *,
        clients: int,
        ramp: float,
        peak: float,
        pdf_share: float = 0.03,
        think: tuple[float, float] = (0.0, 0.5),
        seed: int = 16,
        scheme: str = "https",
    ):
        self.ports, self.visitors, self.clients = ports, visitors, clients
        self.ramp, self.peak, self.think = ramp, peak, think
        self.actions = {**ACTIONS, "pdf": pdf_share}
        self.seed = seed
        # What the browser's address bar says: https behind the TLS proxy (the load says so in
        # X-Forwarded-Proto); the CSRF check compares the Origin header with it.
        self.scheme = scheme
        self.samples: list[Sample] = []
        self.cells, self.chapters = Ledger(), Ledger()
        self.counts = Counts()
        self._lock = threading.Lock()
        self.started = self.peak_starts = self.deadline = 0.0

    # --- running ---------------------------------------------------------------------------------------

    def run(self) -> None:
        self.started = time.monotonic()
        self.peak_starts = self.started + self.ramp
        self.deadline = self.peak_starts + self.peak
        threads = [
            threading.Thread(target=self._client, args=(slot,), name=f"client-{slot}", daemon=True)
            for slot in range(self.clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=self.deadline - time.monotonic() + PDF_WAIT + TIMEOUT * 2)

    def _client(self, slot: int) -> None:
        rng = random.Random(self.seed * 1000 + slot)
        mine = self.visitors[slot :: self.clients]
        by_role = {role: [v for v in mine if v.role == role] for role in ("chief", "board")}
        # Clients start one after another over the ramp, so the peak is reached, not jumped into.
        time.sleep(self.ramp * slot / max(1, self.clients))
        connections = Connections(self.ports, slot)
        kinds, weights = zip(*self.actions.items(), strict=True)
        try:
            while time.monotonic() < self.deadline:
                kind = rng.choices(kinds, weights)[0]
                role = "chief" if kind in ("cells", "chapter") else rng.choice(("board", "board", "chief"))
                visitor = rng.choice(by_role[role] or mine)
                if kind == "cells" and visitor.role == "chief":
                    self.edit_cells(connections, visitor, rng)
                elif kind == "chapter" and visitor.chapters:
                    self.edit_chapter(connections, visitor, rng)
                elif kind == "pdf":
                    self.pdf(connections, visitor)
                else:
                    self.read(connections, visitor, "changes" if kind == "changes" else "review")
                time.sleep(rng.uniform(*self.think))
        finally:
            connections.close()

    # --- one request -----------------------------------------------------------------------------------

    def request(
        self,
        connections: Connections,
        visitor: Visitor,
        action: str,
        method: str,
        path: str,
        data: dict | None = None,
        *,
        htmx: bool = False,
        expected: tuple[int, ...] = (200,),
    ) -> Answer | None:
        """One request as the browser sends it; None when it failed (counted as an error)."""
        port, connection = connections.next()
        headers = {
            "Host": f"127.0.0.1:{port}",
            "X-Forwarded-Proto": self.scheme,  # as the TLS proxy says it
            "Cookie": "; ".join(f"{name}={value}" for name, value in visitor.cookies.items()),
        }
        if htmx:
            headers["HX-Request"] = "true"
        body = None
        if method == "POST":
            body = urlencode(data or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = visitor.cookies.get("csrftoken", "")
            headers["Origin"] = f"{self.scheme}://127.0.0.1:{port}"
        started = time.monotonic()
        status, text, failure, timing = 0, "", "", {}
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            status = response.status
            timing = parse_server_timing(response.getheader(HEADER, ""))
            remember_cookies(visitor, response.msg.get_all("Set-Cookie") or [])
            if response.will_close:
                connections.drop(port)
        except TimeoutError:
            failure = "timeout"
        except ConnectionRefusedError:
            failure = "connection refused"
        except (http.client.HTTPException, OSError) as error:
            failure = f"connection lost ({type(error).__name__})"
        if failure:
            connections.drop(port)
        elif status >= 500:
            failure = "5xx"
        elif status not in expected:
            failure = f"unexpected status {status}"
        sample = Sample(
            action,
            port,
            started,
            time.monotonic() - started,
            status,
            failure,
            timing.get("db"),
            timing.get("total"),
        )
        with self._lock:
            self.samples.append(sample)
        return None if failure else Answer(status, text)

    # --- what the members do ---------------------------------------------------------------------------

    def edit_cells(self, connections: Connections, visitor: Visitor, rng: random.Random) -> None:
        grid = self.request(connections, visitor, "grid", "GET", visitor.paths["budget_grid"])
        if grid is None:
            return
        cells = {
            match["path"]: (int(match["version"]), match["text"]) for match in CELL_FORM.finditer(grid.text)
        }
        visitor.cell_versions.update(cells)
        digest = CHECKS_DIGEST.search(grid.text)
        visitor.checks_digest = digest.group(1) if digest else ""
        for path in rng.sample(sorted(cells), min(CELLS_PER_VISIT, len(cells))):
            if time.monotonic() >= self.deadline:
                return
            time.sleep(rng.uniform(0.1, 0.4))  # typing
            version, text = visitor.cell_versions[path]
            typed = text
            while typed == text:  # a new amount: the same one saves nothing
                typed = str(rng.randint(1, 399))  # tkr, within the range of the synthetic rows
            data = {"amount": typed, "version": version, "checks_digest": visitor.checks_digest}
            answer = self.request(
                connections, visitor, "cell_save", "POST", path, data, htmx=True, expected=(200, 409)
            )
            if answer is None:
                continue
            shown = CELL_FORM.search(answer.text)
            shown_version, shown_text = (int(shown["version"]), shown["text"]) if shown else (version, "")
            visitor.cell_versions[path] = (shown_version, shown_text)
            if answer.status == 409:
                with self._lock:
                    self.counts.conflicts += 1
            elif shown_version == version + 1 and shown_text == typed:
                self.cells.record(path, version, typed)
            else:
                with self._lock:
                    self.counts.unsaved += 1

    def edit_chapter(self, connections: Connections, visitor: Visitor, rng: random.Random) -> None:
        path = rng.choice(visitor.chapters)
        form = self.request(connections, visitor, "chapter_form", "GET", path, htmx=True)
        if form is None:
            return
        fields = form_fields(form.text)
        if "version" not in fields or "body" not in fields:
            with self._lock:
                self.counts.broken_pages += 1
            return
        time.sleep(rng.uniform(0.5, 1.5))  # writing
        version = int(fields["version"])
        token = f"{visitor.username} {time.monotonic():.6f}"
        fields["body"] = MARKER.sub("", fields["body"].rstrip()) + f" [nat {token}]"
        answer = self.request(
            connections, visitor, "chapter_save", "POST", path, fields, htmx=True, expected=(200, 409)
        )
        if answer is None:
            return
        if answer.status == 409:
            with self._lock:
                self.counts.conflicts += 1
        else:
            self.chapters.record(path, version, fields["body"])

    def read(self, connections: Connections, visitor: Visitor, page: str) -> None:
        self.request(connections, visitor, page, "GET", visitor.paths[page])

    def pdf(self, connections: Connections, visitor: Visitor) -> None:
        """The PDF page, "Skapa PDF", then the page's polling until the file can be downloaded."""
        path = visitor.paths["pdf"]
        if self.request(connections, visitor, "pdf_page", "GET", path) is None:
            return
        asked = time.monotonic()
        answer = self.request(connections, visitor, "pdf_request", "POST", path, {}, htmx=True)
        while answer is not None:
            done = PDF_FILE.search(answer.text)
            if done:
                ready = time.monotonic() - asked
                if self.request(connections, visitor, "pdf_download", "GET", done.group(1)) is not None:
                    with self._lock:
                        self.counts.pdf_ready.append(ready)
                return
            poll = PDF_POLL.search(answer.text)
            if poll is None:
                with self._lock:
                    self.counts.pdf_failed += 1
                return
            if time.monotonic() - asked > PDF_WAIT or time.monotonic() > self.deadline:
                with self._lock:
                    self.counts.pdf_given_up += 1
                return
            time.sleep(1.0)  # the page polls every second
            answer = self.request(connections, visitor, "pdf_status", "GET", poll.group(1), htmx=True)


def remember_cookies(visitor: Visitor, headers: list[str]) -> None:
    for header in headers:
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            if morsel["max-age"] == "0" or not morsel.value:
                visitor.cookies.pop(name, None)
            else:
                visitor.cookies[name] = morsel.value


# --- the report ------------------------------------------------------------------------------------------


def sql_share(samples: list[Sample]) -> float | None:
    """The share of the server's request time spent in SQL, from its own Server-Timing figures."""
    timed = [sample for sample in samples if sample.db_ms is not None and sample.server_ms]
    total = sum(sample.server_ms for sample in timed)
    return sum(sample.db_ms for sample in timed) / total if total else None


def summarize(runner: Runner) -> dict:
    """Requests per second and latencies at the peak (requests started after the ramp); errors over the
    whole run, ramp included."""
    peak = [sample for sample in runner.samples if sample.started >= runner.peak_starts]
    seconds = max(sample.started + sample.seconds for sample in peak) - runner.peak_starts if peak else 0
    actions = {}
    for action in sorted({sample.action for sample in peak}):
        of_action = [sample for sample in peak if sample.action == action]
        millis = [sample.seconds * 1000 for sample in of_action]
        share = sql_share(of_action)
        served = [sample.server_ms for sample in of_action if sample.server_ms is not None]
        actions[action] = {
            "requests": len(of_action),
            "p50_ms": round(percentile(millis, 0.50), 1),
            "p95_ms": round(percentile(millis, 0.95), 1),
            "p99_ms": round(percentile(millis, 0.99), 1),
            "sql_share": None if share is None else round(share, 3),
            # The server's own time (Server-Timing): the rest of the latency is waiting for a worker.
            "server_p50_ms": round(percentile(served, 0.50), 1) if served else None,
        }
    errors: dict[str, int] = defaultdict(int)
    for sample in runner.samples:
        if sample.failure:
            errors[sample.failure] += 1
    counts = runner.counts
    if counts.pdf_failed:
        errors["PDF rendering failed"] += counts.pdf_failed
    if counts.broken_pages:
        errors["page without its form"] += counts.broken_pages
    share = sql_share(peak)
    ports = sorted({sample.port for sample in peak})
    ready = counts.pdf_ready
    return {
        "clients": runner.clients,
        "members": len(runner.visitors),
        "servers": len(runner.ports),
        "ramp_seconds": runner.ramp,
        "peak_seconds": round(seconds, 1),
        "requests": len(peak),
        "requests_per_second": round(len(peak) / seconds, 1) if seconds else 0.0,
        "requests_per_server": {port: sum(1 for s in peak if s.port == port) for port in ports},
        "actions": actions,
        "errors": dict(errors),
        "error_count": sum(errors.values()),
        "conflicts": counts.conflicts,
        "unsaved": counts.unsaved,
        "cell_saves": runner.cells.saves(),
        "chapter_saves": runner.chapters.saves(),
        "cells_edited": len(runner.cells.edited()),
        "chapters_edited": len(runner.chapters.edited()),
        "sql_share": None if share is None else round(share, 3),
        "pdf": {
            "ready": len(ready),
            "ready_p50_s": round(percentile(ready, 0.5), 1) if ready else None,
            "ready_p95_s": round(percentile(ready, 0.95), 1) if ready else None,
            "given_up": counts.pdf_given_up,
        },
    }
