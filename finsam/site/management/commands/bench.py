"""`manage.py bench` (run by `make bench`): build the synthetic installation and print what it measures.

Figures for this machine, printed as a table and written to var/bench-results.json (not committed).
Nothing here is a pass/fail test; the query-count tests are in the suite.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client

from budgets.checks import plan_checks
from budgets.followup import BUDGET, plan_followup
from budgets.models import BudgetAmount, FollowUp, FollowUpOutcome
from finsam.money import parse_amount, sek, to_decimal
from finsam.site.benchmark import measure, synthetic
from finsam.site.benchmark.browser import enter_to_total_ms
from finsam.site.benchmark.measure import Endpoint, url_or_none
from plans.checks import findings_digest
from plans.models import Plan
from plans.pdf import (
    STATIC_BASE,
    make_url_fetcher,
    pdf_from_html,
    plan_pdf_archive,
    plan_pdf_run,
    plan_pdf_source,
)
from plans.reports import report_create
from plans.review import plan_record_ensure, plan_submit, plan_withdraw


def plan_url(name: str, **extra):
    def build(inst, plan):
        url = url_or_none(name, association=inst.association.slug, pk=plan.pk, **extra)
        return None if url is None else (url, {})

    return build


def association_url(name: str):
    def build(inst, plan):
        if plan != inst.largest_plan:
            return None
        url = url_or_none(name, association=inst.association.slug)
        return None if url is None else (url, {})

    return build


def cell_edit(inst, plan):
    """POST a new amount to the plan's first typed budget cell, as the grid does: with the cell's current
    version and the digest of the checks the page shows (read before the request is timed)."""

    amount = (
        BudgetAmount.objects.filter(line__group__plan=plan, line__group__kind="administration")
        .order_by("line__position", "column__year")
        .select_related("line", "column")
        .first()
    )
    url = url_or_none(
        "budget_cell",
        association=inst.association.slug,
        pk=plan.pk,
        line_id=amount.line_id,
        column_id=amount.column_id,
    )
    if url is None:
        return None
    counter = iter(range(10**6))

    def data():
        # Always a different amount from the stored one: an unchanged amount writes nothing, and the
        # small and the large plan's counts must both be of a real save.
        amount.refresh_from_db(fields=["version", "amount", "amount_currency"])
        typed = 100 + next(counter) % 50
        if parse_amount(str(typed), plan.unit) == to_decimal(amount.amount):
            typed += 50
        return {
            "amount": str(typed),
            "version": amount.version,
            "checks_digest": findings_digest(plan_checks(plan)),
        }

    return url, data


def chapter_save(inst, plan):
    chapter = plan.chapters.order_by("position").first()
    url = url_or_none(
        "plan_part_edit", association=inst.association.slug, pk=plan.pk, kind="chapter", item=chapter.pk
    )
    if url is None:
        return None
    counter = iter(range(10**6))

    def data():
        chapter.refresh_from_db()
        return {
            "heading": chapter.heading,
            "level": chapter.level,
            "kind": chapter.kind,
            "body": f"{chapter.body[:400]} {next(counter)}",
            "version": chapter.version,
        }

    return url, data


def annual_report_page(inst, plan):
    """The page of the plan's annual report (a draft: its follow-up read live, the costliest rendering)."""
    report = plan.reports.filter(kind=Plan.Kind.ANNUAL_REPORT).first()
    url = (
        None
        if report is None
        else url_or_none("plan_detail", association=inst.association.slug, pk=report.pk)
    )
    return None if url is None else (url, {})


EDIT_ENDPOINTS = [
    Endpoint("Förbundets sida (plans by year)", "GET", association_url("association")),
    Endpoint("Planeditorn", "GET", plan_url("plan_edit")),
    Endpoint("Budgetrutnätet", "GET", plan_url("plan_budget_grid")),
    Endpoint("Insatslistan", "GET", association_url("intervention_list")),
    Endpoint("HTMX: budgetcell sparas (+ summor, kontroller)", "POST", cell_edit, partial=True),
    Endpoint("HTMX: kapitel sparas", "POST", chapter_save, partial=True),
]
FOLLOWUP_ENDPOINTS = [
    Endpoint("Uppföljning: budget, utfall och prognos", "GET", plan_url("plan_followup")),
    Endpoint("Uppföljning: måluppfyllelse", "GET", plan_url("plan_goal_followup")),
    Endpoint("Uppföljning: insatserna", "GET", plan_url("plan_interventions_followup")),
    Endpoint("Årsredovisningen (utkast, uppföljningen läst nu)", "GET", annual_report_page),
]
REVIEW_ENDPOINTS = [
    Endpoint("Granskningssidan", "GET", plan_url("plan_review")),
    Endpoint("Vad har ändrats (diff)", "GET", plan_url("plan_changes")),
    Endpoint("Planen (läsvy)", "GET", plan_url("plan_detail")),
]


class Command(BaseCommand):
    help = "Build the synthetic installation (80 associations) and print server, browser, PDF and throughput figures."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=40)
        parser.add_argument("--skip-browser", action="store_true")
        parser.add_argument("--skip-pdf", action="store_true")
        parser.add_argument("--skip-throughput", action="store_true")
        parser.add_argument(
            "--output", type=Path, default=Path(settings.BASE_DIR) / "var" / "bench-results.json"
        )

    def handle(self, *args, **options):
        results = {"machine": f"{platform.machine()}, {platform.python_version()}, {connection.vendor}"}
        started = time.perf_counter()
        inst = synthetic.build()
        results["build_seconds"] = round(time.perf_counter() - started, 1)
        self.stdout.write(
            f"Synthetic installation ready in {results['build_seconds']} s ({connection.vendor})."
        )

        timings = measure.measure_endpoints(inst, EDIT_ENDPOINTS, runs=options["runs"])
        self.prepare_review(inst)
        timings += measure.measure_endpoints(inst, REVIEW_ENDPOINTS, runs=options["runs"])
        results["server"] = [timing.__dict__ for timing in timings]
        self.print_server(timings)

        if not options["skip_pdf"]:
            results["pdf"] = self.pdf_figures(inst)
        if not (options["skip_throughput"] and options["skip_browser"]):
            results.update(self.served_figures(inst, options))
        # Last: it adopts the two plans the other figures measure as drafts.
        self.prepare_followup(inst)
        followup_timings = measure.measure_endpoints(inst, FOLLOWUP_ENDPOINTS, runs=options["runs"])
        results["server"] += [timing.__dict__ for timing in followup_timings]
        self.print_server(followup_timings)
        options["output"].parent.mkdir(parents=True, exist_ok=True)
        options["output"].write_text(json.dumps(results, indent=2, default=str))
        self.stdout.write(f"\nWritten to {options['output']}")

    def prepare_review(self, inst):
        """Two submitted versions with a change between them, so the review pages have a diff to show."""

        chief = get_user_model().objects.get(username=inst.chief_username)
        for plan in (inst.largest_plan, inst.small_plan):
            plan.refresh_from_db()
            if plan.state != "draft":
                continue
            plan_submit(plan=plan, by=chief, notify=False)
            plan_withdraw(plan=plan, by=chief, reason="Benchmark")
            chapter = plan.chapters.order_by("position").first()
            chapter.body += "\n\nEn ny mening som styrelsen ska se."
            chapter.save()
            plan.refresh_from_db()
            plan_submit(plan=plan, by=chief, notify=False)

    def prepare_followup(self, inst):
        """The two plans adopted (bench data: the state set directly), with two tertials of outcome on every
        row of their budgets, so that the follow-up pages show figures, and an annual report on each."""
        for plan in (inst.largest_plan, inst.small_plan):
            Plan.objects.filter(pk=plan.pk).update(
                state=Plan.State.ADOPTED,
                adopted_on=datetime.date(plan.first_year - 1, 11, 27),
                minutes_reference="§1",
            )
            plan.refresh_from_db()
            followup, _created = FollowUp.objects.get_or_create(
                association=plan.association, year=plan.first_year, defaults={"period": "tertial"}
            )
            rows = plan_followup(plan).rows.values()
            FollowUpOutcome.objects.bulk_create(
                [
                    FollowUpOutcome(
                        followup=followup, row=row.key, period=period, amount=sek(row.amounts[BUDGET] / 3)
                    )
                    for row in rows
                    for period in (1, 2)
                ],
                ignore_conflicts=True,
            )
            if not plan.reports.exists():  # the annual report on it, as the chief starts it
                report_create(plan=plan, kind=Plan.Kind.ANNUAL_REPORT, by=_member_of(plan))

    def print_server(self, timings):
        self.stdout.write("\nServer time (Django test client, in process) and SQL queries")
        self.stdout.write("(the session is written once a minute at most: that write is in no count here)")
        self.stdout.write(
            f"{'':<50} {'median ms':>10} {'p95 ms':>8} {'queries small':>14} {'queries large':>14}"
        )
        for timing in timings:
            if timing.median_ms is None:
                self.stdout.write(f"{timing.label:<50} {timing.note}")
                continue
            small = "—" if timing.queries_small is None else str(timing.queries_small)
            self.stdout.write(
                f"{timing.label:<50} {timing.median_ms:>10.1f} {timing.p95_ms:>8.1f} {small:>14} {timing.queries_large:>14}"
                + ("" if timing.status in (200, 302) else f"  (status {timing.status})")
            )

    def pdf_figures(self, inst):
        self.stdout.write("\nPDF (WeasyPrint)")
        import weasyprint  # slow to import: only when the PDF figures run

        figures = []
        plans = [
            Plan.objects.filter(association__slug="ornskoldsvik", kind=Plan.Kind.PLAN)
            .order_by("first_year")
            .first()
        ]
        plans = [plan for plan in plans if plan] + [inst.largest_plan]
        for plan in plans:
            started = time.perf_counter()
            source = plan_pdf_source(plan, archival=False)
            _content, pages = pdf_from_html(source.html, archival=False, media_names=source.media_names)
            ours = time.perf_counter() - started
            started = time.perf_counter()
            weasyprint.HTML(
                string=source.html, base_url=STATIC_BASE, url_fetcher=make_url_fetcher()
            ).render().write_pdf(pdf_tags=True)
            bare = time.perf_counter() - started
            row = {
                "plan": str(plan),
                "pages": pages,
                "seconds": round(ours, 2),
                "seconds_per_page": round(ours / pages, 3),
                "weasyprint_alone_seconds": round(bare, 2),
                "ratio_to_weasyprint": round(ours / bare, 2),
            }
            figures.append(row)
            self.stdout.write(
                f"{row['plan'][:55]:<55} {pages:>4} pages {ours:>6.2f} s ({row['seconds_per_page']:.3f} s/page);"
                f" WeasyPrint alone {bare:.2f} s; ratio {row['ratio_to_weasyprint']}"
            )
        memory = self.pdf_peak_memory()
        if memory:
            self.stdout.write(
                f"Peak memory of a render (synthetic 60 interventions × 6 years, child process): {memory} MB"
            )
        adopted = plans[0]
        if adopted and adopted.is_locked:
            pdf = plan_pdf_archive(plan=adopted)
            if not pdf.is_done:
                plan_pdf_run(pdf_id=pdf.pk)
            client = Client()
            client.force_login(_member_of(adopted))
            url = url_or_none(
                "plan_pdf_file", association=adopted.association.slug, pk=adopted.pk, pdf=pdf.pk
            )
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                response = client.get(url)
                b"".join(response.streaming_content) if response.streaming else response.content
                samples.append((time.perf_counter() - started) * 1000)
            served = {
                "median_ms": round(sorted(samples)[15], 2),
                "p95_ms": round(measure.percentile(samples, 0.95), 2),
            }
            self.stdout.write(
                f"Stored PDF served: median {served['median_ms']} ms, p95 {served['p95_ms']} ms"
            )
            figures.append({"stored_pdf_served": served})
        return figures

    def pdf_peak_memory(self):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        process = subprocess.run(
            [sys.executable, "manage.py", "pdf_bench", "--synthetic-only", "--variant", "draft"],
            capture_output=True,
            text=True,
            cwd=settings.BASE_DIR,
            check=False,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        for line in process.stdout.splitlines():
            if line.startswith("synthetic") or line.startswith("Largest"):
                self.stdout.write("  " + line)
        return round(max(after, before) / 1024) if process.returncode == 0 else None

    def served_figures(self, inst, options):
        figures = {}
        database_url = _database_url()
        process, port = measure.start_gunicorn(database_url)
        try:
            base = f"http://localhost:{port}"
            if not options["skip_browser"]:
                inst.largest_plan.refresh_from_db()
                grid = url_or_none(
                    "plan_budget_grid", association=inst.association.slug, pk=inst.small_plan.pk
                )
                editable = _editable_plan(inst)
                grid = url_or_none("plan_budget_grid", association=inst.association.slug, pk=editable.pk)
                latency = enter_to_total_ms(base, grid, inst.chief_username, synthetic.PASSWORD)
                figures["browser_enter_to_total"] = latency
                self.stdout.write(
                    f"\nIn the browser, Enter → updated total on screen ({editable}): "
                    f"median {latency['median_ms']:.0f} ms, p95 {latency['p95_ms']:.0f} ms"
                )
            if not options["skip_throughput"]:
                cookie = _session_cookie(inst.board_username)
                review = url_or_none(
                    "plan_review", association=inst.association.slug, pk=inst.largest_plan.pk
                )
                adopted = _adopted_plan(inst)
                adopted_page = url_or_none("plan_detail", association=inst.association.slug, pk=adopted.pk)
                trivial = measure.throughput(port, "/healthz")
                page = measure.throughput(port, review, cookie=cookie)
                adopted_figures = measure.throughput(port, adopted_page, cookie=cookie)
                ratio = page["requests_per_second"] / trivial["requests_per_second"]
                adopted_ratio = adopted_figures["requests_per_second"] / trivial["requests_per_second"]
                figures["throughput"] = {
                    "trivial": trivial,
                    "review_page": page,
                    "ratio": round(ratio, 3),
                    "adopted_page": adopted_figures,
                    "adopted_ratio": round(adopted_ratio, 3),
                }
                self.stdout.write(
                    f"\nThroughput, gunicorn 2 workers + whitenoise, 4 keep-alive clients, 8 s each:\n"
                    f"  trivial view /healthz: {trivial['requests_per_second']:.0f} req/s ({trivial['errors']} errors)\n"
                    f"  review page, largest plan in review: {page['requests_per_second']:.1f} req/s"
                    f" ({page['errors']} errors), ratio {ratio:.3f}\n"
                    f"  adopted plan's page: {adopted_figures['requests_per_second']:.1f} req/s"
                    f" ({adopted_figures['errors']} errors), ratio {adopted_ratio:.3f}"
                )
        finally:
            process.terminate()
            process.wait(timeout=10)
        return figures


def _adopted_plan(inst) -> Plan:
    """The association's latest adopted plan, with its version of record (the synthetic installation is
    built with bulk inserts, so it gets its record here, as a plan loaded as adopted gets it at load)."""
    plan = (
        inst.association.plans.filter(state=Plan.State.ADOPTED, kind=Plan.Kind.PLAN)
        .order_by("-first_year")
        .first()
    )
    plan_record_ensure(plan=plan)
    return plan


def _member_of(plan):

    return (
        get_user_model()
        .objects.filter(memberships__association=plan.association, memberships__role="chief")
        .first()
    )


def _database_url() -> str:

    return os.environ.get("DATABASE_URL") or f"sqlite:///{settings.DATABASES['default']['NAME']}"


def _session_cookie(username: str) -> str:

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return f"sessionid={client.cookies['sessionid'].value}"


def _editable_plan(inst):
    """A draft copy of the largest plan's budget to type into (the largest is under review by now)."""

    editable = Plan.objects.filter(association=inst.association, title__startswith="Rutnät").first()
    if editable:
        return editable

    chief = get_user_model().objects.get(username=inst.chief_username)
    plan = inst.largest_plan
    if plan.state == "in_review":
        plan_withdraw(plan=plan, by=chief, reason="Benchmark: typing into the grid")
    return Plan.objects.get(pk=plan.pk)
