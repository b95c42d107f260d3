"""`manage.py pdf_bench`: how long the plan PDF takes to render, in seconds and seconds per page.

Renders every plan of the demo associations that are in the database (`load_demo` first), both as a
draft would be (tagged PDF with the UTKAST watermark) and as the archive (PDF/A-2a), and a synthetic
large plan (60 interventions with full texts, 6 years) that is built in a transaction and rolled back,
so the database is left as it was. Nothing is stored. `--output DIR` keeps the PDFs for a look.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.models import Association, BoardSeat, Organisation, StaffMember
from finsam.site.demo.reading import demo_files, read_demo_file
from interventions.models import Grant, Intervention, PlanIntervention
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    TargetGroup,
)
from plans.pdf import plan_pdf_render

PARAGRAPH = (
    "Förbundet finansierar samordnade rehabiliteringsinsatser för personer som behöver stöd från flera "
    "myndigheter för att nå arbete eller studier. Insatsen följs upp i SUS och med NNS indikatorer, och "
    "parterna redovisar resultaten till styrelsen två gånger om året – med siffror och med berättelser."
)


class Rollback(Exception):
    """Raised to roll the synthetic plan back once it has been measured."""


class Command(BaseCommand):
    help = "Time the PDF rendering of the demo plans and of a synthetic large plan."

    def add_arguments(self, parser):
        parser.add_argument("--synthetic-only", action="store_true", help="Skip the demo plans.")
        parser.add_argument("--demo-only", action="store_true", help="Skip the synthetic plan.")
        parser.add_argument("--interventions", type=int, default=60)
        parser.add_argument("--years", type=int, default=6, choices=range(1, 7))
        parser.add_argument("--output", type=Path, help="Write the PDFs into this folder.")
        parser.add_argument(
            "--variant",
            choices=["draft", "archive", "both"],
            default="both",
            help="Draft (tagged, watermark), archive (PDF/A-2a) or both (default).",
        )

    def handle(self, *args, **options):

        self.output = options["output"]
        if self.output:
            self.output.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        import weasyprint  # noqa: F401 - import once up front so that no row pays for it

        self.stdout.write(f"WeasyPrint import: {time.perf_counter() - started:.2f} s")
        # Wall-clock seconds are what a user waits; CPU seconds are the cost on one core, and say the
        # same on a busy machine (rendering is single-threaded).
        self.stdout.write(
            f"{'plan':<48} {'variant':<16} {'pages':>5} {'seconds':>8} {'s/page':>7} {'cpu s':>7} {'cpu/page':>8}"
        )
        variants = {"draft": [False], "archive": [True], "both": [False, True]}[options["variant"]]
        rows = []
        if not options["synthetic_only"]:
            slugs = [read_demo_file(path)["slug"] for path in demo_files()]
            plans = list(Plan.objects.filter(association__slug__in=slugs).select_related("association"))
            if not plans:
                self.stdout.write("No demo plans in the database (run `manage.py load_demo`).")
            for plan in plans:
                for archival in variants:
                    rows.append(self.measure(plan_pdf_render, plan, plan.association.slug, archival))
        if not options["demo_only"]:
            count, years = options["interventions"], options["years"]
            try:
                with transaction.atomic():
                    plan = build_synthetic_plan(interventions=count, years=years)
                    label = f"synthetic ({count} interventions, {years} years)"
                    for archival in variants:
                        rows.append(self.measure(plan_pdf_render, plan, label, archival))
                    raise Rollback
            except Rollback:
                pass
        if rows:
            largest = max(rows, key=lambda row: row[1])
            self.stdout.write(
                f"Largest: {largest[0]}, {largest[1]} pages in {largest[2]:.2f} s ({largest[2] / largest[1]:.3f} s/page)"
            )

    def measure(self, render, plan, label: str, archival: bool):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = render(plan=plan, archival=archival)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        variant = "archive PDF/A-2a" if archival else "draft (tagged)"
        self.stdout.write(
            f"{label[:48]:<48} {variant:<16} {result.pages:>5} {seconds:>8.2f} {seconds / result.pages:>7.3f}"
            f" {cpu:>7.2f} {cpu / result.pages:>8.3f}"
        )
        if self.output:
            name = f"{label.split(' ')[0]}-{'archive' if archival else 'draft'}.pdf"
            (self.output / name).write_bytes(result.content)
        return (f"{label} {variant}", result.pages, seconds)


def build_synthetic_plan(*, interventions: int, years: int) -> Plan:
    """A large draft plan with every part filled in: the worst case a board would print."""
    rng = random.Random(2027)
    association = Association.objects.create(
        name="Samordningsförbundet Syntetiska bygden", slug="pdf-bench-synthetic"
    )
    state = Organisation.objects.create(
        association=association, name="Försäkringskassan/Arbetsförmedlingen", kind="state", position=0
    )
    region = Organisation.objects.create(
        association=association, name="Region Syntet", kind="region", position=1
    )
    municipalities = [
        Organisation.objects.create(
            association=association, name=f"{name} kommun", kind="municipality", position=2 + i
        )
        for i, name in enumerate(["Åby", "Ängsö", "Östra Sund", "Norrby", "Söderköping"])
    ]
    members = [state, region, *municipalities]
    for index, member in enumerate(members):
        BoardSeat.objects.create(
            association=association, person_name=f"Ledamot {index + 1}", appointed_by=member, role="member"
        )
        BoardSeat.objects.create(
            association=association,
            person_name=f"Ersättare {index + 1}",
            appointed_by=member,
            role="substitute",
        )
    StaffMember.objects.create(
        association=association, name="Förbundschef", title="Förbundschef", fte_percent=100
    )
    first_year = 2027
    plan = Plan.objects.create(
        association=association,
        title=f"Verksamhetsplan och budget {first_year}, plan {first_year + 1}–{first_year + years - 1}",
        first_year=first_year,
        years=years,
        unit="tkr",
        decimals=1,
        costs_negative=True,
        opening_equity=Decimal(2_400_000),
    )
    text = "\n\n".join([PARAGRAPH] * 3)
    kinds = [
        "text",
        "text",
        "goals",
        "target_groups",
        "organisation",
        "text",
        "interventions",
        "control",
        "communication",
        "activity",
        "text",
        "budget",
        "text",
    ]
    for position, kind in enumerate(kinds):
        Chapter.objects.create(
            plan=plan,
            position=position,
            kind=kind,
            heading=f"Kapitel {position + 1}: {kind}",
            body=text if kind == "text" else PARAGRAPH,
        )
        if kind == "text" and position % 2:
            Chapter.objects.create(
                plan=plan, position=position, level=2, heading=f"Avsnitt {position + 1}.1", body=text
            )
    for number in range(6):
        goal = Goal.objects.create(
            plan=plan,
            position=number,
            title=f"Mål {number + 1}: fler i arbete eller studier",
            description=PARAGRAPH,
        )
        for indicator in range(3):
            Indicator.objects.create(
                goal=goal,
                position=indicator,
                text=f"Indikator {indicator + 1}",
                target="minst 50 %",
                method="SUS",
            )
    for number in range(8):
        TargetGroup.objects.create(
            plan=plan, position=number, name=f"Målgrupp {number + 1}", description=PARAGRAPH[:120]
        )
    for number in range(15):
        ControlItem.objects.create(
            plan=plan,
            position=number,
            routine=f"Rutin {number + 1}",
            control_step=PARAGRAPH[:160],
            responsible="Förbundschef",
            frequency="Årligen",
            method="Stickprov",
            reported_to="Styrelsen",
            risk="Låg",
        )
        CommunicationItem.objects.create(
            plan=plan,
            position=number,
            audience=f"Målgrupp {number + 1}",
            channel=PARAGRAPH[:120],
            frequency="Kvartalsvis",
            responsible="Förbundschef",
        )
        ActivityItem.objects.create(
            plan=plan,
            position=number,
            activity=f"Aktivitet {number + 1}",
            starts_on=datetime.date(first_year, 1, 1),
            done_by=datetime.date(first_year, 12, 31),
            responsible="Kansliet",
        )
    columns = []
    for offset in range(years):
        columns.append(
            BudgetColumn.objects.create(
                plan=plan,
                year=first_year + offset,
                kind="budget" if offset == 0 else "plan",
                contributions_total=Decimal(24_000_000 + 400_000 * offset),
            )
        )
    BudgetGroup.objects.create(
        plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter", position=0
    )
    admin = BudgetGroup.objects.create(
        plan=plan, section="costs", kind="administration", name="Administration", position=1
    )
    BudgetGroup.objects.create(
        plan=plan, section="costs", kind="interventions_decided", name="Beslutade insatser", position=2
    )
    undecided = BudgetGroup.objects.create(
        plan=plan, section="costs", kind="interventions_undecided", name="Ej beslutade medel", position=3
    )
    for position, name in enumerate(
        ["Förbundschef", "Kansli", "Styrelsearvoden", "Revision", "Lokaler", "Resor", "NNS medlemsavgift"]
    ):
        line = BudgetLine.objects.create(group=admin, name=name, position=position)
        for column in columns:
            BudgetAmount.objects.create(
                line=line, column=column, amount=Decimal(rng.randrange(50, 900) * 1000)
            )
    spare = BudgetLine.objects.create(group=undecided, name="Ej beslutade medel", undecided=True)
    for column in columns:
        BudgetAmount.objects.create(line=spare, column=column, amount=Decimal(1_500_000))
    for number in range(interventions):
        intervention = Intervention.objects.create(
            association=association,
            name=f"Insats {number + 1}: samverkan för arbete i {municipalities[number % 5].name}",
            kind="structural" if number % 4 == 0 else "individual",
            owner=municipalities[number % 5],
            start_date=datetime.date(first_year, 1, 1),
            end_date=datetime.date(first_year + years - 1, 12, 31),
            capacity="40 deltagare, 2,5 årsarbetare",
            purpose=text,
            target_group=PARAGRAPH,
            goals_short=PARAGRAPH,
            goals_long=PARAGRAPH,
            actions="- Kartläggning\n- Arbetsträning\n- Uppföljning",
            follow_up=PARAGRAPH,
        )
        intervention.partners.set([state, region, municipalities[number % 5]])
        for column in columns:
            Grant.objects.create(
                intervention=intervention, year=column.year, amount=Decimal(rng.randrange(100, 600) * 1000)
            )
        PlanIntervention.objects.create(plan=plan, intervention=intervention, position=number)
    return plan
