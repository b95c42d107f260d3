"""Writes of the budget grid: cells (typed amounts, pasted blocks, budgeted amounts of interventions),
columns, lines and groups, each through the plan's write gateway."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from budgets.models import (
    BudgetAmount,
    BudgetColumn,
    BudgetGroup,
    BudgetLine,
    InterventionBudgetAmount,
)
from finsam.editing import StaleVersion, versioned_update
from finsam.money import format_kronor, sek, to_decimal
from interventions.models import Grant, Intervention
from plans.gateway import plan_change
from plans.models import Plan, PlanEvent

# --- The grid: cells, columns, lines, groups ------------------------------------------------------------

UP, DOWN = "up", "down"


def _amount_text(value: Decimal | None) -> str:
    return _("tom") if value is None else format_kronor(value)


def _cell_check(line: BudgetLine, column: BudgetColumn) -> None:
    if column.plan_id != line.group.plan_id:
        raise ValidationError(_("Raden och kolumnen hör till olika planer."))
    if line.group.kind == BudgetGroup.Kind.CONTRIBUTIONS:
        raise ValidationError(_("Medlemsavgifternas rader räknas fram ur totalen och kan inte skrivas in."))


def _cell_write(
    change,
    *,
    line: BudgetLine,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    current: BudgetAmount | None,
) -> BudgetAmount | None:
    """Write one cell inside `change`, `current` being its stored amount as just read (None: empty).
    Raises `StaleVersion` on a conflict; an unchanged value writes nothing and records nothing."""
    current_version = current.version if current else 0
    if current_version != expected_version:
        raise StaleVersion(current)
    before = to_decimal(current.amount) if current else None
    if before == amount:
        return current
    if current is None:
        try:
            with transaction.atomic():
                saved = BudgetAmount.objects.create(line=line, column=column, amount=sek(amount))
        except IntegrityError:
            # Someone filled the empty cell between our read and our write.
            raise StaleVersion(BudgetAmount.objects.filter(line=line, column=column).first()) from None
    elif amount is None:
        deleted, _rows = BudgetAmount.objects.filter(pk=current.pk, version=expected_version).delete()
        if not deleted:
            raise StaleVersion(BudgetAmount.objects.filter(pk=current.pk).first())
        saved = None
    else:
        saved = versioned_update(current, expected_version=expected_version, amount=sek(amount))
    change.record(
        PlanEvent.Action.EDITED,
        _("Budget: %(line)s, %(column)s: %(before)s → %(after)s")
        % {
            "line": line.name,
            "column": str(column),
            "before": _amount_text(before),
            "after": _amount_text(amount),
        },
        {
            "line": line.pk,
            "column": column.pk,
            "before": None if before is None else str(before),
            "after": None if amount is None else str(amount),
        },
    )
    return saved


def budget_cell_update(
    *,
    line: BudgetLine,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    by,
    current: BudgetAmount | type[Ellipsis] | None = ...,
) -> BudgetAmount | None:
    """Set the amount of one cell (`None` empties it) if nobody changed it since `expected_version`.

    `expected_version` is the version of the cell's `BudgetAmount` the user saw, 0 for an empty cell.
    `current` is the cell's stored amount as the caller has just read it (None: empty), which saves the
    read (`...`: read it here); the writes are conditional on the version all the same. Raises
    `StaleVersion` with the cell as it is now (None if empty) on a conflict. An unchanged value writes
    nothing. Side effects: one INSERT, UPDATE or DELETE of a `BudgetAmount`, one `PlanEvent`.
    Returns the cell as saved (None when empty). Uses a constant number of queries.
    """
    _cell_check(line, column)
    with plan_change(line.group.plan, by=by) as change:
        if current is ...:
            current = BudgetAmount.objects.filter(line=line, column=column).first()
        return _cell_write(
            change,
            line=line,
            column=column,
            amount=amount,
            expected_version=expected_version,
            current=current,
        )


@dataclass(frozen=True)
class CellWrite:
    """One cell of a block written at once: its line and column, the amount and the version seen."""

    line: BudgetLine
    column: BudgetColumn
    amount: Decimal | None
    expected_version: int


def budget_cells_update(*, plan: Plan, cells: list[CellWrite], by) -> int:
    """Set several cells of `plan` at once (a pasted block): all of them, or none.

    Every cell is checked as in `budget_cell_update`; one stale cell raises `StaleVersion` (with that
    cell as it is now) and nothing is written. Side effects: one INSERT, UPDATE or DELETE per changed
    cell and one `PlanEvent` each, in one change of the plan. Returns how many cells changed.
    """
    for cell in cells:
        _cell_check(cell.line, cell.column)
        if cell.line.group.plan_id != plan.pk:
            raise ValidationError(_("Raden och kolumnen hör till olika planer."))
    with plan_change(plan, by=by) as change:
        stored = {
            (amount.line_id, amount.column_id): amount
            for amount in BudgetAmount.objects.filter(
                line__in={cell.line.pk for cell in cells}, column__in={cell.column.pk for cell in cells}
            )
        }
        for cell in cells:
            _cell_write(
                change,
                line=cell.line,
                column=cell.column,
                amount=cell.amount,
                expected_version=cell.expected_version,
                current=stored.get((cell.line.pk, cell.column.pk)),
            )
    return len(change.events)


def intervention_budget_update(
    *,
    plan: Plan,
    intervention: Intervention,
    column: BudgetColumn,
    amount: Decimal | None,
    expected_version: int,
    by,
) -> InterventionBudgetAmount | None:
    """Set what `plan` budgets for `intervention` in `column` instead of its grant, if nobody changed it
    since `expected_version` (the budgeted amount's version the user saw, 0 while the row follows the grant).

    `None`, or the grant itself, makes the row follow the grant again: a budgeted amount is kept only where
    it differs from the grant when it is set (it stays when the grant changes later). Raises
    `ValidationError` for a negative amount, a column of another plan, or an intervention the plan does not
    list as decided, and `StaleVersion` (with the budgeted amount as it is now, None when following) on a
    conflict. An unchanged value writes nothing. Side effects: one INSERT, UPDATE or DELETE of an
    `InterventionBudgetAmount`, one `PlanEvent`. Returns the budgeted amount as saved (None: follows)."""
    if column.plan_id != plan.pk:
        raise ValidationError(_("Insatsen och kolumnen hör till olika planer."))
    if amount is not None and amount < 0:
        raise ValidationError(_("Det budgeterade beloppet kan inte vara negativt."))
    if intervention.status == Intervention.Status.UNDECIDED:
        raise ValidationError(
            _("Insatsen är inte beslutad och står inte bland budgetens beslutade insatser.")
        )
    with plan_change(plan, by=by) as change:
        if not plan.plan_interventions.filter(intervention=intervention).exists():
            raise ValidationError(_("Insatsen ingår inte i planen."))
        current = InterventionBudgetAmount.objects.filter(column=column, intervention=intervention).first()
        current_version = current.version if current else 0
        if current_version != expected_version:
            raise StaleVersion(current)
        grant = Grant.objects.filter(intervention=intervention, year=column.year).first()
        granted = to_decimal(grant.amount) if grant else None
        budgeted = None if amount is None or amount == granted else amount
        before = to_decimal(current.amount) if current else None
        if before == budgeted:
            return current
        if current is None:
            try:
                with transaction.atomic():
                    saved = InterventionBudgetAmount.objects.create(
                        column=column, intervention=intervention, amount=sek(budgeted)
                    )
            except IntegrityError:
                # Someone set the amount between our read and our write.
                raise StaleVersion(
                    InterventionBudgetAmount.objects.filter(column=column, intervention=intervention).first()
                ) from None
        elif budgeted is None:
            deleted, _rows = InterventionBudgetAmount.objects.filter(
                pk=current.pk, version=expected_version
            ).delete()
            if not deleted:
                raise StaleVersion(InterventionBudgetAmount.objects.filter(pk=current.pk).first())
            saved = None
        else:
            saved = versioned_update(current, expected_version=expected_version, amount=sek(budgeted))

        def described(value: Decimal | None) -> str:
            if value is not None or granted is None:
                return _amount_text(value)
            return _("beviljat belopp (%(amount)s)") % {"amount": format_kronor(granted)}

        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: %(intervention)s, %(column)s: %(before)s → %(after)s")
            % {
                "intervention": intervention.budget_label,
                "column": str(column),
                "before": described(before),
                "after": described(budgeted),
            },
            {
                "intervention": intervention.pk,
                "column": column.pk,
                "granted": None if granted is None else str(granted),
                "before": None if before is None else str(before),
                "after": None if budgeted is None else str(budgeted),
            },
        )
    return saved


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
    Side effects: one UPDATE of the column, one `PlanEvent` (nothing when nothing changes).
    """
    changes: dict = {}
    described: list[str] = []
    if kind is not None and kind != column.kind:
        if kind not in BudgetColumn.Kind.values:
            raise ValidationError(_("Okänd typ av kolumn."))
        changes["kind"] = kind
        described.append(
            _("typ %(before)s → %(after)s")
            % {"before": column.get_kind_display(), "after": BudgetColumn.Kind(kind).label}
        )
    if contributions_total is not ...:
        before = None if column.contributions_total is None else to_decimal(column.contributions_total)
        if contributions_total is not None and contributions_total < 0:
            raise ValidationError(_("Medlemsavgifterna kan inte vara negativa."))
        if before != contributions_total:
            changes["contributions_total"] = None if contributions_total is None else sek(contributions_total)
            described.append(
                _("medlemsavgifter totalt %(before)s → %(after)s")
                % {"before": _amount_text(before), "after": _amount_text(contributions_total)}
            )
    if not changes:
        if column.version != expected_version:
            raise StaleVersion(BudgetColumn.objects.filter(pk=column.pk).first())
        return column
    with plan_change(column.plan, by=by) as change:
        label = str(column)
        column = versioned_update(column, expected_version=expected_version, **changes)
        change.record(
            PlanEvent.Action.EDITED,
            _("Budget: kolumnen %(column)s: %(changes)s")
            % {"column": label, "changes": ", ".join(described)},
            {"column": column.pk},
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


def budget_line_remove(*, line: BudgetLine, by) -> None:
    """Remove a line and its amounts. Side effects: DELETEs, one `PlanEvent` with the removed amounts."""
    plan = line.group.plan
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
    """Remove a group with its lines and their amounts. Computed rows simply stop being shown."""
    plan = group.plan
    with plan_change(plan, by=by) as change:
        lines = list(group.lines.values_list("name", flat=True))
        change.record(
            PlanEvent.Action.DELETED,
            _("Budget: tog bort gruppen %(group)s") % {"group": group.name},
            {"group": group.pk, "name": group.name, "lines": lines},
        )
        group.delete()
