"""Each insats of a plan followed through its year, money and people together: the insats's participants and
report (`interventions.followup`) beside its row of the budget follow-up (`budgets.followup`).

The combination lives here, on the budgets floor, because the budget follow-up does: the interventions app
sits below budgets and cannot read it. Every figure comes from those two modules; this one only pairs them.

Per insats: the budgeted amount of the year (the follow-up's budget: the amount the plan budgets, or the grant
where it budgets none), the grant beside it, the outcome to date, the whole-year forecast and the deviation
(forecast − budget, the follow-up's own). An insats without a row in the budget (not decided, or neither
granted nor budgeted for the year) has no money figures here, only its grant where it has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from budgets.calc import ZERO, sum_by_year
from budgets.followup import (
    BUDGET,
    DEVIATION,
    FORECAST,
    TO_DATE,
    FollowUpResult,
    FollowUpRow,
    plan_followup,
)
from interventions.followup import InterventionFollowUp, plan_interventions_followed
from interventions.models import Intervention, InterventionYear
from plans.models import Plan

MONEY_MEASURES = {"budget": BUDGET, "to_date": TO_DATE, "forecast": FORECAST, "deviation": DEVIATION}


@dataclass
class InterventionOutcome:
    """One insats of the plan in its budget year: people (`followed`) and money (`budget_row`)."""

    intervention: Intervention
    grant: Decimal | None  # granted for the year (None: no grant)
    followed: InterventionYear | None  # participants and report (None: not reported yet)
    budget_row: FollowUpRow | None  # its row in the budget follow-up (None: not in the budget)

    def _measure(self, measure: int) -> Decimal | None:
        return None if self.budget_row is None else self.budget_row.amounts.get(measure, ZERO)

    @property
    def budget(self) -> Decimal | None:
        return self._measure(BUDGET)

    @property
    def to_date(self) -> Decimal | None:
        return self._measure(TO_DATE)

    @property
    def forecast(self) -> Decimal | None:
        return self._measure(FORECAST)

    @property
    def deviation(self) -> Decimal | None:
        return self._measure(DEVIATION)

    @property
    def flagged(self) -> bool:
        """Whether the budget follow-up flags the insats's deviation (over the association's limits)."""
        return self.budget_row is not None and self.budget_row.flagged

    @property
    def grant_differs(self) -> bool:
        """Whether the budgeted amount is not the grant (no grant counts as 0, as in the budget grid): then the
        grant is shown beside it. An insats granted money but without a budget row differs too."""
        if self.budget is None:
            return self.grant is not None
        return self.budget != (self.grant or ZERO)


@dataclass
class InterventionsOutcome:
    plan: Plan
    followup: FollowUpResult
    rows: list[InterventionOutcome]

    @property
    def totals(self) -> dict[str, Decimal]:
        """Budget, outcome to date, forecast and deviation (by those names) summed over the insatser with a
        budget row."""
        sums = sum_by_year(
            [row.budget_row.row for row in self.rows if row.budget_row], list(MONEY_MEASURES.values())
        )
        return {name: sums[measure] for name, measure in MONEY_MEASURES.items()}

    @property
    def grant_total(self) -> Decimal:
        return sum((row.grant for row in self.rows if row.grant is not None), ZERO)

    @property
    def outcome_through(self) -> str:
        """The last period with any outcome in the budget follow-up ("T2 maj–aug"), blank before any."""
        entered = self.followup.periods_entered
        return self.followup.labels[entered - 1] if entered else ""


def pair_interventions(
    followed: list[InterventionFollowUp], followup: FollowUpResult
) -> list[InterventionOutcome]:
    """Each insats's follow-up with its row of the budget follow-up (no query)."""
    by_intervention = {
        row.row.intervention.pk: row for row in followup.rows.values() if row.row.intervention is not None
    }
    return [
        InterventionOutcome(
            intervention=item.intervention,
            grant=item.grant,
            followed=item.followed,
            budget_row=by_intervention.get(item.intervention.pk),
        )
        for item in followed
    ]


def plan_interventions_outcome(plan: Plan, *, followup: FollowUpResult | None = None) -> InterventionsOutcome:
    """The plan's insatser in the plan's order with their money and people of the budget year. The number of
    queries does not depend on the number of insatser or budget rows (`followup` saves loading it again)."""
    followup = followup or plan_followup(plan)
    rows = pair_interventions(plan_interventions_followed(plan), followup)
    return InterventionsOutcome(plan=plan, followup=followup, rows=rows)
