"""Reads of a whole plan's rows: what the snapshot freezes (`plans.snapshots`) and the checks read.

Pages never render these rows directly: the document is always the frozen structure (`plans.document`)."""

from __future__ import annotations

from plans.models import Plan
from plans.parts import parts_of


class PlanDocument:
    """A plan's rows as the document needs them. Each registered part fills its own attributes
    (`chapters`, `goals`, … from `plans.text_parts`; `interventions` from `interventions.parts`; `budget`,
    `grant_summary` from `budgets.parts`), and the association's board and staff come from here."""

    plan: Plan
    chapters: list
    board_seats: list
    staff: list

    def __init__(self, plan: Plan):
        self.plan = plan


def plan_document(plan: Plan) -> PlanDocument:
    """Everything the document shows, with a number of queries independent of the plan's size."""
    doc = PlanDocument(plan)
    association = plan.association
    doc.board_seats = list(association.board_seats.select_related("appointed_by"))
    doc.staff = list(association.staff.all())
    for kind in parts_of(plan):
        if kind.load is not None:
            kind.load(doc)
    return doc
