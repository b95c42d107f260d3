"""Frozen versions of a plan: everything its document shows, as canonical JSON-ready data.

This is the one structure of the plan's document. `snapshot_content(plan)` turns the plan's loaded rows
(`plans.queries.plan_document`) into JSON-ready data: lists in document order, amounts as strings of
whole kronor, no floats, labels in the document's language. Every page that shows the document renders
it from this structure (`plans.document`): a draft from its content now, a submitted or adopted version
from the content stored in its `PlanSnapshot` when the chief sent it to the board. So the board reviews,
adopts and publishes exactly what was frozen, whatever happens to the live rows later.

The plan's own facts, the association's and its board and staff come from here; every registered part
(`plans.parts`) adds its own sections through its `freeze` and reads them back through its `thaw`.

The structure carries its schema version (`format`). Stored versions are never rewritten in place by
code: `upgrade` brings an older format up to today's when it is read (and the migration that introduced
a format upgraded the stored rows once). A change to what is frozen bumps `SNAPSHOT_FORMAT` and adds a
step to `upgrade`; `tests/test_frozen_versions.py` renders a version frozen under the first format.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation

from finsam.money import round_half_up
from plans.models import Plan
from plans.parts import parts_of
from plans.queries import PlanDocument, plan_document

SNAPSHOT_FORMAT = 2


def frozen_date(value) -> str:
    return value.isoformat() if value else ""


def frozen_amount(value) -> str | None:
    return None if value is None else str(round_half_up(value))


def frozen_amounts(values: dict[int, Decimal | None], years: list[int]) -> dict[str, str | None]:
    return {str(year): frozen_amount(values.get(year)) for year in years}


def thawed_amount(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def thawed_amounts(values: dict[str, str | None]) -> dict[int, Decimal]:
    """A frozen per-year mapping back as the budget engine's: int years, Decimals, blanks left out."""
    return {int(year): Decimal(amount) for year, amount in values.items() if amount is not None}


def key_id(key: str) -> int | None:
    """The database id in a frozen key (`goal-12` → 12), for the document's anchors."""
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else None


def snapshot_content(plan: Plan, doc: PlanDocument | None = None) -> dict[str, Any]:
    """Everything the plan's document shows, as JSON-ready data in document order (see module doc).

    Always in the document's language (settings.LANGUAGE_CODE), whatever the user's: two snapshots of
    the same plan are equal whoever made them. `doc`: the plan's rows when the caller loaded them."""
    with translation.override(settings.LANGUAGE_CODE):
        return _snapshot_content(plan, doc)


def _snapshot_content(plan: Plan, doc: PlanDocument | None) -> dict[str, Any]:
    doc = doc or plan_document(plan)
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
    freeze_report_facts(plan, content)
    for kind in parts_of(plan):
        if kind.freeze is not None:
            kind.freeze(doc, content)
    return content


def freeze_report_facts(plan: Plan, content: dict[str, Any]) -> None:
    """A report's own facts, for its cover (`plans.reports`): what it is and the plan it reports on. A
    plan's content holds none, so a plan frozen before reports existed is the same document now."""
    if not plan.is_report:
        return
    source = plan.report_of
    content["report"] = {
        "kind": plan.kind,
        "kind_label": plan.get_kind_display(),
        "period_end": frozen_date(plan.period_end),
        "report_of": {
            "title": source.title,
            "adopted_on": frozen_date(source.adopted_on),
            "minutes_reference": source.minutes_reference,
        },
    }


def freeze_association(doc: PlanDocument, content: dict[str, Any]) -> None:
    """The association's facts, board and staff as the document (and the PDF's cover) shows them."""
    association = doc.plan.association
    content["association"] = {
        "name": association.name,
        "org_number": association.org_number,
        "area": association.area,
        "website": association.website,
        "logo": association.logo.name if association.logo else "",
    }
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


# --- Older formats ---------------------------------------------------------------------------------


def upgrade(content: dict[str, Any], *, association: dict[str, str] | None = None) -> dict[str, Any]:
    """`content` in today's format: itself when it is (callers only read it), else an upgraded copy.

    Format 1 → 2: the association's facts were not frozen (`association` gives the ones to assume,
    blank otherwise); budget rows did not say whether their group prints collapsed, its kind or which
    years were adjusted (read as printed in full, kind unknown, none adjusted); interventions had their
    period as one string and their kind as its label only (both read back from those)."""
    if content.get("format", 1) >= SNAPSHOT_FORMAT:
        return content  # read-only: nothing that reads a version changes it
    content = copy.deepcopy(content)
    if content.get("format", 1) < 2:
        content["association"] = {
            "name": "",
            "org_number": "",
            "area": "",
            "website": "",
            "logo": "",
            **(association or {}),
        }
        for column in content.get("plan", {}).get("columns", []):
            column.setdefault("kind_label", column["label"].removesuffix(f" {column['year']}"))
        for intervention in content.get("interventions", []):
            start, _sep, end = intervention.get("period", "").partition(" – ")
            intervention.setdefault("start_date", start)
            intervention.setdefault("end_date", "" if end == "löpande" else end)
            intervention.setdefault("kind_value", KIND_VALUES_V1.get(intervention.get("kind", ""), ""))
        kinds = {i["key"]: i["kind_value"] for i in content.get("interventions", [])}
        groups_with_interventions = {
            (row["section"], row["group"])
            for row in content.get("budget", {}).get("rows", [])
            if row["kind"] == "intervention"
        }
        rows = content.get("budget", {}).get("rows", [])
        group_key = ""
        for row in reversed(rows):  # a group's rows come right before its subtotal, keyed by the group
            if row["kind"] == "subtotal":
                group_key = row["key"]
            row.setdefault("group_key", "" if row["kind"] == "total" else group_key)
        for row in rows:
            row.setdefault("collapsed", False)
            row.setdefault("adjusted", [])
            row.setdefault(
                "group_kind",
                "interventions_decided"
                if (row["section"], row["group"]) in groups_with_interventions
                else "",
            )
            if row["kind"] == "intervention":
                row.setdefault("intervention_kind", kinds.get(row["key"], ""))
        content["format"] = 2
        content["upgraded_from"] = 1
    return content


# What format 2 added; a version frozen in format 1 is compared with the plan now without them.
ADDED_IN_FORMAT_2 = {
    "association", "kind_label", "start_date", "end_date", "kind_value",
    "collapsed", "adjusted", "group_key", "group_kind", "intervention_kind",
}  # fmt: skip


def same_document(frozen: dict[str, Any], now: dict[str, Any]) -> bool:
    """Whether a frozen version shows what the plan's content `now` shows (the board adopts only what it
    reviewed). A version frozen in an older format is compared on what that format held."""
    frozen = upgrade(frozen)
    if frozen.get("upgraded_from") != 1:
        return frozen == now

    def without_added(value):
        if isinstance(value, dict):
            return {
                k: without_added(v)
                for k, v in value.items()
                if k not in ADDED_IN_FORMAT_2 and k not in ("format", "upgraded_from")
            }
        if isinstance(value, list):
            return [without_added(item) for item in value]
        return value

    return without_added(frozen) == without_added(now)


# The intervention kinds' labels as format 1 froze them (Swedish), to their values.
KIND_VALUES_V1 = {"Individstödjande": "individual", "Strukturstödjande": "structural"}
