"""`{% load budget_notes %}`: notes printed with budget tables (page, grid and PDF), and key shares.

Templates only format: the notes come from `budgets.rounding.rounding_notes`, numbers print through
`finsam.money`.
"""

import copy
from decimal import Decimal

from django import template

from budgets.rounding import rounding_notes
from finsam.money import NBSP, format_amount, format_number, round_half_up, to_decimal

register = template.Library()


@register.simple_tag
def budget_rounding_notes(budget, plan, costs_positive=False) -> list[str]:
    """The sentences to print under the budget table, one per printed total that differs from the sum
    of its printed rows; empty when nothing differs (always in whole kronor).

    `costs_positive`: the table prints costs as positive numbers whatever the plan says (the grid)."""
    if budget is None or plan is None:
        return []
    if costs_positive and plan.costs_negative:
        plan = copy.copy(plan)
        plan.costs_negative = False
    return rounding_notes(budget, plan)


def _significant_decimals(value: Decimal, most: int) -> int:
    """How many decimals `value` needs, at most `most` (`25.00` → 0, `37.50` → 1, `33.333` → 2)."""
    rounded = round_half_up(value, most).normalize()
    return min(most, max(0, -rounded.as_tuple().exponent))


@register.filter
def percent(value) -> str:
    """A share or a weight: `Decimal("37.50")` → `37,5 %`, `Decimal("28.5714")` → `28,57 %`."""
    if value is None:
        return ""
    value = Decimal(value)
    return f"{format_number(value, decimals=_significant_decimals(value, 2))}{NBSP}%"


@register.filter
def key_number(value) -> str:
    """A value of the key as stored (up to four decimals): `6000.0000` → `6 000`, `12.5000` → `12,5`."""
    if value is None:
        return ""
    value = Decimal(value)
    return format_number(value, decimals=_significant_decimals(value, 4))


@register.filter
def whole_kronor(value) -> str:
    """An amount in whole kronor without a unit, for tables whose caption names it: `1 258 500`."""
    if value is None:
        return ""
    return format_amount(to_decimal(value), unit="kr")
