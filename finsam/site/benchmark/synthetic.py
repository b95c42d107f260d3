"""A synthetic installation the size of all of Sweden's ~80 associations, for `make bench`.

80 associations, each with 5 yearly plans, 40 interventions with grants and a budget of 60 lines over 3 to
6 columns, with history and review comments. Built with `bulk_create`, so a
fresh SQLite file takes seconds, not minutes. Association `bench-00` holds the largest plan (6 years,
draft, editable) and a deliberately small draft plan, so query counts can be compared between the two.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from budgets.models import BudgetAmount, BudgetColumn, BudgetGroup, BudgetLine
from finsam.models import Association, Membership, Organisation
from interventions.models import Grant, Intervention, PlanIntervention
from plans.goal_categories import goal_categories
from plans.models import (
    Chapter,
    Comment,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    PlanEvent,
    PlanSnapshot,
    Stance,
    TargetGroup,
)

PREFIX = "bench-"
PASSWORD = "finsam-bench"
FIRST_YEAR = 2027
LOREM = (
    "Förbundet finansierar samordnade rehabiliteringsinsatser för personer som behöver stöd från flera "
    "myndigheter för att nå arbete eller studier. Insatserna följs upp i SUS och med NNS indikatorer. "
)


@dataclass
class Installation:
    association: Association
    largest_plan: Plan
    small_plan: Plan
    chief_username: str
    board_username: str


def installation() -> Installation | None:
    association = Association.objects.filter(slug=f"{PREFIX}00").first()
    if association is None:
        return None
    plans = association.plans.filter(kind=Plan.Kind.PLAN)
    return Installation(
        association=association,
        # The latest of the association's yearly plans (the small plan is the one of 2035).
        largest_plan=plans.exclude(title__startswith="Liten plan").order_by("-first_year").first(),
        small_plan=plans.get(title__startswith="Liten plan"),
        chief_username=f"chef.{PREFIX}00",
        board_username=f"ledamot.{PREFIX}00",
    )


def build(
    *,
    associations: int = 80,
    plans_per_association: int = 5,
    interventions: int = 40,
    lines: int = 60,
    seed: int = 2026,
) -> Installation:
    """Create the synthetic installation unless it exists. Returns the handles the benchmark needs."""
    existing = installation()
    if existing:
        return reset(existing)
    rng = random.Random(seed)
    with transaction.atomic():
        for index in range(associations):
            build_association(index, rng, plans_per_association, interventions, lines)
        build_small_plan()
    analyze()
    return installation()


def analyze() -> None:
    """Give the query planner its statistics, as a production database has them (autovacuum analyses
    after bulk changes): measured straight after the bulk load, PostgreSQL planned the plan's grants as
    a scan of every grant of the installation."""
    # A constant statement without parameters; ANALYZE has no ORM equivalent.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # constant SQL, nothing interpolated


def build_association(
    index: int,
    rng: random.Random,
    plan_count: int,
    intervention_count: int,
    line_count: int,
    *,
    prefix: str = PREFIX,
    label: str = "Bänk",
    draft_years: int = 6,
):
    """One association with its organisations, three users (chief, board member, chair), interventions
    and `plan_count` plans, the latest a draft of `draft_years` years. Returns the association."""
    association = Association.objects.create(
        name=f"Samordningsförbundet {label} {index:02d}",
        slug=f"{prefix}{index:02d}",
        org_number="222000-2063",
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(association=association, name="Försäkringskassan", kind="state", position=0),
            Organisation(association=association, name="Arbetsförmedlingen", kind="state", position=1),
            Organisation(association=association, name=f"Region Bänk {index}", kind="region", position=2),
            *[
                Organisation(
                    association=association,
                    name=f"Bänk kommun {index}-{m}",
                    kind="municipality",
                    position=3 + m,
                )
                for m in range(3)
            ],
            Organisation(association=association, name="Polisen", kind="other", is_member=False, position=9),
        ]
    )
    users = []
    User = get_user_model()
    for prefix, role in (("chef", "chief"), ("ledamot", "board"), ("ordforande", "chair")):
        user = User(username=f"{prefix}.{association.slug}", email=f"{prefix}.{association.slug}@example.se")
        user.set_unusable_password()
        users.append((user, role))
    User.objects.bulk_create([user for user, _ in users])
    created = {
        user.username: user for user in User.objects.filter(username__in=[u.username for u, _ in users])
    }
    Membership.objects.bulk_create(
        [Membership(user=created[user.username], association=association, role=role) for user, role in users]
    )
    if index == 0 and prefix == PREFIX:
        for user in created.values():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])

    interventions = Intervention.objects.bulk_create(
        [
            Intervention(
                association=association,
                name=f"Insats {number:02d} {association.slug}",
                kind="individual" if number % 3 else "structural",
                owner=organisations[number % 6],
                start_date=datetime.date(FIRST_YEAR - 1, 1, 1),
                end_date=None if number % 4 == 0 else datetime.date(FIRST_YEAR + 5, 12, 31),
                group=["Mysam", "Trisam", ""][number % 3],
                capacity="20 deltagare",
                purpose=LOREM * 3,
                target_group=LOREM,
                goals_short="- " + LOREM,
                follow_up=LOREM,
            )
            for number in range(intervention_count)
        ]
    )
    Through = Intervention.partners.through
    Through.objects.bulk_create(
        [
            Through(intervention_id=intervention.id, organisation_id=organisations[k].id)
            for n, intervention in enumerate(interventions)
            for k in {n % 6, (n + 1) % 6, 6}
        ]
    )
    Grant.objects.bulk_create(
        [
            Grant(intervention=intervention, year=year, amount=Decimal(rng.randrange(50, 1500) * 1000))
            for intervention in interventions
            for year in range(FIRST_YEAR - 1, FIRST_YEAR + 8)
        ]
    )

    for plan_index in range(plan_count):
        first_year = FIRST_YEAR - (plan_count - 1) + plan_index
        years = 3 + plan_index % 4 if plan_index < plan_count - 1 else draft_years
        is_latest = plan_index == plan_count - 1
        plan = Plan.objects.create(
            association=association,
            title=("Stor plan " if is_latest and index == 0 and prefix == PREFIX else "")
            + f"Verksamhetsplan och budget {first_year}",
            first_year=first_year,
            years=years,
            state=Plan.State.DRAFT if is_latest else Plan.State.ADOPTED,
            adopted_on=None if is_latest else datetime.date(first_year - 1, 11, 27),
            unit="tkr",
            decimals=1,
            costs_negative=True,
            opening_equity=Decimal(1_500_000),
        )
        build_plan_content(plan, rng, interventions, years, line_count)
    return association


def build_plan_content(plan: Plan, rng: random.Random, interventions, years: int, line_count: int):
    kinds = [
        "text",
        "goals",
        "target_groups",
        "text",
        "interventions",
        "text",
        "control",
        "communication",
        "text",
        "budget",
        "text",
        "text",
    ]
    Chapter.objects.bulk_create(
        [
            Chapter(
                plan=plan,
                heading=f"Kapitel {n + 1}",
                kind=kind,
                body=(LOREM * 4 + "\n\n- punkt\n- punkt\n"),
                position=n,
                level=1 if n % 3 == 0 else 2,
            )
            for n, kind in enumerate(kinds)
        ]
    )
    category = goal_categories(plan.association).first()
    goals = Goal.objects.bulk_create(
        [
            Goal(plan=plan, title=f"Mål {n + 1}", description=LOREM, position=n, category=category)
            for n in range(8)
        ]
    )
    Indicator.objects.bulk_create(
        [
            Indicator(goal=goal, text=f"Indikator {k + 1}", target="minst 50 %", position=k)
            for goal in goals
            for k in range(3)
        ]
    )
    TargetGroup.objects.bulk_create(
        [TargetGroup(plan=plan, name=f"Målgrupp {n}", position=n) for n in range(5)]
    )
    ControlItem.objects.bulk_create(
        [
            ControlItem(
                plan=plan,
                routine=f"Rutin {n}",
                control_step="Stickprov",
                responsible="Ekonom",
                frequency="1 gång/år",
                method="Stickprov",
                reported_to="Styrelsen",
                risk="Möjlig",
                position=n,
            )
            for n in range(6)
        ]
    )
    CommunicationItem.objects.bulk_create(
        [
            CommunicationItem(
                plan=plan,
                audience=f"Målgrupp {n}",
                channel="Hemsida",
                frequency="Kontinuerligt",
                responsible="Förbundschef",
                position=n,
            )
            for n in range(6)
        ]
    )
    PlanIntervention.objects.bulk_create(
        [
            PlanIntervention(plan=plan, intervention=intervention, position=n)
            for n, intervention in enumerate(interventions)
        ]
    )
    columns = BudgetColumn.objects.bulk_create(
        [
            BudgetColumn(
                plan=plan,
                year=plan.first_year + k,
                kind="budget" if k == 0 else "plan",
                contributions_total=Decimal(20_000_000),
            )
            for k in range(years)
        ]
    )
    groups = BudgetGroup.objects.bulk_create(
        [
            BudgetGroup(
                plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter", position=0
            ),
            BudgetGroup(
                plan=plan, section="revenue", kind="financial", name="Finansiella intäkter", position=1
            ),
            BudgetGroup(plan=plan, section="costs", kind="administration", name="Administration", position=0),
            BudgetGroup(
                plan=plan,
                section="costs",
                kind="interventions_decided",
                name="Beslutade insatser",
                position=1,
            ),
            BudgetGroup(
                plan=plan,
                section="costs",
                kind="interventions_undecided",
                name="Ej beslutade medel",
                position=2,
            ),
            BudgetGroup(
                plan=plan,
                section="costs",
                kind="project_costs",
                name="Projektrelaterade kostnader",
                position=3,
            ),
        ]
    )
    typed_groups = [groups[1], groups[2], groups[4], groups[5]]
    budget_lines = BudgetLine.objects.bulk_create(
        [
            BudgetLine(
                group=typed_groups[n % 4],
                name=f"Rad {n + 1}",
                position=n,
                undecided=typed_groups[n % 4] is groups[4],
            )
            for n in range(line_count)
        ]
    )
    BudgetAmount.objects.bulk_create(
        [
            BudgetAmount(line=line, column=column, amount=Decimal(rng.randrange(1, 400) * 1000))
            for line in budget_lines
            for column in columns
        ]
    )
    PlanEvent.objects.bulk_create(
        [PlanEvent(plan=plan, action="edited", summary=f"Ändrade kapitel {n % 12 + 1}") for n in range(50)]
    )
    build_comments(plan)


def build_comments(plan: Plan):
    """Twenty comment threads on the plan's first chapter, as the board writes them in review."""
    chapter = plan.chapters.first()
    Comment.objects.bulk_create(
        Comment(
            plan=plan,
            target_kind=Comment.Target.CHAPTER,
            target_key=f"chapter-{chapter.pk}",
            target_label=chapter.heading,
            body=f"Kommentar {n}: {LOREM[:80]}",
        )
        for n in range(20)
    )


def build_small_plan():
    association = Association.objects.get(slug=f"{PREFIX}00")
    plan = Plan.objects.create(
        association=association, title="Liten plan 2035", first_year=2035, years=1, unit="tkr", decimals=1
    )
    Chapter.objects.create(plan=plan, heading="Inledning", body="Kort text.", position=0)
    Chapter.objects.create(plan=plan, heading="Mål", kind="goals", position=1)
    Chapter.objects.create(plan=plan, heading="Budget", kind="budget", position=2)
    goal = Goal.objects.create(plan=plan, title="Ett mål")
    Indicator.objects.create(goal=goal, text="En indikator")
    column = BudgetColumn.objects.create(
        plan=plan, year=2035, kind="budget", contributions_total=Decimal(1_000_000)
    )
    BudgetGroup.objects.create(plan=plan, section="revenue", kind="contributions", name="Medlemsavgifter")
    admin = BudgetGroup.objects.create(
        plan=plan, section="costs", kind="administration", name="Administration"
    )
    BudgetGroup.objects.create(
        plan=plan, section="costs", kind="interventions_decided", name="Beslutade insatser"
    )
    line = BudgetLine.objects.create(group=admin, name="Förbundschef")
    BudgetAmount.objects.create(line=line, column=column, amount=Decimal(700_000))
    for intervention in association.interventions.order_by("id")[:2]:
        PlanIntervention.objects.create(plan=plan, intervention=intervention)


def reset(inst: Installation) -> Installation:
    """Put the two measured plans back to editable drafts without review history, so every run of the
    benchmark measures the same thing whatever an earlier run left behind."""

    pks = [inst.largest_plan.pk, inst.small_plan.pk]
    for model in (Stance, Comment, PlanSnapshot):
        model.objects.filter(plan_id__in=pks).delete()
    Plan.objects.filter(pk__in=pks).update(state=Plan.State.DRAFT)
    inst.largest_plan.refresh_from_db()
    inst.small_plan.refresh_from_db()
    build_comments(inst.largest_plan)
    return inst
