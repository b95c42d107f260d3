"""Following an adopted plan's goals through its year: each indicator's outcome and its judgement.

The adopted plan is the record of a decision and never changes; the follow-up is written beside it
(`IndicatorOutcome`), by the chief, while the plan is the association's adopted plan for the year. A
revision of the plan (a revised budget) carries the outcomes written so far (`copy_goal_outcomes`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from finsam.editing import versioned_update
from plans.gateway import followup_refusal, plan_change
from plans.models import Goal, Indicator, IndicatorOutcome, Plan, PlanEvent
from plans.parts import PartKind, PlanCopy, register

Judgement = IndicatorOutcome.Judgement


@dataclass
class GoalFollowUp:
    goal: Goal
    indicators: list[Indicator]  # each with `.followed` (its IndicatorOutcome, or None)
    judgements: Counter = field(default_factory=Counter)  # judgement → indicators; "" for not judged


def goal_follow_up(plan: Plan) -> list[GoalFollowUp]:
    """The plan's goals, each with its indicators and their outcomes (two queries whatever the size)."""
    indicators = Indicator.objects.select_related("outcome").order_by("position", "id")
    goals = plan.goals.select_related("category").prefetch_related(
        Prefetch("indicators", queryset=indicators)
    )
    result = []
    for goal in goals.order_by("position", "id"):
        rows = list(goal.indicators.all())
        judgements: Counter = Counter()
        for indicator in rows:
            indicator.followed = getattr(indicator, "outcome", None)
            judgements[indicator.followed.judgement if indicator.followed else ""] += 1
        result.append(GoalFollowUp(goal, rows, judgements))
    return result


def judgement_totals(goals: list[GoalFollowUp]) -> list[tuple[str, str, int]]:
    """(judgement, label, count) over every indicator, in the order of the scale, "not judged" last."""
    totals: Counter = sum((goal.judgements for goal in goals), Counter())
    scale = [(value, label, totals[value]) for value, label in Judgement.choices]
    return [*scale, ("", _("Ej bedömt"), totals[""])]


def indicator_outcome_save(
    *,
    plan: Plan,
    indicator: Indicator,
    by,
    value: str,
    judgement: str,
    comment: str,
    expected_version: int = 0,
) -> IndicatorOutcome:
    """Write an indicator's outcome for the year. Refused (ValidationError) unless the plan is the
    adopted one, checked under the plan's row lock, and when the outcome is no longer at
    `expected_version` (0: none saved), as every editable row of the project is; one history event."""
    if indicator.goal.plan_id != plan.pk:
        raise ValidationError(_("Indikatorn hör till en annan plan."))
    with plan_change(plan, by=by, lifecycle=PlanEvent.Action.FOLLOWED_UP) as change:
        refusal = followup_refusal(plan)
        if refusal:
            raise ValidationError(refusal)
        saved = IndicatorOutcome.objects.filter(indicator=indicator).first()
        if (saved.version if saved else 0) != expected_version:
            raise ValidationError(
                _(
                    "Någon annan har ändrat utfallet sedan du öppnade sidan. Sparat nu: ”%(value)s”, %(judgement)s."
                )
                % {"value": saved.value or "–", "judgement": saved.get_judgement_display() or _("ej bedömt")}
            )
        values = {"value": value, "judgement": judgement, "comment": comment, "updated_by": by}
        if saved is None:
            outcome = IndicatorOutcome.objects.create(indicator=indicator, **values)
        else:
            outcome = versioned_update(saved, expected_version=expected_version, **values)
        change.record(
            PlanEvent.Action.FOLLOWED_UP,
            _("Utfall för indikatorn ”%(indicator)s”") % {"indicator": indicator.text[:200]},
            {"indicator": indicator.pk, "value": value, "judgement": judgement},
        )
    return outcome


def copy_goal_outcomes(job: PlanCopy) -> None:
    """A revision carries the outcomes written so far; next year's plan starts without any."""
    if job.rollover:
        return
    job.copy_rows(
        IndicatorOutcome,
        IndicatorOutcome.objects.filter(indicator__goal__plan=job.source).order_by("id"),
        indicator_id=lambda row: job.new_id(Indicator, row.indicator_id),
    )


GOAL_OUTCOMES = PartKind(key="goal_outcomes", models=(IndicatorOutcome,), copy=copy_goal_outcomes)


def register_goal_outcomes() -> None:
    register(GOAL_OUTCOMES)
