"""The follow-up grid of an adopted plan (budgets/followup.html): the cells the chief types in.

Every number comes from `budgets.followup`; this module only adds, per row, the editable cells (an outcome
per period and the whole-year forecast with its comment) with their versions, URLs and what a refused save
kept. Inputs show the exact amount in the plan's unit (`finsam.money.amount_input_text`), as the budget
grid's cells do, and a cell's URL is reversed once per kind of cell (`budgets.grid.cell_url`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from budgets.followup import FORECAST, FollowUpResult, FollowUpRow
from budgets.grid import cell_url
from finsam.money import amount_input_text


@dataclass
class OutcomeCell:
    key: str
    period: int
    text: str
    version: int
    label: str
    url: str
    error: str = ""
    conflict: str | None = None  # the other person's value, as text, after a stale save

    @property
    def input_id(self) -> str:
        return f"utfall-{self.key}-{self.period}"


@dataclass
class ForecastCell:
    key: str
    text: str
    comment: str
    version: int
    label: str
    url: str
    entered: bool
    comment_url: str  # the comment has a form (and a cell) of its own, saved with the same version
    error: str = ""
    conflict: str | None = None
    comment_error: str = ""
    comment_conflict: str | None = None

    @property
    def input_id(self) -> str:
        return f"prognos-{self.key}"

    @property
    def comment_id(self) -> str:
        return f"kommentar-{self.key}"

    @property
    def comment_label(self) -> str:
        return _("Kommentar till %(label)s") % {"label": self.label}


@dataclass
class FollowUpGridRow:
    follow: FollowUpRow
    outcome_cells: list[OutcomeCell] = field(default_factory=list)
    forecast: ForecastCell | None = None

    @property
    def key(self) -> str:
        return self.follow.key


def followup_grid(
    followup: FollowUpResult,
    *,
    keys: set[str] | None = None,
    outcome_state: dict[tuple[str, int], dict] | None = None,
    forecast_state: dict[str, dict] | None = None,
) -> dict[str, FollowUpGridRow]:
    """Row key → the row with its cells (no queries). `keys` limits the cells to those rows (a saved cell's
    answer shows one row). What a user typed and was refused is kept: `outcome_state` per (row key, period)
    and `forecast_state` per row key hold `text` (and `comment`), `error` or `conflict`, and the `version`."""
    plan = followup.plan
    outcome_state = outcome_state or {}
    forecast_state = forecast_state or {}
    rows = {}
    for key, follow in followup.rows.items():
        if keys is not None and key not in keys:
            continue
        grid_row = FollowUpGridRow(follow)
        for period, period_label in zip(followup.periods, followup.labels, strict=True):
            kept = dict(outcome_state.get((key, period), {}))
            cell = OutcomeCell(
                key=key,
                period=period,
                text=amount_input_text(follow.amounts.get(period), plan.unit),
                version=follow.outcome_versions.get(period, 0),
                label=_("%(line)s, utfall %(period)s") % {"line": follow.row.label, "period": period_label},
                url=cell_url(plan, "followup_outcome", ("row", key), ("period", period)),
            )
            for name, value in kept.items():
                setattr(cell, name, value)
            grid_row.outcome_cells.append(cell)
        kept = dict(forecast_state.get(key, {}))
        grid_row.forecast = ForecastCell(
            key=key,
            text=amount_input_text(follow.amounts[FORECAST], plan.unit) if follow.forecast_entered else "",
            comment=follow.comment,
            version=follow.forecast_version,
            label=_("%(line)s, prognos helår") % {"line": follow.row.label},
            url=cell_url(plan, "followup_forecast", ("row", key)),
            comment_url=cell_url(plan, "followup_comment", ("row", key)),
            entered=follow.forecast_entered,
        )
        for name, value in kept.items():
            setattr(grid_row.forecast, name, value)
        rows[key] = grid_row
    return rows
