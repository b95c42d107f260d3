"""Frozen versions of a plan: everything its document shows, as canonical JSON-ready data.

`snapshot_content(plan)` turns the plan's document (`plans.queries.plan_document`, the same reads that
render the page and the PDF) into JSON-ready data: lists in document order, amounts as strings of whole
kronor, no floats. The plan's own facts and the association's board and staff come from here; every
registered part (`plans.parts`) adds its own sections through its `freeze` (text parts here, the
interventions in `interventions.parts`, the budget in `budgets.parts`). The review services store it as a
`PlanSnapshot` each time the chief submits the plan, so a version the board reviewed can always be shown
and compared (`plans.diff`), whatever happens to the live rows later.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from finsam.money import round_half_up
from plans.models import Plan
from plans.parts import PARTS
from plans.queries import PlanDocument, plan_document

SNAPSHOT_FORMAT = 1


def frozen_date(value) -> str:
    return value.isoformat() if value else ""


def frozen_amount(value) -> str | None:
    return None if value is None else str(round_half_up(value))


def frozen_amounts(values: dict[int, Decimal | None], years: list[int]) -> dict[str, str | None]:
    return {str(year): frozen_amount(values.get(year)) for year in years}


def snapshot_content(plan: Plan) -> dict[str, Any]:
    """Everything the plan's document shows, as JSON-ready data in document order (see module doc).

    Always in the document's language (settings.LANGUAGE_CODE), whatever the user's: two snapshots of
    the same plan are equal whoever made them."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshot_content(plan)


def _snapshot_content(plan: Plan) -> dict[str, Any]:
    doc = plan_document(plan)
    content: dict[str, Any] = {
        "format": SNAPSHOT_FORMAT,
        "plan": {
            "id": plan.pk,
            "title": plan.title,
            "first_year": plan.first_year,
            "years": plan.years,
            "revision": plan.revision,
            "unit": plan.unit,
            "decimals": plan.decimals,
            "costs_negative": plan.costs_negative,
            "opening_equity": frozen_amount(plan.opening_equity.amount if plan.opening_equity else None),
            "deficit_explanation": plan.deficit_explanation,
        },
    }
    freeze_association(doc, content)
    for kind in PARTS.values():
        if kind.freeze is not None:
            kind.freeze(doc, content)
    return content


def freeze_association(doc: PlanDocument, content: dict[str, Any]) -> None:
    """The association's board and staff as the document shows them."""
    content["board"] = [
        {
            "key": f"seat-{seat.pk}",
            "label": seat.person_name,
            "person_name": seat.person_name,
            "role": seat.get_role_display(),
            "appointed_by": seat.appointed_by.name,
        }
        for seat in doc.board_seats
    ]
    content["staff"] = [
        {
            "key": f"staff-{person.pk}",
            "label": person.title + (f": {person.name}" if person.name else ""),
            "name": person.name,
            "title": person.title,
            "fte_percent": person.fte_percent,
        }
        for person in doc.staff
    ]
