"""The one copier of a plan: a revision of an adopted plan, or next year's plan (rollover).

`plan_copy` inserts the new plan row and then lets every registered part (`plans.parts.parts_of`, in order)
copy itself. A revision keeps the years and copies everything; a rollover moves the years on: chapter
headings name the next years, ended interventions stay behind, and the budget's columns shift (see each
part's `copy`). Figures stated by an imported document belong to that document and are never copied.
The callers (`plans.review.plan_revise`, `plans.rollover.plan_rollover`) own the transaction and history.
"""

from __future__ import annotations

import re

from plans.models import Plan
from plans.parts import PlanCopy, parts_of

YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def shift_years(text: str, *, first_year: int, last_year: int) -> str:
    """Move every year of the plan's span one year on, all at once.

    "Verksamhetsplan och budget 2020, plan 2021–2022" → "Verksamhetsplan och budget 2021, plan 2022–2023".
    Years outside the span (a founding year, a law's year) stay as they are.
    """

    def replace(match: re.Match) -> str:
        year = int(match[1])
        return str(year + 1) if first_year <= year <= last_year else match[0]

    return YEAR.sub(replace, text)


def plan_copy(source: Plan, *, rollover: bool, options: dict | None = None, **changes) -> Plan:
    """A new draft copy of `source` with `changes` to the plan row, and a copy of every part; `options`
    for the parts (`keep_forecast` for the budget of a rollover).

    Side effects: inserts the plan and the parts' rows. Run it inside the caller's transaction."""
    values = {
        f.attname: getattr(source, f.attname)
        for f in Plan._meta.concrete_fields
        if not f.primary_key and f.name not in ("version", "created_at", "updated_at")
    }
    values.update(
        state=Plan.State.DRAFT,
        adopted_on=None,
        minutes_reference="",
        rolled_over_from=None,
        budget_only=False,
    )
    target = Plan(**values)
    for name, value in changes.items():
        setattr(target, name, value)
    target.save()
    job = PlanCopy(source=source, target=target, rollover=rollover, shared=dict(options or {}))
    for kind in parts_of(source):
        kind.copy(job)
    return target
