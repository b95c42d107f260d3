"""Reads of a whole plan, shared by the page, the review page, the snapshot and the PDF, so they never disagree."""

from __future__ import annotations

from plans.models import Chapter, Plan
from plans.parts import PARTS


class PlanDocument:
    """Everything the document shows of a plan. Each registered part fills its own attributes
    (`chapters`, `goals`, … from `plans.text_parts`; `interventions` from `interventions.parts`; `budget`,
    `grant_summary` from `budgets.parts`), and the association's board and staff come from here."""

    plan: Plan
    chapters: list
    board_seats: list
    staff: list

    def __init__(self, plan: Plan):
        self.plan = plan

    @property
    def shows_interventions(self) -> bool:
        """Whether the document has the interventions' own sections (so budget rows can link to them)."""
        return any(entry.chapter.kind == Chapter.Kind.INTERVENTIONS for entry in self.chapters)


def plan_document(plan: Plan) -> PlanDocument:
    """Everything the document shows, with a number of queries independent of the plan's size."""
    doc = PlanDocument(plan)
    association = plan.association
    doc.board_seats = list(association.board_seats.select_related("appointed_by"))
    doc.staff = list(association.staff.all())
    for kind in PARTS.values():
        if kind.load is not None:
            kind.load(doc)
    return doc
