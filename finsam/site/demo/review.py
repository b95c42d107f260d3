"""Demo data for the board's review: next year's plan, changed and sent to the board, with comments.

For each freshly loaded demo association: the adopted plan is rolled over to next year
(`plans.rollover.plan_rollover`), the chief makes a few real changes through the same services the
editor uses (a chapter's text, an amount in the budget, a new intervention with a grant), submits the
plan for review, and the board member (`ledamot.<slug>`) comments on the new intervention and on the
changed budget line. The board member then has something real to review, and "what changed" shows the
differences against the adopted plan.

Runs inside the caller's transaction; sends no e-mail.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model

from budgets.models import BudgetAmount, BudgetGroup
from budgets.services import budget_cell_update
from finsam.models import Association, Organisation
from finsam.money import round_half_up
from interventions.models import Intervention
from interventions.services import intervention_create
from plans.models import Chapter, Comment, Plan
from plans.review import comment_add, plan_submit
from plans.rollover import plan_rollover
from plans.services import plan_part_update

NEW_SENTENCE = (
    "Inför {year} prioriterar förbundet unga vuxna som varken arbetar eller studerar, "
    "i nära samverkan med kommunernas arbetsmarknadsenheter."
)


def load_review_demo(association: Association) -> Plan | None:
    """Roll the association's adopted plan over, change it, submit it and comment on it (see module doc).

    Returns the submitted plan, or None when the association has no adopted plan or already has one for
    next year. Side effects: a new plan with its parts, one intervention, a snapshot, comments, events."""
    users = get_user_model().objects
    chief = users.get(username=f"chef.{association.slug}")
    board = users.get(username=f"ledamot.{association.slug}")
    plans = association.plans.filter(kind=Plan.Kind.PLAN)
    adopted = plans.filter(state=Plan.State.ADOPTED).order_by("-first_year").first()
    if adopted is None or plans.filter(first_year=adopted.first_year + 1).exists():
        return None

    plan = plan_rollover(source=adopted, by=chief)
    year = plan.first_year

    chapter = plan.chapters.filter(kind=Chapter.Kind.TEXT).exclude(body="").order_by("position", "id").first()
    if chapter is not None:
        plan_part_update(
            plan=plan,
            item=chapter,
            expected_version=chapter.version,
            changes={"body": chapter.body.rstrip() + "\n\n" + NEW_SENTENCE.format(year=year)},
            by=chief,
        )

    changed_line = _raise_an_administration_cost(plan, chief)
    intervention = _add_an_intervention(plan, chief)

    plan_submit(plan=plan, by=chief, notify=False)
    comment_add(
        plan=plan,
        by=board,
        target_kind=Comment.Target.INTERVENTION,
        target_key=f"intervention-{intervention.pk}",
        body=(
            "Bra att unga vuxna prioriteras. Hur många deltagare räknar ni med det första året, "
            "och hur följer vi upp att de går vidare till arbete eller studier?"
        ),
        notify=False,
    )
    if changed_line is not None:
        comment_add(
            plan=plan,
            by=board,
            target_kind=Comment.Target.BUDGET_LINE,
            target_key=f"line-{changed_line.pk}",
            body="Vad beror ökningen på? Jag vill gärna se den förklarad i planen.",
            notify=False,
        )
    return plan


def _raise_an_administration_cost(plan: Plan, chief):
    """Raise the first administration line of the budget year by 3 % (to whole hundreds of kronor)."""
    column = plan.budget_columns.filter(year=plan.first_year).first()
    if column is None:
        return None
    cell = (
        BudgetAmount.objects.filter(
            column=column,
            line__group__plan=plan,
            line__group__section=BudgetGroup.Section.COSTS,
            amount__gt=0,
        )
        .select_related("line__group")
        .order_by("line__group__kind", "line__group__position", "line__position", "line__id")
        .first()
    )
    if cell is None:
        return None
    raised = round_half_up(cell.amount.amount * Decimal("1.03") / 100) * 100
    budget_cell_update(line=cell.line, column=column, amount=raised, expected_version=cell.version, by=chief)
    return cell.line


def _add_an_intervention(plan: Plan, chief) -> Intervention:
    organisations = list(plan.association.organisations.filter(is_member=True).order_by("position", "id"))
    municipality = next((org for org in organisations if org.kind == Organisation.Kind.MUNICIPALITY), None)
    state = next((org for org in organisations if org.kind == Organisation.Kind.STATE), None)
    partners = [org for org in (state, municipality) if org is not None] or organisations[:2]
    return intervention_create(
        association=plan.association,
        fields={
            "name": "Unga vuxna i arbete",
            "kind": Intervention.Kind.INDIVIDUAL,
            "status": Intervention.Status.GRANTED,
            "owner": municipality or partners[0],
            "start_date": datetime.date(plan.first_year, 1, 1),
            "end_date": datetime.date(plan.first_year + 1, 12, 31),
            "capacity": "30 deltagare",
            "purpose": (
                "Samordnat stöd för unga vuxna 18–29 år som varken arbetar eller studerar: en gemensam "
                "ingång där Arbetsförmedlingen och kommunen möter den unga tillsammans."
            ),
            "target_group": "Unga vuxna 18–29 år utan sysselsättning.",
        },
        partners=partners,
        grants={plan.first_year: Decimal(450000)},
        plan=plan,
        by=chief,
    )
