"""Stated versus computed: compare the figures a document prints (`StatedFigure`) with `budgets.calc`.

A figure agrees when both print the same in the document's unit: `plan.unit` and `plan.decimals`, each
value rounded once (`finsam.money.scaled`). A stated figure with more precision than that unit
(Gävleborg's "Totalt Mysam 5 854 905" in a tkr plan: the intervention list prints kronor) was evidently
printed in kronor and is compared in kronor.

Each comparison says what it compares: the document's row (`label`), the level of the budget it is
compared at (`stated_level`: "delsumma för gruppen Administration", "summa kostnader", "resultat"…) and
the three amounts (stated, computed, difference) as printed in the unit they are compared in. A figure the
chief judged to be the document's own error (`StatedFigure.dismissed_reason`) still deviates; the checks
show it as information, and `printed_notes` gives the ones the chief chose to print under the table.

Reads only what `plan_budget` already computed plus the plan's stated figures (one query).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from budgets.calc import BudgetResult, Row
from budgets.models import BudgetGroup, StatedFigure
from finsam.models import Organisation
from finsam.money import NBSP, amount_input_text, format_kronor, format_number, scaled, to_decimal

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
    figure: StatedFigure | None = field(default=None, compare=False, repr=False)

    @property
    def difference(self) -> Decimal | None:
        """Stated minus computed, in kronor."""
        return None if self.computed is None else self.stated - self.computed


@dataclass(frozen=True)
class Comparison:
    """One stated figure against its computed counterpart, with the texts that name it. `unit` and
    `decimals` are what the two are compared (and printed) in."""

    figure: StatedFigure
    year: int
    stated: Decimal
    computed: Decimal | None
    unit: str
    decimals: int

    @property
    def agrees(self) -> bool:
        return self.computed is not None and self.printed(self.stated) == self.printed(self.computed)

    @property
    def label(self) -> str:
        return self.figure.label

    @property
    def level(self) -> str:
        return stated_level(self.figure)

    @property
    def dismissed(self) -> bool:
        return self.figure.is_dismissed

    def printed(self, value: Decimal) -> Decimal:
        return scaled(value, unit=self.unit, decimals=self.decimals)

    def amount_text(self, value: Decimal | None) -> str:
        """An amount as the comparison prints it: `1 258 500 kr` or `1 258,5 tkr`."""
        if value is None:
            return ""
        if self.unit == "tkr":
            return f"{format_number(self.printed(value), decimals=self.decimals)}{NBSP}tkr"
        return format_kronor(value)

    @property
    def stated_text(self) -> str:
        return self.amount_text(self.stated)

    @property
    def computed_text(self) -> str:
        return self.amount_text(self.computed)

    @property
    def difference_text(self) -> str:
        """Stated minus computed as printed, with its sign (`+2 466 kr`, `−1 tkr`); blank without a
        computed value."""
        if self.computed is None:
            return ""
        printed = self.printed(self.stated) - self.printed(self.computed)
        sign = "+" if printed > 0 else ""
        if self.unit == "tkr":
            return f"{sign}{format_number(printed, decimals=self.decimals)}{NBSP}tkr"
        return sign + format_kronor(printed)

    def more_or_less_text(self, other: Decimal | None = None) -> str:
        """ "2 466 kr mer" / "1 tkr mindre": how much more or less the document shows than `other` (the
        computed value unless given) as printed; blank without one."""
        other = self.computed if other is None else other
        if other is None:
            return ""
        difference = self.printed(self.stated) - self.printed(other)
        amount = (
            f"{format_number(abs(difference), decimals=self.decimals)}{NBSP}tkr"
            if self.unit == "tkr"
            else format_kronor(abs(difference))
        )
        if difference > 0:
            return _("%(amount)s mer") % {"amount": amount}
        return _("%(amount)s mindre") % {"amount": amount}

    def discrepancy(self) -> Discrepancy:
        return Discrepancy(self.label, self.year, self.stated, self.computed, self.figure.target, self.figure)


def stated_figures(plan: Plan):
    """The plan's stated figures with what their texts name, in the document's order (one query)."""
    return plan.stated_figures.select_related(
        "column", "group", "line", "intervention", "organisation"
    ).order_by("position", "id")


def stated_comparisons(plan: Plan, result: BudgetResult, figures=None) -> list[Comparison]:
    """Every stated figure of `plan` against its computed value (from `result`), in the figures' order.
    `figures`: the figures when the caller has them (else one query)."""
    comparisons = []
    for figure in stated_figures(plan) if figures is None else figures:
        stated = to_decimal(figure.amount)
        unit, decimals = comparison_unit(stated, unit=plan.unit, decimals=plan.decimals)
        comparisons.append(
            Comparison(figure, figure.column.year, stated, computed_figure(figure, result), unit, decimals)
        )
    return comparisons


def compare_stated(plan: Plan, result: BudgetResult) -> list[Discrepancy]:
    """Every stated figure of `plan` whose computed value (from `result`) prints differently, in the
    figures' order."""
    return [c.discrepancy() for c in stated_comparisons(plan, result) if not c.agrees]


def comparison_unit(stated: Decimal, *, unit: str, decimals: int) -> tuple[str, int]:
    """The unit and decimals a stated amount is compared in: the document's, or kronor when the stated
    amount is more precise than that unit."""
    if unit != "tkr":
        return "kr", 0
    if scaled(stated, unit=unit, decimals=decimals) * 1000 != stated:
        return "kr", 0
    return "tkr", decimals


def stated_level(figure: StatedFigure) -> str:
    """The level of the budget a stated figure is compared at, to name in running text."""
    target = StatedFigure.Target
    match figure.target:
        case target.GROUP:
            name = figure.group.name if figure.group_id else figure.reference
            return _("delsumma för gruppen %(group)s") % {"group": name}
        case target.REVENUE:
            return _("summa intäkter")
        case target.COSTS:
            return _("summa kostnader")
        case target.RESULT:
            return _("resultat")
        case target.REVENUE_BEFORE_FINANCIAL:
            return _("summa intäkter före finansiella poster")
        case target.COSTS_BEFORE_FINANCIAL:
            return _("summa kostnader före finansiella poster")
        case target.RESULT_BEFORE_FINANCIAL:
            return _("resultat före finansiella poster")
        case target.FINANCIAL_NET:
            return _("finansiella poster netto")
        case target.INTERVENTION:
            name = figure.intervention.name if figure.intervention_id else figure.label
            return _("insatsen %(name)s") % {"name": name}
        case target.INTERVENTION_GROUP:
            return _("delsumma för insatsgruppen %(group)s") % {"group": figure.reference}
        case target.INTERVENTIONS_TOTAL:
            return _("summa insatser")
        case target.LINE:
            name = figure.line.name if figure.line_id else figure.reference or figure.label
            return _("budgetraden %(line)s") % {"line": name}
        case target.CONTRIBUTION:
            levels = {
                "state": _("statens medlemsavgift"),
                "region": _("regionens medlemsavgift"),
                "municipalities": _("kommunernas medlemsavgifter"),
            }
            if figure.reference in levels:
                return levels[figure.reference]
            if figure.organisation_id:
                return _("medlemsavgiften för %(organisation)s") % {"organisation": figure.organisation.name}
            return _("medlemsavgift")
    return str(figure.get_target_display()).lower()


def printed_notes(plan: Plan, result: BudgetResult) -> list[str]:
    """The notes to print under the budget table: one per deviation the chief marked as the document's
    own error and chose to print (one query)."""
    figures = stated_figures(plan).filter(print_note=True).exclude(dismissed_reason="")
    return [
        _(
            "%(label)s %(year)s (%(level)s): dokumentet angav %(stated)s, budgeten räknar fram "
            "%(computed)s. %(reason)s"
        )
        % {
            "label": comparison.label,
            "year": comparison.year,
            "level": comparison.level,
            "stated": comparison.stated_text,
            "computed": comparison.computed_text or "–",
            "reason": comparison.figure.dismissed_reason.strip(),
        }
        for comparison in stated_comparisons(plan, result, figures)
        if not comparison.agrees
    ]


def prints_alike(stated: Decimal, computed: Decimal, *, unit: str, decimals: int) -> bool:
    """Whether the two amounts print the same in the document's unit (or in kronor, when the stated
    amount is more precise than that unit)."""
    unit, decimals = comparison_unit(stated, unit=unit, decimals=decimals)
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
        case target.REVENUE_BEFORE_FINANCIAL:
            return result.revenue_total[year] - result.financial_income.get(year, ZERO)
        case target.COSTS_BEFORE_FINANCIAL:
            return result.cost_total[year] - result.financial_costs.get(year, ZERO)
        case target.RESULT_BEFORE_FINANCIAL:
            return result.result_before_financial.get(year)
        case target.FINANCIAL_NET:
            return result.financial_income.get(year, ZERO) - result.financial_costs.get(year, ZERO)
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


# --- The page of stated figures (budgets/stated.html) ----------------------------------------------------


@dataclass(frozen=True)
class StatedItem:
    """One stated figure on its page: the comparison, and what its forms show (the user's typed input
    and the message after a refusal, else the figure as saved)."""

    comparison: Comparison
    amount_input: str
    reason_input: str
    print_note_input: bool
    error_form: str = ""  # "correct" | "dismiss": the form the error belongs to
    error: str = ""

    @property
    def figure(self) -> StatedFigure:
        return self.comparison.figure


@dataclass(frozen=True)
class StatedPage:
    items: list[StatedItem]

    @property
    def deviating(self) -> int:
        return sum(1 for item in self.items if not item.comparison.agrees)

    @property
    def dismissed(self) -> int:
        return sum(1 for item in self.items if not item.comparison.agrees and item.comparison.dismissed)


def stated_page(plan: Plan, result: BudgetResult, *, refused: dict | None = None) -> StatedPage:
    """The page of the plan's stated figures. `refused`: a refused form's state (`figure_id`, `form`,
    `error`, and the typed `amount`, `reason`, `print_note`), shown on its figure."""
    refused = refused or {}
    items = []
    for comparison in stated_comparisons(plan, result):
        figure = comparison.figure
        amount_input = amount_input_text(comparison.stated, plan.unit)
        reason_input, print_note_input = figure.dismissed_reason, figure.print_note
        error_form = error = ""
        if refused.get("figure_id") == figure.pk:
            error_form, error = refused["form"], refused["error"]
            if error_form == "correct":
                amount_input = refused.get("amount", amount_input)
            else:
                reason_input = refused.get("reason", reason_input)
                print_note_input = refused.get("print_note", print_note_input)
        items.append(StatedItem(comparison, amount_input, reason_input, print_note_input, error_form, error))
    return StatedPage(items)
