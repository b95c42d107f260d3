"""Follow-up of the adopted budget through its year: outcome per period, a forecast, deviations, equity.

The adopted plan's budget stays frozen; the year's outcome and forecast are their own record
(`FollowUp`, its `FollowUpOutcome` and `FollowUpForecast` rows), keyed by the association and the year and,
per row, by `row_key`: a typed line by its lineage (kept when the plan is copied into a revised version,
where the line gets a new id), an intervention's row by the intervention (which lives across plans), a
contribution row by the organisations it is paid by. So the follow-up carries on when a revised budget
supersedes the plan.

`plan_followup(plan)` computes, for every row of the budget year, these measures (the keys of each row's
`amounts`, as years are in the budget engine): the budget, the outcome of each period (1–12 or 1–3), the
outcome to date (the sum of the periods entered), the whole-year forecast (the chief's, or the budget where
none is given) and the deviation (forecast − budget). Group, section and result sums come from the budget
engine's own summing (`budgets.calc.section_totals`), over these measures instead of years.

A deviation is flagged when it exceeds **both** of the association's limits: the percentage of the row's
budget (10 % by default) and the amount (50 000 kr by default), so that neither a small line's few kronor
nor a large line's rounding noise is flagged. A row with no budget is flagged from the amount alone.
The equity forecast is the year's opening equity plus the forecast result; the 20 % rule
(`budgets.checks.equity_limit`) is applied to it against the forecast contributions.

A revised budget (a revision the board adopted during the year, `plans.review.plan_revise`) supersedes the
plan: the follow-up compares against the latest adopted version (`followup_plan`) and, when that version
revises an earlier one, shows the first adopted version's budget beside it (measure ORIGINAL,
`original_budget`), matched by the same row keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from budgets.calc import (
    ZERO,
    BudgetResult,
    GroupResult,
    Row,
    SectionTotals,
    plan_budget,
    section_totals,
    sum_by_year,
)
from budgets.checks import equity_limit
from budgets.models import BudgetGroup, FollowUp, FollowUpForecast, FollowUpOutcome
from budgets.parts import budget_row_key
from finsam.models import FollowUpPeriod
from finsam.money import format_number, round_half_up, to_decimal
from plans.models import Plan
from plans.snapshots import thawed_amounts, upgrade
from plans.versions import adopted_version

# Measures of a follow-up row (the keys of its `amounts`); periods are 1–12 (months) or 1–3 (tertials).
# ORIGINAL: the budget of the year's first adopted version, beside a revised budget's (absent otherwise).
BUDGET, TO_DATE, FORECAST, DEVIATION, ORIGINAL = 100, 101, 102, 103, 104
MEASURES = {
    "budget": BUDGET,
    "to_date": TO_DATE,
    "forecast": FORECAST,
    "deviation": DEVIATION,
    "original": ORIGINAL,
}

MONTHS = [
    gettext_lazy("januari"),
    gettext_lazy("februari"),
    gettext_lazy("mars"),
    gettext_lazy("april"),
    gettext_lazy("maj"),
    gettext_lazy("juni"),
    gettext_lazy("juli"),
    gettext_lazy("augusti"),
    gettext_lazy("september"),
    gettext_lazy("oktober"),
    gettext_lazy("november"),
    gettext_lazy("december"),
]
TERTIALS = [
    gettext_lazy("T1 jan–apr"),
    gettext_lazy("T2 maj–aug"),
    gettext_lazy("T3 sep–dec"),
]


def period_labels(period: str) -> list[str]:
    """The names of a follow-up's periods, in order (period n is item n − 1)."""
    return [str(label) for label in (MONTHS if period == FollowUpPeriod.MONTH else TERTIALS)]


def row_key(row: Row) -> str | None:
    """A budget row's name in the follow-up, the same in every version of the plan (see the module's doc).
    Letters, digits and hyphens only: it is part of a cell's URL."""
    if row.line is not None:
        return f"line-{row.line.lineage.hex}"
    if row.intervention is not None:
        return f"intervention-{row.intervention.pk}"
    if row.kind == "contribution":
        if row.organisations:
            return "contribution-" + "-".join(str(pk) for pk in sorted(org.pk for org in row.organisations))
        return f"contribution-{slugify(row.label)[:40]}"
    return None


def row_key_remapped(key: str, *, interventions: dict[int, int], organisations: dict[int, int]) -> str:
    """The key after the intervention's or the organisations' ids changed (an association imported from a
    backup: old id → new id). A line's key holds its lineage, which does not change."""
    prefix, _sep, rest = key.partition("-")
    ids = rest.split("-")
    if not all(part.isdigit() for part in ids):
        return key
    mapping = {"intervention": interventions, "contribution": organisations}.get(prefix)
    if mapping is None:
        return key
    new_ids = sorted(mapping.get(int(part), int(part)) for part in ids)
    return f"{prefix}-" + "-".join(str(pk) for pk in new_ids)


def deviation_flagged(deviation: Decimal, budget: Decimal, *, percent: int, amount: int) -> bool:
    """Whether a deviation exceeds both limits: more than `amount` kronor and more than `percent` % of the
    budget (any deviation over the amount where the budget is zero)."""
    size = abs(deviation)
    return size > amount and size * 100 > percent * abs(budget)


@dataclass
class FollowUpRow:
    """One budget row's follow-up: `amounts` by measure, what was entered, and whether it deviates."""

    row: Row  # measures as amounts, with the budget's label, line or intervention
    key: str
    section: str
    outcome_versions: dict[int, int]  # period → version of the stored outcome
    forecast_version: int  # 0: none stored
    forecast_entered: bool  # False: the forecast is the budget
    comment: str
    flagged: bool = False

    @property
    def amounts(self) -> dict[int, Decimal]:
        return self.row.amounts


@dataclass
class FollowUpGroup:
    result: GroupResult  # totals by measure
    rows: list[FollowUpRow]

    @property
    def group(self) -> BudgetGroup:
        return self.result.group


@dataclass
class Deviation:
    """A flagged deviation: where, the budget, the forecast and the difference (forecast − budget)."""

    label: str
    group: str
    budget: Decimal
    forecast: Decimal
    deviation: Decimal
    comment: str = ""

    @property
    def percent(self) -> Decimal | None:
        """The deviation in per cent of the budget, to one decimal (None without a budget)."""
        return None if not self.budget else round_half_up(self.deviation * 100 / abs(self.budget), 1)

    @property
    def percent_text(self) -> str:
        return "" if self.percent is None else format_number(self.percent, decimals=1)


@dataclass
class FollowUpResult:
    plan: Plan
    followup: FollowUp
    budget: BudgetResult
    year: int
    periods: list[int]
    labels: list[str]
    sections: list[tuple[str, str, list[FollowUpGroup]]]  # (section, heading, groups)
    totals: SectionTotals
    deviations: list[Deviation]
    result_flagged: bool
    opening_equity: Decimal | None
    closing_equity_budget: Decimal | None
    closing_equity_forecast: Decimal | None
    contributions_forecast: Decimal | None
    rows: dict[str, FollowUpRow] = field(default_factory=dict)
    original_plan: Plan | None = None  # the first adopted version, when `plan` revises it

    @property
    def measures(self) -> list[int]:
        return [*self.original_measure, BUDGET, *self.periods, TO_DATE, FORECAST, DEVIATION]

    @property
    def original_measure(self) -> list[int]:
        return [ORIGINAL] if self.original_plan is not None else []

    @property
    def column_count(self) -> int:
        """The table's columns: the label, the measures and the comment."""
        return len(self.measures) + 2

    @property
    def equity_limit(self) -> Decimal | None:
        return None if self.contributions_forecast is None else equity_limit(self.contributions_forecast)

    @property
    def equity_above_limit(self) -> bool:
        limit = self.equity_limit
        return (
            limit is not None
            and self.closing_equity_forecast is not None
            and self.closing_equity_forecast > limit
        )

    @property
    def periods_entered(self) -> int:
        """The last period with any outcome (0: none yet)."""
        return max(
            (period for row in self.rows.values() for period in row.outcome_versions),
            default=0,
        )


def followup_of(plan: Plan) -> FollowUp:
    """The follow-up of the plan's budget year, or an unsaved one in the association's chosen periods
    (a page that only reads writes nothing). One query."""
    association = plan.association
    found = FollowUp.objects.filter(association=association, year=plan.first_year).first()
    return found or FollowUp(
        association=association, year=plan.first_year, period=association.followup_period
    )


def followup_entries(
    followup: FollowUp,
) -> tuple[dict[str, dict[int, FollowUpOutcome]], dict[str, FollowUpForecast]]:
    """The stored outcomes (row key → period → outcome) and forecasts (row key → forecast): two queries,
    none for a follow-up not yet stored."""
    outcomes: dict[str, dict[int, FollowUpOutcome]] = {}
    forecasts: dict[str, FollowUpForecast] = {}
    if followup.pk is None:
        return outcomes, forecasts
    for outcome in FollowUpOutcome.objects.filter(followup=followup):
        outcomes.setdefault(outcome.row, {})[outcome.period] = outcome
    for forecast in FollowUpForecast.objects.filter(followup=followup):
        forecasts[forecast.row] = forecast
    return outcomes, forecasts


def followup_plan(plan: Plan) -> Plan:
    """The plan the year's follow-up compares against: the latest adopted version of `plan`'s year (a
    revised budget adopted during the year supersedes the plan), or `plan` itself when none is adopted."""
    return adopted_version(plan)


def first_adopted(plan: Plan) -> Plan | None:
    """The year's first adopted version that `plan` revises (following `revision_of` back to its start),
    None when `plan` is not a revision. One query per step back; a year has a few versions."""
    first = None
    current = plan
    while current.revision_of_id is not None:
        current = Plan.objects.select_related("association").get(pk=current.revision_of_id)
        first = current
    return first


def original_budget(plan: Plan) -> dict[str, Decimal]:
    """Row key → the budget year's amount in `plan` as the board adopted it.

    The amounts come from the version's frozen snapshot (`content["budget"]`, what the board saw and
    adopted); the plan's own rows only give each row its follow-up key (a snapshot names a line by its id,
    the follow-up by its lineage). A superseded plan's rows cannot change (`plans.gateway`), but an
    insats's row that follows the insats's granted amount would move with a grant changed later; the
    snapshot does not. Without a snapshot (never the case for a plan adopted through the review) the
    rows' amounts are used."""
    year = plan.first_year
    snapshot = plan.snapshots.order_by("-number").first()
    frozen = {}
    if snapshot is not None:
        rows = upgrade(snapshot.content).get("budget", {}).get("rows", [])
        frozen = {row["key"]: row["amounts"] for row in rows}
    amounts: dict[str, Decimal] = {}
    for group_result in plan_budget(plan).groups:
        for row in group_result.rows:
            key = row_key(row)
            if key is None:
                continue
            stored = frozen.get(budget_row_key(row, group_result.group))
            value = thawed_amounts(stored).get(year) if stored is not None else row.amounts.get(year)
            amounts[key] = value or ZERO
    return amounts


def plan_followup(plan: Plan, *, budget: BudgetResult | None = None) -> FollowUpResult:
    """Load and compute the follow-up of `plan`'s budget year; the number of queries does not depend on the
    budget's size. A revision shows its first adopted version's budget beside its own."""
    budget = budget or plan_budget(plan)
    followup = followup_of(plan)
    outcomes, forecasts = followup_entries(followup)
    first = first_adopted(plan)
    return compute_followup(
        plan=plan,
        budget=budget,
        followup=followup,
        outcomes=outcomes,
        forecasts=forecasts,
        original_plan=first,
        original=original_budget(first) if first is not None else None,
    )


def compute_followup(
    *,
    plan: Plan,
    budget: BudgetResult,
    followup: FollowUp,
    outcomes: dict[str, dict[int, FollowUpOutcome]],
    forecasts: dict[str, FollowUpForecast],
    original_plan: Plan | None = None,
    original: dict[str, Decimal] | None = None,
) -> FollowUpResult:
    """The follow-up over loaded values (see the module's doc); `original`: the first adopted version's
    budget by row key (`original_budget`), shown beside a revised budget."""
    year = plan.first_year
    periods = list(range(1, followup.period_count + 1))
    measures = [BUDGET, *periods, TO_DATE, FORECAST, DEVIATION]
    if original is not None:
        measures.insert(0, ORIGINAL)
    association = plan.association
    limits = {"percent": association.deviation_percent, "amount": association.deviation_amount}
    rows: dict[str, FollowUpRow] = {}
    deviations: list[Deviation] = []
    grouped: dict[str, list[FollowUpGroup]] = {BudgetGroup.Section.REVENUE: [], BudgetGroup.Section.COSTS: []}
    for group_result in budget.groups:
        group = group_result.group
        follow_rows = []
        for source in group_result.rows:
            key = row_key(source)
            if key is None:
                continue
            entered = outcomes.get(key, {})
            forecast = forecasts.get(key)
            budgeted = source.amounts.get(year) or ZERO
            amounts = {BUDGET: budgeted}
            if original is not None:
                amounts[ORIGINAL] = original.get(key, ZERO)  # a row the revision added had none
            for period, outcome in entered.items():
                if period in periods:
                    amounts[period] = to_decimal(outcome.amount)
            amounts[TO_DATE] = sum((amounts.get(period, ZERO) for period in periods), ZERO)
            forecast_entered = forecast is not None and forecast.amount is not None
            amounts[FORECAST] = to_decimal(forecast.amount) if forecast_entered else budgeted
            amounts[DEVIATION] = amounts[FORECAST] - budgeted
            row = Row(
                source.label,
                amounts,
                source.kind,
                line=source.line,
                intervention=source.intervention,
                organisations=source.organisations,
            )
            follow = FollowUpRow(
                row=row,
                key=key,
                section=group.section,
                outcome_versions={p: o.version for p, o in entered.items() if p in periods},
                forecast_version=forecast.version if forecast else 0,
                forecast_entered=forecast_entered,
                comment=forecast.comment if forecast else "",
                flagged=deviation_flagged(amounts[DEVIATION], budgeted, **limits),
            )
            rows[key] = follow
            follow_rows.append(follow)
            if follow.flagged:
                deviations.append(
                    Deviation(
                        source.label,
                        group.name,
                        budgeted,
                        amounts[FORECAST],
                        amounts[DEVIATION],
                        follow.comment,
                    )
                )
        result = GroupResult(
            group, [f.row for f in follow_rows], sum_by_year([f.row for f in follow_rows], measures)
        )
        grouped[group.section].append(FollowUpGroup(result, follow_rows))
    totals = section_totals(
        [g.result for g in grouped[BudgetGroup.Section.REVENUE]],
        [g.result for g in grouped[BudgetGroup.Section.COSTS]],
        measures,
    )
    result_flagged = deviation_flagged(totals.result[DEVIATION], totals.result[BUDGET], **limits)
    opening = budget.opening_equity.get(year)
    contribution_groups = [
        g.result
        for g in grouped[BudgetGroup.Section.REVENUE]
        if g.group.kind == BudgetGroup.Kind.CONTRIBUTIONS
    ]
    if contribution_groups:
        contributions = sum((g.totals[FORECAST] for g in contribution_groups), ZERO)
    else:
        contributions = budget.contributions.get(year)
    return FollowUpResult(
        plan=plan,
        followup=followup,
        budget=budget,
        year=year,
        periods=periods,
        labels=period_labels(followup.period),
        sections=[
            (BudgetGroup.Section.REVENUE, _("Intäkter"), grouped[BudgetGroup.Section.REVENUE]),
            (BudgetGroup.Section.COSTS, _("Kostnader"), grouped[BudgetGroup.Section.COSTS]),
        ],
        totals=totals,
        deviations=deviations,
        result_flagged=result_flagged,
        opening_equity=opening,
        closing_equity_budget=budget.closing_equity.get(year),
        closing_equity_forecast=None if opening is None else opening + totals.result[FORECAST],
        contributions_forecast=contributions,
        rows=rows,
        original_plan=original_plan if original is not None else None,
    )
