"""The plan's document as every page shows it: built from the one frozen structure (`plans.snapshots`).

A draft's document is its content now (`live_document`); a version sent to the board, approved, adopted
or superseded is the content frozen when it was sent (`frozen_document`). Both are the same structure,
read back into a `DocumentView` by each part's `thaw` (`plans.parts`), so the page, the review page, the
PDF and the public archive render the same template from the same data, and nothing done to the live
rows after a version was frozen (an intervention renamed, a board seat changed, the association's name)
changes what that version shows.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.cache import cache
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from plans.models import Chapter, Plan, PlanSnapshot
from plans.parts import parts_of
from plans.queries import PlanDocument, plan_document
from plans.snapshots import SNAPSHOT_FORMAT, snapshot_content, thawed_amount, upgrade
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
    report: SimpleNamespace | None = None  # a report's own facts (`plans.snapshots.freeze_report_facts`)

    @property
    def key(self) -> str:
        """What identifies this rendering for a cache: the frozen version (None for a draft)."""
        return f"snapshot-{self.snapshot.pk}" if self.snapshot is not None else ""

    @property
    def shows_interventions(self) -> bool:
        """Whether the document has the interventions' own sections (so budget rows can link to them)."""
        return any(entry.chapter.kind == Chapter.Kind.INTERVENTIONS for entry in self.chapters)


def document_view(
    content: dict[str, Any], *, plan: Plan, snapshot: PlanSnapshot | None = None, cover: str | None = None
) -> DocumentView:
    """The document of `content` (any format; upgraded first), for `plan` in its current state (`cover`:
    its cover line, when the caller has it)."""
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
    view.cover_line = cover if cover is not None else cover_line(plan, snapshot)
    view.board_seats = list(content.get("board", []))
    view.staff = list(content.get("staff", []))
    if "report" in content:
        view.report = SimpleNamespace(**content["report"])
    for kind in parts_of(plan):
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


# Where the review page puts an item's comment threads in the rendered document, and a budget row's
# own "Kommentera" (by the row's place among the budget's comment targets: its key may hold any text).
THREADS_MARKER = re.compile(r"<!--threads:([A-Za-z0-9_-]+)-->")
ROW_MARKER = re.compile(r"<!--row:([0-9]+)-->")
# Keep a frozen version's rendering this long after it was last asked for (it never goes stale).
DOCUMENT_CACHE_SECONDS = 7 * 24 * 3600


@lru_cache(maxsize=1)
def document_template_digest() -> str:
    """A digest of the document's template, so a deployment that changes it never serves older renderings
    from a cache that outlives the process."""
    template = get_template("plans/document.html")
    return hashlib.sha256(Path(template.origin.name).read_bytes()).hexdigest()[:16]


@dataclass
class ShownDocument:
    """The document a page shows of a plan: its frozen `content` (today's format), the version it is
    (None: a draft's content now) and its cover line. `view` thaws it for rendering, only when needed:
    a frozen version's rendering usually comes from the cache."""

    plan: Plan
    content: dict[str, Any]
    snapshot: PlanSnapshot | None
    cover_line: str

    @cached_property
    def view(self) -> DocumentView:
        return document_view(self.content, plan=self.plan, snapshot=self.snapshot, cover=self.cover_line)

    def items(self) -> list[tuple[str, str, str]]:
        """(comment target kind, key, label) of the chapters, goals and interventions, in document order:
        the items the review shows comment threads beside."""
        content = self.content
        return (
            [("chapter", row["key"], f"{row['number']} {row['heading']}") for row in content["chapters"]]
            + [("goal", row["key"], row["title"]) for row in content["goals"]]
            + [("intervention", row["key"], row["name"]) for row in content.get("interventions", [])]
            # A report's goals and insatser, as it reports on them (`plans.reports`).
            + [("goal", row["key"], row["title"]) for row in content.get("goal_report", {}).get("goals", [])]
            + [("intervention", row["key"], row["name"]) for row in content.get("intervention_report", [])]
        )


def shown_document(plan: Plan, doc: PlanDocument | None = None) -> ShownDocument:
    """The document to show of `plan`: its version of record when it has one, else its content now."""
    snapshot = record_snapshot(plan)
    if snapshot is not None:
        snapshot.plan = plan
        content = upgrade(snapshot.content)
    else:
        content = snapshot_content(plan, doc)
    return ShownDocument(plan, content, snapshot, cover_line(plan, snapshot))


def document_markup(shown: ShownDocument) -> str:
    """The rendered document, with a marker where each item's comment threads go (`THREADS_MARKER`).

    A frozen version never changes, so its rendering is cached by the version (with the moment it was
    frozen: a restored or reset database may give a number out again), its cover line (adoption changes
    it), the format, the language and the template; a draft's is rendered each time. The markup holds
    nothing of the request or the user."""
    if shown.snapshot is None:
        return render_to_string("plans/document.html", {"doc": shown.view})
    key = (
        "plan-document:"
        + hashlib.sha256(
            "\n".join(
                (
                    str(shown.snapshot.pk),
                    shown.snapshot.created_at.isoformat(),
                    shown.cover_line,
                    str(SNAPSHOT_FORMAT),
                    translation.get_language() or "",
                    document_template_digest(),
                )
            ).encode()
        ).hexdigest()
    )
    markup = cache.get(key)
    if markup is None:
        markup = render_to_string("plans/document.html", {"doc": shown.view})
        cache.set(key, markup, DOCUMENT_CACHE_SECONDS)
    return markup


def document_html(
    shown: ShownDocument,
    threads: Callable[[str], str] | None = None,
    row: Callable[[int], str] | None = None,
) -> SafeString:
    """The document to put in a page: `threads(key)` gives the markup of an item's comment threads and
    `row(index)` a budget row's comment control (the review page); without them the markers are taken
    out."""
    markup = document_markup(shown)
    markup = THREADS_MARKER.sub((lambda match: threads(match[1])) if threads else "", markup)
    markup = ROW_MARKER.sub((lambda match: row(int(match[1]))) if row else "", markup)
    return mark_safe(markup)  # noqa: S308 - our own template's output


def record_content(plan: Plan) -> dict[str, Any]:
    """The content of the plan's version of record (today's format), or of the plan now if it has none."""
    snapshot = record_snapshot(plan)
    return upgrade(snapshot.content) if snapshot is not None else snapshot_content(plan)


def plan_document_view(plan: Plan, doc: PlanDocument | None = None) -> DocumentView:
    """The document to show of `plan`, thawed (`shown_document(plan).view`)."""
    return shown_document(plan, doc).view


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
