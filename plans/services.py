"""Writes made through the plan editor. Each function runs through the plan's write gateway
(`plans.gateway.plan_change`: one transaction, the plan locked and refused unless editable, a PlanEvent).

The ordered parts of a plan (chapters, goals, indicators, target groups, control, communication and
activity items) and the association's board seats share four operations: add, update, delete, move.
Updates and deletes are optimistic: they state the version the user started from and raise
`StaleVersion` when someone else saved in between (see finsam/editing.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from finsam.editing import StaleVersion, versioned_update
from finsam.models import Association
from plans.gateway import plan_change, settings_change_is_text
from plans.models import Plan, PlanEvent
from plans.parts import parts_of


def plan_create(
    *,
    association: Association,
    title: str,
    first_year: int,
    years: int,
    unit: str,
    decimals: int,
    costs_negative: bool,
    by,
) -> Plan:
    """Create an empty draft plan with what each part starts with (`PartKind.create`: the standard
    chapters, a budget column per year and the standard budget groups).

    Side effects: inserts the plan and its parts' rows, records a "created" PlanEvent.
    """
    with transaction.atomic():
        plan = Plan.objects.create(
            association=association,
            title=title,
            first_year=first_year,
            years=years,
            unit=unit,
            decimals=decimals if unit == Plan.Unit.TKR else 0,
            costs_negative=costs_negative,
        )
        with plan_change(plan, by=by) as change:
            for kind in parts_of(plan):
                if kind.create is not None:
                    kind.create(plan)
            change.record(PlanEvent.Action.CREATED, _("Ny tom plan ”%(title)s”") % {"title": title})
    return plan


def plan_settings_update(*, plan: Plan, expected_version: int, changes: dict, by) -> Plan:
    """Change the plan's title, years and display options; keep its budget columns in step with its years.

    A year added to the plan gets a column (budget for the first year, plan after it). A column that falls
    outside the new years is removed only if it holds no amounts, else `ValidationError` (nothing saved).
    Raises `StaleVersion` when the plan changed since `expected_version`.
    Side effects: updates the plan, creates/removes/re-kinds columns, records an "edited" PlanEvent.
    """
    changed = sorted(field for field, value in changes.items() if getattr(plan, field) != value)
    with plan_change(plan, by=by, text=settings_change_is_text(changes)) as change:
        old_range = plan.year_range
        try:
            with transaction.atomic():
                versioned_update(plan, expected_version=expected_version, **changes)
        except IntegrityError as error:
            raise _integrity_as_validation(error) from error
        if plan.year_range != old_range:
            for kind in parts_of(plan):
                if kind.years_changed is not None:
                    kind.years_changed(plan)
        change.record(
            PlanEvent.Action.EDITED,
            _("Planens inställningar"),
            {"kind": "plan", "id": plan.pk, "fields": changed},
        )
    return plan


# --- The ordered parts -------------------------------------------------------------------------------


def part_siblings(item: models.Model) -> models.QuerySet:
    """The items `item` is ordered among: its plan's, its goal's (indicators) or its association's (seats)."""
    within = item.ordered_within
    return type(item).objects.filter(**{f"{within}_id": getattr(item, f"{within}_id")})


def part_label(item: models.Model) -> str:
    """`kapitel ”Inledning”`: what the history and the messages call an item."""
    return f"{item._meta.verbose_name} ”{str(item)[:80]}”"


def part_details(item: models.Model, **extra) -> dict:
    details = {"kind": item._meta.model_name, "id": item.pk, **extra}
    if item.ordered_within not in ("plan", "association"):
        details[item.ordered_within] = getattr(item, f"{item.ordered_within}_id")  # an indicator's goal
    return details


def _integrity_as_validation(error: IntegrityError) -> ValidationError:
    # The form checks the same rules first; this only fires when two people save at the same moment.
    return ValidationError(_("Det gick inte att spara: någon annan sparade samtidigt något som krockar."))


def plan_part_add(*, plan: Plan, item: models.Model, by) -> models.Model:
    """Save a new (validated, unsaved) part last among its siblings.

    Side effects: inserts the item, records an "added" PlanEvent.
    """
    with plan_change(plan, by=by, text=True) as change:
        last = part_siblings(item).aggregate(last=Max("position"))["last"]
        item.position = 0 if last is None else last + 1
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError as error:
            raise _integrity_as_validation(error) from error
        change.record(PlanEvent.Action.ADDED, part_label(item), part_details(item))
    return item


def plan_part_update(
    *, plan: Plan, item: models.Model, expected_version: int, changes: dict, by
) -> models.Model:
    """Apply `changes` to a part if nobody saved it since `expected_version`.

    Raises `StaleVersion` (with the row as it is now, or None if it was deleted) on a conflict.
    Side effects: updates the item, records an "edited" PlanEvent naming the changed fields.
    """
    changed = sorted(field for field, value in changes.items() if getattr(item, field) != value)
    with plan_change(plan, by=by, text=True) as change:
        try:
            with transaction.atomic():
                versioned_update(item, expected_version=expected_version, **changes)
        except IntegrityError as error:
            raise _integrity_as_validation(error) from error
        change.record(PlanEvent.Action.EDITED, part_label(item), part_details(item, fields=changed))
    return item


def plan_part_delete(*, plan: Plan, item: models.Model, expected_version: int, by) -> None:
    """Delete a part unless someone changed it since `expected_version` (then `StaleVersion`).

    Side effects: deletes the item (a goal takes its indicators with it; activities keep no goal),
    records a "deleted" PlanEvent that keeps the item's id so a later save of it can say it is gone.
    """
    model = type(item)
    with plan_change(plan, by=by, text=True) as change:
        label, details = part_label(item), part_details(item)
        deleted, _counts = model.objects.filter(pk=item.pk, version=expected_version).delete()
        if not deleted:
            raise StaleVersion(model.objects.filter(pk=item.pk).first())
        change.record(PlanEvent.Action.DELETED, label, details)


@dataclass(frozen=True)
class Move:
    moved: bool
    index: int  # 0-based place after the move
    count: int


def plan_part_move(*, plan: Plan, item: models.Model, direction: str = "", to: int | None = None, by) -> Move:
    """Move a part one place "up" or "down" among its siblings, or `to` a place (0-based, as dropped
    by drag and drop). Moving past either end is a no-op.

    Renumbers the siblings' positions 0..n-1 in one UPDATE, so that positions left equal by imports
    or defaults never make a move ambiguous. Versions are not bumped: order is not content, and a move
    must not turn someone's open edit into a conflict.
    Side effects: updates positions, records a "moved" PlanEvent when something moved.
    """
    if to is None and direction not in ("up", "down"):
        raise ValueError("give a direction (up/down) or a place")
    with plan_change(plan, by=by, text=True) as change:
        siblings = list(part_siblings(item).select_for_update().order_by("position", "id"))
        index = next(i for i, sibling in enumerate(siblings) if sibling.pk == item.pk)
        if to is None:
            target = index - 1 if direction == "up" else index + 1
        else:
            target = max(0, min(to, len(siblings) - 1))
        if target == index or not 0 <= target < len(siblings):
            return Move(moved=False, index=index, count=len(siblings))
        siblings.insert(target, siblings.pop(index))
        for position, sibling in enumerate(siblings):
            sibling.position = position
        type(item).objects.bulk_update(siblings, ["position"])
        item.position = target
        change.record(PlanEvent.Action.MOVED, part_label(item), part_details(item, to=target + 1))
    return Move(moved=True, index=target, count=len(siblings))


def part_deletion(*, plan: Plan, model_name: str, pk: int) -> PlanEvent | None:
    """This plan's record of deleting that item, if any (a stale save then gets a conflict, not a 404)."""
    return plan.events.filter(
        action=PlanEvent.Action.DELETED, details__kind=model_name, details__id=pk
    ).first()


def plan_deletable(plan: Plan) -> bool:
    """A plan made by mistake can go while it is a draft that was never sent to the board (nothing of it
    was ever seen by the board, reviewed or adopted) and no later plan was made from it."""
    return (
        plan.state == Plan.State.DRAFT
        and not plan.snapshots.exists()
        and not Plan.objects.filter(rolled_over_from=plan).exists()
        and not plan.revisions.exists()
    )


def plan_delete(*, plan: Plan, by) -> None:
    """Delete a draft that was never sent to the board, with all its parts and its own history.

    Refused (ValidationError, Swedish) for any other plan: a version the board saw stays on record."""
    with plan_change(plan, by=by, lifecycle="delete"):
        if not plan_deletable(plan):
            raise ValidationError(
                _("Bara ett utkast som aldrig skickats till styrelsen kan tas bort."), code="not_deletable"
            )
        # The plan's own history goes with it (a bulk delete: PlanEvent refuses to be deleted one by one).
        PlanEvent.objects.filter(plan=plan).delete()
        files = [pdf.file for pdf in plan.pdfs.all() if pdf.file]
        plan.delete()
    for file in files:  # a draft's PDFs, once the plan is gone for good
        file.delete(save=False)
