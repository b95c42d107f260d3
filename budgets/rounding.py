"""Where the budget table, as printed, shows a total that differs from the sum of its printed rows.

Rounding policy (decided for issue 3):
- Amounts are stored and computed in whole kronor (`Decimal`); only printing rounds (`finsam.money`).
- Every printed figure, totals included, is its exact kronor value rounded **once**, half up, to the plan's
  unit and decimals. Never a rounded value rounded again.
- A total is never the sum of rounded rows: it is the rounded exact sum. The printed total is then
  the best figure for the whole, but it can differ from what a reader gets by adding the printed rows.
  `rounding_notes(result, plan)` lists every such place on the budget table (a group's subtotal, a
  section total, the result, closing equity, and the multi-year "Totalt" column, down and across) in
  Swedish sentences, and the page prints them under the table, so a page never silently shows a total
  that disagrees with its rows. In kronor (whole numbers) there is never a note.
- Costs are positive numbers in the computation; a plan that prints costs as negative numbers negates
  them before rounding (which, rounding half away from zero, gives the same digits).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from finsam.money import NBSP, format_number, scaled

if TYPE_CHECKING:
    from budgets.calc import BudgetResult
    from plans.models import Plan


@dataclass(frozen=True)
class RoundingDifference:
    """A printed total that differs from the sum of the printed figures it totals (in the unit shown).

    `year` None is the multi-year "Totalt" column; `across` compares a row's total with its printed years,
    otherwise the total is compared with the printed rows above it.
    """

    label: str
    year: int | None
    rows_sum: Decimal
    total: Decimal
    across: bool = False
    kind: str = "sum"  # sum | result | equity


def rounding_differences(result: BudgetResult, plan: Plan) -> list[RoundingDifference]:
    """Every place where the budget table, as printed for `plan`, shows a total that differs from the
    sum of its printed parts. Follows the table's layout: expanded groups print their rows and a subtotal,
    collapsed groups one row; then the section totals, the result and the equity rows."""
    unit = plan.unit
    decimals = plan.decimals if unit == "tkr" else 0
    if unit != "tkr":
        return []  # whole kronor print exactly: nothing can differ

    years = result.years
    multi_year = len(result.columns) > 1
    differences: list[RoundingDifference] = []

    printed_values: dict[tuple[Decimal, bool], Decimal] = {}

    def printed(value: Decimal | None, negate: bool = False) -> Decimal:
        """The figure as the table prints it; memoised, as every figure is asked for several times."""
        if value is None:
            return Decimal(0)
        key = (value, negate)
        if key not in printed_values:
            printed_values[key] = scaled(-value if negate else value, unit=unit, decimals=decimals)
        return printed_values[key]

    def across(label: str, amounts: dict[int, Decimal], negate: bool) -> None:
        """The row's multi-year total against its printed years."""
        if not multi_year:
            return
        years_sum = sum((printed(amounts.get(year), negate) for year in years), Decimal(0))
        total = printed(result.multi_year_total(amounts), negate)
        if years_sum != total:
            differences.append(RoundingDifference(label, None, years_sum, total, across=True))

    def down(label: str, parts: list[dict[int, Decimal]], total: dict[int, Decimal], negate: bool) -> None:
        """A total row against the printed rows above it, in every year and in the Totalt column."""
        for year in years:
            rows_sum = sum((printed(part.get(year), negate) for part in parts), Decimal(0))
            if rows_sum != printed(total.get(year), negate):
                differences.append(
                    RoundingDifference(label, year, rows_sum, printed(total.get(year), negate))
                )
        if multi_year:
            rows_sum = sum((printed(result.multi_year_total(part), negate) for part in parts), Decimal(0))
            grand = printed(result.multi_year_total(total), negate)
            if rows_sum != grand:
                differences.append(RoundingDifference(label, None, rows_sum, grand))

    for section_groups, _heading, section_total, is_costs in result.sections:
        negate = is_costs and plan.costs_negative
        total_label = result.section_total_label(is_costs)
        for group_result in section_groups:
            if group_result.group.collapsed:
                across(group_result.group.name, group_result.totals, negate)
                continue
            # A lone group prints no subtotal of its own: its rows stand right above the section total.
            subtotal_label = (
                total_label
                if len(section_groups) == 1
                else _("Summa %(name)s") % {"name": group_result.group.name.lower()}
            )
            for row in group_result.rows:
                across(row.label, row.amounts, negate)
            down(subtotal_label, [row.amounts for row in group_result.rows], group_result.totals, negate)
            across(subtotal_label, group_result.totals, negate)
        down(total_label, [g.totals for g in section_groups], section_total, negate)
        across(total_label, section_total, negate)

    # The result: printed revenue total and printed cost total, as the reader combines them.
    result_label = _("Resultat")
    for year in years:
        combined = printed(result.revenue_total.get(year)) - printed(result.cost_total.get(year))
        if combined != printed(result.result.get(year)):
            differences.append(
                RoundingDifference(
                    result_label, year, combined, printed(result.result.get(year)), kind="result"
                )
            )
    if multi_year:
        combined = printed(result.multi_year_total(result.revenue_total)) - printed(
            result.multi_year_total(result.cost_total)
        )
        grand = printed(result.multi_year_total(result.result))
        if combined != grand:
            differences.append(RoundingDifference(result_label, None, combined, grand, kind="result"))
    across(result_label, result.result, False)

    if plan.opening_equity is not None:
        for year in years:
            opening, closing = result.opening_equity.get(year), result.closing_equity.get(year)
            if opening is None or closing is None:
                continue
            combined = printed(opening) + printed(result.result.get(year))
            if combined != printed(closing):
                differences.append(
                    RoundingDifference(
                        _("Eget kapital vid årets slut"), year, combined, printed(closing), kind="equity"
                    )
                )
    return differences


def rounding_notes(result: BudgetResult, plan: Plan) -> list[str]:
    """Swedish sentences, one per `rounding_differences` entry, for the page to print under the table.

    "Summa administration 2020: raderna summerar till 1 030 tkr, summan av de exakta beloppen är 1 031 tkr."
    """
    decimals = plan.decimals if plan.unit == "tkr" else 0
    unit = _("tkr") if plan.unit == "tkr" else _("kr")

    def text(value: Decimal) -> str:
        return f"{format_number(value, decimals=decimals)}{NBSP}{unit}"

    years = result.years
    span = f"{years[0]}–{years[-1]}" if years else ""
    notes = []
    for difference in rounding_differences(result, plan):
        where = (
            f"{difference.label} {difference.year}"
            if difference.year is not None
            else _("%(label)s, totalt %(span)s") % {"label": difference.label, "span": span}
        )
        values = {"where": where, "rows": text(difference.rows_sum), "total": text(difference.total)}
        if difference.across:
            note = _("%(where)s: åren summerar till %(rows)s, summan av de exakta beloppen är %(total)s.")
        elif difference.kind == "result":
            note = _(
                "%(where)s: summa intäkter minus summa kostnader i tabellen ger %(rows)s, "
                "det exakta resultatet är %(total)s."
            )
        elif difference.kind == "equity":
            note = _(
                "%(where)s: ingående eget kapital plus resultatet i tabellen ger %(rows)s, "
                "det exakta beloppet är %(total)s."
            )
        else:
            note = _("%(where)s: raderna summerar till %(rows)s, summan av de exakta beloppen är %(total)s.")
        notes.append(note % values)
    return notes
