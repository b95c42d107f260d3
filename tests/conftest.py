import os
from decimal import Decimal

import pytest
from django.test import Client

from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.models import Membership, Organisation
from interventions.models import Grant, Intervention, PlanIntervention
from plans.models import Chapter, Goal, Indicator
from tests.factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    PlanFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop; Django must still allow the ORM in live-server tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Every test using one of these fixtures is slow (`make test-fast` leaves it out): `demo_pdfs` renders the
# three demo plans as PDF/A and reads them back; with `renders_pdfs` a test renders real PDFs (WeasyPrint,
# a second or more each). `make test` and CI run them; `pytest tests/test_pdf.py` while working on the PDF.
SLOW_FIXTURES = {"demo_pdfs", "renders_pdfs"}


# The longest sweeps (a minute or more each) run first: `-n 2 --dist worksteal` hands each worker a
# contiguous half of the list and lets an idle worker take tests from the end of the other's, so a long
# test near the end of a half would leave the other worker idle while it finishes.
LONGEST_FIRST = ("test_url_matrix.py::test_url_matrix", "test_every_page_fits.py::")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: not any(name in item.nodeid for name in LONGEST_FIRST))


@pytest.fixture(scope="session", autouse=True)
def _flush_postgresql_by_delete():
    """A transactional test (browser, live server, concurrency) ends with a flush of every table. On
    PostgreSQL Django flushes with one TRUNCATE of them all, which replaces each table's files: half a
    second to a second per test. DELETE of the few rows such a test writes takes milliseconds and leaves
    the same empty tables (the foreign keys are deferred to the flush's commit; sequences, which this
    TRUNCATE does not restart either, go on). Only the test suite's flushes change."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = truncate


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a missing component must never turn into a green run."""
    if os.environ.get("CI", "").lower() not in {"1", "true"}:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; in CI a skip is a failure.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (rendered frozen documents, throttling counters...)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- Shared fixtures: an association, its people and two plans -----------------------------------------
#
# `association` (Samordningsförbundet Alfa, slug "alfa", with its three statutory members) has a `chief`,
# a `chair`, a `board_member` and a `reader`; the `outsider` is the chief of `other_association`
# (Samordningsförbundet Beta, "beta"), so belongs to another association. Every user's password is the
# factories' "secret-pass-123". `small_plan` and `large_plan` are drafts of `association`. A test module
# may define its own fixture of the same name; its own then wins.


@pytest.fixture
def renders_pdfs(settings):
    """Tasks (the archival PDF's rendering) run at once, inside the request, as a worker would run them:
    for tests that read a rendered PDF. Elsewhere they are only queued (finsam/settings_test.py)."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def association(db):

    association = AssociationFactory(name="Samordningsförbundet Alfa", slug="alfa")
    for position, (name, kind) in enumerate(
        [
            ("Försäkringskassan", Organisation.Kind.STATE),
            ("Region Alfa", Organisation.Kind.REGION),
            ("Alfa kommun", Organisation.Kind.MUNICIPALITY),
        ]
    ):
        OrganisationFactory(association=association, name=name, kind=kind, position=position)
    return association


@pytest.fixture
def other_association(db):

    return AssociationFactory(name="Samordningsförbundet Beta", slug="beta")


def _member(association, role, username):

    user = UserFactory(username=username, first_name=username.split(".")[0].capitalize())
    return MembershipFactory(user=user, association=association, role=role).user


@pytest.fixture
def chief(association):

    return _member(association, Membership.Role.CHIEF, "chef.alfa")


@pytest.fixture
def chair(association):

    return _member(association, Membership.Role.CHAIR, "ordforande.alfa")


@pytest.fixture
def board_member(association):

    return _member(association, Membership.Role.BOARD, "ledamot.alfa")


@pytest.fixture
def reader(association):

    return _member(association, Membership.Role.READER, "lasare.alfa")


@pytest.fixture
def outsider(other_association):
    """The chief of another association: full rights there, none in `association`."""

    return _member(other_association, Membership.Role.CHIEF, "chef.beta")


@pytest.fixture
def members(chief, chair, board_member, reader):
    """`association`'s users by their `Membership.Role`, for tests parametrized by role."""

    Role = Membership.Role
    return {Role.CHIEF: chief, Role.CHAIR: chair, Role.BOARD: board_member, Role.READER: reader}


@pytest.fixture
def client_for(db):
    """`client_for(user)`: a test client of its own (its own cookies), logged in as `user`."""

    def logged_in(user):
        client = Client()
        client.force_login(user)
        return client

    return logged_in


@pytest.fixture
def chief_client(client_for, chief):
    return client_for(chief)


@pytest.fixture
def chair_client(client_for, chair):
    return client_for(chair)


@pytest.fixture
def board_member_client(client_for, board_member):
    return client_for(board_member)


@pytest.fixture
def reader_client(client_for, reader):
    return client_for(reader)


@pytest.fixture
def outsider_client(client_for, outsider):
    return client_for(outsider)


def build_plan_with_budget(
    association,
    *,
    first_year: int,
    years: int,
    history_years: int,
    chapters: list[tuple[str, str]],
    goals: int,
    lines: dict[tuple[str, str, str], list[str]],
    interventions: list[str],
    title: str,
):
    """A draft plan of `association` with chapters, goals, budget columns (`history_years` of outcome and
    forecast before `first_year`, then the budget and plan years), budget groups with their lines and
    amounts, and interventions granted every year, each with two member organisations as partners.

    Amounts are whole kronor and deterministic: line i of the plan has 10 000 × (i + 1) kr in the first
    column, 1 000 kr more in every later column; intervention i is granted 100 000 × (i + 1) kr a year.
    """

    plan = PlanFactory(
        association=association, title=title, first_year=first_year, years=years, opening_equity=1_500_000
    )
    Chapter.objects.bulk_create(
        Chapter(plan=plan, heading=heading, kind=kind, body="Text." if kind == "text" else "", position=n)
        for n, (heading, kind) in enumerate(chapters)
    )
    created_goals = Goal.objects.bulk_create(
        Goal(plan=plan, title=f"Mål {n + 1}", position=n) for n in range(goals)
    )
    Indicator.objects.bulk_create(
        Indicator(goal=goal, text=f"Indikator {goal.position + 1}.{k + 1}", target="minst 50 %", position=k)
        for goal in created_goals
        for k in range(2)
    )
    column_years = range(first_year - history_years, first_year + years)
    kinds = {first_year - 2: BudgetColumn.Kind.OUTCOME, first_year - 1: BudgetColumn.Kind.FORECAST}
    columns = BudgetColumn.objects.bulk_create(
        BudgetColumn(
            plan=plan,
            year=year,
            kind=kinds.get(year, BudgetColumn.Kind.OUTCOME)
            if year < first_year
            else BudgetColumn.Kind.BUDGET
            if year == first_year
            else BudgetColumn.Kind.PLAN,
            contributions_total=Decimal(4_000_000 + 100_000 * (year - first_year)),
        )
        for year in column_years
    )
    groups = BudgetGroup.objects.bulk_create(
        BudgetGroup(plan=plan, section=section, kind=kind, name=name, position=n)
        for n, (section, kind, name) in enumerate(lines)
    )
    budget_lines = BudgetLine.objects.bulk_create(
        BudgetLine(group=group, name=name, position=k)
        for group, names in zip(groups, lines.values(), strict=True)
        for k, name in enumerate(names)
    )
    BudgetAmount.objects.bulk_create(
        BudgetAmount(line=line, column=column, amount=Decimal(10_000 * (i + 1) + 1_000 * c))
        for i, line in enumerate(budget_lines)
        for c, column in enumerate(columns)
    )
    partners = list(association.organisations.filter(is_member=True).order_by("position"))
    created = Intervention.objects.bulk_create(
        Intervention(association=association, name=name, purpose=f"Syftet med {name}.")
        for name in interventions
    )
    for i, intervention in enumerate(created):
        intervention.partners.set([partners[i % len(partners)], partners[(i + 1) % len(partners)]])
    Grant.objects.bulk_create(
        Grant(intervention=intervention, year=year, amount=Decimal(100_000 * (i + 1)))
        for i, intervention in enumerate(created)
        for year in column_years
    )
    PlanIntervention.objects.bulk_create(
        PlanIntervention(plan=plan, intervention=intervention, position=i)
        for i, intervention in enumerate(created)
    )
    return plan


STANDARD_CHAPTERS = [
    ("Inledning", "text"),
    ("Mål", "goals"),
    ("Insatser", "interventions"),
    ("Budget", "budget"),
]


@pytest.fixture
def small_plan(association):
    """2027–2028 (budget and one plan year): four chapters, one goal, a two-line budget and one
    intervention."""
    return build_plan_with_budget(
        association,
        title="Verksamhetsplan och budget 2027",
        first_year=2027,
        years=2,
        history_years=0,
        chapters=STANDARD_CHAPTERS,
        goals=1,
        lines={
            ("revenue", "contributions", "Medlemsavgifter"): [],
            ("costs", "administration", "Administration"): ["Förbundschef", "Lokaler"],
            ("costs", "interventions_decided", "Beslutade insatser"): [],
        },
        interventions=["Steget vidare"],
    )


@pytest.fixture
def large_plan(association):
    """2028–2030 with the outcome of 2026 and the forecast of 2027 (five columns): every kind of chapter,
    six goals, 43 budget lines in six groups and 15 interventions. (A plan's first year is unique in its
    association: `small_plan` has 2027.)"""
    chapters = [
        ("Inledning", "text"),
        ("Bakgrund", "text"),
        ("Vision och uppdrag", "text"),
        ("Mål", "goals"),
        ("Målgrupper", "target_groups"),
        ("Organisation", "organisation"),
        ("Insatser", "interventions"),
        ("Internkontroll", "control"),
        ("Kommunikation", "communication"),
        ("Aktiviteter", "activity"),
        ("Budget", "budget"),
        ("Uppföljning", "text"),
    ]
    return build_plan_with_budget(
        association,
        title="Verksamhetsplan och budget 2028–2030",
        first_year=2028,
        years=3,
        history_years=2,
        chapters=chapters,
        goals=6,
        lines={
            ("revenue", "contributions", "Medlemsavgifter"): [],
            ("revenue", "financial", "Finansiella intäkter"): ["Ränteintäkter"],
            ("costs", "administration", "Administration"): [f"Administration {n}" for n in range(1, 21)],
            ("costs", "project_costs", "Projektrelaterade kostnader"): [f"Projekt {n}" for n in range(1, 11)],
            ("costs", "interventions_decided", "Beslutade insatser"): ["Övriga insatser"],
            ("costs", "other", "Övriga kostnader"): [f"Övrigt {n}" for n in range(1, 12)],
        },
        interventions=[f"Insats {n}" for n in range(1, 16)],
    )


@pytest.fixture
def renderings_start_at_once(monkeypatch, renders_pdfs):
    """PDF renderings are queued when the request's transaction commits (`plans.pdf.queue_render`). A
    test's transaction is rolled back, never committed, so with this fixture they are queued at once, as
    right after a commit, and rendered at once (`renders_pdfs`)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
