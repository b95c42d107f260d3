"""The plan's own parts: text chapters, goals with indicators, target groups, and the control,
communication and activity plans, registered as one part kind (`plans.parts`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import forms
from plans.checks import WARNING, Finding
from plans.copying import shift_years
from plans.editor import EditorKind
from plans.models import (
    ActivityItem,
    Chapter,
    CommunicationItem,
    ControlItem,
    Goal,
    Indicator,
    Plan,
    TargetGroup,
)
from plans.parts import PartKind, PlanCopy, register
from plans.snapshots import frozen_date, key_id

# The chapters every new plan starts with; the chief renames, removes and adds from there.
DEFAULT_CHAPTERS = [
    (Chapter.Kind.TEXT, "Inledning"),
    (Chapter.Kind.GOALS, "Mål"),
    (Chapter.Kind.TARGET_GROUPS, "Prioriterade målgrupper"),
    (Chapter.Kind.INTERVENTIONS, "Insatser"),
    (Chapter.Kind.BUDGET, "Budget"),
]


def create_default_chapters(plan: Plan) -> None:
    Chapter.objects.bulk_create(
        Chapter(plan=plan, kind=kind, heading=heading, position=position)
        for position, (kind, heading) in enumerate(DEFAULT_CHAPTERS, start=1)
    )


@dataclass
class ChapterEntry:
    chapter: Chapter
    number: str


def number_chapters(chapters: list[Chapter]) -> list[ChapterEntry]:
    """1, 1.1, 1.2, 2 ... from the chapters' levels, in order."""
    entries = []
    major = minor = 0
    for chapter in chapters:
        if chapter.level == 1 or major == 0:
            major += 1
            minor = 0
            number = str(major)
        else:
            minor += 1
            number = f"{major}.{minor}"
        entries.append(ChapterEntry(chapter, number))
    return entries


def load_text_parts(doc) -> None:
    """The document's chapters and lists, in the plan's order, one query each."""
    plan = doc.plan
    doc.chapters = number_chapters(list(plan.chapters.all()))
    doc.goals = list(plan.goals.select_related("category").prefetch_related("indicators"))
    doc.target_groups = list(plan.target_groups.all())
    doc.control_items = list(plan.control_items.all())
    doc.communication_items = list(plan.communication_items.all())
    doc.activity_items = list(plan.activity_items.select_related("goal"))


def copy_text_parts(job: PlanCopy) -> None:
    """Chapters (headings' years moved on in a rollover), goals with indicators, target groups, the
    control, communication and activity plans (activities keep their link to the copied goal)."""
    source, plan_id = job.source, job.target.pk
    span = {"first_year": source.first_year, "last_year": source.last_year}

    def heading(chapter: Chapter) -> str:
        return shift_years(chapter.heading, **span) if job.rollover else chapter.heading

    ordered = ("position", "id")
    job.copy_rows(Chapter, source.chapters.order_by(*ordered), plan_id=plan_id, heading=heading)
    job.copy_rows(Goal, source.goals.order_by(*ordered), plan_id=plan_id)
    job.copy_rows(
        Indicator,
        Indicator.objects.filter(goal__plan=source).order_by("goal__position", "goal_id", *ordered),
        goal_id=lambda indicator: job.new_id(Goal, indicator.goal_id),
    )
    for model in (TargetGroup, ControlItem, CommunicationItem):
        job.copy_rows(model, model.objects.filter(plan=source).order_by(*ordered), plan_id=plan_id)
    job.copy_rows(
        ActivityItem,
        source.activity_items.order_by(*ordered),
        plan_id=plan_id,
        goal_id=lambda item: job.new_id(Goal, item.goal_id),
    )


# The editor's kinds of item, in the editor's order.
EDITOR_KINDS = (
    EditorKind(
        "chapter", "kapitel", "kapitel", Chapter, forms.ChapterForm, "kapitel-lista", "chapters",
        gettext_lazy("Lägg till kapitel"), gettext_lazy("Planen har inga kapitel ännu."), "body",
        form_context=("plan",), numbered=True
    ),
    EditorKind(
        "goal", "mal", "mal", Goal, forms.GoalForm, "mal-lista", "goals",
        gettext_lazy("Lägg till mål"), gettext_lazy("Planen har inga mål ännu."), "description",
        prefetch=(Prefetch("indicators", queryset=Indicator.objects.order_by("position", "id")),),
        children="indicator", dependents=("activity",), form_context=("association",),
        select_related=("category",),
    ),
    EditorKind(
        "indicator", "indikatorer", "indikator", Indicator, forms.IndicatorForm, "", "indicators",
        gettext_lazy("Lägg till indikator"), gettext_lazy("Målet har inga indikatorer ännu."),
        select_related=("goal",),
    ),
    EditorKind(
        "target_group", "malgrupper", "malgrupp", TargetGroup, forms.TargetGroupForm, "malgrupp-lista",
        "target_groups", gettext_lazy("Lägg till målgrupp"),
        gettext_lazy("Planen har inga prioriterade målgrupper ännu."),

    ),
    EditorKind(
        "control", "internkontroll", "kontrollpunkt", ControlItem, forms.ControlItemForm,
        "internkontroll-lista", "control_items", gettext_lazy("Lägg till kontrollpunkt"),
        gettext_lazy("Internkontrollplanen är tom."),

    ),
    EditorKind(
        "communication", "kommunikation", "kommunikation", CommunicationItem,
        forms.CommunicationItemForm, "kommunikation-lista", "communication_items",
        gettext_lazy("Lägg till kommunikationsinsats"), gettext_lazy("Kommunikationsplanen är tom."),

    ),
    EditorKind(
        "activity", "aktiviteter", "aktivitet", ActivityItem, forms.ActivityItemForm, "aktivitet-lista",
        "activity_items", gettext_lazy("Lägg till aktivitet"), gettext_lazy("Aktivitetsplanen är tom."),
        select_related=("goal",), form_context=("plan",),

    ),
)  # fmt: skip


def frozen_row(item, key: str, label: str, fields: tuple[str, ...]) -> dict:
    """One item of a list as a snapshot holds it: its key, its label and its fields' values."""
    values = {name: getattr(item, name) for name in fields}
    return {"key": f"{key}-{item.pk}", "label": getattr(item, label), **values}


# The plain lists of the plan: (section, also the document's attribute; key prefix; label field; fields).
FROZEN_LISTS = (
    ("target_groups", "target-group", "name", ("name", "description")),
    (
        "control_items",
        "control",
        "routine",
        ("routine", "control_step", "responsible", "frequency", "method", "reported_to", "risk"),
    ),
    ("communication_items", "communication", "audience", ("audience", "channel", "frequency", "responsible")),
)


def freeze_text_parts(doc, content: dict) -> None:
    """The chapters, goals with indicators, target groups and the three plans, for the snapshot."""
    content["chapters"] = [
        frozen_row(entry.chapter, "chapter", "heading", ("heading", "level", "kind", "body"))
        | {"number": entry.number}
        for entry in doc.chapters
    ]
    content["goals"] = [
        frozen_row(goal, "goal", "title", ("title", "description"))
        | {
            "level": goal.category.name if goal.category else "",
            "indicators": [
                {"key": f"indicator-{indicator.pk}", "text": indicator.text, "target": indicator.target,
                 "method": indicator.method}
                for indicator in goal.indicators.all()
            ],
        }
        for goal in doc.goals
    ]  # fmt: skip
    for section, key, label, fields in FROZEN_LISTS:
        content[section] = [frozen_row(item, key, label, fields) for item in getattr(doc, section)]
    content["activity_items"] = [
        frozen_row(item, "activity", "activity", ("activity", "responsible"))
        | {
            "starts_on": frozen_date(item.starts_on),
            "done_by": frozen_date(item.done_by),
            "goal": item.goal.title if item.goal else "",
        }
        for item in doc.activity_items
    ]


# A year in running text: four digits, not part of a longer number, and not the year of a law's number
# ("lag (2003:1210)", "SFS 2003:1210", which every plan cites).
YEAR_IN_TEXT = re.compile(r"(?<![0-9])(19[5-9][0-9]|20[0-9][0-9])(?![0-9]|:[0-9])")


def earlier_years(text: str, first_year: int) -> list[int]:
    """The years before `first_year` that `text` names, each once, in order."""
    return sorted({int(year) for year in YEAR_IN_TEXT.findall(text or "") if int(year) < first_year})


def text_checks(plan, doc=None) -> list:
    """Texts that still name years before the plan's first year (text rolled over from last year often
    does): each chapter and each goal (unless its years are marked as intended), with where to fix it."""
    chapters = doc.chapters if doc is not None else number_chapters(list(plan.chapters.all()))
    goals = doc.goals if doc is not None else list(plan.goals.prefetch_related("indicators"))
    findings = []

    def found(kind: str, item, label: str, text: str) -> None:
        years = earlier_years(text, plan.first_year)
        if years:
            findings.append(
                Finding(
                    WARNING,
                    "earlier_years_in_text",
                    _(
                        "%(item)s nämner %(years)s, före planens första år %(first)s. Stämmer texten för den här planen?"
                    )
                    % {"item": label, "years": ", ".join(map(str, years)), "first": plan.first_year},
                    kind,
                    item.pk,
                )
            )

    for entry in chapters:
        chapter = entry.chapter
        if not chapter.years_intended:
            found("chapter", chapter, _("Kapitlet ”%(heading)s”") % {"heading": chapter.heading},
                  f"{chapter.heading}\n{chapter.body}")  # fmt: skip
    for goal in goals:
        if goal.years_intended:  # a goal measured against a base year
            continue
        # The goal's indicators too: "jämfört med 2019" is as stale in a target as in the goal.
        indicators = "\n".join(f"{i.text} {i.target} {i.method}" for i in goal.indicators.all())
        found("goal", goal, _("Målet ”%(title)s”") % {"title": goal.title},
              f"{goal.title}\n{goal.description}\n{indicators}")  # fmt: skip
    return findings


def chapter_entry(row: dict) -> SimpleNamespace:
    """A frozen chapter as the document lists it: its number and the chapter (`entry.chapter.heading`)."""
    return SimpleNamespace(number=row["number"], chapter=SimpleNamespace(**row, pk=key_id(row["key"])))


def thaw_text_parts(content: dict, view) -> None:
    """The frozen chapters, goals and lists back as the document renders them (`plans.document`)."""
    view.chapters = [chapter_entry(row) for row in content.get("chapters", [])]
    view.goals = [SimpleNamespace(**goal, pk=key_id(goal["key"])) for goal in content.get("goals", [])]
    for section in ("target_groups", "control_items", "communication_items", "activity_items"):
        setattr(view, section, [row | {"pk": key_id(row["key"])} for row in content.get(section, [])])


def text_comment_targets(content: dict) -> dict[tuple[str, str], str]:
    """The chapters and goals of frozen content, as the review lets the board comment on them."""
    targets = {("chapter", row["key"]): f"{row['number']} {row['heading']}" for row in content["chapters"]}
    targets |= {("goal", row["key"]): row["title"] for row in content["goals"]}
    return targets


TEXT_PARTS = PartKind(
    key="text",
    models=(Chapter, Goal, Indicator, TargetGroup, ControlItem, CommunicationItem, ActivityItem),
    copy=copy_text_parts,
    load=load_text_parts,
    freeze=freeze_text_parts,
    thaw=thaw_text_parts,
    checks=text_checks,
    comment_targets=text_comment_targets,
    create=create_default_chapters,
    editor=EDITOR_KINDS,
    documents=frozenset(Plan.Kind.values),  # a report is written in text chapters too
)


def register_text_parts() -> None:
    register(TEXT_PARTS)
