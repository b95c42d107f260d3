"""`{% load budget_charts %}`: the budget charts of `budgets.charts` in a template (page and PDF)."""

from django import template
from django.utils.safestring import mark_safe

from budgets.charts import budget_year, cost_breakdown_svg, development_svg

register = template.Library()


@register.simple_tag
def cost_chart(budget, plan) -> str:
    """Where the budget year's money goes; empty when the plan has no costs that year."""
    year = budget_year(budget)
    if year is None:
        return ""
    svg = cost_breakdown_svg(budget, year=year, unit=plan.unit, decimals=plan.decimals)
    return mark_safe(svg)  # noqa: S308 - built from escaped parts in budgets.charts


@register.simple_tag
def development_chart(budget, plan) -> str:
    """Revenue, costs and equity over the plan's years; empty for a one-year budget."""
    svg = development_svg(budget, unit=plan.unit, decimals=plan.decimals)
    return mark_safe(svg)  # noqa: S308 - built from escaped parts in budgets.charts
