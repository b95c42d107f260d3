"""Stated versus computed: compare the figures a document prints (`StatedFigure`) with `budgets.calc`.

A figure agrees when both print the same in the document's unit: `plan.unit` and `plan.decimals`, each
value rounded once (`finsam.money.scaled`). A stated figure with more precision than that unit
(Gävleborg's "Totalt Mysam 5 854 905" in a tkr plan: the intervention list prints kronor) was evidently
printed in kronor and is compared in kronor.

Reads only what `plan_budget` already computed plus the plan's stated figures (one query).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from budgets.calc import BudgetResult, Row
from budgets.models import BudgetGroup, StatedFigure
from finsam.models import Organisation
from finsam.money import scaled, to_decimal

if TYPE_CHECKING:
    from plans.models import Plan

ZERO = Decimal(0)


@dataclass(frozen=True)
class Discrepancy:
    """A stated figure whose computed value prints differently (`computed` None: nothing to compare with)."""

    label: str
    year: int
    stated: Decimal
    computed: Decimal | None
    target: str = ""

    @property
    def difference(self) -> Decimal | None:
        """Stated minus computed, in kronor."""
        return None if self.computed is None else self.stated - self.computed


def compare_stated(plan: Plan, result: BudgetResult) -> list[Discrepancy]:
    """Every stated figure of `plan` whose computed value (from `result`) prints differently, in the
    figures' order."""
    figures = plan.stated_figures.select_related(
        "column", "group", "line", "intervention", "organisation"
    ).order_by("position", "id")
    discrepancies = []
    for figure in figures:
        year = figure.column.year
        stated = to_decimal(figure.amount)
        computed = computed_figure(figure, result)
        if computed is None or not prints_alike(stated, computed, unit=plan.unit, decimals=plan.decimals):
            discrepancies.append(Discrepancy(figure.label, year, stated, computed, figure.target))
    return discrepancies


def prints_alike(stated: Decimal, computed: Decimal, *, unit: str, decimals: int) -> bool:
    """Whether the two amounts print the same in the document's unit (or in kronor, when the stated
    amount is more precise than that unit)."""
    decimals = decimals if unit == "tkr" else 0
    factor = Decimal(1000) if unit == "tkr" else Decimal(1)
    if scaled(stated, unit=unit, decimals=decimals) * factor != stated:
        return stated == to_decimal(computed)
    return scaled(stated, unit=unit, decimals=decimals) == scaled(computed, unit=unit, decimals=decimals)


def computed_figure(figure: StatedFigure, result: BudgetResult) -> Decimal | None:
    """The computed counterpart of a stated figure, in kronor; None where the budget has none."""

    year = figure.column.year
    if year not in result.years:
        return None
    target = StatedFigure.Target
    match figure.target:
        case target.REVENUE:
            return result.revenue_total[year]
        case target.COSTS:
            return result.cost_total[year]
        case target.RESULT:
            return result.result[year]
        case target.GROUP:
            for group_result in result.groups:
                if (figure.group_id and group_result.group.id == figure.group_id) or (
                    not figure.group_id and group_result.group.name == figure.reference
                ):
                    return group_result.totals[year]
            return None
        case target.LINE:
            rows = [row for row in all_rows(result) if row.line and row.line.id == figure.line_id]
            return row_amount(rows[0], year) if rows else None
        case target.INTERVENTION:
            rows = [
                row
                for row in all_rows(result)
                if row.intervention and row.intervention.id == figure.intervention_id
            ]
            return row_amount(rows[0], year) if rows else None
        case target.INTERVENTION_GROUP:
            rows = [
                row
                for row in all_rows(result)
                if row.intervention and row.intervention.group == figure.reference
            ]
            return sum((row_amount(row, year) for row in rows), ZERO) if rows else None
        case target.INTERVENTIONS_TOTAL:
            intervention_kinds = {
                BudgetGroup.Kind.INTERVENTIONS_DECIDED,
                BudgetGroup.Kind.INTERVENTIONS_UNDECIDED,
            }
            total = ZERO
            for group_result in result.groups:
                if group_result.group.kind in intervention_kinds:
                    total += group_result.totals[year]
                else:
                    # Undecided money typed into some other group is still money for interventions.
                    total += sum(
                        (row_amount(row, year) for row in group_result.rows if row.kind == "undecided"),
                        ZERO,
                    )
            return total
        case target.CONTRIBUTION:
            return contribution_amount(figure, result, year)
    return None


def all_rows(result: BudgetResult) -> list[Row]:
    return [row for group_result in result.groups for row in group_result.rows]


def row_amount(row: Row, year: int) -> Decimal:
    return row.amounts.get(year) or ZERO


def contribution_amount(figure: StatedFigure, result: BudgetResult, year: int) -> Decimal | None:
    """The computed contribution part a stated contribution row refers to (`reference`: state, region,
    municipalities or municipality)."""

    rows = [
        row
        for group_result in result.groups
        if group_result.group.kind == BudgetGroup.Kind.CONTRIBUTIONS
        for row in group_result.rows
        if row.kind == "contribution"
    ]
    kinds = {
        "state": Organisation.Kind.STATE,
        "region": Organisation.Kind.REGION,
        "municipalities": Organisation.Kind.MUNICIPALITY,
    }
    reference = figure.reference
    if reference in kinds:
        matching = [
            row
            for row in rows
            if row.organisations and all(org.kind == kinds[reference] for org in row.organisations)
        ]
    elif reference == "municipality" and figure.organisation_id:
        matching = [row for row in rows if [org.id for org in row.organisations] == [figure.organisation_id]]
    else:
        return None
    if not matching or any(year not in row.amounts for row in matching):
        return None
    return sum((row.amounts[year] for row in matching), ZERO)
