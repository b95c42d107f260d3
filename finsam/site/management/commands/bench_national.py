"""`manage.py bench_national` (run by `make bench-national`): the national peak on two app servers.

Builds the national installation (82 associations, 1 000 users: finsam.site.benchmark.national) in a
PostgreSQL database, starts two gunicorn app servers on loopback ports and one PDF worker (`db_worker`),
all on that database, and runs the mixed load of finsam.site.benchmark.load against both servers. Prints
requests per second, latencies per action, errors, conflicts, lost updates and the share of request time
spent in SQL (from the servers' own Server-Timing figures), writes them to var/bench-national.json, and
exits non-zero when there was an error or a lost update.

PostgreSQL only: two servers and a worker write at once, which SQLite answers with "database is locked".
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Avg, Count
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from budgets.models import BudgetAmount
from finsam.money import parse_amount
from finsam.site.benchmark import load, measure, national
from plans.models import Chapter, Plan, PlanPdf

CELL_PATH = re.compile(r"/planer/(?P<plan>\d+)/budget/rad/(?P<line>\d+)/kolumn/(?P<column>\d+)/$")
CHAPTER_PATH = re.compile(r"/planer/(?P<plan>\d+)/redigera/[^/]+/(?P<chapter>\d+)/andra/$")


class Command(BaseCommand):
    help = "The national peak: 82 associations, 1 000 users, two app servers and a PDF worker on PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--associations", type=int, default=national.ASSOCIATIONS)
        parser.add_argument("--users", type=int, default=national.USERS)
        parser.add_argument("--clients", type=int, default=30, help="concurrent client threads")
        parser.add_argument("--peak", type=float, default=130.0, help="seconds at the peak (after the ramp)")
        parser.add_argument("--ramp", type=float, default=20.0, help="seconds over which the clients start")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app server")
        parser.add_argument("--seed", type=int, help="of the clients' choices (default: from the clock)")
        parser.add_argument("--pdf-share", type=float, default=0.03, help="share of actions asking for a PDF")
        parser.add_argument(
            "--output", type=Path, default=Path(settings.BASE_DIR) / "var" / "bench-national.json"
        )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError(
                "bench-national needs PostgreSQL (two app servers and a worker write at once; SQLite "
                "locks the whole file). Set DATABASE_URL=postgres://..."
            )
        started = time.monotonic()
        ensure_database()
        call_command("migrate", interactive=False, verbosity=0)
        members = national.build(count=options["associations"], users=options["users"])
        clear_renderings()
        national.log_in(members)
        self.stdout.write(
            f"National installation ready in {time.monotonic() - started:.0f} s: "
            f"{len({m.association for m in members})} associations, {len(members)} users "
            f"({sum(m.role == 'chief' for m in members)} chiefs)."
        )
        visitors = [
            load.Visitor(
                m.username, m.role, m.paths, m.chapters, {settings.SESSION_COOKIE_NAME: m.session_key}
            )
            for m in members
        ]
        runner = load.Runner(
            [],
            visitors,
            clients=options["clients"],
            ramp=options["ramp"],
            peak=options["peak"],
            pdf_share=options["pdf_share"],
            # A new seed each run: the same one would type the amounts the last run stored, saving nothing.
            seed=options["seed"] if options["seed"] is not None else int(time.time()),
        )
        processes = []
        try:
            runner.ports = self.start_servers(processes, workers=options["workers"])
            self.stdout.write(
                f"Two app servers on 127.0.0.1:{runner.ports[0]} and :{runner.ports[1]} "
                f"({options['workers']} gunicorn workers each) and a PDF worker; "
                f"{options['clients']} clients for {options['ramp']:.0f} + {options['peak']:.0f} s."
            )
            load_before = os.getloadavg()
            run_started = timezone.now()
            runner.run()
            load_after = os.getloadavg()
        finally:
            stop(processes)
        report = load.summarize(runner)
        report["lost_updates"] = lost_updates(runner)
        report["pdf"].update(renderings(since=run_started))
        report["machine"] = machine()
        report["seed"] = runner.seed
        report["load_average"] = {"before": load_before, "after": load_after}
        report["wall_seconds"] = round(time.monotonic() - started)
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(report, indent=2, default=str))
        self.print_report(report, options["workers"])
        if report["error_count"] or report["lost_updates"]:
            raise CommandError(
                f"{report['error_count']} errors and {len(report['lost_updates'])} lost updates (both must be 0)."
            )

    def start_servers(self, processes: list, *, workers: int) -> list[int]:
        database_url = os.environ["DATABASE_URL"]
        extra = {"FINSAM_SERVER_TIMING": "1"}
        ports = []
        collect = not static_is_current()
        for first in (True, False):
            process, port = measure.start_gunicorn(
                database_url, workers=workers, extra_env=extra, collectstatic=first and collect
            )
            processes.append(process)
            ports.append(port)
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.5",
            ],
            env=measure.production_env(database_url),
            cwd=settings.BASE_DIR,
        )
        processes.append(worker)
        return ports

    def print_report(self, report: dict, workers: int) -> None:
        write = self.stdout.write
        write(f"\nNational peak on {report['machine']}")
        before, after = (report["load_average"][when][0] for when in ("before", "after"))
        write(f"Load average (1 min) before the load {before:.1f}, after {after:.1f}")
        write(
            f"{report['servers']} app servers × {workers} gunicorn workers + 1 PDF worker, PostgreSQL; "
            f"{report['clients']} clients for {report['members']} users; "
            f"{report['peak_seconds']} s at the peak after a {report['ramp_seconds']:.0f} s ramp"
        )
        per_server = ", ".join(str(count) for count in report["requests_per_server"].values())
        write(
            f"Requests per second: {report['requests_per_second']} "
            f"({report['requests']} requests; per server {per_server})"
        )
        write(
            f"\n{'action':<16} {'requests':>9} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'SQL share':>10}"
            f" {'server p50 ms':>14}"
        )
        for action, row in report["actions"].items():
            share = "—" if row["sql_share"] is None else f"{row['sql_share']:.0%}"
            server = "—" if row["server_p50_ms"] is None else f"{row['server_p50_ms']:.0f}"
            write(
                f"{action:<16} {row['requests']:>9} {row['p50_ms']:>9.0f} {row['p95_ms']:>9.0f} "
                f"{row['p99_ms']:>9.0f} {share:>10} {server:>14}"
            )
        write("(p50–p99: as the clients waited, queueing included; server p50: the server's own time)")
        share = "—" if report["sql_share"] is None else f"{report['sql_share']:.0%}"
        write(f"\nShare of request time spent in SQL (server's own timing): {share}")
        errors = ", ".join(f"{kind}: {n}" for kind, n in report["errors"].items()) or "none"
        write(
            f"Errors (5xx, timeouts, refused or lost connections, unexpected answers): {report['error_count']} ({errors})"
        )
        write(
            f"Conflicts (409, the optimistic lock refusing a save from an old version): {report['conflicts']}"
        )
        write(
            f"Saves: {report['cell_saves']} cells ({report['cells_edited']} different), "
            f"{report['chapter_saves']} chapters ({report['chapters_edited']} different); "
            f"{report['unsaved']} cell posts saved nothing (same amount, or the cell asked)"
        )
        write(f"Lost updates: {len(report['lost_updates'])}")
        for problem in report["lost_updates"][:20]:
            write(f"  {problem}")
        pdf = report["pdf"]
        write(
            f"PDFs: {pdf['ready']} rendered and downloaded (request to file: median {pdf['ready_p50_s']} s, "
            f"p95 {pdf['ready_p95_s']} s); {pdf['given_up']} still queued when the client stopped waiting"
        )
        write(
            f"The PDF worker rendered {pdf['rendered']} PDFs during the run"
            + (
                f" ({pdf['rendered_pages']} pages on average, {pdf['render_seconds']} s each on average)"
                if pdf["rendered"]
                else ""
            )
        )
        write(f"Whole command: {report['wall_seconds']} s")


def static_is_current() -> bool:
    """Whether collectstatic has run since the last change of a static file (it compresses every file
    again, a minute and a half on a busy machine of two cores)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max(
        (
            Path(storage.path(path)).stat().st_mtime
            for finder in finders.get_finders()
            for path, storage in finder.list([])
        ),
        default=0,
    )
    return manifest.stat().st_mtime > newest


def clear_renderings() -> None:
    """Renderings an earlier run left queued would be rendered first: the PDF figures are this run's."""
    PlanPdf.objects.filter(
        plan__association__slug__startswith=national.PREFIX, status__in=PlanPdf.PENDING
    ).delete()
    DBTaskResult.objects.filter(status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]).delete()


def renderings(*, since) -> dict:
    """What the PDF worker finished during the run, from the stored PDFs."""
    done = PlanPdf.objects.filter(
        plan__association__slug__startswith=national.PREFIX,
        status=PlanPdf.Status.DONE,
        finished_at__gte=since,
    )
    figures = done.aggregate(rendered=Count("pk"), pages=Avg("pages"), seconds=Avg("render_seconds"))
    return {
        "rendered": figures["rendered"],
        "rendered_pages": round(figures["pages"] or 0),
        "render_seconds": round(figures["seconds"] or 0, 1),
    }


def stop(processes: list[subprocess.Popen]) -> None:
    """Stop the servers and the worker; a worker in the middle of a rendering gets 10 s to finish it."""
    for process in processes:
        process.terminate()
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def ensure_database() -> None:
    """Create the benchmark's database when it does not exist yet (connecting to the server's maintenance
    database, as Django's test runner does: its private `_nodb_cursor`)."""
    name = connection.settings_dict["NAME"]
    with connection._nodb_cursor() as cursor:
        # The catalogue of databases has no ORM model; the name is a parameter.
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            # A name cannot be a parameter; quote_name quotes it as an identifier.
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def lost_updates(runner: load.Runner) -> list[str]:
    """Compare every edited cell's and chapter's stored value with the last successful save of it."""
    cells = {key: CELL_PATH.search(key) for key in runner.cells.edited()}
    amounts = BudgetAmount.objects.filter(line_id__in={int(match["line"]) for match in cells.values()})
    by_cell = {(a.line_id, a.column_id): (a.amount.amount, a.version) for a in amounts}
    units = dict(Plan.objects.filter(association__slug__startswith=national.PREFIX).values_list("pk", "unit"))
    stored = {
        key: by_cell[(int(match["line"]), int(match["column"]))]
        for key, match in cells.items()
        if (int(match["line"]), int(match["column"])) in by_cell
    }
    problems = runner.cells.lost_updates(
        stored, expected=lambda key, typed: parse_amount(typed, units[int(cells[key]["plan"])])
    )
    chapters = {key: int(CHAPTER_PATH.search(key)["chapter"]) for key in runner.chapters.edited()}
    by_chapter = {
        c.pk: (load.normal_text(c.body), c.version) for c in Chapter.objects.filter(pk__in=chapters.values())
    }
    stored = {key: by_chapter[pk] for key, pk in chapters.items() if pk in by_chapter}
    return problems + runner.chapters.lost_updates(stored, expected=lambda key, body: load.normal_text(body))


def machine() -> str:
    """The machine the figures come from: cores, CPU model, Python and PostgreSQL versions."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return (
        f"{os.cpu_count()} cores ({model or platform.processor() or platform.machine()}), "
        f"Python {platform.python_version()}, PostgreSQL {connection.pg_version // 10000}"
    )
