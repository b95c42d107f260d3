"""The registry of plan parts: the one list of what a plan is made of.

A plan is its own row plus parts: text chapters, goals with indicators, target groups, the control,
communication and activity plans (this app), the interventions it lists (`interventions`) and its budget
(`budgets`). Each part registers a `PartKind` here, from its app's `ready()`, in the order of the apps;
everything that must treat a plan as a whole takes the list from `PARTS` instead of naming models:

- `plans.copying` copies a plan (a revision, or next year's plan) through each part's `copy`;
- `plans.queries.plan_document` loads what the document shows through each part's `load`;
- `plans.checks` asks each part's `checks` for findings;
- `plans.snapshots` freezes each part's sections (`freeze`) into the one structure of the document, which
  `plans.document` reads back (`thaw`) for every page and the PDF; the review lets the board comment on
  what each part offers in it (`comment_targets`);
- a new plan starts with what each part's `create` gives it, and `years_changed` keeps a part in step
  with the plan's years;
- the plan editor lists the kinds of item it edits from each part's `editor` (`plans.editor`);
- the admin and the backup list a plan's models from `plan_models()`.

A part belongs to the kinds of document it names (`PartKind.documents`: plans only by default); a report
(`plans.reports`) is made of the text chapters and the report parts that show the follow-up of the plan it
reports on. `parts_of(plan)` gives one document's parts; everything above iterates through it.

Adding a part kind: its model(s), one `register(PartKind(...))` in its app, and its templates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from plans.models import Plan


@dataclass
class PlanCopy:
    """One copy of a plan under way: `source` into the new `target`.

    `rollover` is next year's plan (years move on, ended interventions stay behind); otherwise it is a
    revision with the same years. `ids` maps each copied model's old ids to the new ones, so a later part
    can point to an earlier one (activities to goals, amounts to columns); `shared` passes anything else
    between parts (the interventions carried)."""

    source: Plan
    target: Plan
    rollover: bool
    ids: dict[type[models.Model], dict[int, int]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict)

    def copy_rows(
        self, model: type[models.Model], rows: Iterable[models.Model], **changes: Callable[[Any], Any] | Any
    ) -> list[models.Model]:
        """Insert a copy of each row (every concrete field but its key and edit version), in order, and
        remember the ids. `changes` by attribute name: a value, or a function of the old row
        (`goal_id=lambda row: copy.new_id(Goal, row.goal_id)`)."""
        rows = list(rows)
        copies = []
        for row in rows:
            values = {
                f.attname: getattr(row, f.attname)
                for f in model._meta.concrete_fields
                if not f.primary_key and f.name != "version"
            }
            for name, change in changes.items():
                values[name] = change(row) if callable(change) else change
            copies.append(model(**values))
        created = model.objects.bulk_create(copies)
        self.ids.setdefault(model, {}).update(
            (old.pk, new.pk) for old, new in zip(rows, created, strict=True)
        )
        return created

    def new_id(self, model: type[models.Model], old_id: int | None) -> int | None:
        """The id of the copy of `model` row `old_id` (None for None, or for a row that was not copied)."""
        return None if old_id is None else self.ids.get(model, {}).get(old_id)


@dataclass(frozen=True)
class PartKind:
    """One kind of part of a plan and what the rest of finsam needs to know of it."""

    key: str
    models: tuple[type[models.Model], ...]  # parents first
    copy: Callable[[PlanCopy], None]
    load: Callable[[Any], None] | None = None  # fills the PlanDocument's attributes for this part
    checks: Callable[[Plan, Any], list] | None = None  # findings for the plan (its document, if loaded)
    create: Callable[[Plan], None] | None = None  # what a new empty plan starts with
    years_changed: Callable[[Plan], None] | None = None  # after the plan's years changed
    editor: tuple[Any, ...] = ()  # the `plans.editor.EditorKind`s of its items in the plan editor
    freeze: Callable[[Any, dict], None] | None = None  # adds its sections to a snapshot (`plans.snapshots`)
    thaw: Callable[[dict, Any], None] | None = None  # reads them back into the `plans.document.DocumentView`
    comment_targets: Callable[[dict], dict] | None = None  # (target kind, key) → label in frozen content
    # The kinds of document (`Plan.Kind`) it is part of: a plan's parts are not a report's, and the
    # report's chapters of the follow-up are not a plan's (`plans.reports`).
    documents: frozenset[str] = frozenset({"plan"})


PARTS: dict[str, PartKind] = {}


def register(kind: PartKind) -> PartKind:
    if kind.key in PARTS:
        raise ValueError(f"plan part {kind.key!r} registered twice")
    PARTS[kind.key] = kind
    return kind


def parts_of(plan: Plan | str) -> list[PartKind]:
    """The registered parts of this document (a plan, or its kind: `Plan.Kind`), in registry order. Every
    iteration over the parts of one document goes through here."""
    kind = plan if isinstance(plan, str) else plan.kind
    return [part for part in PARTS.values() if kind in part.documents]


def plan_models() -> list[type[models.Model]]:
    """Every model of a plan's parts, parents first, in registry order."""
    return [model for kind in PARTS.values() for model in kind.models]
