"""The plan's document as every page shows it: built from the one frozen structure (`plans.snapshots`).

A draft's document is its content now (`live_document`); a version sent to the board, approved, adopted
or superseded is the content frozen when it was sent (`frozen_document`). Both are the same structure,
read back into a `DocumentView` by each part's `thaw` (`plans.parts`), so the page, the review page, the
PDF and the public archive render the same template from the same data, and nothing done to the live
rows after a version was frozen (an intervention renamed, a board seat changed, the association's name)
changes what that version shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import Chapter, Plan, PlanSnapshot
from plans.parts import PARTS
from plans.queries import PlanDocument, plan_document
from plans.snapshots import snapshot_content, thawed_amount, upgrade
from plans.versions import sent_number


@dataclass
class DocumentView:
    """What `templates/plans/document.html` renders. `plan` holds the frozen plan facts (title, years,
    unit…); the parts' `thaw` fill `chapters`, `goals`, `interventions`, `budget`… The cover's line and
    the version it shows come from the plan's lifecycle (`cover_line`), not from the frozen content."""

    content: dict[str, Any]
    plan: SimpleNamespace
    association: SimpleNamespace
    snapshot: PlanSnapshot | None  # None: a draft's content now
    cover_line: str = ""
    board_seats: list = field(default_factory=list)
    staff: list = field(default_factory=list)

    @property
    def key(self) -> str:
        """What identifies this rendering for a cache: the frozen version (None for a draft)."""
        return f"snapshot-{self.snapshot.pk}" if self.snapshot is not None else ""

    @property
    def shows_interventions(self) -> bool:
        """Whether the document has the interventions' own sections (so budget rows can link to them)."""
        return any(entry.chapter.kind == Chapter.Kind.INTERVENTIONS for entry in self.chapters)


def document_view(
    content: dict[str, Any], *, plan: Plan, snapshot: PlanSnapshot | None = None
) -> DocumentView:
    """The document of `content` (any format; upgraded first), for `plan` in its current state."""
    content = upgrade(content)
    facts = dict(content["plan"])
    view = DocumentView(
        content=content,
        plan=SimpleNamespace(
            **facts
            | {
                "pk": plan.pk,
                "last_year": facts["first_year"] + facts["years"] - 1,
                "opening_equity": thawed_amount(facts.get("opening_equity")),
            }
        ),
        association=SimpleNamespace(**content["association"]),
        snapshot=snapshot,
    )
    view.cover_line = cover_line(plan, snapshot)
    view.board_seats = list(content.get("board", []))
    view.staff = list(content.get("staff", []))
    for kind in PARTS.values():
        if kind.thaw is not None:
            kind.thaw(content, view)
    return view


def live_document(plan: Plan, doc: PlanDocument | None = None) -> DocumentView:
    """A draft's document as it is now (also: the plan's content, to compare with a frozen version)."""
    doc = doc or plan_document(plan)
    return document_view(snapshot_content(plan, doc), plan=plan)


def frozen_document(snapshot: PlanSnapshot) -> DocumentView:
    return document_view(snapshot.content, plan=snapshot.plan, snapshot=snapshot)


def record_snapshot(plan: Plan) -> PlanSnapshot | None:
    """The version of record of a plan that is not a draft: the last one sent to the board (the one in
    review, approved, adopted). None for an editable plan, whose document is its content now."""
    if plan.is_editable:
        return None
    return plan.snapshots.order_by("-number").first()


def record_content(plan: Plan) -> dict[str, Any]:
    """The content of the plan's version of record (today's format), or of the plan now if it has none."""
    snapshot = record_snapshot(plan)
    return upgrade(snapshot.content) if snapshot is not None else snapshot_content(plan)


def plan_document_view(plan: Plan, doc: PlanDocument | None = None) -> DocumentView:
    """The document to show of `plan`: its version of record when it has one, else its content now."""
    snapshot = record_snapshot(plan)
    if snapshot is not None:
        snapshot.plan = plan
        return frozen_document(snapshot)
    return live_document(plan, doc)


def cover_line(plan: Plan, snapshot: PlanSnapshot | None) -> str:
    """The cover's line: the board's decision for an adopted (or superseded) plan; the version and the
    day it was sent for a version in review; for a draft "Utkast" (before the first submission) or
    "Utkast till version N+1" (after submission N), with the day it last changed."""
    if plan.is_locked and plan.adopted_on:
        line = _("Fastställd av styrelsen %(date)s") % {"date": plan.adopted_on.isoformat()}
        return f"{line} {plan.minutes_reference}".strip()
    if snapshot is not None:
        return _("Version %(number)s, skickad till styrelsen %(date)s") % {
            "number": snapshot.number,
            "date": timezone.localdate(snapshot.created_at).isoformat(),
        }
    date = timezone.localdate(plan.updated_at).isoformat() if plan.updated_at else ""
    sent = sent_number(plan)
    if sent:
        return _("Utkast till version %(number)s, %(date)s") % {"number": sent + 1, "date": date}
    return _("Utkast, %(date)s") % {"date": date}
