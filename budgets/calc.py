"""Every derived number of a budget, computed in one place from `Decimal` whole kronor.

`plan_budget(plan)` loads a plan's budget with a fixed number of queries and returns a `BudgetResult`:
groups with their rows and subtotals, revenue and cost totals, the result before and after financial
items, a multi-year total, and equity rolled forward (opening + result = closing, year after year).

Costs are positive numbers here; whether they print negative is a display choice (`finsam.money`).
An intervention's row follows its grants, except in the years where the plan budgets another amount for it
(`InterventionBudgetAmount`); the row keeps both figures (`Row.granted`, `Row.budgeted`).

The loading functions (`plan_budget` and the reads it makes: `line_amounts`, `intervention_amounts`,
`plan_overrides`, and the interventions of `interventions.queries`) query the database; the computation (`compute_budget`,
`contribution_rows`, `split_largest_remainder`, `grant_summary`) works on loaded values only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    ContributionOverride,
    InterventionBudgetAmount,
)
from finsam.models import Organisation
from finsam.money import to_decimal
from interventions.queries import plan_interventions, plan_organisations

if TYPE_CHECKING:
    from interventions.models import Intervention
    from plans.models import Plan

ZERO = Decimal(0)
STATE_SHARE = Decimal("0.50")
REGION_SHARE = Decimal("0.25")
MUNICIPALITIES_SHARE = Decimal("0.25")


def split_largest_remainder(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split whole kronor `total` in proportion to `weights` so that the parts add up exactly.

    Each part gets the floor of its exact share; the kronor left over go one each to the parts with the
    largest remainders (ties: the earlier part). Weights of zero get nothing; all-zero weights split evenly.
    """
    total = to_decimal(total)
    if not weights:
        return []
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:
        weights = [Decimal(1)] * len(weights)
        weight_sum = Decimal(len(weights))
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [magnitude * weight / weight_sum for weight in weights]
    parts = [value.to_integral_value(rounding=ROUND_FLOOR) for value in exact]
    leftover = int(magnitude - sum(parts, ZERO))
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for index in by_remainder[:leftover]:
        parts[index] += 1
    return [sign * part for part in parts]


@dataclass
class Row:
    """One printed row of a budget group."""

    label: str
    amounts: dict[int, Decimal]
    kind: str = "line"  # line | undecided | intervention | contribution
    line: BudgetLine | None = None
    intervention: Intervention | None = None
    organisations: list[Organisation] = field(default_factory=list)
    overridden_years: set[int] = field(default_factory=set)
    # An intervention's row: its grants and the amounts the plan budgets instead, per year (the years of
    # `budgeted` are those where `amounts` holds the budgeted amount rather than the grant).
    granted: dict[int, Decimal] = field(default_factory=dict)
    budgeted: dict[int, Decimal] = field(default_factory=dict)
    # A frozen row's place among the budget's comment targets (`budgets.parts.budget_comment_targets`):
    # where the review page puts the row's own "Kommentera". None for a row read from the database.
    target_index: int | None = None

    @property
    def is_computed(self) -> bool:
        return self.kind in ("intervention", "contribution")

    @property
    def budget_differences(self) -> dict[int, Decimal]:
        """Budgeted minus granted (no grant counts as 0), for each year where the two differ."""
        differences = {year: amount - self.granted.get(year, ZERO) for year, amount in self.budgeted.items()}
        return {year: difference for year, difference in differences.items() if difference}

    def amount(self, year: int) -> Decimal | None:
        return self.amounts.get(year)


@dataclass
class GroupResult:
    group: BudgetGroup
    rows: list[Row]
    totals: dict[int, Decimal]
    # The subtotal over several groups that this group closes (`BudgetGroup.summed_under`), if any.
    closing_sum: GroupSum | None = None


@dataclass
class GroupSum:
    """A subtotal over consecutive groups: its name ("insatser") and totals per year."""

    key: str
    name: str
    totals: dict[int, Decimal]


def close_group_sums(groups: list[GroupResult], years: list[int]) -> None:
    """Give the last group of each run of consecutive groups with the same `summed_under` its sum."""
    run: list[GroupResult] = []
    for index, result in enumerate(groups):
        name = result.group.summed_under
        if name and run and run[-1].group.summed_under == name:
            run.append(result)
        else:
            run = [result] if name else []
        following = groups[index + 1].group.summed_under if index + 1 < len(groups) else ""
        if run and following != name and len(run) > 1:
            totals = {year: sum((g.totals.get(year, ZERO) for g in run), ZERO) for year in years}
            result.closing_sum = GroupSum(f"groupsum-{run[0].group.pk}", name, totals)


@dataclass
class BudgetResult:
    years: list[int]
    columns: list[BudgetColumn]
    revenue_groups: list[GroupResult]
    cost_groups: list[GroupResult]
    revenue_total: dict[int, Decimal]
    cost_total: dict[int, Decimal]
    financial_income: dict[int, Decimal]
    result_before_financial: dict[int, Decimal]
    result: dict[int, Decimal]
    opening_equity: dict[int, Decimal | None]
    closing_equity: dict[int, Decimal | None]
    contributions: dict[int, Decimal]
    # The plan's interventions in the plan's order, as loaded for the budget (`plan_interventions`):
    # the document and the checks read them from here instead of loading them again.
    interventions: list[Intervention] = field(default_factory=list)
    financial_costs: dict[int, Decimal] = field(default_factory=dict)

    @property
    def groups(self) -> list[GroupResult]:
        return self.revenue_groups + self.cost_groups

    @property
    def has_financial_items(self) -> bool:
        """Whether the budget has financial income or costs: then the table also prints the result
        before financial items (where it was frozen with it)."""
        return any(g.group.kind in BudgetGroup.FINANCIAL_KINDS for g in self.groups) and bool(
            self.result_before_financial
        )

    @property
    def sections(self) -> list[tuple[list[GroupResult], str, dict[int, Decimal], bool]]:
        """(groups, heading, total, is_costs) for revenue, then costs, as the table prints them."""
        return [
            (self.revenue_groups, _("Intäkter"), self.revenue_total, False),
            (self.cost_groups, _("Kostnader"), self.cost_total, True),
        ]

    def multi_year_total(self, values: dict[int, Decimal]) -> Decimal:
        return sum((values.get(year) or ZERO for year in self.years), ZERO)

    @property
    def total_heading(self) -> str:
        """The multi-year total column's heading: the years it sums ("Totalt 2020–2023")."""
        return _("Totalt %(years)s") % {"years": year_span(self.years)}

    @property
    def total_includes(self) -> str:
        """What the multi-year total sums beside the budget and plan years, said under its heading
        ("inkl. prognos 2020"), blank when it sums only those. The total keeps summing every column, as
        the versions already adopted and archived print it; the heading says so."""
        others = [column for column in self.columns if column.kind in OUTSIDE_PLAN_PERIOD]
        if not others:
            return ""
        return _("inkl. %(columns)s") % {
            "columns": ", ".join(f"{column.get_kind_display().lower()} {column.year}" for column in others)
        }

    def section_total_label(self, is_cost: bool, *, lone_subtotal: bool = False) -> str:
        """A section's total row: "Summa intäkter", or "Summa intäkter totalt" where a group's subtotal
        would print the same words (a group named "Intäkter" beside others). The document prints no
        subtotal for a section's lone group (`lone_subtotal` False); the workbook does (True)."""
        label = _("Summa kostnader") if is_cost else _("Summa intäkter")
        groups = self.cost_groups if is_cost else self.revenue_groups
        with_subtotals = (
            [g for g in groups if not g.group.collapsed] if lone_subtotal or len(groups) > 1 else []
        )
        if any(subtotal_label(g.group.name) == label for g in with_subtotals):
            return _("Summa kostnader totalt") if is_cost else _("Summa intäkter totalt")
        return label

    @property
    def revenue_total_label(self) -> str:
        return self.section_total_label(False)

    @property
    def cost_total_label(self) -> str:
        return self.section_total_label(True)

    def column(self, year: int) -> BudgetColumn | None:
        return next((column for column in self.columns if column.year == year), None)

    @property
    def contribution_income(self) -> dict[int, Decimal]:
        """The members' contributions as the budget counts them: the contribution rows' total (which
        includes overrides) where the budget has a contributions group, else the columns' totals."""
        groups = [g for g in self.revenue_groups if g.group.kind == g.group.Kind.CONTRIBUTIONS]
        if not groups:
            return dict(self.contributions)
        return {
            year: sum((g.totals[year] for g in groups), ZERO)
            for year in self.years
            if year in self.contributions or any(year in row.amounts for g in groups for row in g.rows)
        }


# Columns whose year lies outside the plan's own period (the budget year and the plan years).
OUTSIDE_PLAN_PERIOD = (BudgetColumn.Kind.OUTCOME, BudgetColumn.Kind.FORECAST)


def year_span(years: list[int]) -> str:
    """ "2020" or "2020–2023" (blank for no years)."""
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def subtotal_label(group_name: str) -> str:
    """A group's subtotal row: "Summa administration"."""
    return _("Summa %(name)s") % {"name": group_name.lower()}


def sum_by_year(rows: list[Row], years: list[int]) -> dict[int, Decimal]:
    return {year: sum((row.amounts.get(year) or ZERO for row in rows), ZERO) for year in years}


@dataclass
class SectionTotals:
    """The sums over a budget's groups, per key (a year, or a follow-up's measure)."""

    revenue: dict[int, Decimal]
    costs: dict[int, Decimal]
    financial_income: dict[int, Decimal]
    financial_costs: dict[int, Decimal]
    result: dict[int, Decimal]
    result_before_financial: dict[int, Decimal]


def section_totals(
    revenue_groups: list[GroupResult], cost_groups: list[GroupResult], keys: list[int]
) -> SectionTotals:
    """Close the groups' subtotals over groups (`close_group_sums`) and sum revenue, costs, the financial
    items and the result (before and after financial items) for each of `keys`, from the groups' totals.
    The one place these are summed: the budget's years here, the follow-up's measures in `budgets.followup`."""
    close_group_sums(revenue_groups, keys)
    close_group_sums(cost_groups, keys)

    def total_of(results: list[GroupResult]) -> dict[int, Decimal]:
        return {key: sum((g.totals[key] for g in results), ZERO) for key in keys}

    revenue = total_of(revenue_groups)
    costs = total_of(cost_groups)
    financial_income = total_of([g for g in revenue_groups if g.group.kind == g.group.Kind.FINANCIAL])
    financial_costs = total_of([g for g in cost_groups if g.group.kind == g.group.Kind.FINANCIAL_COSTS])
    result = {key: revenue[key] - costs[key] for key in keys}
    return SectionTotals(
        revenue=revenue,
        costs=costs,
        financial_income=financial_income,
        financial_costs=financial_costs,
        result=result,
        result_before_financial={
            key: result[key] - financial_income[key] + financial_costs[key] for key in keys
        },
    )


def contribution_rows(
    *,
    columns: list[BudgetColumn],
    organisations: list[Organisation],
    key_weights: dict[int, Decimal] | None,
    overrides: dict[tuple[int, str, int | None], Decimal],
) -> list[Row]:
    """The statutory split of each column's total: state 50 %, region 25 %, municipalities 25 %.

    `key_weights` maps municipality id to its weight in the association's key; with a key, each
    municipality gets a row, else the municipalities share one row. `overrides` maps
    (year, part, organisation id or None) to an amount that replaces the computed part.
    """
    members = [org for org in organisations if org.is_member]
    state = [org for org in members if org.kind == Organisation.Kind.STATE]
    regions = [org for org in members if org.kind == Organisation.Kind.REGION]
    municipalities = [org for org in members if org.kind == Organisation.Kind.MUNICIPALITY]

    state_row = Row(
        "/".join(org.name for org in state) or _("Staten"), {}, "contribution", organisations=state
    )
    region_row = Row(
        "/".join(org.name for org in regions) or _("Regionen"), {}, "contribution", organisations=regions
    )
    per_municipality = bool(key_weights) and len(municipalities) > 1
    if per_municipality:
        municipality_rows = [Row(org.name, {}, "contribution", organisations=[org]) for org in municipalities]
    else:
        label = municipalities[0].name if len(municipalities) == 1 else _("Kommunerna")
        municipality_rows = [Row(label, {}, "contribution", organisations=municipalities)]

    for column in columns:
        if column.contributions_total is None:
            continue
        year = column.year
        state_part, region_part, municipal_part = split_largest_remainder(
            to_decimal(column.contributions_total), [STATE_SHARE, REGION_SHARE, MUNICIPALITIES_SHARE]
        )
        for row, part, key in (
            (state_row, state_part, "state"),
            (region_row, region_part, "region"),
        ):
            row.amounts[year] = part
            if (year, key, None) in overrides:
                row.amounts[year] = overrides[(year, key, None)]
                row.overridden_years.add(year)
        if (year, "municipalities", None) in overrides:
            municipal_part = overrides[(year, "municipalities", None)]
            for row in municipality_rows:
                row.overridden_years.add(year)
        if per_municipality:
            weights = [key_weights.get(org.id, ZERO) for org in municipalities]
            for row, org, part in zip(
                municipality_rows,
                municipalities,
                split_largest_remainder(municipal_part, weights),
                strict=True,
            ):
                row.amounts[year] = part
                if (year, "municipality", org.id) in overrides:
                    row.amounts[year] = overrides[(year, "municipality", org.id)]
                    row.overridden_years.add(year)
        else:
            row = municipality_rows[0]
            row.amounts[year] = municipal_part
            # A lone municipality's own override is the same part under another name.
            if len(municipalities) == 1 and (year, "municipality", municipalities[0].id) in overrides:
                row.amounts[year] = overrides[(year, "municipality", municipalities[0].id)]
                row.overridden_years.add(year)

    rows = [state_row, region_row, *municipality_rows]
    return [row for row in rows if row.organisations or row.amounts]


def municipality_key_weights(factors, municipality_ids: set[int] | None = None) -> dict[int, Decimal]:
    """Combine the key's factors: a municipality's weight is Σ factor weight × its share of the factor.

    A factor's shares are taken among `municipality_ids` (the member municipalities) when given, so a
    stray value of another organisation never dilutes them. A factor whose values are all zero has no
    shares and is left out: the other factors then decide the split alone (all factors zero: no key).
    """
    weights: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for factor in factors:
        values = [
            value
            for value in factor.values.all()
            if municipality_ids is None or value.organisation_id in municipality_ids
        ]
        factor_sum = sum((value.value for value in values), ZERO)
        if factor_sum <= 0:
            continue
        for value in values:
            weights[value.organisation_id] += factor.weight_percent * value.value / factor_sum
    return dict(weights)


def compute_budget(
    *,
    plan: Plan,
    columns: list[BudgetColumn],
    groups: list[BudgetGroup],
    line_amounts: dict[int, dict[int, Decimal]],
    interventions: list[Intervention],
    organisations: list[Organisation],
    key_weights: dict[int, Decimal] | None = None,
    overrides: dict[tuple[int, str, int | None], Decimal] | None = None,
    budgeted: dict[int, dict[int, Decimal]] | None = None,
) -> BudgetResult:
    """Pure computation over already-loaded objects: groups with their `lines` prefetched,
    `line_amounts` as line id → column id → amount, interventions (with `granted`) in the plan's order,
    `budgeted` as intervention id → column id → the amount the plan budgets instead of the grant."""
    years = [column.year for column in columns]
    column_years = {column.id: column.year for column in columns}
    revenue_groups: list[GroupResult] = []
    cost_groups: list[GroupResult] = []

    for group in groups:
        rows: list[Row] = []
        if group.kind == group.Kind.CONTRIBUTIONS:
            rows += contribution_rows(
                columns=columns,
                organisations=organisations,
                key_weights=key_weights,
                overrides=overrides or {},
            )
        if group.kind == group.Kind.INTERVENTIONS_DECIDED:
            for intervention in interventions:
                # An ended intervention's grants were spent in the years it ran; only money not yet
                # decided stays out of the decided group.
                if intervention.status == intervention.Status.UNDECIDED:
                    continue
                grants = {year: amount for year, amount in intervention.granted.items() if year in years}
                chosen = {
                    column_years[column_id]: amount
                    for column_id, amount in (budgeted or {}).get(intervention.pk, {}).items()
                    if column_id in column_years
                }
                if grants or chosen:
                    amounts = {year: chosen.get(year, grants.get(year)) for year in years}
                    rows.append(
                        Row(
                            intervention.budget_label,
                            {year: amount for year, amount in amounts.items() if amount is not None},
                            "intervention",
                            intervention=intervention,
                            granted=grants,
                            budgeted=chosen,
                        )
                    )
        for line in group.lines.all():
            amounts = {
                column_years[column_id]: amount
                for column_id, amount in line_amounts.get(line.pk, {}).items()
                if column_id in column_years
            }
            rows.append(Row(line.name, amounts, "undecided" if line.undecided else "line", line=line))
        result = GroupResult(group, rows, sum_by_year(rows, years))
        (revenue_groups if group.section == group.Section.REVENUE else cost_groups).append(result)

    totals = section_totals(revenue_groups, cost_groups, years)
    revenue_total, cost_total = totals.revenue, totals.costs
    financial_income, financial_costs = totals.financial_income, totals.financial_costs
    result, result_before_financial = totals.result, totals.result_before_financial

    opening: dict[int, Decimal | None] = {}
    closing: dict[int, Decimal | None] = {}
    equity = None if plan.opening_equity is None else to_decimal(plan.opening_equity)
    for year in years:
        opening[year] = equity
        equity = None if equity is None else equity + result[year]
        closing[year] = equity

    contributions = {
        column.year: to_decimal(column.contributions_total)
        for column in columns
        if column.contributions_total is not None
    }
    return BudgetResult(
        years=years,
        columns=columns,
        revenue_groups=revenue_groups,
        cost_groups=cost_groups,
        revenue_total=revenue_total,
        cost_total=cost_total,
        financial_income=financial_income,
        financial_costs=financial_costs,
        result_before_financial=result_before_financial,
        result=result,
        opening_equity=opening,
        closing_equity=closing,
        contributions=contributions,
        interventions=interventions,
    )


def line_amounts(plan: Plan) -> dict[int, dict[int, Decimal]]:
    """line id → column id → amount of every typed cell of the plan, in one query. Read as plain values:
    a budget has hundreds of cells, and building a model (and a `Money`) for each was most of the cost
    of computing it."""

    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = BudgetAmount.objects.filter(line__group__plan=plan).values_list("line_id", "column_id", "amount")
    for line_id, column_id, amount in rows:
        amounts[line_id][column_id] = to_decimal(amount)
    return amounts


def intervention_amounts(plan: Plan) -> dict[int, dict[int, Decimal]]:
    """intervention id → column id → the amount the plan budgets for it instead of its grant, in one query."""
    amounts: dict[int, dict[int, Decimal]] = defaultdict(dict)
    rows = InterventionBudgetAmount.objects.filter(column__plan=plan).values_list(
        "intervention_id", "column_id", "amount"
    )
    for intervention_id, column_id, amount in rows:
        amounts[intervention_id][column_id] = to_decimal(amount)
    return amounts


def plan_budget(
    plan: Plan,
    *,
    organisations: list[Organisation] | None = None,
    interventions: list[Intervention] | None = None,
) -> BudgetResult:
    """Load and compute a plan's budget. The number of queries does not depend on the plan's size.
    Pass the association's `organisations` and the plan's `interventions` where they are already loaded."""

    columns = list(plan.budget_columns.order_by("year"))
    groups = list(
        plan.budget_groups.order_by("section", "position", "id").prefetch_related(
            Prefetch("lines", queryset=BudgetLine.objects.order_by("position", "id")),
        )
    )
    # Revenue first, then costs, whatever the alphabetical order of the section codes.
    groups.sort(key=lambda group: (group.section != group.Section.REVENUE, group.position, group.id))
    if organisations is None:
        organisations = plan_organisations(plan)
    if interventions is None:
        interventions = plan_interventions(plan, organisations)
    factors = list(plan.contribution_factors.prefetch_related("values"))
    municipality_ids = {
        org.id for org in organisations if org.is_member and org.kind == Organisation.Kind.MUNICIPALITY
    }
    overrides = {
        (override.column.year, override.part, override.organisation_id): to_decimal(override.amount)
        for override in plan_overrides(plan)
    }
    return compute_budget(
        plan=plan,
        columns=columns,
        groups=groups,
        line_amounts=line_amounts(plan),
        interventions=interventions,
        organisations=organisations,
        key_weights=municipality_key_weights(factors, municipality_ids) or None,
        overrides=overrides,
        budgeted=intervention_amounts(plan),
    )


def plan_overrides(plan: Plan):
    return ContributionOverride.objects.filter(column__plan=plan).select_related("column")


__all__ = [
    "BudgetResult",
    "GroupResult",
    "Row",
    "compute_budget",
    "contribution_rows",
    "intervention_amounts",
    "line_amounts",
    "plan_budget",
    "split_largest_remainder",
]


@dataclass
class GrantSummaryGroup:
    """Interventions of one group (e.g. "Mysam") with their grants per year and the group's subtotal."""

    name: str
    rows: list[tuple[Intervention, dict[int, Decimal]]]
    totals: dict[int, Decimal]


@dataclass
class GrantSummary:
    years: list[int]
    groups: list[GrantSummaryGroup]
    totals: dict[int, Decimal]

    @property
    def has_named_groups(self) -> bool:
        return any(group.name for group in self.groups)


def grant_summary(interventions: list[Intervention], years: list[int]) -> GrantSummary:
    """Grants per year of the plan's interventions, grouped by `Intervention.group` in the plan's order,
    with a subtotal per group ("Totalt Mysam") and a grand total. Interventions without a group come
    last, in one unnamed group. Reads `Intervention.granted` (loaded by `plan_interventions`)."""
    by_group: dict[str, list[tuple[Intervention, dict[int, Decimal]]]] = {}
    for intervention in interventions:
        grants = {year: amount for year, amount in intervention.granted.items() if year in years}
        by_group.setdefault(intervention.group or "", []).append((intervention, grants))
    names = [name for name in by_group if name] + ([""] if "" in by_group else [])
    groups = []
    for name in names:
        rows = by_group[name]
        totals = {year: sum((grants.get(year, ZERO) for _, grants in rows), ZERO) for year in years}
        groups.append(GrantSummaryGroup(name, rows, totals))
    totals = {year: sum((group.totals[year] for group in groups), ZERO) for year in years}
    return GrantSummary(years, groups, totals)
