"""The money in a report on a plan (`plans.reports`): budget against outcome, equity, and each insats's
outcome against its grant, read from the year's follow-up (`budgets.followup`,
`budgets.followup_interventions`) of the plan the report is on.

An annual report compares the year's outcome with the budget (deviation = outcome − budget). An interim
report shows the outcome of the periods up to its last day beside the budget and the whole-year forecast
(deviation = forecast − budget, as the follow-up computes it). Deviations are flagged with the association's
limits (`budgets.followup.deviation_flagged`). Equity: the opening equity, the year's result (outcome, or the
forecast in an interim report), the closing equity and the 20 % rule (`budgets.checks.equity_limit`).

The figures are frozen as whole kronor like the plan's budget (`plans.snapshots`); a chart of budget against
outcome is drawn from the frozen figures as inline SVG (`outcome_svg`), so the page and the PDF show the same,
with the table as its text.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from types import SimpleNamespace

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from budgets.calc import ZERO
from budgets.charts import COLOURS, GRID, INK, MUTED, nice_step, svg_open, text, unit_label
from budgets.checks import equity_limit
from budgets.followup import BUDGET, FORECAST, deviation_flagged, followup_plan, plan_followup
from budgets.followup_interventions import plan_interventions_outcome
from budgets.models import BudgetGroup
from finsam.models import FollowUpPeriod
from finsam.money import format_amount
from plans.models import Plan
from plans.parts import PartKind, register
from plans.reports import REPORT_DOCUMENTS, reported_plan
from plans.snapshots import frozen_amount, thawed_amount


def report_periods(report: Plan, followup) -> list[int]:
    """The follow-up's periods the report covers: all of them in an annual report; in an interim report
    those that end by its last day (months, or tertials of four months)."""
    periods = followup.periods
    if report.kind != Plan.Kind.INTERIM_REPORT or report.period_end is None:
        return periods
    months = report.period_end.month
    last = months if followup.followup.period == FollowUpPeriod.MONTH else months // 4
    return [period for period in periods if period <= last]


def load_budget_report(doc) -> None:
    plan = followup_plan(reported_plan(doc.plan))
    doc.report_followup = plan_followup(plan)
    doc.report_interventions = plan_interventions_outcome(plan, followup=doc.report_followup)
    doc.report_periods = report_periods(doc.plan, doc.report_followup)


def _outcome(amounts: dict[int, Decimal], periods: list[int]) -> Decimal:
    return sum((amounts.get(period, ZERO) for period in periods), ZERO)


def freeze_budget_report(doc, content: dict) -> None:
    """Budget against outcome per line, group, section and the result; the flagged deviations; equity;
    the insatser's outcome against their grants (see the module's doc)."""
    followup, periods = doc.report_followup, doc.report_periods
    annual = doc.plan.kind == Plan.Kind.ANNUAL_REPORT
    association = doc.plan.association
    limits = {"percent": association.deviation_percent, "amount": association.deviation_amount}

    def figures(amounts: dict[int, Decimal], *, key: str, kind: str, label: str, cost: bool, comment=""):
        budget, outcome, forecast = amounts.get(BUDGET, ZERO), _outcome(amounts, periods), amounts[FORECAST]
        deviation = (outcome if annual else forecast) - budget
        return {
            "key": key,
            "kind": kind,
            "label": label,
            "cost": cost,
            "budget": frozen_amount(budget),
            "outcome": frozen_amount(outcome),
            "forecast": frozen_amount(forecast),
            "deviation": frozen_amount(deviation),
            "flagged": kind == "line" and deviation_flagged(deviation, budget, **limits),
            "comment": comment,
        }

    rows = []
    totals = followup.totals
    for section, heading, groups in followup.sections:
        cost = section == BudgetGroup.Section.COSTS
        rows.append({"key": f"section-{section}", "kind": "section", "label": str(heading)})
        for group in groups:
            if len(groups) > 1:
                rows.append({"key": f"group-{group.group.pk}", "kind": "group", "label": group.group.name})
            for row in group.rows:
                rows.append(
                    figures(row.amounts, key=row.key, kind="line", label=row.row.label, cost=cost,
                            comment=row.comment)
                )  # fmt: skip
            if len(groups) > 1:
                label = _("Summa %(name)s") % {"name": group.group.name.lower()}
                rows.append(
                    figures(group.result.totals, key=f"subtotal-{group.group.pk}", kind="subtotal",
                            label=label, cost=cost)
                )  # fmt: skip
        section_total = totals.costs if cost else totals.revenue
        label = _("Summa kostnader") if cost else _("Summa intäkter")
        rows.append(figures(section_total, key=f"total-{section}", kind="total", label=label, cost=cost))
    result = figures(totals.result, key="result", kind="result", label=_("Resultat"), cost=False)
    rows.append(result)
    through = followup.labels[periods[-1] - 1] if periods else ""
    content["budget_outcome"] = {
        "final": annual,
        "year": followup.year,
        "through": through,
        "periods_entered": followup.periods_entered,
        "period_count": len(followup.periods),
        "last_entered": followup.labels[followup.periods_entered - 1] if followup.periods_entered else "",
        "rows": rows,
    }
    opening = followup.opening_equity
    year_result = thawed_amount(result["outcome"] if annual else result["forecast"])
    contributions = _contributions(followup, periods, annual)
    closing = None if opening is None else opening + year_result
    limit = None if contributions is None else equity_limit(contributions)
    content["equity"] = {
        "final": annual,
        "opening": frozen_amount(opening),
        "result": frozen_amount(year_result),
        "closing": frozen_amount(closing),
        "contributions": frozen_amount(contributions),
        "limit": frozen_amount(limit),
        "above_limit": bool(limit is not None and closing is not None and closing > limit),
    }
    content["intervention_outcome"] = [
        {
            "key": f"intervention-{row.intervention.pk}",
            "name": row.intervention.name,
            "grant": frozen_amount(row.grant),
            "budget": frozen_amount(row.budget),
            "outcome": None
            if row.budget_row is None
            else frozen_amount(_outcome(row.budget_row.amounts, periods)),
            "forecast": frozen_amount(row.forecast),
        }
        for row in doc.report_interventions.rows
    ]


def _contributions(followup, periods: list[int], annual: bool) -> Decimal | None:
    """The members' contributions of the year: the outcome of the contribution groups in an annual report,
    the forecast in an interim one (the budgeted contributions when the budget has no such group)."""
    groups = [
        group.result
        for section, _heading, groups in followup.sections
        for group in groups
        if section == BudgetGroup.Section.REVENUE and group.group.kind == BudgetGroup.Kind.CONTRIBUTIONS
    ]
    if not groups:
        return followup.contributions_forecast
    if annual:
        return sum((_outcome(group.totals, periods) for group in groups), ZERO)
    return sum((group.totals[FORECAST] for group in groups), ZERO)


def _thawed_row(row: dict) -> SimpleNamespace:
    amounts = {name: thawed_amount(row.get(name)) for name in ("budget", "outcome", "forecast", "deviation")}
    return SimpleNamespace(**row | amounts)


def thaw_budget_report(content: dict, view) -> None:
    frozen = content.get("budget_outcome")
    if frozen is None:
        view.budget_outcome = view.equity = None
        view.intervention_outcome = []
        return
    rows = [_thawed_row(row) for row in frozen["rows"]]
    view.budget_outcome = SimpleNamespace(
        **frozen | {"rows": rows},
        deviations=[row for row in rows if row.kind == "line" and row.flagged],
        chart=outcome_svg(rows, final=frozen["final"], year=frozen["year"], plan=view.plan),
    )
    equity = content["equity"]
    view.equity = SimpleNamespace(
        **equity | {name: thawed_amount(equity[name]) for name in
                    ("opening", "result", "closing", "contributions", "limit")}
    )  # fmt: skip
    view.intervention_outcome = []
    for row in content.get("intervention_outcome", []):
        amounts = {name: thawed_amount(row[name]) for name in ("grant", "budget", "outcome", "forecast")}
        outcome, grant = amounts["outcome"], amounts["grant"]
        difference = None if outcome is None else outcome - (grant or ZERO)  # no grant counts as 0
        view.intervention_outcome.append(SimpleNamespace(**row | amounts, difference=difference))


def outcome_svg(rows: list[SimpleNamespace], *, final: bool, year: int, plan) -> str:
    """Revenue, costs and the result, budget beside outcome (an annual report) or beside outcome so far
    and forecast (an interim report), as grouped bars: an accessible image whose figures the table holds."""
    by_kind = {row.key: row for row in rows if row.kind in ("total", "result")}
    groups = [
        (_("Intäkter"), by_kind.get(f"total-{BudgetGroup.Section.REVENUE}")),
        (_("Kostnader"), by_kind.get(f"total-{BudgetGroup.Section.COSTS}")),
        (_("Resultat"), by_kind.get("result")),
    ]
    groups = [(label, row) for label, row in groups if row is not None]
    if not groups:
        return ""
    series = [("equity", _("Budget"), "budget"), ("revenue", _("Utfall"), "outcome")]
    if not final:
        series.append(("costs", _("Prognos helår"), "forecast"))
    values = [getattr(row, name) or ZERO for _label, row in groups for _key, _name, name in series]
    top_value, bottom_value = max(max(values), ZERO), min(min(values), ZERO)
    step = nice_step(max(top_value - bottom_value, Decimal(1)))
    axis_top = (top_value / step).to_integral_value(rounding=ROUND_CEILING) * step
    axis_bottom = (bottom_value / step).to_integral_value(rounding=ROUND_FLOOR) * step
    span = (axis_top - axis_bottom) or Decimal(1)
    width, height, left, right, top, bottom = 640, 270, 78, 10, 58, 30
    plot_width, plot_height = width - left - right, height - top - bottom

    def y_of(value: Decimal) -> float:
        return top + float((axis_top - value) / span) * plot_height

    def amount(value: Decimal) -> str:
        return format_amount(value, unit=plan.unit, decimals=plan.decimals)

    title = (_("Budget och utfall %(year)s") if final else _("Budget, utfall och prognos %(year)s")) % {
        "year": year
    }
    desc = _("Belopp i %(unit)s. %(rows)s.") % {
        "unit": unit_label(plan.unit),
        "rows": "; ".join(
            f"{label}: "
            + ", ".join(f"{name.lower()} {amount(getattr(row, field) or ZERO)}" for _k, name, field in series)
            for label, row in groups
        ),
    }
    parts = [
        svg_open(f"chart-outcome-{year}", width, height, title, desc),
        f'<text x="0" y="16" font-size="15" font-weight="bold" fill="{INK}">{text(title)}</text>',
    ]
    x = 0.0
    for key, label, _field in series:
        parts.append(f'<rect x="{x:.1f}" y="28" width="12" height="12" fill="{COLOURS[key]}"/>')
        parts.append(f'<text x="{x + 17:.1f}" y="38" font-size="11" fill="{INK}">{text(label)}</text>')
        x += 34 + 6.0 * len(label)
    tick = axis_bottom
    while tick <= axis_top:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="{MUTED if tick == 0 else GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{MUTED}">'
            f"{text(amount(tick))}</text>"
        )
        tick += step
    zero = y_of(ZERO)
    slot = plot_width / len(groups)
    bar = min(40.0, slot * 0.8 / len(series))
    for index, (label, row) in enumerate(groups):
        centre = left + slot * (index + 0.5)
        first_x = centre - bar * len(series) / 2
        for position, (key, _name, field) in enumerate(series):
            y = y_of(getattr(row, field) or ZERO)
            parts.append(
                f'<rect x="{first_x + position * bar + 1:.1f}" y="{min(y, zero):.1f}" width="{bar - 2:.1f}" '
                f'height="{abs(y - zero):.1f}" fill="{COLOURS[key]}"/>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle" '
            f'fill="{INK}">{text(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every text in it is escaped above


def register_report_parts() -> None:
    register(
        PartKind(
            key="budget_report",
            models=(),
            copy=lambda job: None,  # a report is never copied
            load=load_budget_report,
            freeze=freeze_budget_report,
            thaw=thaw_budget_report,
            documents=REPORT_DOCUMENTS,
        )
    )
