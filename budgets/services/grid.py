"""Writes of the budget grid's structure, each through the plan's write gateway: columns (and a column's
members' total contribution), lines and groups. The amount cells are written in `budgets.services.cells`."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from budgets.models import BudgetColumn, BudgetGroup, BudgetLine
from budgets.services.cells import amount_text, marked_summary, new_step
from finsam.editing import StaleVersion, versioned_update
from finsam.money import sek, to_decimal
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

# --- The grid: columns, lines, groups ------------------------------------------------------------------

UP, DOWN = "up", "down"


def budget_column_update(
    *,
    column: BudgetColumn,
    expected_version: int,
    by,
    kind: str | None = None,
    contributions_total: Decimal | type[Ellipsis] | None = ...,
) -> BudgetColumn:
    """Change a column's kind and/or the members' total contribution (`None` clears it; `...` keeps it).

    The contribution rows of the budget follow the total (they are computed). Raises `StaleVersion`
    on a conflict and `ValidationError` for a negative total or an unknown kind.
    Side effects: one UPDATE of the column, one `PlanEvent` (nothing when nothing changes); a change of
    the total alone is an undo step (`budgets.services.undo`).
    """
    if kind is not None and kind != column.kind and kind not in BudgetColumn.Kind.values:
        raise ValidationError(_("Okänd typ av kolumn."))
    if contributions_total not in (..., None) and contributions_total < 0:
        raise ValidationError(_("Medlemsavgifterna kan inte vara negativa."))
    if not _column_changes(column, kind, contributions_total):
        if column.version != expected_version:
            raise StaleVersion(BudgetColumn.objects.filter(pk=column.pk).first())
        return column
    with plan_change(column.plan, by=by) as change:
        return column_write(
            change,
            column=column,
            expected_version=expected_version,
            kind=kind,
            contributions_total=contributions_total,
            mark=new_step(),
        )


def _column_changes(column: BudgetColumn, kind, contributions_total) -> dict:
    changes: dict = {}
    if kind is not None and kind != column.kind:
        changes["kind"] = kind
    if contributions_total is not ...:
        before = None if column.contributions_total is None else to_decimal(column.contributions_total)
        if before != contributions_total:
            changes["contributions_total"] = None if contributions_total is None else sek(contributions_total)
    return changes


def column_write(
    change,
    *,
    column: BudgetColumn,
    expected_version: int,
    kind: str | None = None,
    contributions_total: Decimal | type[Ellipsis] | None = ...,
    mark: dict,
) -> BudgetColumn:
    """`budget_column_update` inside a change of the plan under way (checked input). A change of the
    total alone records it `before` and `after` with `mark` (an undo step, or the undo of one)."""
    changes = _column_changes(column, kind, contributions_total)
    if not changes:
        return column
    described: list[str] = []
    details: dict = {"column": column.pk}
    if "kind" in changes:
        described.append(
            _("typ %(before)s → %(after)s")
            % {"before": column.get_kind_display(), "after": BudgetColumn.Kind(kind).label}
        )
    if "contributions_total" in changes:
        before = None if column.contributions_total is None else to_decimal(column.contributions_total)
        described.append(
            _("medlemsavgifter totalt %(before)s → %(after)s")
            % {"before": amount_text(before), "after": amount_text(contributions_total)}
        )
        if "kind" not in changes:  # a change of the total alone is one cell's change
            details |= {
                "label": _("Medlemsavgifter totalt, %(column)s") % {"column": column},
                "total_before": None if before is None else str(before),
                "total_after": None if contributions_total is None else str(contributions_total),
                **mark,
            }
    label = str(column)
    column = versioned_update(column, expected_version=expected_version, **changes)
    change.record(
        PlanEvent.Action.EDITED,
        marked_summary(
            _("Budget: kolumnen %(column)s: %(changes)s")
            % {"column": label, "changes": ", ".join(described)},
            mark,
        ),
        details,
    )
    return column


def budget_column_add(*, plan: Plan, year: int | None, kind: str, by) -> BudgetColumn:
    """A column for a year the budget lacks (e.g. after a one-year import into a three-year plan).

    Budget and plan columns lie within the plan's years; outcome and forecast columns may also come
    before them. Raises `ValidationError` (Swedish) for a missing or taken year or an unknown kind."""
    if kind not in BudgetColumn.Kind.values:
        raise ValidationError(_("Välj en typ för kolumnen."))
    if year is None:
        raise ValidationError(
            _("Skriv året som fyra siffror, till exempel %(year)s.") % {"year": plan.first_year}
        )
    history = kind in (BudgetColumn.Kind.OUTCOME, BudgetColumn.Kind.FORECAST)
    first = plan.first_year - (5 if history else 0)
    if not first <= year <= plan.last_year:
        raise ValidationError(
            _("En kolumn av typen %(kind)s kan ligga %(first)s–%(last)s.")
            % {"kind": BudgetColumn.Kind(kind).label.lower(), "first": first, "last": plan.last_year}
        )
    if plan.budget_columns.filter(year=year).exists():
        raise ValidationError(_("Budgeten har redan en kolumn för %(year)s.") % {"year": year})
    with plan_change(plan, by=by) as change:
        column = BudgetColumn.objects.create(plan=plan, year=year, kind=kind)
        change.record(
            PlanEvent.Action.ADDED,
            _("Budget: lade till kolumnen %(column)s") % {"column": column},
            {"column": column.pk},
        )
    return column


def budget_column_remove(*, column: BudgetColumn, by) -> None:
    """Remove a column with its amounts, adjusted contributions, budgeted amounts and stated figures."""
    with plan_change(column.plan, by=by) as change:
        label = str(column)
        column.delete()
        change.record(
            PlanEvent.Action.DELETED, _("Budget: tog bort kolumnen %(column)s") % {"column": label}, {}
        )


# Lines -------------------------------------------------------------------------------------------


def budget_line_add(*, group: BudgetGroup, name: str, by, undecided: bool = False) -> BudgetLine:
    """Add an empty line at the end of `group`. The contributions group computes its rows: refused."""
    plan = group.plan
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv radens benämning.")})
    if group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
        raise ValidationError(_("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in."))
    with plan_change(plan, by=by) as change:
        last = group.lines.aggregate(last=Max("position"))["last"]
        line = BudgetLine(group=group, name=name, undecided=undecided, position=(last or 0) + 1)
        line.full_clean()
        line.save()
        change.record(
            PlanEvent.Action.ADDED,
            _("Budget: la till raden %(line)s i %(group)s") % {"line": name, "group": group.name},
            {"line": line.pk, "group": group.pk},
        )
    return line


def _rename(item, *, plan: Plan, expected_version: int, by, changes: dict, summary: str, details: dict):
    """Save a line's or a group's name (and flag) if nobody changed it since `expected_version`; an
    unchanged value writes nothing (but a stale one is still a conflict)."""
    if all(getattr(item, field) == value for field, value in changes.items()):
        if item.version != expected_version:
            raise StaleVersion(type(item).objects.filter(pk=item.pk).first())
        return item
    with plan_change(plan, by=by) as change:
        item = versioned_update(item, expected_version=expected_version, **changes)
        change.record(PlanEvent.Action.EDITED, summary, details)
    return item


def budget_line_update(
    *, line: BudgetLine, expected_version: int, by, name: str, undecided: bool | None = None
) -> BudgetLine:
    """Rename a line (and mark it as undecided funds or not)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv radens benämning.")})
    changes = {"name": name} | ({} if undecided is None else {"undecided": undecided})
    return _rename(
        line,
        plan=line.group.plan,
        expected_version=expected_version,
        by=by,
        changes=changes,
        summary=_("Budget: ändrade raden %(before)s till %(after)s") % {"before": line.name, "after": name},
        details={"line": line.pk},
    )


def _swap_neighbour(items: list, item, direction: str) -> bool:
    """Move `item` one step in `items` (renumbering positions 1..n). False when it is already at the end."""
    index = next(i for i, candidate in enumerate(items) if candidate.pk == item.pk)
    target = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN):
        raise ValidationError(_("Okänd riktning."))
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, candidate in enumerate(items, start=1):
        candidate.position = position
    return True


def _move(item, *, plan: Plan, siblings, direction: str, by, summary: str, details: dict) -> bool:
    """Move `item` one step among `siblings` (locked, renumbered 1..n). False when it cannot move further."""
    with plan_change(plan, by=by) as change:
        ordered = sorted(
            siblings.select_for_update(), key=lambda candidate: (candidate.position, candidate.pk)
        )
        if not _swap_neighbour(ordered, item, direction):
            return False
        type(item).objects.bulk_update(ordered, ["position"])
        change.record(PlanEvent.Action.MOVED, summary, details | {"direction": direction})
    return True


def budget_line_move(*, line: BudgetLine, direction: str, by) -> bool:
    """Move a line one step up or down within its group. Returns False when it cannot move further."""
    return _move(
        line,
        plan=line.group.plan,
        siblings=BudgetLine.objects.filter(group_id=line.group_id),
        direction=direction,
        by=by,
        summary=_("Budget: flyttade raden %(line)s") % {"line": line.name},
        details={"line": line.pk},
    )


def refuse_removing_adopted_lines(plan: Plan, lines) -> None:
    """A revised budget (`Plan.budget_only`) keeps every line of the version it revises: the year's
    follow-up shows the first adopted budget beside the revised one row by row, and a line taken away
    would leave the original sums without it. Its amount is set to 0 instead (`ValidationError`)."""
    if not plan.budget_only or plan.revision_of_id is None:
        return
    lineages = [line.lineage for line in lines]
    adopted = BudgetLine.objects.filter(group__plan_id=plan.revision_of_id, lineage__in=lineages)
    if lineages and adopted.exists():
        raise ValidationError(
            _(
                "En rad ur den fastställda budgeten kan inte tas bort i en reviderad budget. Sätt beloppet "
                "till 0 i stället: uppföljningen visar den ursprungliga budgeten bredvid den reviderade."
            )
        )


def budget_line_remove(*, line: BudgetLine, by) -> None:
    """Remove a line and its amounts. Side effects: DELETEs, one `PlanEvent` with the removed amounts.
    A revised budget's line that the adopted version has is refused (`refuse_removing_adopted_lines`)."""
    plan = line.group.plan
    refuse_removing_adopted_lines(plan, [line])
    with plan_change(plan, by=by) as change:
        amounts = {
            str(amount.column.year): str(to_decimal(amount.amount))
            for amount in line.amounts.select_related("column")
        }
        change.record(
            PlanEvent.Action.DELETED,
            _("Budget: tog bort raden %(line)s ur %(group)s") % {"line": line.name, "group": line.group.name},
            {"line": line.pk, "name": line.name, "amounts": amounts},
        )
        line.delete()


# Groups ------------------------------------------------------------------------------------------


def budget_group_add(*, plan: Plan, section: str, kind: str, name: str, by) -> BudgetGroup:
    """Add a group at the end of its section. Computed kinds exist once per plan."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv gruppens rubrik.")})
    with plan_change(plan, by=by) as change:
        if kind in BudgetGroup.COMPUTED_KINDS and plan.budget_groups.filter(kind=kind).exists():
            raise ValidationError(
                {
                    "kind": _("Planen har redan en grupp av typen %(kind)s.")
                    % {"kind": BudgetGroup.Kind(kind).label}
                }
            )
        last = plan.budget_groups.filter(section=section).aggregate(last=Max("position"))["last"]
        group = BudgetGroup(plan=plan, section=section, kind=kind, name=name, position=(last or 0) + 1)
        group.full_clean()
        group.save()
        change.record(
            PlanEvent.Action.ADDED,
            _("Budget: la till gruppen %(group)s") % {"group": name},
            {"group": group.pk},
        )
    return group


def budget_group_update(
    *,
    group: BudgetGroup,
    expected_version: int,
    by,
    name: str,
    collapsed: bool | None = None,
    summed_under: str | None = None,
) -> BudgetGroup:
    """Rename a group (and choose whether it prints as one line, and the subtotal it shares with the
    groups next to it)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Skriv gruppens rubrik.")})
    changes = {"name": name} | ({} if collapsed is None else {"collapsed": collapsed})
    if summed_under is not None:
        summed_under = " ".join(summed_under.split())
        if len(summed_under) > 200:
            raise ValidationError({"summed_under": _("Högst 200 tecken.")})
        changes["summed_under"] = summed_under
    return _rename(
        group,
        plan=group.plan,
        expected_version=expected_version,
        by=by,
        changes=changes,
        summary=_("Budget: ändrade gruppen %(before)s till %(after)s")
        % {"before": group.name, "after": name},
        details={"group": group.pk},
    )


def budget_group_move(*, group: BudgetGroup, direction: str, by) -> bool:
    """Move a group one step up or down within its section (revenue or costs)."""
    return _move(
        group,
        plan=group.plan,
        siblings=BudgetGroup.objects.filter(plan_id=group.plan_id, section=group.section),
        direction=direction,
        by=by,
        summary=_("Budget: flyttade gruppen %(group)s") % {"group": group.name},
        details={"group": group.pk},
    )


def budget_group_remove(*, group: BudgetGroup, by) -> None:
    """Remove a group with its lines and their amounts. Computed rows simply stop being shown. A revised
    budget's group with lines of the adopted version is refused (`refuse_removing_adopted_lines`)."""
    plan = group.plan
    refuse_removing_adopted_lines(plan, group.lines.all())
    with plan_change(plan, by=by) as change:
        lines = list(group.lines.values_list("name", flat=True))
        change.record(
            PlanEvent.Action.DELETED,
            _("Budget: tog bort gruppen %(group)s") % {"group": group.name},
            {"group": group.pk, "name": group.name, "lines": lines},
        )
        group.delete()
