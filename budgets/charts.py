"""Charts of a plan's budget as inline SVG, built on the server: the same in the browser and the PDF.

Pure functions: a `BudgetResult` (and the plan's display settings) in, an SVG string out. Every
number is taken from the result (never computed again from rows the reader cannot see) and printed
through `finsam.money`; every piece of text is escaped. Each chart is an accessible image
(`role="img"`, `<title>` and `<desc>`); the budget table next to it holds the same figures as data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from html import escape

from django.utils.translation import gettext as _

from budgets.calc import ZERO, BudgetResult
from budgets.models import BudgetGroup
from finsam.money import NBSP, format_amount, format_number, round_half_up
from interventions.models import Intervention

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1b1f24"
MUTED = "#4a5561"
GRID = "#d5dbe1"
# Colours with at least 3:1 contrast on white (WCAG non-text contrast), told apart by lightness too.
COLOURS = {
    "administration": "#5f6b76",
    "individual": "#0b5394",
    "structural": "#2f7d4a",
    "other_interventions": "#6a4c93",
    "undecided": "#b35900",
    "other": "#8a6d00",
    "revenue": "#0b5394",
    "costs": "#b35900",
    "equity": "#7a8691",
}


@dataclass(frozen=True)
class CostShare:
    key: str
    label: str
    amount: Decimal


def attr(value) -> str:
    return escape(str(value), quote=True)


def text(value) -> str:
    return escape(str(value), quote=False)


def budget_year(budget: BudgetResult) -> int | None:
    """The year the plan budgets precisely: the first column of kind budget, else the first year."""
    for column in budget.columns:
        if column.kind == "budget":
            return column.year
    return budget.years[0] if budget.years else None


def cost_breakdown(budget: BudgetResult, year: int) -> list[CostShare]:
    """Where the year's money goes, in categories that add up to the year's total costs.

    Administration groups; granted interventions by kind (individual / structural); typed lines in
    the decided-interventions group that name no intervention; funds not yet decided (lines marked
    undecided and the undecided-interventions groups); and everything else (project costs, other).
    Categories without money are left out.
    """

    totals: dict[str, Decimal] = {}

    def add(key: str, amount) -> None:
        totals[key] = totals.get(key, ZERO) + (amount or ZERO)

    for group in budget.cost_groups:
        kind = group.group.kind
        for row in group.rows:
            amount = row.amounts.get(year)
            if row.kind == "undecided" or kind == BudgetGroup.Kind.INTERVENTIONS_UNDECIDED:
                add("undecided", amount)
            elif row.intervention is not None:
                structural = row.intervention.kind == Intervention.Kind.STRUCTURAL
                add("structural" if structural else "individual", amount)
            elif kind == BudgetGroup.Kind.ADMINISTRATION:
                add("administration", amount)
            elif kind == BudgetGroup.Kind.INTERVENTIONS_DECIDED:
                add("other_interventions", amount)
            else:
                add("other", amount)
    labels = {
        "administration": _("Administration"),
        "individual": _("Individstödjande insatser"),
        "structural": _("Strukturstödjande insatser"),
        "other_interventions": _("Insatser, ej uppdelade på typ"),
        "undecided": _("Ej beslutade medel"),
        "other": _("Övriga kostnader"),
    }
    return [CostShare(key, labels[key], totals[key]) for key in labels if totals.get(key, ZERO) != ZERO]


def percent(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return ""
    value = round_half_up(Decimal(100) * part / whole)
    return f"{format_number(value)}{NBSP}%"


def unit_label(unit: str) -> str:
    return _("tkr") if unit == "tkr" else _("kronor")


def cost_breakdown_svg(
    budget: BudgetResult, *, year: int, unit: str, decimals: int, chart_id: str = "chart-costs"
) -> str:
    """A horizontal bar per cost category of `year`, labelled with amount and share. Empty if no costs."""
    shares = cost_breakdown(budget, year)
    total = budget.cost_total.get(year, ZERO)
    if not shares or total <= 0:
        return ""
    width, label_width, value_width = 640, 200, 150
    bar_x, bar_max = label_width + 10, width - label_width - value_width - 20
    row_height, top = 30, 42
    height = top + row_height * len(shares) + 30
    largest = max(max(share.amount for share in shares), ZERO) or Decimal(1)
    title = _("Så fördelas kostnaderna %(year)s") % {"year": year}
    summary = "; ".join(
        f"{share.label} {format_amount(share.amount, unit=unit, decimals=decimals)} {unit_label(unit)}"
        f" ({percent(share.amount, total)})"
        for share in shares
    )
    desc = _("Kostnader %(year)s totalt %(total)s %(unit)s: %(summary)s.") % {
        "year": year,
        "total": format_amount(total, unit=unit, decimals=decimals),
        "unit": unit_label(unit),
        "summary": summary,
    }
    parts = [
        svg_open(chart_id, width, height, title, desc),
        f'<text x="0" y="16" font-size="15" font-weight="bold" fill="{INK}">{text(title)}</text>',
        f'<text x="0" y="33" font-size="11" fill="{MUTED}">'
        f"{text(_('Belopp i %(unit)s och andel av årets kostnader') % {'unit': unit_label(unit)})}</text>",
    ]
    for index, share in enumerate(shares):
        y = top + index * row_height
        bar = 0 if share.amount <= 0 else float(share.amount / largest) * bar_max
        colour = COLOURS[share.key]
        parts += [
            f'<text x="{label_width}" y="{y + 19}" font-size="12" text-anchor="end" fill="{INK}">'
            f"{text(share.label)}</text>",
            f'<rect x="{bar_x}" y="{y + 6}" width="{bar:.1f}" height="18" fill="{colour}"/>',
            f'<text x="{bar_x + bar + 6:.1f}" y="{y + 19}" font-size="12" fill="{INK}">'
            f"{text(format_amount(share.amount, unit=unit, decimals=decimals))}"
            f'<tspan fill="{MUTED}"> ({text(percent(share.amount, total))})</tspan></text>',
        ]
    y = top + row_height * len(shares) + 18
    parts += [
        f'<line x1="{bar_x}" y1="{top + 2}" x2="{bar_x}" y2="{y - 12}" stroke="{MUTED}" stroke-width="1"/>',
        f'<text x="{label_width}" y="{y}" font-size="12" font-weight="bold" text-anchor="end" fill="{INK}">'
        f"{text(_('Summa kostnader'))}</text>",
        f'<text x="{bar_x + 6}" y="{y}" font-size="12" font-weight="bold" fill="{INK}">'
        f"{text(format_amount(total, unit=unit, decimals=decimals))} {text(unit_label(unit))}</text>",
        "</svg>",
    ]
    return "\n".join(parts)


def nice_step(maximum: Decimal, steps: int = 4) -> Decimal:
    """A round tick step (1, 2, 2.5 or 5 × 10^n) so that about `steps` ticks cover `maximum`."""
    if maximum <= 0:
        return Decimal(1)
    raw = maximum / steps
    magnitude = Decimal(10) ** (len(str(int(raw))) - 1) if raw >= 1 else Decimal(1)
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def development_svg(
    budget: BudgetResult, *, unit: str, decimals: int, chart_id: str = "chart-development"
) -> str:
    """Revenue, costs and closing equity per year as grouped bars. Empty for a single year.

    Equity is drawn only when the plan knows its opening equity (else there is none to roll forward).
    """
    years = budget.years
    if len(years) < 2:
        return ""
    series = [
        ("revenue", _("Intäkter"), [budget.revenue_total.get(year, ZERO) for year in years]),
        ("costs", _("Kostnader"), [budget.cost_total.get(year, ZERO) for year in years]),
    ]
    equity = [budget.closing_equity.get(year) for year in years]
    if all(value is not None for value in equity):
        series.append(("equity", _("Eget kapital vid årets slut"), equity))
    values = [value for _key, _label, amounts in series for value in amounts]
    top_value, bottom_value = max(max(values), ZERO), min(min(values), ZERO)
    step = nice_step(max(top_value - bottom_value, Decimal(1)))
    axis_top = (top_value / step).to_integral_value(rounding=ROUND_CEILING) * step
    axis_bottom = (bottom_value / step).to_integral_value(rounding=ROUND_FLOOR) * step
    span = (axis_top - axis_bottom) or Decimal(1)

    width, height = 640, 290
    left, right, top, bottom = 78, 10, 58, 40
    plot_width, plot_height = width - left - right, height - top - bottom

    def y_of(value: Decimal) -> float:
        return top + float((axis_top - value) / span) * plot_height

    def amount(value: Decimal) -> str:
        return format_amount(value, unit=unit, decimals=decimals)

    slot = plot_width / len(years)
    bar = min(34.0, slot * 0.8 / len(series))
    title = _("Intäkter, kostnader och eget kapital %(first)s–%(last)s") % {
        "first": years[0],
        "last": years[-1],
    }
    rows = [
        f"{year}: "
        + ", ".join(f"{label.lower()} {amount(amounts[index])}" for _key, label, amounts in series)
        for index, year in enumerate(years)
    ]
    desc = _("Belopp i %(unit)s. %(rows)s.") % {"unit": unit_label(unit), "rows": "; ".join(rows)}
    parts = [
        svg_open(chart_id, width, height, title, desc),
        f'<text x="0" y="16" font-size="15" font-weight="bold" fill="{INK}">{text(title)}</text>',
    ]
    x = 0.0
    for key, label, _amounts in series:
        parts.append(f'<rect x="{x:.1f}" y="28" width="12" height="12" fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 17:.1f}" y="38" font-size="11" fill="{INK}">{text(label)}</text>')
        x += 34 + 6.0 * len(label)
    parts.append(
        f'<text x="{width - right}" y="38" font-size="11" text-anchor="end" fill="{MUTED}">'
        f"{text(_('Belopp i %(unit)s') % {'unit': unit_label(unit)})}</text>"
    )
    tick = axis_bottom
    while tick <= axis_top:
        y = y_of(tick)
        stroke = MUTED if tick == 0 else GRID
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{stroke}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
            f"{text(amount(tick))}</text>"
        )
        tick += step
    zero = y_of(ZERO)
    for index, year in enumerate(years):
        centre = left + slot * (index + 0.5)
        first_x = centre - bar * len(series) / 2
        for position, (key, _label, amounts) in enumerate(series):
            value = amounts[index]
            y = y_of(value)
            parts.append(
                f'<rect x="{first_x + position * bar + 1:.1f}" y="{min(y, zero):.1f}" width="{bar - 2:.1f}" '
                f'height="{abs(y - zero):.1f}" fill="{COLOURS[key]}"/>'
            )
        column = budget.column(year)
        kind = column.get_kind_display() if column is not None else ""
        parts.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 16}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{text(year)}</text>'
        )
        parts.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 30}" font-size="10" text-anchor="middle" '
            f'fill="{MUTED}">{text(kind)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def svg_open(chart_id: str, width: int, height: int, title: str, desc: str) -> str:
    chart_id = attr(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{attr(FONT)}">'
        f'<title id="{chart_id}-title">{text(title)}</title>'
        f'<desc id="{chart_id}-desc">{text(desc)}</desc>'
    )
